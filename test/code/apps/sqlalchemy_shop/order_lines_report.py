"""Prints every line of every order with its product: a collection read in a loop, and a
many-to-one read in the loop over that collection (a query per order, and one per line)."""
from sqlalchemy import select
from sqlalchemy.orm import Session

from database import engine
from models import Order


def main():
    with Session(engine) as db:
        orders = db.scalars(select(Order).order_by(Order.id)).all()
        for order in orders:
            for item in order.items:
                print(order.id, item.product.name, item.quantity)


if __name__ == "__main__":
    main()
