"""A Flask application with NullPool and a pool sized from settings."""
from flask import Flask
from sqlalchemy import create_engine
from sqlalchemy.pool import NullPool

import settings

app = Flask(__name__)
reports = create_engine(settings.REPORTS_URL, poolclass=NullPool)
engine = create_engine(settings.DATABASE_URL, pool_size=settings.POOL, max_overflow=0, pool_pre_ping=True,
                       pool_recycle=600, pool_timeout=10)
