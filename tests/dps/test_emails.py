import smtplib
from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.utils import timezone

from dps.models import AuditEvent, OutboundEmail
from dps.services import DomainError
from dps.services.emails import email_queue, email_retry, email_send, emails_sweep
from dps.tasks import email_send_task, emails_send_task
from dps.tenancy import Actor

Status = OutboundEmail.Status
pytestmark = pytest.mark.django_db


class DownServer(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


def queue(**kwargs):
    return email_queue(
        **{"to": "someone@example.org", "subject": "Hello", "body_text": "Body", **kwargs}
    )


def test_an_email_is_stored_and_queued_for_a_worker_only_after_commit(
    django_capture_on_commit_callbacks,
):
    with mock.patch.object(email_send_task, "apply_async") as apply_async:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            email = queue()
        assert OutboundEmail.objects.get().status == Status.QUEUED
        apply_async.assert_not_called()
        for callback in callbacks:
            callback()
    apply_async.assert_called_once_with((email.pk,), retry=False)


def test_a_rolled_back_transaction_sends_nothing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                queue()
                raise RuntimeError("the request failed")
        except RuntimeError:
            pass
    assert callbacks == []
    assert not OutboundEmail.objects.exists()


def test_sending_delivers_the_email_and_marks_it_sent():
    email = queue(body_html="<p>Body</p>")
    assert email_send(email_id=email.pk) is True
    email.refresh_from_db()
    assert email.status == Status.SENT
    assert email.attempts == 1
    assert email.sent_at is not None
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["someone@example.org"]
    assert mail.outbox[0].alternatives[0][1] == "text/html"


def test_running_the_send_twice_sends_one_email():
    email = queue()
    email_send_task(email.pk)
    email_send_task(email.pk)
    assert len(mail.outbox) == 1


def test_queueing_with_the_same_dedupe_key_twice_stores_one_email():
    first = queue(dedupe_key="reminder:doc:1:30")
    second = queue(dedupe_key="reminder:doc:1:30")
    assert first.pk == second.pk
    assert OutboundEmail.objects.count() == 1


@time_machine.travel("2026-11-22 10:00:00Z", tick=False)
def test_a_failed_send_is_kept_with_its_error_and_retried_later_with_backoff():
    email = queue()
    assert email_send(email_id=email.pk, connection=DownServer()) is False
    email.refresh_from_db()
    assert email.status == Status.QUEUED
    assert email.attempts == 1
    assert "SMTPServerDisconnected" in email.last_error
    assert email.next_attempt_at == timezone.now() + timedelta(minutes=1)

    # Not due yet: a send now does nothing.
    assert email_send(email_id=email.pk) is False
    with time_machine.travel(timezone.now() + timedelta(minutes=1), tick=False):
        email_send(email_id=email.pk, connection=DownServer())
    email.refresh_from_db()
    assert email.attempts == 2
    assert email.next_attempt_at == timezone.now() + timedelta(minutes=1 + 2)


def test_an_email_is_marked_failed_after_the_last_attempt(settings):
    settings.EMAIL_MAX_ATTEMPTS = 2
    email = queue()
    email_send(email_id=email.pk, connection=DownServer())
    OutboundEmail.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now())
    email_send(email_id=email.pk, connection=DownServer())
    email.refresh_from_db()
    assert email.status == Status.FAILED
    assert email.attempts == 2


def test_a_broker_that_is_down_loses_nothing(django_capture_on_commit_callbacks):
    down = mock.patch.object(email_send_task, "apply_async", side_effect=ConnectionError("down"))
    with down, django_capture_on_commit_callbacks(execute=True):
        email = queue()
    email.refresh_from_db()
    assert email.status == Status.QUEUED

    # The sweep finds it once the broker is back, and the send delivers it.
    with mock.patch.object(emails_send_task, "apply_async") as apply_async:
        assert emails_sweep() == 1
    apply_async.assert_called_once_with(([email.pk],), retry=False)


def test_the_sweep_releases_a_send_whose_worker_died_and_skips_emails_not_yet_due():
    dead = queue()
    OutboundEmail.objects.filter(pk=dead.pk).update(
        status=Status.SENDING, claimed_at=timezone.now() - timedelta(minutes=11)
    )
    waiting = queue()
    OutboundEmail.objects.filter(pk=waiting.pk).update(
        next_attempt_at=timezone.now() + timedelta(minutes=5)
    )
    sending_now = queue()
    OutboundEmail.objects.filter(pk=sending_now.pk).update(
        status=Status.SENDING, claimed_at=timezone.now()
    )
    with mock.patch.object(emails_send_task, "apply_async") as apply_async:
        assert emails_sweep() == 1
    apply_async.assert_called_once_with(([dead.pk],), retry=False)
    assert OutboundEmail.objects.get(pk=sending_now.pk).status == Status.SENDING


def test_an_admin_can_retry_a_failed_email_and_it_is_audited(world):
    email = queue()
    OutboundEmail.objects.filter(pk=email.pk).update(status=Status.FAILED, attempts=6)
    actor = Actor.for_membership(world.admin.membership)
    email_retry(email=email, actor=actor)
    email.refresh_from_db()
    assert email.status == Status.QUEUED
    assert email.attempts == 0
    assert AuditEvent.objects.filter(action="email.retry", object_id=str(email.pk)).exists()


def test_only_a_failed_email_can_be_retried(world):
    email = queue()
    actor = Actor.for_membership(world.admin.membership)
    with pytest.raises(DomainError):
        email_retry(email=email, actor=actor)


def test_plain_text_emails_are_not_html_escaped(world):
    from dps.models import Invitation
    from dps.services.emails import email_queue_template

    world.borough_a.name = "O'Neill & Sons <Borough>"
    invitation = Invitation(
        organisation=world.borough_a,
        email="x@example.org",
        role="commissioner",
        expires_at=timezone.now(),
    )
    email = email_queue_template(
        to="x@example.org",
        template="emails/invitation",
        context={"invitation": invitation, "accept_path": "/invitations/abc/"},
    )
    assert "O'Neill & Sons <Borough>" in email.subject
    assert "O'Neill & Sons <Borough>" in email.body_text


def test_a_sensitive_emails_body_is_erased_once_sent_but_kept_while_it_may_be_retried():
    email = queue(body_text="Reset: https://x/reset/k3y-9f2a/", sensitive=True)
    email_send(email_id=email.pk, connection=DownServer())
    email.refresh_from_db()
    assert "k3y-9f2a" in email.body_text  # still needed for the retry

    OutboundEmail.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now())
    email_send(email_id=email.pk)
    email.refresh_from_db()
    assert email.status == Status.SENT
    assert "k3y-9f2a" in mail.outbox[0].body
    assert "k3y-9f2a" not in email.body_text


def test_an_ordinary_emails_body_is_kept_after_sending():
    email = queue(body_text="Your application was approved.")
    email_send(email_id=email.pk)
    email.refresh_from_db()
    assert email.body_text == "Your application was approved."


def test_password_reset_and_invitation_emails_are_sensitive(world):
    from allauth.account.adapter import get_adapter

    from dps.services.people import invitation_create

    get_adapter().send_mail(
        "account/email/password_reset_key",
        world.officer_a.email,
        {"user": world.officer_a, "password_reset_url": "http://x/reset/secret/"},
    )
    invitation_create(
        actor=Actor.for_membership(world.commissioner_a.membership),
        email="new@a.test",
        role="placement_officer",
    )
    assert OutboundEmail.objects.get(to=world.officer_a.email).sensitive
    assert OutboundEmail.objects.get(to="new@a.test").sensitive
