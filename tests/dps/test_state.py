"""The state machine module: a table of allowed changes, its guard, its actions, and the
StatusChange row every move records. Exercised on the outbox's email, whose status is a plain
field the tests can move freely."""

import re

import pytest

from dps.models import OutboundEmail, StatusChange
from dps.models.emails import EMAIL_STATES
from dps.services import DomainError
from dps.state import Action, StateMachine
from dps.tenancy import Actor

Status = OutboundEmail.Status

MACHINE = StateMachine(
    Status,
    {
        Status.QUEUED: {Status.SENDING},
        Status.SENDING: {Status.SENT, Status.FAILED},
        Status.FAILED: {Status.QUEUED},
    },
    actions={
        "retry": Action(Status.QUEUED, refused="Only a failed email can be retried."),
        "edit": Action(sources={Status.QUEUED}, refused="Only a queued email can be changed."),
        "give_up": Action(
            Status.FAILED,
            refused=lambda status: "It was sent." if status == Status.SENT else None,
        ),
    },
    refused=lambda old, new: f"An email {old.label.lower()} cannot become {new.label.lower()}.",
    owner="organisation_id",
)


def refuses(message):
    return pytest.raises(DomainError, match=f"^{re.escape(message)}$")


@pytest.fixture
def email(world):
    return OutboundEmail.objects.create(
        to="someone@example.test", subject="Hello", body_text="Hi", organisation=world.borough_a
    )


@pytest.fixture
def admin(world):
    return Actor.for_membership(world.admin.membership)


def test_it_answers_which_changes_the_table_allows():
    assert MACHINE.can(Status.QUEUED, Status.SENDING)
    assert not MACHINE.can(Status.QUEUED, Status.SENT)
    assert MACHINE.targets(Status.SENT) == frozenset()  # a status left out becomes nothing
    assert MACHINE.sources(Status.QUEUED) == {Status.FAILED}


def test_it_answers_for_an_object_as_for_its_status(email):
    assert MACHINE.can(email, Status.SENDING)
    assert MACHINE.available(email) == {"edit"}


def test_available_names_the_actions_open_from_a_status():
    assert MACHINE.available(Status.FAILED) == {"retry"}
    assert MACHINE.available(Status.SENDING) == {"give_up"}
    assert MACHINE.available(Status.SENT) == set()
    assert MACHINE.allows(Status.FAILED, "retry")
    assert not MACHINE.allows(Status.QUEUED, "retry")


def test_a_machine_with_no_actions_names_the_statuses_it_may_become():
    plain = StateMachine(Status, {Status.QUEUED: {Status.SENDING, Status.FAILED}})

    assert plain.available(Status.QUEUED) == {Status.SENDING, Status.FAILED}


def test_it_refuses_a_change_the_table_does_not_allow_with_its_message(email):
    with refuses("An email queued cannot become sent."):
        MACHINE.guard(email, Status.SENT)


def test_it_refuses_an_action_with_the_action_s_message():
    with refuses("Only a failed email can be retried."):
        MACHINE.guard(Status.SENT, action="retry")
    with refuses("Only a queued email can be changed."):
        MACHINE.guard(Status.FAILED, action="edit")


def test_an_action_without_words_for_a_status_refuses_with_the_table_s():
    with refuses("It was sent."):
        MACHINE.guard(Status.SENT, action="give_up")
    with refuses("An email queued cannot become failed."):
        MACHINE.guard(Status.QUEUED, action="give_up")


def test_the_default_refusal_names_both_statuses():
    plain = StateMachine(Status, {Status.QUEUED: {Status.SENDING}})

    with refuses("Sent cannot become queued."):
        plain.guard(Status.SENT, Status.QUEUED)


def test_a_move_saves_the_status_and_records_who_made_it_and_why(email, admin, world):
    old = MACHINE.move(email, Status.SENDING, actor=admin, reason="Sending now.")

    assert old == Status.QUEUED
    email.refresh_from_db()
    assert email.status == Status.SENDING
    change = StatusChange.objects.get()
    assert (change.object_type, change.object_id, change.field) == (
        "dps.OutboundEmail",
        str(email.pk),
        "status",
    )
    assert (change.old_status, change.new_status) == (Status.QUEUED, Status.SENDING)
    assert change.actor_user == world.admin
    assert change.actor_label == admin.label
    assert change.organisation == world.consortium
    assert change.reason == "Sending now."


def test_a_move_saves_the_other_fields_it_is_given(email):
    email.last_error = "Tried once."
    MACHINE.move(email, Status.SENDING, fields=["last_error"])

    email.refresh_from_db()
    assert (email.status, email.last_error) == (Status.SENDING, "Tried once.")


def test_a_refused_move_changes_and_records_nothing(email, admin):
    with pytest.raises(DomainError):
        MACHINE.move(email, Status.SENT, actor=admin)

    email.refresh_from_db()
    assert email.status == Status.QUEUED
    assert not StatusChange.objects.exists()


def test_the_system_s_move_is_recorded_for_the_object_s_owner(email, world):
    MACHINE.move(email, Status.SENDING, label="nightly run")

    change = StatusChange.objects.get()
    assert change.actor_user is None
    assert change.actor_label == "nightly run"
    assert change.organisation == world.borough_a


def test_a_conditional_move_moves_a_row_once(email, admin):
    stale = OutboundEmail.objects.get(pk=email.pk)

    assert MACHINE.move_if(email, Status.SENDING, fields={"attempts": 1}, actor=admin)
    assert not MACHINE.move_if(stale, Status.SENDING, actor=admin)  # another caller won

    email.refresh_from_db()
    assert (email.status, email.attempts) == (Status.SENDING, 1)
    assert StatusChange.objects.count() == 1


def test_a_conditional_move_from_a_status_the_table_refuses_raises(email):
    with refuses("An email sent cannot become queued."):
        MACHINE.move_if(email, Status.QUEUED, sources={Status.SENT})


def test_record_writes_one_row_per_object_moved_by_one_update(world):
    emails = [
        OutboundEmail.objects.create(to=f"{n}@example.test", subject="Hi", body_text="Hi")
        for n in range(3)
    ]
    OutboundEmail.objects.update(status=Status.SENDING)

    MACHINE.record(emails, Status.QUEUED, Status.SENDING, reason=lambda e: f"To {e.to}")

    rows = list(StatusChange.objects.order_by("object_id"))
    assert [r.object_id for r in rows] == sorted(str(e.pk) for e in emails)
    assert {r.reason for r in rows} == {f"To {e.to}" for e in emails}
    assert {r.actor_label for r in rows} == {"system"}


def test_record_refuses_a_change_the_table_does_not_allow(email):
    with pytest.raises(DomainError):
        MACHINE.record(email, Status.SENT, Status.QUEUED)
    assert not StatusChange.objects.exists()


def test_a_machine_that_records_nothing_still_guards(email):
    EMAIL_STATES.record(email, Status.QUEUED, Status.SENDING)
    assert not StatusChange.objects.exists()
    with pytest.raises(DomainError):
        EMAIL_STATES.record(email, Status.SENT, Status.QUEUED)


def test_status_changes_are_append_only(email):
    MACHINE.move(email, Status.SENDING)
    change = StatusChange.objects.get()

    with pytest.raises(TypeError):
        change.save()
    with pytest.raises(TypeError):
        change.delete()
    with pytest.raises(TypeError):
        StatusChange.objects.update(reason="Rewritten")
    with pytest.raises(TypeError):
        StatusChange.objects.all().delete()


def test_a_table_naming_an_unknown_status_is_refused_when_declared():
    with pytest.raises(ValueError, match="not a status"):
        StateMachine(Status, {"lost": {Status.QUEUED}})


def test_an_action_the_table_does_not_allow_is_refused_when_declared():
    with pytest.raises(ValueError, match="does not let"):
        StateMachine(
            Status,
            {Status.QUEUED: {Status.SENDING}},
            actions={"send": Action(Status.SENT, sources={Status.QUEUED})},
        )
