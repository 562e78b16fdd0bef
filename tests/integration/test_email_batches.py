"""Emails stored together and sent in batches, on PostgreSQL: senders running at the same time
on overlapping batches send each email once, and a fan-out committed in one transaction reaches
the real SMTP server through the real worker, each email once and each marked sent."""

import threading
import time
from unittest import mock

import pytest
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection, transaction

from dps.models import OutboundEmail
from dps.services.emails import email_queue_many, emails_send
from tests.integration.conftest import wait_until

Status = OutboundEmail.Status
pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


class Collecting(BaseEmailBackend):
    """Records each recipient it is given, slowly enough that the senders overlap."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.delivered = []

    def send_messages(self, messages):
        time.sleep(0.002)
        self.delivered.extend(m.to[0] for m in messages)
        return len(messages)


def many(count, prefix):
    return [
        {
            "to": f"{prefix}{i}@example.org",
            "subject": f"Batch {i}",
            "body_text": "Hello",
            "dedupe_key": f"{prefix}:{i}",
        }
        for i in range(count)
    ]


def test_senders_running_at_once_on_overlapping_batches_send_each_email_once(db):
    # Stored without handing them to a worker: these senders are the only ones.
    with mock.patch("dps.services.emails.enqueue_send_batches"), transaction.atomic():
        ids = [e.pk for e in email_queue_many(many(120, "race"))]
    servers = [Collecting() for _ in range(4)]
    start = threading.Barrier(len(servers))
    sent = {}

    def sender(n):
        try:
            start.wait()
            # Each sender is given every email, starting at a different place.
            batch = ids[n * 30 :] + ids[: n * 30]
            sent[n] = emails_send(email_ids=batch, connection=servers[n])
        finally:
            connection.close()

    threads = [threading.Thread(target=sender, args=(n,)) for n in range(len(servers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    delivered = [to for server in servers for to in server.delivered]
    assert sorted(delivered) == sorted(f"race{i}@example.org" for i in range(120))
    assert sum(sent.values()) == 120
    assert set(OutboundEmail.objects.values_list("status", "attempts")) == {(Status.SENT, 1)}


def test_a_fan_out_committed_at_once_reaches_the_smtp_server_once_each_through_the_worker(
    celery_worker, smtp, db
):
    with transaction.atomic():
        stored = email_queue_many(many(120, "fanout"))

    for i in range(120):
        smtp.wait_for_message_to(f"fanout{i}@example.org")
    wait_until(
        lambda: OutboundEmail.objects.filter(pk__in=[e.pk for e in stored], status=Status.SENT)
        .count() == 120,
        message="all 120 emails to be marked sent",
    )  # fmt: skip
    time.sleep(0.5)
    for i in range(120):
        assert len(smtp.messages_to(f"fanout{i}@example.org")) == 1
    assert set(OutboundEmail.objects.values_list("attempts", flat=True)) == {1}
