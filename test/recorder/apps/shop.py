"""A small SQLAlchemy shop whose data access patterns the query recorder must recognise.

    python3 shop.py DATABASE_URL SCENARIO

SCENARIO: setup (tables and rows, run against the server itself), lazy-many-to-one,
lazy-collection, selectinload, joinedload, add-per-row, slow.
"""
import sys

from sqlalchemy import Column, ForeignKey, Integer, Numeric, String, create_engine, text
from sqlalchemy.orm import declarative_base, joinedload, relationship, selectinload, Session

Base = declarative_base()

CATEGORIES = 8
PRODUCTS = 20
ORDERS = 30


class Category(Base):
    __tablename__ = "rec_categories"
    id = Column(Integer, primary_key=True)
    name = Column(String, nullable=False)
    products = relationship("Product", back_populates="category")


class Product(Base):
    __tablename__ = "rec_products"
    id = Column(Integer, primary_key=True)
    name = Column(String, nullable=False)
    price = Column(Numeric, nullable=False)
    category_id = Column(Integer, ForeignKey("rec_categories.id"), nullable=False)
    category = relationship("Category", back_populates="products")


class Order(Base):
    __tablename__ = "rec_orders"
    id = Column(Integer, primary_key=True)
    product_id = Column(Integer, ForeignKey("rec_products.id"), nullable=False)
    quantity = Column(Integer, nullable=False)


def setup(session):
    Base.metadata.drop_all(session.bind)
    Base.metadata.create_all(session.bind)
    session.add_all(Category(id=i, name=f"category {i}") for i in range(1, CATEGORIES + 1))
    session.flush()
    session.add_all(
        Product(id=i, name=f"product {i}", price=i * 10, category_id=(i % CATEGORIES) + 1) for i in range(1, PRODUCTS + 1)
    )
    session.commit()


def lazy_many_to_one(session):
    # One SELECT of products, then one SELECT per category not yet loaded: 8 in all.
    for product in session.query(Product).order_by(Product.id).all():
        print(product.name, product.category.name)


def lazy_collection(session):
    for category in session.query(Category).order_by(Category.id).all():
        print(category.name, len(category.products))


def with_selectinload(session):
    for product in session.query(Product).options(selectinload(Product.category)).order_by(Product.id).all():
        print(product.name, product.category.name)


def with_joinedload(session):
    for product in session.query(Product).options(joinedload(Product.category)).order_by(Product.id).all():
        print(product.name, product.category.name)


def add_per_row(session):
    # The unit of work flushed once per object: one INSERT per row, all in one transaction.
    for i in range(ORDERS):
        session.add(Order(product_id=(i % PRODUCTS) + 1, quantity=i + 1))
        session.flush()
    session.rollback()


def slow(session):
    session.execute(text("SELECT pg_sleep(0.6)"))


SCENARIOS = {
    "setup": setup,
    "lazy-many-to-one": lazy_many_to_one,
    "lazy-collection": lazy_collection,
    "selectinload": with_selectinload,
    "joinedload": with_joinedload,
    "add-per-row": add_per_row,
    "slow": slow,
}

if __name__ == "__main__":
    url, scenario = sys.argv[1], sys.argv[2]
    engine = create_engine(url, future=True)
    with Session(engine) as session:
        SCENARIOS[scenario](session)
    engine.dispose()
