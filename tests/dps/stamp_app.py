"""A WSGI app for tests/dps/test_gunicorn_worker.py: takes its time, then answers with the time
the web server says it received the request."""

import json
import time

from dps.gunicorn_worker import RECEIVED_AT

SERVING_SECONDS = 0.4


def app(environ, start_response):
    time.sleep(SERVING_SECONDS)
    body = json.dumps({"received_at": environ.get(RECEIVED_AT), "answered_at": time.time()})
    start_response("200 OK", [("Content-Type", "application/json")])
    return [body.encode()]
