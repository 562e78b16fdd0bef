"""The Celery app. Without REDIS_URL tasks run inline (the embedded default)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dps.settings")

app = Celery("dps")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
