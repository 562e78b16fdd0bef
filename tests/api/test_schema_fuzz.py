"""Property-based tests of the whole API from its own OpenAPI document (Schemathesis): every
operation, fed generated valid and invalid input, never answers with a server error, answers as
the document says (status, content type, body), and refuses input the document calls invalid
(a wrong type, a value not in an enum) with a 4xx rather than quietly ignoring it."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.utils.crypto import get_random_string
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from tests.factories import LotFactory, make_api_client

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]
FUZZ = settings(
    max_examples=25,
    derandomize=True,  # the same cases on every run
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


# Loaded when the tests are collected: serving the document needs no database.
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """The app must not close the database connection that holds the test's transaction at
    the end of each request (as Django's test client also makes sure)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(autouse=True)
def lots(world):
    # The app runs in the test's thread, so it sees the test's database and data.
    return [LotFactory(code=f"lot-{n}", name=f"Lot {n}") for n in range(3)]


# (A pytest parametrization also gives each operation its own test id.)
@schema.parametrize()
@pytest.mark.parametrize("organisation", ["borough_a"])
@FUZZ
def test_the_api_never_fails_for_a_write_key(case, world, organisation):
    _client, key = make_api_client(getattr(world, organisation), can_write=True)

    case.call_and_validate(headers={"Authorization": f"Bearer {key}"}, checks=CHECKS)


def without_generated_credentials(case):
    """Schemathesis fills in the security schemes with made-up values; drop them."""
    if case.headers:
        case.headers.pop("Authorization", None)
    if case.cookies:
        case.cookies.pop("sessionid", None)


@schema.parametrize()
@pytest.mark.parametrize("persona", ["commissioner_a", "admin"])
@FUZZ
def test_the_api_never_fails_for_a_signed_in_admin(case, client, world, persona):
    client.force_login(getattr(world, persona))
    csrf = get_random_string(32)
    without_generated_credentials(case)

    case.call_and_validate(
        headers={"X-CSRFToken": csrf},
        cookies={"sessionid": client.cookies["sessionid"].value, "csrftoken": csrf},
        checks=CHECKS,
        environ_base={"REMOTE_ADDR": "127.0.0.1"},  # sessions record the address
    )


@schema.parametrize()
@pytest.mark.parametrize("caller", ["anonymous"])
@settings(FUZZ, max_examples=10)
def test_the_api_never_fails_for_made_up_credentials(case, caller):
    # Whatever Authorization header and session cookie Schemathesis makes up: 4xx, never 5xx.
    case.call_and_validate(checks=CHECKS)
