"""A Redis cache that keeps the service up while Redis is down.

The cache holds only what can be lost: rate-limit counters, one-time-code marks, throttles. With
Redis unreachable, Django's RedisCache raises on every call, so signing in would fail with a
server error. This one logs and answers as an empty cache instead: limits are not enforced for
the outage, and everything else works.
"""

import logging

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger(__name__)
DOWN = (RedisConnectionError, RedisTimeoutError)


def _tolerant(name, fallback):
    method = getattr(RedisCache, name)

    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except DOWN:
            log.warning("Cache %s failed: Redis cannot be reached", name, exc_info=True)
            return fallback(*args, **kwargs) if callable(fallback) else fallback

    wrapper.__name__ = name
    wrapper.__doc__ = method.__doc__
    return wrapper


def _default(key, default=None, *args, **kwargs):
    return default


def _delta(key, delta=1, *args, **kwargs):
    return delta


class ResilientRedisCache(RedisCache):
    get = _tolerant("get", _default)
    get_many = _tolerant("get_many", {})
    has_key = _tolerant("has_key", False)
    # `add` answers "stored" so that a first use (e.g. of a one-time code) is not refused.
    add = _tolerant("add", True)
    set = _tolerant("set", None)
    set_many = _tolerant("set_many", [])
    touch = _tolerant("touch", False)
    delete = _tolerant("delete", False)
    delete_many = _tolerant("delete_many", None)
    incr = _tolerant("incr", _delta)
    clear = _tolerant("clear", None)
