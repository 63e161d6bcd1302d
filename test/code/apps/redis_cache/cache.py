"""A cache in front of the shop, with a pool missing its timeouts."""
import redis

pool = redis.ConnectionPool(host="localhost", port=6379, db=0, max_connections=50, decode_responses=True)
sessions = redis.Redis.from_url("redis://localhost:6379/1?socket_timeout=5")
cache = redis.Redis(connection_pool=pool)


def price(product_id):
    return cache.get(f"price:{product_id}")
