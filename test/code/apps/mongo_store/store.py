"""An event store on MongoDB."""
from pymongo import MongoClient

client = MongoClient("mongodb://localhost:27017/", maxPoolSize=50, minPoolSize=10, maxIdleTimeMS=60000,
                     waitQueueTimeoutMS=5000)
archive = MongoClient("mongodb://archive:27017/?maxPoolSize=5&minPoolSize=20&serverSelectionTimeoutMS=5000")
