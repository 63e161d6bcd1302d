"""Imports products one by one, committing each: an INSERT and a commit per row."""
import sys

from sqlalchemy.orm import Session

from database import engine
from models import Product


def main(count):
    rows = [{"name": f"imported {i}", "price": 5, "category_id": 1} for i in range(count)]
    with Session(engine) as session:
        for row in rows:
            session.add(Product(name=row["name"], price=row["price"], category_id=row["category_id"]))
            session.commit()


if __name__ == "__main__":
    main(int(sys.argv[1]))
