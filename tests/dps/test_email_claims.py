"""A worker killed while sending: its claimed emails are sent again at once by its redelivered
task, or within a minute by the sweep, and an email already sent is never sent again."""

from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.conf import settings
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.utils import timezone

from dps.models import OutboundEmail
from dps.services.emails import CLAIM_LEASE, email_queue_many, emails_send, emails_sweep
from dps.tasks import emails_send_task

Status = OutboundEmail.Status
pytestmark = pytest.mark.django_db


class WorkerKilled(BaseException):
    """What a killed worker amounts to: it stops where it is, recording nothing more."""


class DyingServer(LocmemBackend):
    """Delivers (to django.core.mail.outbox) until the worker is killed at its `die_at`th
    email."""

    def __init__(self, die_at=None, **kwargs):
        super().__init__(**kwargs)
        self.die_at, self.count = die_at, 0

    def send_messages(self, messages):
        self.count += 1
        if self.count == self.die_at:
            raise WorkerKilled
        return super().send_messages(messages)


def queued(count):
    emails = [
        {"to": f"carer{i}@example.org", "subject": "New request", "body_text": "Body"}
        for i in range(count)
    ]
    return [e.pk for e in email_queue_many(emails)]


def killed_mid_batch(ids, task_id):
    """Run the batch task as the worker would, and kill the worker at the third email."""
    server = DyingServer(die_at=3)
    with (
        mock.patch("dps.services.emails.get_connection", return_value=server),
        pytest.raises(WorkerKilled),
    ):
        emails_send_task.apply(args=(ids,), task_id=task_id, throw=True)


def statuses():
    return list(OutboundEmail.objects.order_by("pk").values_list("status", flat=True))


@time_machine.travel("2026-11-22 10:00:00Z", tick=False)
def test_a_redelivered_task_sends_the_emails_its_dead_worker_claimed_at_once(mailoutbox):
    ids = queued(5)
    killed_mid_batch(ids, task_id="task-1")
    assert statuses() == [Status.SENT, Status.SENT] + [Status.SENDING] * 3
    assert len(mailoutbox) == 2

    # The broker hands the same task (same id) to the worker that is back, no time later.
    emails_send_task.apply(args=(ids,), task_id="task-1")

    assert statuses() == [Status.SENT] * 5
    assert sorted(m.to[0] for m in mailoutbox) == [f"carer{i}@example.org" for i in range(5)]


@time_machine.travel("2026-11-22 10:00:00Z", tick=False)
def test_another_task_leaves_a_live_claim_alone(mailoutbox):
    ids = queued(4)
    killed_mid_batch(ids, task_id="task-1")

    emails_send_task.apply(args=(ids,), task_id="task-2")

    assert statuses() == [Status.SENT, Status.SENT, Status.SENDING, Status.SENDING]
    assert len(mailoutbox) == 2


def test_the_sweep_sends_a_dead_workers_claims_within_a_minute(mailoutbox):
    with time_machine.travel("2026-11-22 10:00:00Z", tick=False) as traveller:
        ids = queued(4)
        killed_mid_batch(ids, task_id="task-1")
        with mock.patch.object(emails_send_task, "apply_async") as apply_async:
            traveller.shift(CLAIM_LEASE - timedelta(seconds=1))
            assert emails_sweep() == 0  # the claim may still be a live worker's

            traveller.shift(timedelta(seconds=2))
            assert emails_sweep() == 2
        handed_on = apply_async.call_args.args[0][0]
        assert handed_on == ids[2:]

        emails_send_task.apply(args=(handed_on,), task_id="task-from-the-sweep")

    assert statuses() == [Status.SENT] * 4
    assert len(mailoutbox) == 4


def test_a_claim_is_released_before_a_minute_has_passed_whenever_the_sweep_runs():
    sweep_every = settings.CELERY_BEAT_SCHEDULE["emails-sweep"]["schedule"]

    assert CLAIM_LEASE.total_seconds() + sweep_every <= 60


def test_a_slow_send_keeps_its_claim_so_the_sweep_never_hands_its_emails_to_another(
    mailoutbox,
):
    with time_machine.travel("2026-11-22 10:00:00Z", tick=False) as traveller:
        ids = queued(4)
        handed_on = []

        class SlowServer(LocmemBackend):
            def send_messages(self, messages):
                # Each email takes 20 seconds; the sweep runs during each.
                traveller.shift(timedelta(seconds=20))
                with mock.patch.object(emails_send_task, "apply_async") as apply_async:
                    emails_sweep()
                handed_on.extend(apply_async.call_args_list)
                return super().send_messages(messages)

        assert emails_send(email_ids=ids, connection=SlowServer()) == 4

    assert handed_on == []
    assert len(mailoutbox) == 4
    assert statuses() == [Status.SENT] * 4


@time_machine.travel("2026-11-22 10:00:00Z", tick=False)
def test_an_email_marked_sent_is_never_sent_again(mailoutbox):
    ids = queued(2)
    emails_send_task.apply(args=(ids,), task_id="task-1")

    emails_send_task.apply(args=(ids,), task_id="task-1")
    with time_machine.travel(timezone.now() + timedelta(hours=1), tick=False):
        emails_sweep()
        emails_send_task.apply(args=(ids,), task_id="task-2")

    assert len(mailoutbox) == 2
