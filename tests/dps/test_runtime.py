"""A serving process moves what it loaded at start-up out of the garbage collector's reach."""

import os
import subprocess
import sys

import pytest

STARTS = {
    "web": "import dps.wsgi",
    "worker": "import django; django.setup()\n"
    "from dps.celery import app; from celery.signals import worker_process_init\n"
    "worker_process_init.send(sender=None)",
}


@pytest.mark.parametrize("start", STARTS.values(), ids=STARTS.keys())
def test_a_started_process_freezes_what_it_loaded(start):
    script = f"import gc\n{start}\nprint(gc.get_freeze_count())"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "dps.settings.test"}
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, env=env
    )
    assert int(out.stdout.split()[-1]) > 10_000
