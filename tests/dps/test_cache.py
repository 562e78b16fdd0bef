import pytest
from django.core.cache.backends.redis import RedisCache

from dps.cache import ResilientRedisCache

CLOSED = "redis://127.0.0.1:1/0"  # nothing listens on port 1


@pytest.fixture
def down():
    return ResilientRedisCache(CLOSED, {"OPTIONS": {"socket_connect_timeout": 0.5}})


def test_django_s_own_redis_cache_raises_when_redis_is_down():
    with pytest.raises(Exception, match=r"(?i)connect"):
        RedisCache(CLOSED, {}).get("key")


def test_with_redis_down_the_cache_answers_as_an_empty_cache(down):
    assert down.get("key") is None
    assert down.get("key", "fallback") == "fallback"
    assert down.get_many(["a", "b"]) == {}
    assert down.has_key("key") is False
    assert down.add("one-time-code", "used") is True
    down.set("key", 1)
    down.delete("key")
    assert down.incr("counter", 3) == 3


def test_signing_in_works_while_redis_is_down(world, client, settings):
    settings.CACHES = {"default": {"BACKEND": "dps.cache.ResilientRedisCache", "LOCATION": CLOSED}}
    response = client.post(
        "/accounts/login/",
        {"login": world.bidder_a.email, "password": "correct-horse-battery"},
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200
