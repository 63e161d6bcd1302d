"""Every setting given: nothing to report."""
import redis

pool = redis.BlockingConnectionPool(host="localhost", port=6379, max_connections=50, timeout=5, socket_timeout=5,
                                    socket_connect_timeout=5, health_check_interval=30)
client = redis.Redis.from_url(
    "redis://localhost:6379/0?socket_timeout=5&socket_connect_timeout=5&health_check_interval=30&max_connections=20")
