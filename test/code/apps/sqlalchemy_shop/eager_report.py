"""The correct forms: eager-loaded queries and relationships loaded with lazy="selectin"/"joined"."""
from sqlalchemy import select
from sqlalchemy.orm import Session, contains_eager, selectinload

from database import engine
from models import Category, Customer, Order, Product


def main():
    with Session(engine) as db:
        stmt = select(Product).options(selectinload(Product.category))
        for product in db.scalars(stmt):
            print(product.name, product.category.name)
        joined = select(Product).join(Product.category).options(contains_eager(Product.category)).where(Category.id > 0)
        for product in db.scalars(joined):
            print(product.category.name)
        for customer in db.scalars(select(Customer)):
            print(customer.name, len(customer.orders))
        for order in db.scalars(select(Order)):
            print(order.customer.name)


if __name__ == "__main__":
    main()
