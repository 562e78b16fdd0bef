"""Helpers for the security tests: signing in through the real login pages, and TOTP codes."""

import os
import re
import subprocess
import sys
import time

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.conf import settings

from tests.conftest import PASSWORD

LOGIN_URL = "/accounts/login/"
MFA_URL = "/accounts/2fa/authenticate/"


def totp_code(secret, at=None):
    """The code an authenticator app shows for `secret` now (or at a Unix time)."""
    counter = int(time.time() if at is None else at) // 30
    return format_hotp_value(hotp_value(secret, counter))


def sign_in(client, email, password=PASSWORD, **extra):
    """Post the login form; returns the response."""
    return client.post(LOGIN_URL, {"login": email, "password": password, **extra})


def is_signed_in(client):
    return "_auth_user_id" in client.session


def link_in(body, path_start):
    """The first URL path in an email body that starts with path_start."""
    match = re.search(rf"https?://[^/\s]+({re.escape(path_start)}[^\s\"<]*)", body)
    assert match, f"no link to {path_start} in:\n{body}"
    return match.group(1)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Used TOTP codes and rate limits live in the cache: start every test with it empty."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def run_manage(*args, **env):
    """Run manage.py in a fresh process with DJANGO_ENV and other variables from `env`."""
    base = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "DJANGO_SETTINGS_MODULE",
            "DJANGO_ENV",
            "SECRET_KEY",
            "SECRET_KEY_FILE",
            "ALLOWED_HOSTS",
            "MFA_ENFORCED",
            "DEBUG",
            "HSTS_SECONDS",
            "SECURE_SSL_REDIRECT",
            "EMAIL_URL",
            "EMAIL_FILE_PATH",
        }
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


PRODUCTION = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": "k3y-" + "a1B2c3D4e5F6g7H8i9J0" * 3,
    "ALLOWED_HOSTS": "dps.example.org",
}
