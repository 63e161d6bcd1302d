"""Prints each product with its category: the many-to-one read in a loop."""
from sqlalchemy import select
from sqlalchemy.orm import Session

from database import engine
from models import Product


def main():
    with Session(engine) as db:
        products = db.scalars(select(Product).order_by(Product.id)).all()
        for product in products:
            print(product.name, product.category.name)


if __name__ == "__main__":
    main()
