"""The per-address limit on failed sign-ins: it reads the client's real address behind the
proxy, and it never keeps out the right password of someone who has not failed; the lock of an
account that failed too often (django-axes) stays."""

import pytest
from django.conf import settings

from dps.models import AuditEvent
from tests.conftest import PASSWORD

from .conftest import LOGIN_URL, is_signed_in

pytestmark = pytest.mark.django_db

ADDRESS_LIMIT = 30
PROXY = "10.0.0.2"  # the reverse proxy: every request reaches the service from it


@pytest.fixture
def behind_a_proxy(settings):
    settings.PROXY_COUNT = 1


def from_client(address):
    """The request as the proxy passes it on: it appends the address it was reached from."""
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": f"203.0.113.66, {address}"}


def sign_in(client, email, password=PASSWORD, **meta):
    return client.post(LOGIN_URL, {"login": email, "password": password}, **meta)


def fail_from(client, times, **extra):
    """Failed sign-ins from one address, each to an account of its own (so none is locked)."""
    for i in range(times):
        sign_in(client, f"nobody{i}@guess.test", "wrong-password-guess", **extra)


def test_a_user_who_has_not_failed_signs_in_from_an_address_past_the_limit(client, world):
    fail_from(client, ADDRESS_LIMIT + 5)

    response = sign_in(client, world.bidder_a.email)

    assert response.status_code == 302
    assert is_signed_in(client)


def test_behind_a_proxy_each_client_is_counted_by_its_own_address(client, world, behind_a_proxy):
    noisy, colleague = from_client("81.2.69.160"), from_client("81.2.69.161")
    fail_from(client, ADDRESS_LIMIT, **noisy)
    # The bidder got the password wrong once, from her own desk.
    sign_in(client, world.bidder_a.email, "wrong-password-guess", **colleague)

    refused = sign_in(client, world.bidder_a.email, **noisy)
    assert refused.status_code == 200
    assert "too many failed sign-in attempts from your network" in refused.content.decode()
    assert not is_signed_in(client)

    sign_in(client, world.bidder_a.email, **colleague)
    assert is_signed_in(client)


def test_an_account_that_failed_is_not_tried_again_from_an_address_past_the_limit(client, world):
    fail_from(client, ADDRESS_LIMIT)
    sign_in(client, world.bidder_a.email, "wrong-password-guess")

    sign_in(client, world.bidder_a.email)

    assert not is_signed_in(client)


def test_an_account_that_failed_too_often_stays_locked_from_every_address(
    client, world, behind_a_proxy
):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, world.bidder_a.email, "wrong-password-guess", **from_client("81.2.69.1"))

    response = sign_in(client, world.bidder_a.email, **from_client("81.2.69.2"))

    assert response.status_code == 429
    assert not is_signed_in(client)


def test_the_audit_log_records_the_clients_address_behind_a_proxy(client, world, behind_a_proxy):
    sign_in(client, world.bidder_a.email, **from_client("81.2.69.160"))

    login = AuditEvent.objects.get(action="auth.login")
    assert login.ip_address == "81.2.69.160"
