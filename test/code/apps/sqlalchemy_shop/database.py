"""The engine and the seed data; DATABASE_URL names the server."""
import os

from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from models import Base, Category, Customer, Order, OrderItem, Product

engine = create_engine(os.environ["DATABASE_URL"], pool_size=5, max_overflow=5)


def seed():
    Base.metadata.drop_all(engine)
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        categories = [Category(name=f"category {i}") for i in range(10)]
        session.add_all(categories)
        products = [Product(name=f"product {i}", price=i + 1, category=categories[i % 10]) for i in range(30)]
        session.add_all(products)
        customer = Customer(name="Ada")
        session.add(customer)
        orders = [Order(customer=customer) for _ in range(15)]
        session.add_all(orders)
        session.flush()
        # Two lines per order, every line a different product: 30 distinct products in 30 lines.
        session.add_all(
            [OrderItem(order_id=o.id, product_id=products[2 * i + k].id, quantity=k + 1) for i, o in enumerate(orders) for k in range(2)]
        )
        session.commit()
