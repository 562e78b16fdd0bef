"""Real services for the integration tests: an SMTP server in this process, and a Celery
worker in a subprocess that reads the test database, takes tasks from Redis and sends mail
to that SMTP server."""

import os
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from email import message_from_bytes, policy
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis
from aiosmtpd.controller import Controller
from django.db import connection
from django.test import override_settings

from dps.celery import app as celery_app
from tests.integration.services import services_problem

ROOT = Path(__file__).resolve().parent.parent.parent
# Tasks go to a queue of this run's own, so that runs sharing a Redis database (or pytest-xdist
# workers, each with its own test database) never take each other's tasks.
QUEUE = f"dps-test-{os.getpid()}"
celery_app.conf.task_default_queue = QUEUE


def pytest_collection_modifyitems(config, items):
    integration = [item for item in items if item.get_closest_marker("integration")]
    if not integration:
        return
    # Run last (in one process; under xdist the worker fixture is also stopped when a process
    # leaves the integration tests), so that no Celery worker is alive during other tests.
    items[:] = [item for item in items if item not in integration] + integration
    problem = services_problem()
    if problem:
        skip = pytest.mark.skip(reason=f"integration: {problem}")
        for item in integration:
            item.add_marker(skip)


def wait_until(condition, *, timeout=20.0, interval=0.1, message="condition"):
    """Poll condition() until it returns something truthy; fail after timeout seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"Timed out after {timeout}s waiting for {message}")
        time.sleep(interval)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class CollectingHandler:
    """An SMTP server's DATA handler that keeps every message, or refuses the next few with
    451 (a temporary failure, as a server under load answers)."""

    def __init__(self):
        self.messages = []
        self.refusals = 0
        self._lock = threading.Lock()

    def refuse_next(self, count):
        with self._lock:
            self.refusals = count

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd calls it by this name
        with self._lock:
            if self.refusals:
                self.refusals -= 1
                return "451 4.3.0 Mailbox busy, try again later"
            message = message_from_bytes(envelope.content, policy=policy.default)
            message.rcpt_tos = list(envelope.rcpt_tos)
            self.messages.append(message)
        return "250 OK"

    def messages_to(self, address):
        with self._lock:
            return [m for m in self.messages if address in m.rcpt_tos]

    def wait_for_message_to(self, address, timeout=20.0):
        return wait_until(
            lambda: self.messages_to(address),
            timeout=timeout,
            message=f"an email to {address} at the SMTP server",
        )[0]


@pytest.fixture(scope="session")
def smtp_server():
    handler = CollectingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    handler.port = controller.port
    yield handler
    controller.stop()


@pytest.fixture
def smtp(smtp_server):
    """The session's SMTP server, emptied and accepting mail."""
    smtp_server.refuse_next(0)
    smtp_server.messages.clear()
    return smtp_server


def _test_database_url():
    """DATABASE_URL with the database name that pytest-django created for this run."""
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path="/" + connection.settings_dict["NAME"]))


def _delete_queue():
    """Remove this run's queue and kombu's bookkeeping for it from Redis."""
    client = redis.Redis.from_url(os.environ["REDIS_URL"], socket_connect_timeout=2)
    try:
        client.delete(QUEUE, *client.keys(f"_kombu.binding*.{QUEUE}"))
    finally:
        client.close()


def _die_with_parent():
    """Ask Linux to stop the worker if pytest dies without tearing it down (e.g. kill -9)."""
    import ctypes
    import signal

    pr_set_pdeathsig = 1
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


@pytest.fixture(scope="package")
def celery_worker(django_db_setup, smtp_server, tmp_path_factory):
    """A real `celery -A dps worker`, with the test settings, the test database, Redis, and
    SMTP to the session's SMTP server. Started for the integration tests and stopped when the
    process leaves them: a worker left running would send the emails other tests queue (and
    erase the secret links a browser test reads) while those tests still expect them queued."""
    problem = services_problem()
    if problem:
        pytest.skip(problem)
    log_path = tmp_path_factory.mktemp("celery") / "worker.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "dps.settings.test",
        "DJANGO_ENV": "test",
        "DATABASE_URL": _test_database_url(),
        "REDIS_URL": os.environ["REDIS_URL"],
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_server.port}",
        "CELERY_QUEUE": QUEUE,  # the worker's own sends (from the sweep) go there too
        "CONN_MAX_AGE": "0",
        "PYTHONUNBUFFERED": "1",
    }
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "dps",
        "worker",
        "--pool=solo",
        "--without-heartbeat",
        "--without-gossip",
        "--without-mingle",
        "--loglevel=INFO",
        "-Q",
        QUEUE,
        "-n",
        f"{QUEUE}@%h",
    ]
    _delete_queue()
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=_die_with_parent if sys.platform == "linux" else None,
        )

    def log_text():
        return log_path.read_text(errors="replace")

    try:
        deadline = time.monotonic() + 30
        while " ready." not in log_text():
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"The Celery worker did not start. Its log:\n{log_text()[-4000:]}")
            time.sleep(0.2)
        process.log_text = log_text
        yield process
    finally:
        # Stopped before pytest-django drops the test database the worker is connected to.
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        _delete_queue()


def _reset_producer_pools():
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@contextmanager
def redis_unreachable():
    """Point this process's Celery broker and Django cache (both Redis in production) at a
    port where nothing listens, as if Redis were down; put them back afterwards."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))  # held, never listened on: connections are refused
        dead_url = f"redis://127.0.0.1:{sock.getsockname()[1]}/0"
        dead_cache = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": dead_url,
            }
        }
        real_url = celery_app.conf.broker_url
        celery_app.conf.broker_url = dead_url
        _reset_producer_pools()
        try:
            with override_settings(CACHES=dead_cache):
                yield
        finally:
            celery_app.conf.broker_url = real_url
            _reset_producer_pools()


@pytest.fixture
def redis_down():
    return redis_unreachable
