"""The shipped gunicorn configuration (gunicorn.conf.py) tells the app when each request
reached the service, not when a busy worker got to it: under a burst, a request that waited
for a free thread keeps the time it arrived."""

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

from tests.dps.stamp_app import SERVING_SECONDS

ROOT = Path(settings.BASE_DIR)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server():
    """gunicorn with the shipped configuration, one worker with one thread (the busiest
    possible), serving the test app."""
    port = free_port()
    env = {**os.environ, "WEB_CONCURRENCY": "1", "WEB_THREADS": "1", "GUNICORN_ACCESS_LOG": ""}
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--bind",
         f"127.0.0.1:{port}", "tests.dps.stamp_app:app"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    # Ready when a request is answered, not when a connection is: the master listens before its
    # worker has booted and set the socket option that stamps arrivals, and a connection
    # accepted before then has no stamps.
    give_up = time.monotonic() + 30
    while time.monotonic() < give_up and process.poll() is None:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
                sock.sendall(b"GET / HTTP/1.0\r\nHost: x\r\n\r\n")
                if sock.recv(64).startswith(b"HTTP/1."):
                    break
        except OSError:
            pass
        time.sleep(0.1)
    else:
        process.kill()
        pytest.fail(process.stderr.read().decode())
    yield port
    process.terminate()
    process.wait(10)


def test_a_request_that_waited_for_a_thread_keeps_the_time_it_arrived(server):
    # The three are sent from one loop, within milliseconds, so that they overlap however
    # loaded the machine is (client threads could be scheduled too late to queue behind each
    # other); then each answer is read.
    sent = []
    for _ in range(3):
        sock = socket.create_connection(("127.0.0.1", server), timeout=30)
        sent.append((sock, time.time()))
        sock.sendall(b"GET / HTTP/1.0\r\nHost: x\r\n\r\n")
    answers = []
    for sock, sent_at in sent:
        with sock:
            response = b""
            while chunk := sock.recv(65536):  # HTTP/1.0: the body runs to the close
                response += chunk
        answers.append((sent_at, json.loads(response.split(b"\r\n\r\n", 1)[1])))

    # One thread serves the three in turn: the last is answered two servings after it came.
    waits = sorted(a["answered_at"] - sent_at for sent_at, a in answers)
    assert waits[-1] > 2.5 * SERVING_SECONDS
    for sent_at, answer in answers:
        # Each is stamped as it arrived, however long it then waited: never before it was
        # sent, and before the app got to it. (Measured against the server's own times, not the
        # client's: on a loaded machine a client thread can be late to send what it timed.)
        assert answer["received_at"] - sent_at > -0.01
        assert answer["received_at"] <= answer["started_at"]
    # The one served last waited two servings, and kept the time it arrived.
    last = max((answer for _sent_at, answer in answers), key=lambda answer: answer["started_at"])
    assert last["started_at"] - last["received_at"] > 1.5 * SERVING_SECONDS


def test_a_client_that_trickles_its_request_gains_nothing(server):
    with socket.create_connection(("127.0.0.1", server), timeout=30) as sock:
        sock.sendall(b"GET / HTTP/1.0\r\nHost: x\r\n")
        time.sleep(0.5)
        finished_at = time.time()
        sock.sendall(b"\r\n")
        response = b""
        while chunk := sock.recv(65536):  # HTTP/1.0: the body runs to the close
            response += chunk
        answer = json.loads(response.split(b"\r\n\r\n", 1)[1])

    # Its first bytes came half a second early; it was received when the rest came (when the
    # thread had read it).
    assert answer["received_at"] >= finished_at - 0.01
