"""The demo data seeded once for a test module: `seed_demo` is the slowest thing the suite does
(every state of every journey, three years of history, the KPIs over it), and most demo tests
only read what it made. The module's tests run inside the seeded data (each in a savepoint,
as every test runs), and the module's end rolls it all back, leaving the database as it was.

Use it with `pytestmark = pytest.mark.usefixtures("demo")`, or ask for `demo` (the command's
output). Its files go to a folder of the module's own, which MEDIA_ROOT names for the module."""

import io

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    media = override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("demo-media"))
    with django_db_blocker.unblock(), media:
        seeded = transaction.atomic()
        seeded.__enter__()
        try:
            out = io.StringIO()
            call_command("seed_demo", stdout=out)
            yield out.getvalue()
        finally:
            transaction.set_rollback(True)
            seeded.__exit__(None, None, None)
