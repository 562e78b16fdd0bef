"""Emails stored many at once and sent in batches through one connection: the same guarantees
as one at a time (stored in the caller's transaction, handed on after commit, sent once by the
sender that claims it, a failure retried with backoff)."""

import smtplib
from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import transaction
from django.utils import timezone

from dps.models import OutboundEmail
from dps.services import emails as email_services
from dps.services.emails import (
    email_queue_many,
    email_queue_template_many,
    emails_send,
    emails_sweep,
)
from dps.tasks import emails_send_task
from placements.services.notify import notify_providers

Status = OutboundEmail.Status
pytestmark = pytest.mark.django_db


class Server(LocmemBackend):
    """Keeps what it is sent (in django.core.mail.outbox), counts connections, and refuses the
    recipients in `refuse` as a busy server does (451), or drops the connection for those in
    `drop`, after which it cannot be reached again."""

    def __init__(self, refuse=(), drop=(), **kwargs):
        super().__init__(**kwargs)
        self.refuse, self.drop = set(refuse), set(drop)
        self.opened, self.reachable, self.delivered = 0, True, []

    def open(self):
        if not self.reachable:
            raise ConnectionRefusedError("Connection refused")
        self.opened += 1
        return True

    def send_messages(self, messages):
        for message in messages:
            if message.to[0] in self.refuse:
                raise smtplib.SMTPDataError(451, b"Mailbox busy, try again later")
            if message.to[0] in self.drop:
                self.reachable = False
                raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
            self.delivered.append(message.to[0])
        return super().send_messages(messages)


def many(count, prefix="person", **extra):
    return [
        {
            "to": f"{prefix}{i}@example.org",
            "subject": "Hello",
            "body_text": "Body",
            "dedupe_key": f"{prefix}:{i}",
            **extra,
        }
        for i in range(count)
    ]


def queued(count, prefix="person"):
    return [e.pk for e in email_queue_many(many(count, prefix))]


def test_many_emails_are_stored_together_and_handed_on_in_batches_only_after_commit(
    django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(email_services, "SEND_BATCH", 2)
    with mock.patch.object(emails_send_task, "apply_async") as apply_async:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            stored = email_queue_many(many(5))
        assert OutboundEmail.objects.filter(status=Status.QUEUED).count() == 5
        apply_async.assert_not_called()
        for callback in callbacks:
            callback()
    ids = [e.pk for e in stored]
    assert [c.args[0] for c in apply_async.call_args_list] == [
        (ids[0:2],),
        (ids[2:4],),
        (ids[4:],),
    ]


def test_a_rolled_back_transaction_stores_and_sends_none_of_many(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                email_queue_many(many(3))
                raise RuntimeError("the request failed")
        except RuntimeError:
            pass
    assert callbacks == []
    assert not OutboundEmail.objects.exists()


def test_queueing_the_same_keys_again_stores_and_hands_on_nothing_new(
    django_capture_on_commit_callbacks,
):
    email_queue_many(many(3))
    handed_on = mock.patch.object(emails_send_task, "apply_async")
    with handed_on as apply_async, django_capture_on_commit_callbacks(execute=True):
        again = email_queue_many(many(4) + many(4))  # one new, and each key twice
    assert [e.to for e in again] == ["person3@example.org"]
    assert OutboundEmail.objects.count() == 4
    apply_async.assert_called_once_with(([again[0].pk],), retry=False)


def test_a_repeated_alert_to_the_providers_queues_nothing_new(world):
    providers = [world.provider_a.pk, world.provider_b.pk]
    context = {"placement_request": None, "reason": "Placed elsewhere"}
    notify_providers(providers, "placement_cancelled", context, "request:9:cancelled")
    first = set(OutboundEmail.objects.values_list("to", "dedupe_key"))
    key = f"request:9:cancelled:{world.provider_a.pk}:bidder@provider-a.test"
    assert ("bidder@provider-a.test", key) in first
    assert len(first) == 4  # the admin and the bidder of each provider

    notify_providers(providers, "placement_cancelled", context, "request:9:cancelled")
    assert set(OutboundEmail.objects.values_list("to", "dedupe_key")) == first


def test_each_email_of_many_is_rendered_with_its_own_context_without_html_escaping():
    stored = email_queue_template_many(
        template="emails/placement_invitation",
        emails=[
            {
                "to": f"{name}@example.org",
                "context": {"provider_name": label, "path": f"/opportunities/{n}/"},
                "dedupe_key": f"k:{name}",
            }
            for n, (name, label) in enumerate([("a", "O'Neill & Sons"), ("b", "Bravo <Care>")])
        ],
    )
    assert "O'Neill & Sons is invited to bid" in stored[0].body_text
    assert "/opportunities/0/" in stored[0].body_text
    assert "Bravo <Care> is invited to bid" in stored[1].body_text
    assert stored[0].subject.startswith("New placement request")


def test_a_batch_is_sent_through_one_connection_and_each_email_marked_sent(mailoutbox):
    ids = queued(5)
    server = Server()
    assert emails_send(email_ids=ids, connection=server) == 5
    assert server.opened == 1
    assert sorted(m.to[0] for m in mailoutbox) == [f"person{i}@example.org" for i in range(5)]
    for email in OutboundEmail.objects.all():
        assert (email.status, email.attempts, email.claimed_at) == (Status.SENT, 1, None)
        assert email.sent_at is not None


def test_two_senders_given_the_same_emails_never_send_one_twice(mailoutbox):
    ids = queued(6)
    second = Server()
    results = {}

    class FirstServer(Server):
        def send_messages(self, messages):
            # While the first sender is part-way through its batch, a second sender (a task
            # run twice, or the sweep) is given an overlapping batch.
            if "second" not in results:
                results["second"] = emails_send(email_ids=ids[3:] + ids[:1], connection=second)
            return super().send_messages(messages)

    first = FirstServer()
    results["first"] = emails_send(email_ids=ids[:4], connection=first)

    assert results == {"second": 2, "first": 4}
    assert sorted(first.delivered + second.delivered) == sorted(
        f"person{i}@example.org" for i in range(6)
    )
    assert len(mailoutbox) == 6
    assert set(OutboundEmail.objects.values_list("status", "attempts")) == {(Status.SENT, 1)}


@time_machine.travel("2026-11-22 10:00:00Z", tick=False)
def test_a_failure_in_the_middle_of_a_batch_requeues_only_that_email_with_backoff(mailoutbox):
    ids = queued(4)
    server = Server(refuse={"person1@example.org"})

    assert emails_send(email_ids=ids, connection=server) == 3

    refused = OutboundEmail.objects.get(to="person1@example.org")
    assert refused.status == Status.QUEUED
    assert refused.attempts == 1
    assert refused.claimed_at is None
    assert "SMTPDataError" in refused.last_error
    assert refused.next_attempt_at == timezone.now() + timedelta(minutes=1)
    others = OutboundEmail.objects.exclude(pk=refused.pk)
    assert set(others.values_list("status", flat=True)) == {Status.SENT}
    assert len(mailoutbox) == 3

    # Sent again, the batch sends only the one left, once its time has come.
    assert emails_send(email_ids=ids, connection=Server()) == 0
    with time_machine.travel(timezone.now() + timedelta(minutes=1), tick=False):
        assert emails_send(email_ids=ids, connection=Server()) == 1
    refused.refresh_from_db()
    assert (refused.status, refused.attempts) == (Status.SENT, 2)
    assert len(mailoutbox) == 4


@time_machine.travel("2026-11-22 10:00:00Z", tick=False)
def test_a_server_that_goes_away_mid_batch_leaves_the_rest_queued_with_backoff(mailoutbox):
    ids = queued(5)
    server = Server(drop={"person2@example.org"})

    assert emails_send(email_ids=ids, connection=server) == 2

    rows = {e.to: e for e in OutboundEmail.objects.all()}
    assert [rows[f"person{i}@example.org"].status for i in range(5)] == [
        Status.SENT,
        Status.SENT,
        Status.QUEUED,
        Status.QUEUED,
        Status.QUEUED,
    ]
    for i in (2, 3, 4):
        email = rows[f"person{i}@example.org"]
        assert email.attempts == 1
        assert email.claimed_at is None
        assert email.next_attempt_at == timezone.now() + timedelta(minutes=1)
    assert "SMTPServerDisconnected" in rows["person2@example.org"].last_error
    assert "ConnectionRefusedError" in rows["person3@example.org"].last_error


def test_a_server_that_cannot_be_reached_leaves_the_whole_batch_queued():
    ids = queued(3)
    server = Server()
    server.reachable = False

    assert emails_send(email_ids=ids, connection=server) == 0

    assert set(OutboundEmail.objects.values_list("status", "attempts", "claimed_at")) == {
        (Status.QUEUED, 1, None)
    }


def test_a_message_that_cannot_be_built_fails_alone_and_the_batch_goes_on(mailoutbox):
    ids = queued(3)
    OutboundEmail.objects.filter(to="person1@example.org").update(subject="Bad\nheader")

    assert emails_send(email_ids=ids, connection=Server()) == 2

    bad = OutboundEmail.objects.get(to="person1@example.org")
    assert bad.status == Status.FAILED
    assert "BadHeaderError" in bad.last_error
    assert len(mailoutbox) == 2


def test_the_last_failed_attempt_of_a_batched_email_marks_it_failed(settings):
    settings.EMAIL_MAX_ATTEMPTS = 1
    ids = queued(2)
    emails_send(email_ids=ids, connection=Server(refuse={"person0@example.org"}))
    assert dict(OutboundEmail.objects.values_list("to", "status")) == {
        "person0@example.org": Status.FAILED,
        "person1@example.org": Status.SENT,
    }


def test_the_sweep_hands_the_due_emails_on_in_batches(monkeypatch):
    monkeypatch.setattr(email_services, "SEND_BATCH", 2)
    ids = queued(3)
    with mock.patch.object(emails_send_task, "apply_async") as apply_async:
        assert emails_sweep() == 3
    handed = [pk for call in apply_async.call_args_list for pk in call.args[0][0]]
    assert sorted(handed) == sorted(ids)
    assert apply_async.call_count == 2


def test_the_batch_task_sends_the_emails(mailoutbox):
    ids = queued(2)
    emails_send_task(ids)
    emails_send_task(ids)
    assert len(mailoutbox) == 2
