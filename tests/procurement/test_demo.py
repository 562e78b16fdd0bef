"""The demo: the consortium's notices synced and one published, idempotently."""

import io

import pytest

from dps import demo as dps_demo
from procurement import demo
from procurement.models import Notice

pytestmark = pytest.mark.django_db


def test_the_demo_records_the_notices_owed_and_publishes_one_idempotently():
    dps_demo.seed(io.StringIO())
    demo.seed(io.StringIO())
    published = Notice.objects.filter(status="published")
    assert published.count() == 1
    assert published.get().fts_notice_id == "004217-2025"
    count = Notice.objects.count()
    assert count >= 2  # UK13 and UK14 of the dynamic market at least
    demo.seed(io.StringIO())
    assert (Notice.objects.count(), published.count()) == (count, 1)
