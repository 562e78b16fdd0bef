"""The real services the integration tests need, and whether this machine can reach them.

DATABASE_URL must name a PostgreSQL server and REDIS_URL a Redis server. Without them the
integration tests are skipped; with REQUIRE_SERVICES=1 (CI) the whole run fails instead."""

import os
from functools import cache

import pytest


def _postgres_problem():
    from django.conf import settings

    if not os.environ.get("DATABASE_URL"):
        return "DATABASE_URL is not set (e.g. postgres://postgres@127.0.0.1:5432/dps)"
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        return f"DATABASE_URL must name a PostgreSQL database, not {db['ENGINE']}"
    import psycopg

    try:
        # The server's maintenance database: the test database does not exist yet.
        psycopg.connect(
            host=db.get("HOST") or None,
            port=db.get("PORT") or None,
            user=db.get("USER") or None,
            password=db.get("PASSWORD") or None,
            dbname="postgres",
            connect_timeout=3,
        ).close()
    except psycopg.Error as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)
        return f"PostgreSQL at DATABASE_URL cannot be reached: {first_line}"
    return None


def _redis_problem():
    url = os.environ.get("REDIS_URL", "")
    if not url:
        return "REDIS_URL is not set (e.g. redis://127.0.0.1:6379/5)"
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
        client.ping()
        client.close()
    except redis.RedisError as exc:
        return f"Redis at REDIS_URL cannot be reached: {exc}"
    return None


@cache
def services_problem():
    """Why the integration tests cannot run here, or None when they can."""
    problems = [p for p in (_postgres_problem(), _redis_problem()) if p]
    return "; ".join(problems) or None


def services_required():
    return os.environ.get("REQUIRE_SERVICES", "").strip().lower() in {"1", "true", "yes"}


def require_services():
    """With REQUIRE_SERVICES=1, stop the run at once when a service is missing: a CI that
    meant to test against PostgreSQL and Redis must not pass by skipping those tests."""
    if services_required():
        problem = services_problem()
        if problem:
            pytest.exit(
                f"REQUIRE_SERVICES=1 but {problem}", returncode=pytest.ExitCode.TESTS_FAILED
            )
