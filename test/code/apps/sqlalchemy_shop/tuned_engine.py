"""Every pool setting given: nothing to report."""
from sqlalchemy import create_engine
from sqlalchemy.pool import QueuePool

engine = create_engine("postgresql+psycopg2://app@db/shop", poolclass=QueuePool, pool_size=10, max_overflow=20,
                       pool_timeout=30, pool_recycle=1800, pool_pre_ping=True)
