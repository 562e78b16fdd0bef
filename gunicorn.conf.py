"""gunicorn's settings for the web process: the Dockerfile, docker-compose.yml and the
benchmarks start it with these (`gunicorn -c gunicorn.conf.py dps.wsgi`).

Threaded workers that note when each request reached the service (dps/gunicorn_worker.py), so
a bid sent before its deadline is judged by when it arrived, not by when a thread was free."""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("WEB_THREADS", "4"))
worker_class = "dps.gunicorn_worker.ReceiptStampingWorker"
# Room for a burst of connections while every thread is busy.
backlog = 2048
timeout = 60
# One line per request on stdout; GUNICORN_ACCESS_LOG="" turns it off.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
