"""With the database or Redis down, pages answer 503 in the service's layout (saying whether a
form was saved) and the API answers problem details, both with Retry-After; an unexpected fault
is a 500 in the same layout. /readyz tells a load balancer which dependency is down."""

import errno
from unittest import mock

import pytest
import redis
from django.db import OperationalError
from django.test import Client
from django.utils.html import escape

from tests.api.conftest import assert_problem

pytestmark = pytest.mark.django_db

DATABASE_DOWN = mock.patch(
    "django.db.backends.base.base.BaseDatabaseWrapper.cursor",
    side_effect=OperationalError("connection to server at db.internal failed"),
)
# Sessions kept in Redis: what a page needs first from it.
REDIS_DOWN = mock.patch(
    "django.contrib.sessions.backends.db.SessionStore.load",
    side_effect=redis.ConnectionError("Error 111 connecting to redis.internal:6379"),
)


@pytest.fixture
def browser(world):
    """A signed-in officer whose requests come back as the browser sees them, errors included."""
    client = Client(raise_request_exception=False)
    client.force_login(world.officer_a)
    return client


def page(response):
    return response.content.decode()


def test_a_page_with_the_database_down_is_a_503_in_the_services_layout(browser, settings):
    with DATABASE_DOWN:
        response = browser.get("/")

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    html = page(response)
    assert "Sorry, the service is unavailable" in html
    assert escape(settings.SERVICE_NAME) in html
    assert "govuk-service-navigation" in html  # the service's own layout
    assert "has been saved" not in html
    assert "db.internal" not in html


def test_a_form_sent_with_the_database_down_says_nothing_was_saved(browser):
    with DATABASE_DOWN:
        response = browser.post(
            "/organisation/users/", {"email": "new@a.test", "role": "placement_officer"}
        )

    assert response.status_code == 503
    assert "Nothing you sent has been saved" in page(response)


def test_a_sign_in_with_the_database_down_is_a_503_not_a_bare_server_error(db):
    client = Client(raise_request_exception=False)

    with DATABASE_DOWN:
        response = client.post("/accounts/login/", {"login": "a@b.test", "password": "x" * 12})

    assert response.status_code == 503
    assert "Nothing you sent has been saved" in page(response)


def test_a_page_with_redis_down_is_a_503_that_does_not_claim_nothing_was_saved(browser):
    with REDIS_DOWN:
        got = browser.get("/")
        posted = browser.post("/organisation/users/", {"email": "new@a.test"})

    assert got.status_code == posted.status_code == 503
    assert got["Retry-After"] == "30"
    assert "may have been saved" in page(posted)
    assert "redis.internal" not in page(posted)


def test_the_api_with_the_database_down_answers_problem_details_with_retry_after(
    world, api_key_for
):
    client = Client(raise_request_exception=False)
    key = api_key_for(world.borough_a)

    with DATABASE_DOWN:
        got = client.get("/api/v1/me/", headers={"Authorization": key})
        posted = client.post(
            "/api/v1/invitations/",
            {"email": "new@a.test", "role": "placement_officer"},
            content_type="application/json",
            headers={"Authorization": key},
        )

    for response in (got, posted):
        body = assert_problem(response, 503)
        assert response["Retry-After"] == "30"
        assert body["title"] == "Service unavailable"
        assert "db.internal" not in body["detail"]
    assert "Nothing was changed" in posted.json()["detail"]


def test_an_unexpected_fault_is_a_500_in_the_services_layout(browser, settings):
    with mock.patch("dps.views.render", side_effect=ValueError("a bug")):
        response = browser.get("/")

    assert response.status_code == 500
    html = page(response)
    assert "Sorry, there is a problem with the service" in html
    assert escape(settings.SERVICE_NAME) in html
    assert "Retry-After" not in response


# --- Liveness and readiness ---------------------------------------------------------------


def test_the_service_is_ready_when_its_database_and_media_store_work(client, settings):
    settings.REDIS_URL = ""

    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {"status": "ready", "checks": {"database": "ok", "media": "ok"}}


def test_it_is_not_ready_with_the_database_down_but_still_alive(client):
    with DATABASE_DOWN:
        ready = client.get("/readyz")
        alive = client.get("/healthz")

    assert ready.status_code == 503
    assert ready.json()["checks"]["database"] == "failed"
    assert alive.status_code == 200


def test_it_is_not_ready_when_the_media_store_cannot_be_written(client, settings):
    settings.REDIS_URL = ""  # the embedded set-up: database and media store only
    full = OSError(errno.ENOSPC, "No space left on device")
    with mock.patch("django.core.files.storage.default_storage.save", side_effect=full):
        response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "media": "failed"}


def test_the_media_check_leaves_no_file_behind(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path

    assert client.get("/readyz").status_code == 200

    assert list(tmp_path.iterdir()) == []


def test_redis_is_checked_when_it_is_used_and_its_address_is_not_shown(client, settings):
    settings.REDIS_URL = "redis://:s3cret-password@127.0.0.1:1/0"  # nothing listens there

    down = client.get("/readyz")
    with mock.patch("redis.Redis.ping", return_value=True):
        up = client.get("/readyz")

    assert down.status_code == 503
    assert down.json()["checks"]["redis"] == "failed"
    assert "s3cret" not in down.content.decode()
    assert "127.0.0.1" not in down.content.decode()
    assert up.status_code == 200
    assert up.json()["checks"]["redis"] == "ok"
