"""Real processes a benchmark runs against: gunicorn serving the app, a Celery worker, and an
SMTP server that counts what it receives. Each is a context manager that stops what it started.
They read the same database as the benchmark (DATABASE_URL) with the bench settings."""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_QUEUE = f"dps-bench-{os.getpid()}"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _env(**extra):
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "dps.settings.bench",
        "PYTHONUNBUFFERED": "1",
        "CELERY_QUEUE": BENCH_QUEUE,
        **extra,
    }


def _stop(process, timeout=15):
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def _wait_for(condition, timeout, what, process, log_path):
    deadline = time.monotonic() + timeout
    while not condition():
        if process.poll() is not None or time.monotonic() > deadline:
            log = Path(log_path).read_text(errors="replace")[-3000:]
            raise RuntimeError(f"{what} did not start. Its log:\n{log}")
        time.sleep(0.2)


def children_of(pid):
    """The pids of a process's direct children (gunicorn's workers)."""
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(p) for p in f.read().split()]
    except FileNotFoundError:
        return []


@contextmanager
def gunicorn(*, workers=2, threads=1, log_dir, extra_env=None):
    """Serve the app with gunicorn on a free port, in the shipped configuration with `workers`
    processes of `threads` threads. Yields (base url, the master process)."""
    port = free_port()
    log_path = Path(log_dir) / "gunicorn.log"
    # The shipped configuration (gunicorn.conf.py), as the Dockerfile runs it.
    command = [
        sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "dps.wsgi:application",
        "--bind", f"127.0.0.1:{port}", "--log-level", "warning",
    ]  # fmt: skip
    sizes = {"WEB_CONCURRENCY": str(workers), "WEB_THREADS": str(threads)}
    env = _env(**sizes, GUNICORN_ACCESS_LOG="", **(extra_env or {}))
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"

    def answering():
        try:
            urllib.request.urlopen(f"{base}/healthz", timeout=2)  # noqa: S310
            return True
        except urllib.error.HTTPError:
            return True
        except OSError:
            return False

    try:
        _wait_for(answering, 60, "gunicorn", process, log_path)
        yield base, process
    finally:
        _stop(process)


@contextmanager
def celery_worker(*, log_dir, email_url, concurrency=1):
    """One Celery worker (prefork, `concurrency` processes) on this run's own queue."""
    log_path = Path(log_dir) / "celery.log"
    name = f"{BENCH_QUEUE}@{socket.gethostname()}"
    command = [
        sys.executable, "-m", "celery", "-A", "dps", "worker",
        "--pool=prefork" if concurrency > 1 else "--pool=solo", f"--concurrency={concurrency}",
        "--without-heartbeat", "--without-gossip", "--without-mingle",
        "--loglevel=WARNING", "-Q", BENCH_QUEUE, "-n", name,
    ]  # fmt: skip
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=_env(EMAIL_URL=email_url, CONN_MAX_AGE="0"),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_for(lambda: _answers_ping(name), 60, "the Celery worker", process, log_path)
        yield process
    finally:
        _stop(process)


def _answers_ping(name):
    """Whether the worker is consuming: it answers a ping only once it is ready (its "ready"
    line is logged at INFO, below the worker's WARNING level)."""
    from dps.celery import app

    try:
        return bool(app.control.ping(destination=[name], timeout=0.5))
    except Exception:
        return False


class CountingHandler:
    """An SMTP DATA handler that counts messages and notes when each arrived."""

    def __init__(self):
        self.arrivals = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd calls it by this name
        with self._lock:
            self.arrivals.append((time.monotonic(), list(envelope.rcpt_tos)))
        return "250 OK"

    @property
    def count(self):
        with self._lock:
            return len(self.arrivals)


@contextmanager
def smtp_server():
    """An aiosmtpd server in this process. Yields (handler, email url)."""
    from aiosmtpd.controller import Controller

    handler = CountingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield handler, f"smtp://127.0.0.1:{controller.port}"
    finally:
        controller.stop()
