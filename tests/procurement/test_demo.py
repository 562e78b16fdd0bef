"""The demo: the consortium's notices synced, the dynamic market's own recorded as published
when they were due, idempotently."""

import io

import pytest

from dps import demo as dps_demo
from procurement import demo
from procurement.models import Notice
from providers import demo as providers_demo

pytestmark = pytest.mark.django_db


def test_the_demo_records_the_notices_owed_and_publishes_the_market_s_own_once():
    dps_demo.seed(io.StringIO())
    providers_demo.seed(io.StringIO())
    demo.seed(io.StringIO())

    published = Notice.objects.filter(status="published").order_by("kind")
    assert [(n.kind, n.fts_notice_id) for n in published] == [
        ("UK13", "004217-2025"),
        ("UK14", "012908-2025"),
        ("UK15", "061554-2025"),
    ]
    assert all(n.published_at.date() == n.due_on for n in published)
    count = Notice.objects.count()
    demo.seed(io.StringIO())
    assert (Notice.objects.count(), published.count()) == (count, 3)
