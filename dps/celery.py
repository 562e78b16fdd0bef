"""The Celery app. Without REDIS_URL tasks run inline (the embedded default)."""

import os

from celery import Celery
from celery.signals import worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dps.settings")

app = Celery("dps")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_process_init.connect
def _settle(**_):
    from dps.runtime import freeze_startup_objects

    freeze_startup_objects()
