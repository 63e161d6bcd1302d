"""Every setting given, in keywords and in the URI: nothing to report."""
from pymongo import MongoClient

client = MongoClient("mongodb://localhost:27017/", maxPoolSize=50, minPoolSize=10, maxIdleTimeMS=60000,
                     waitQueueTimeoutMS=5000, serverSelectionTimeoutMS=5000)
replica = MongoClient("mongodb://a,b/?replicaSet=rs&maxPoolSize=20&maxIdleTimeMS=60000&waitQueueTimeoutMS=2000"
                      "&serverSelectionTimeoutMS=3000")
