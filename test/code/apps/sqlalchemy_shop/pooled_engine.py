"""A service's engine with an explicit QueuePool, checked out once."""
import os

from sqlalchemy import create_engine, text
from sqlalchemy.pool import QueuePool

engine = create_engine(os.environ["DATABASE_URL"], poolclass=QueuePool, pool_size=10, max_overflow=20)

if __name__ == "__main__":
    with engine.connect() as connection:
        print(connection.execute(text("SELECT 1")).scalar())
