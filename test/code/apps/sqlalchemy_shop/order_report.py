"""Prints the number of items of each order: the one-to-many collection read in a loop."""
from sqlalchemy.orm import Session, joinedload

from database import engine
from models import Order


def main():
    with Session(engine) as session:
        query = session.query(Order).options(joinedload(Order.customer)).order_by(Order.id)
        for order in query.all():
            print(order.id, order.customer.name, len(order.items))


if __name__ == "__main__":
    main()
