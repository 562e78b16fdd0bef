"""When a request was received: a trusted front proxy's stamp, believed only within the closing
grace and never ahead of now; otherwise now."""

from datetime import timedelta

import pytest
from django.utils import timezone

from dps.gunicorn_worker import RECEIVED_AT
from dps.middleware import received_at

HEADER = "HTTP_X_REQUEST_START"


@pytest.fixture
def proxy(settings):
    settings.REQUEST_START_HEADER = "X-Request-Start"
    settings.CLOSE_GRACE_SECONDS = 5


def test_without_a_configured_proxy_the_header_is_ignored(settings):
    settings.REQUEST_START_HEADER = ""
    now = timezone.now()
    stamp = (now - timedelta(seconds=2)).timestamp()
    assert received_at({HEADER: f"t={stamp}"}, now=now) == now


@pytest.mark.parametrize(
    "form", ["t={s:.3f}", "{s:.3f}", "t={us}", "t={ms}"], ids=["nginx", "bare", "micro", "milli"]
)
def test_a_proxys_stamp_within_the_grace_is_the_time_received(proxy, form):
    now = timezone.now()
    received = now - timedelta(seconds=2)
    s = received.timestamp()
    value = form.format(s=s, us=int(s * 1e6), ms=int(s * 1e3))
    assert abs(received_at({HEADER: value}, now=now) - received) < timedelta(milliseconds=2)


@pytest.mark.parametrize(
    "value",
    ["", "soon", "t=", "t=nan", "t=1e400", "-5"],
)
def test_a_missing_or_malformed_stamp_is_now(proxy, value):
    now = timezone.now()
    assert received_at({HEADER: value} if value else {}, now=now) == now


@pytest.mark.parametrize("offset", [timedelta(seconds=6), timedelta(seconds=-1)])
def test_a_stamp_older_than_the_grace_or_ahead_of_now_is_not_believed(proxy, offset):
    now = timezone.now()
    stamp = (now - offset).timestamp()
    assert received_at({HEADER: f"t={stamp}"}, now=now) == now


# --- The web server's own stamp (dps.gunicorn_worker) ---------------------------------------


def test_without_a_proxy_the_web_servers_stamp_is_the_time_received(settings):
    settings.REQUEST_START_HEADER = ""
    settings.CLOSE_GRACE_SECONDS = 5
    now = timezone.now()
    received = now - timedelta(seconds=2)
    # A client's X-Request-Start is no proxy's: it is ignored, the server's stamp is not.
    by_client = (now - timedelta(seconds=4)).timestamp()
    meta = {RECEIVED_AT: received.timestamp(), HEADER: f"t={by_client}"}
    assert abs(received_at(meta, now=now) - received) < timedelta(milliseconds=2)


@pytest.mark.parametrize("offset", [timedelta(seconds=6), timedelta(seconds=-1)])
def test_the_web_servers_stamp_is_believed_only_within_the_grace(settings, offset):
    settings.REQUEST_START_HEADER = ""
    settings.CLOSE_GRACE_SECONDS = 5
    now = timezone.now()
    assert received_at({RECEIVED_AT: (now - offset).timestamp()}, now=now) == now


def test_a_named_proxys_stamp_comes_before_the_web_servers(proxy):
    now = timezone.now()
    by_proxy, by_server = now - timedelta(seconds=3), now - timedelta(seconds=1)
    meta = {HEADER: f"t={by_proxy.timestamp()}", RECEIVED_AT: by_server.timestamp()}
    assert abs(received_at(meta, now=now) - by_proxy) < timedelta(milliseconds=2)
    # A malformed proxy stamp falls back to the server's.
    meta[HEADER] = "soon"
    assert abs(received_at(meta, now=now) - by_server) < timedelta(milliseconds=2)
