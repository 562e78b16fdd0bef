"""Emails go from a committed transaction, through Redis and a real Celery worker, to a real
SMTP server; a refusing SMTP server or Redis being down delays them but loses none."""

import time
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from dps.celery import app as celery_app
from dps.models import Invitation, OutboundEmail
from dps.services.emails import email_queue, emails_sweep
from tests.integration.conftest import wait_until

Status = OutboundEmail.Status
pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def row_becomes(email_id, **fields):
    """Wait until the outbox row has all these field values; return it."""

    def check():
        email = OutboundEmail.objects.get(pk=email_id)
        return email if all(getattr(email, k) == v for k, v in fields.items()) else None

    return wait_until(check, message=f"email {email_id} to have {fields}")


def sweep_as_beat_would():
    """Beat publishes the sweep task by name to the broker; the worker runs it."""
    celery_app.send_task("dps.tasks.emails_sweep")


def test_an_invitation_made_through_the_api_is_delivered_by_the_worker_over_smtp(
    celery_worker, smtp, client, world
):
    client.force_login(world.commissioner_a)

    response = client.post(
        "/api/v1/invitations/",
        {"email": "new.officer@a.test", "role": "placement_officer"},
        content_type="application/json",
    )

    assert response.status_code == 201, response.content
    message = smtp.wait_for_message_to("new.officer@a.test")
    invitation = Invitation.objects.get(email="new.officer@a.test")
    assert message["Subject"].startswith("You are invited to join Alpha Borough")
    assert f"/invitations/{invitation.token}/" in message.get_body(("plain",)).get_content()
    email = row_becomes(OutboundEmail.objects.get(to="new.officer@a.test").pk, status=Status.SENT)
    assert email.attempts == 1
    assert email.sent_at is not None
    assert email.last_error == ""


def test_an_email_queued_in_a_committed_transaction_reaches_the_smtp_server_once(
    celery_worker, smtp, db
):
    with transaction.atomic():
        email = email_queue(to="once@example.org", subject="Once only", body_text="Hello")
        # Nothing is handed to the worker before the transaction commits.
        time.sleep(0.5)
        assert smtp.messages_to("once@example.org") == []

    message = smtp.wait_for_message_to("once@example.org")
    assert message["Subject"] == "Once only"
    assert message["To"] == "once@example.org"
    row_becomes(email.pk, status=Status.SENT)
    # A sweep after the send finds nothing to do: the email is not sent twice.
    assert emails_sweep() == 0
    time.sleep(0.5)
    assert len(smtp.messages_to("once@example.org")) == 1


def test_an_email_refused_by_the_smtp_server_waits_with_backoff_then_the_sweep_sends_it(
    celery_worker, smtp, db
):
    smtp.refuse_next(1)

    with transaction.atomic():
        email = email_queue(to="later@example.org", subject="Try again", body_text="Hello")

    email = row_becomes(email.pk, status=Status.QUEUED, attempts=1)
    assert "451" in email.last_error
    assert email.next_attempt_at > timezone.now() + timedelta(seconds=30)  # backoff: a minute
    assert smtp.messages_to("later@example.org") == []
    # Before its time has come the sweep leaves it alone.
    assert emails_sweep() == 0

    OutboundEmail.objects.filter(pk=email.pk).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )
    sweep_as_beat_would()

    smtp.wait_for_message_to("later@example.org")
    email = row_becomes(email.pk, status=Status.SENT)
    assert email.attempts == 2
    assert email.last_error == ""


def test_an_invitation_made_while_redis_is_down_succeeds_and_a_later_sweep_sends_it(
    celery_worker, smtp, client, world, redis_down
):
    client.force_login(world.provider_admin_a)

    started = time.monotonic()
    with redis_down():
        response = client.post(
            "/organisation/users/", {"email": "new.bidder@provider-a.test", "role": "bidder"}
        )
    elapsed = time.monotonic() - started

    assert response.status_code == 302, response.content.decode()
    assert elapsed < 10, f"the page waited {elapsed:.1f}s for a broker that is down"
    email = OutboundEmail.objects.get(to="new.bidder@provider-a.test")
    assert email.status == Status.QUEUED
    assert email.attempts == 0
    assert Invitation.objects.filter(email="new.bidder@provider-a.test").exists()
    time.sleep(0.5)
    assert smtp.messages_to("new.bidder@provider-a.test") == []

    # Redis is back: the next sweep sends what was left in the outbox.
    sweep_as_beat_would()

    message = smtp.wait_for_message_to("new.bidder@provider-a.test")
    assert "/invitations/" in message.get_body(("plain",)).get_content()
    email = row_becomes(email.pk, status=Status.SENT)
    assert email.attempts == 1


# API throttling fails open when its Redis cache is down (dps/api/throttling.py).
def test_an_api_invitation_made_while_redis_is_down_is_stored_for_the_sweep(
    celery_worker, smtp, client, world, redis_down
):
    client.force_login(world.commissioner_a)

    with redis_down():
        response = client.post(
            "/api/v1/invitations/",
            {"email": "api.officer@a.test", "role": "placement_officer"},
            content_type="application/json",
        )

    assert response.status_code == 201
    assert OutboundEmail.objects.get(to="api.officer@a.test").status == Status.QUEUED
