"""A WSGI app for tests/dps/test_gunicorn_worker.py: takes its time, then answers with the time
the request counts as received."""

import json
import time

from dps.gunicorn_worker import RECEIVED_AT

SERVING_SECONDS = 0.4


def app(environ, start_response):
    # Without the server's stamp, a request is received when the app gets to it (as
    # dps.middleware.received_at has it).
    started_at = time.time()
    received_at = environ.get(RECEIVED_AT, started_at)
    time.sleep(SERVING_SECONDS)
    body = json.dumps(
        {"received_at": received_at, "started_at": started_at, "answered_at": time.time()}
    )
    start_response("200 OK", [("Content-Type", "application/json")])
    return [body.encode()]
