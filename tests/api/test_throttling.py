from datetime import timedelta

import pytest
import redis
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.core.cache.backends.locmem import LocMemCache
from django.utils import timezone

from dps.api.throttling import ClientRateThrottle
from tests.factories import make_api_client

from .conftest import assert_problem

ME = "/api/v1/me/"


@pytest.fixture
def three_a_minute(settings, monkeypatch):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"client": "3/minute"},
    }
    # Counts start from nothing, in a cache of the test's own (the shared one may be Redis).
    throttle_cache = LocMemCache("throttle-test", {})
    throttle_cache.clear()
    monkeypatch.setattr(ClientRateThrottle, "cache", throttle_cache)


def test_a_client_over_its_rate_gets_429_with_retry_after(client, world, three_a_minute):
    _client, key = make_api_client(world.borough_a)
    auth = {"Authorization": f"Bearer {key}"}
    start = timezone.now()

    with time_machine.travel(start, tick=False):
        for _ in range(3):
            assert client.get(ME, headers=auth).status_code == 200
        response = client.get(ME, headers=auth)

    body = assert_problem(response, 429)
    assert body["title"] == "Too many requests"
    assert response["Retry-After"] == "60"

    with time_machine.travel(start + timedelta(seconds=61), tick=False):
        assert client.get(ME, headers=auth).status_code == 200


def test_each_client_has_its_own_budget(client, world, three_a_minute):
    _a, key_a = make_api_client(world.borough_a)
    _b, key_b = make_api_client(world.borough_b)

    with time_machine.travel(timezone.now(), tick=False):
        for _ in range(3):
            client.get(ME, headers={"Authorization": f"Bearer {key_a}"})
        assert client.get(ME, headers={"Authorization": f"Bearer {key_a}"}).status_code == 429
        assert client.get(ME, headers={"Authorization": f"Bearer {key_b}"}).status_code == 200


def test_a_signed_in_user_is_throttled_too(client, world, three_a_minute):
    client.force_login(world.officer_a)

    with time_machine.travel(timezone.now(), tick=False):
        for _ in range(3):
            assert client.get(ME).status_code == 200
        assert_problem(client.get(ME), 429)


class DownCache:
    """A cache whose store cannot be reached, as Django's RedisCache is when Redis is down."""

    def get(self, *args, **kwargs):
        raise redis.ConnectionError("Connection refused")

    set = get


def test_with_the_cache_down_calls_are_served_unthrottled(client, world, monkeypatch, caplog):
    monkeypatch.setattr(ClientRateThrottle, "cache", DownCache())
    _client, key = make_api_client(world.borough_a)

    response = client.get(ME, headers={"Authorization": f"Bearer {key}"})

    assert response.status_code == 200
    assert "API throttling is off" in caplog.text


def test_an_anonymous_caller_is_counted_by_its_address_whatever_it_forwards(rf, settings):
    settings.PROXY_COUNT = 0
    throttle = ClientRateThrottle()

    def key(forwarded):
        request = rf.get(ME, HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR="203.0.113.7")
        request.user = AnonymousUser()
        request.auth = None
        return throttle.get_cache_key(request, None)

    assert key("198.51.100.1") == key("198.51.100.2") == key("")
    assert "203.0.113.7" in key("198.51.100.1")

    # Behind one proxy, the address the proxy saw, not what the caller wrote before it.
    settings.PROXY_COUNT = 1
    assert "198.51.100.9" in key("10.0.0.1, 198.51.100.9")
    assert key("10.0.0.1, 198.51.100.9") == key("10.0.0.2, 198.51.100.9")
