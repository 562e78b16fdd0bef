"""The enrolment services: every application and enrolment transition, valid and invalid; the
declaration rules; the emails and audit rows each decision leaves."""

import pytest

from dps.models import AuditEvent, OutboundEmail
from dps.services import DomainError
from providers.models import Application, ApplicationTransition, Enrolment
from providers.models.enrolment import APPLICATION_STATES
from providers.services import enrolment as svc
from tests.factories import (
    ApplicationFactory,
    DocumentFactory,
    EnrolmentFactory,
    LotFactory,
)
from tests.providers import enrolment_helpers
from tests.providers.enrolment_helpers import actor_of

# Shared fixtures.
lot = enrolment_helpers.lot
questions = enrolment_helpers.questions

Status = Application.Status


@pytest.fixture
def provider(world):
    return actor_of(world.provider_admin_a)


@pytest.fixture
def admin(world):
    return actor_of(world.admin)


def answer_all(provider, application, questions, **failing):
    """Answer every question with its passing answer, except those named in `failing`."""
    answers = {}
    for key, question in questions.items():
        fail = failing.get(key, False)
        answers[question.pk] = (
            question.failing_answer if fail else not question.failing_answer,
            "",
        )
    return svc.application_save(
        actor=provider, application=application, answers=answers, supporting_statement="We care."
    )


def submitted_application(world, provider, lot, questions, **failing):
    application = svc.application_start(actor=provider, lot=lot)
    answer_all(provider, application, questions, **failing)
    return svc.application_submit(actor=provider, application=application)


def emails_to(address):
    return list(OutboundEmail.objects.filter(to=address).values_list("subject", flat=True))


# --- Starting and saving --------------------------------------------------------------------


def test_a_provider_admin_starts_a_draft_application_to_a_lot(world, provider, lot):
    application = svc.application_start(actor=provider, lot=lot)

    assert application.status == Status.DRAFT
    assert application.provider == world.provider_a
    assert AuditEvent.objects.filter(action="application.start", object_id=application.pk).exists()


def test_a_provider_cannot_open_a_second_application_to_the_same_lot(provider, lot):
    svc.application_start(actor=provider, lot=lot)

    with pytest.raises(DomainError, match="already have an open application"):
        svc.application_start(actor=provider, lot=lot)


def test_a_bidder_cannot_start_an_application(world, lot):
    with pytest.raises(DomainError, match="provider's admin"):
        svc.application_start(actor=actor_of(world.bidder_a), lot=lot)


def test_a_provider_enrolled_on_a_lot_cannot_apply_to_it_again(world, provider, lot):
    EnrolmentFactory(provider=world.provider_a, lot=lot)

    with pytest.raises(DomainError, match="already enrolled"):
        svc.application_start(actor=provider, lot=lot)


def test_a_provider_removed_from_a_lot_cannot_apply_to_it_again(world, provider, lot):
    EnrolmentFactory(provider=world.provider_a, lot=lot, status="removed")

    with pytest.raises(DomainError, match="removed"):
        svc.application_start(actor=provider, lot=lot)


def test_an_inactive_lot_takes_no_applications(world, provider):
    closed = LotFactory(consortium=world.consortium, is_active=False)

    with pytest.raises(DomainError, match="not open"):
        svc.application_start(actor=provider, lot=closed)


def test_saving_keeps_answers_statement_and_the_providers_own_documents(
    world,
    provider,
    lot,
    questions,
):
    application = svc.application_start(actor=provider, lot=lot)
    document = DocumentFactory(provider=world.provider_a)

    svc.application_save(
        actor=provider,
        application=application,
        answers={questions["review"].pk: (False, "None.")},
        supporting_statement="  Twenty years of care. ",
        documents=[document],
    )

    application.refresh_from_db()
    assert application.supporting_statement == "Twenty years of care."
    assert list(application.documents.all()) == [document]
    assert application.answers.get().detail == "None."


def test_a_provider_cannot_attach_another_providers_document(world, provider, lot):
    application = svc.application_start(actor=provider, lot=lot)

    with pytest.raises(DomainError, match="your own documents"):
        svc.application_save(
            actor=provider,
            application=application,
            answers={},
            documents=[DocumentFactory(provider=world.provider_b)],
        )


def test_another_providers_admin_cannot_change_the_application(world, provider, lot):
    application = svc.application_start(actor=provider, lot=lot)

    with pytest.raises(DomainError):
        svc.application_save(
            actor=actor_of(world.provider_admin_b), application=application, answers={}
        )


# --- Submitting and the declaration rules ---------------------------------------------------


def test_submitting_with_passing_answers_submits_unflagged(world, provider, lot, questions):
    application = submitted_application(world, provider, lot, questions)

    assert application.status == Status.SUBMITTED
    assert application.submitted_at is not None
    assert not application.flagged_for_review
    transition = ApplicationTransition.objects.get(application=application)
    assert (transition.from_status, transition.to_status) == (Status.DRAFT, Status.SUBMITTED)
    assert transition.actor == world.provider_admin_a
    assert AuditEvent.objects.filter(action="application.submitted").exists()


def test_a_failing_answer_to_a_review_question_submits_flagged(world, provider, lot, questions):
    application = submitted_application(world, provider, lot, questions, review=True)

    assert application.status == Status.SUBMITTED
    assert application.flagged_for_review


def test_a_failing_answer_to_a_blocking_question_refuses_submission_naming_it(
    world,
    provider,
    lot,
    questions,
):
    application = svc.application_start(actor=provider, lot=lot)
    answer_all(provider, application, questions, block=True)

    with pytest.raises(DomainError, match="insolvent or in administration"):
        svc.application_submit(actor=provider, application=application)

    application.refresh_from_db()
    assert application.status == Status.DRAFT
    assert not application.transitions.exists()


def test_an_unanswered_question_refuses_submission_naming_it(provider, lot, questions):
    application = svc.application_start(actor=provider, lot=lot)
    svc.application_save(
        actor=provider, application=application, answers={questions["review"].pk: (False, "")}
    )

    with pytest.raises(DomainError, match="insolvent"):
        svc.application_submit(actor=provider, application=application)


def test_an_inactive_question_need_not_be_answered(world, provider, lot, questions):
    questions["block"].is_active = False
    questions["block"].save()
    application = svc.application_start(actor=provider, lot=lot)
    svc.application_save(
        actor=provider, application=application, answers={questions["review"].pk: (False, "")}
    )

    assert svc.application_submit(actor=provider, application=application).status == "submitted"


def test_another_consortiums_questions_are_not_asked(world, provider, lot, questions):
    from tests.factories import ConsortiumFactory, DeclarationQuestionFactory

    DeclarationQuestionFactory(consortium=ConsortiumFactory(slug="other"), on_fail="block")

    assert submitted_application(world, provider, lot, questions).status == "submitted"


def test_a_submitted_application_cannot_be_submitted_again_or_changed(
    world,
    provider,
    lot,
    questions,
):
    application = submitted_application(world, provider, lot, questions)

    with pytest.raises(DomainError, match="is submitted, so it cannot be submitted"):
        svc.application_submit(actor=provider, application=application)
    with pytest.raises(DomainError, match="can no longer be changed"):
        svc.application_save(actor=provider, application=application, answers={})


# --- Decisions ------------------------------------------------------------------------------


def test_approving_enrols_the_provider_emails_its_admin_and_recomputes_the_score(
    world,
    provider,
    admin,
    lot,
    questions,
    monkeypatch,
):
    calls = []
    monkeypatch.setattr(svc, "quality_score_recompute", lambda **kw: calls.append(kw))
    application = submitted_application(world, provider, lot, questions)

    svc.application_approve(actor=admin, application=application, reason="All in order.")

    application.refresh_from_db()
    assert application.status == Status.APPROVED
    assert application.decided_at is not None
    enrolment = Enrolment.objects.get(provider=world.provider_a, lot=lot)
    assert enrolment.status == Enrolment.Status.ACTIVE
    assert enrolment.application == application
    assert calls == [{"provider": world.provider_a, "trigger": "enrolment.approved"}]
    assert any("approved" in s for s in emails_to("admin@provider-a.test"))
    transition = application.transitions.last()
    assert (transition.to_status, transition.reason, transition.actor) == (
        Status.APPROVED,
        "All in order.",
        world.admin,
    )
    assert AuditEvent.objects.filter(action="application.approved").exists()
    assert AuditEvent.objects.filter(action="enrolment.create").exists()


def test_rejecting_emails_the_provider_with_the_reason(world, provider, admin, lot, questions):
    application = submitted_application(world, provider, lot, questions)

    svc.application_reject(actor=admin, application=application, reason="Not enough homes.")

    application.refresh_from_db()
    assert application.status == Status.REJECTED
    assert not Enrolment.objects.exists()
    email = OutboundEmail.objects.get(to="admin@provider-a.test", subject__contains="rejected")
    assert "Not enough homes." in email.body_text


def test_more_information_goes_back_to_the_provider_who_resubmits(
    world,
    provider,
    admin,
    lot,
    questions,
):
    application = submitted_application(world, provider, lot, questions)

    svc.application_request_info(
        actor=admin, application=application, reason="Send your latest accounts."
    )
    application.refresh_from_db()
    assert application.status == Status.MORE_INFO
    email = OutboundEmail.objects.get(to="admin@provider-a.test", subject__contains="More inform")
    assert "Send your latest accounts." in email.body_text

    svc.application_save(
        actor=provider,
        application=application,
        answers={},
        supporting_statement="Accounts attached.",
    )
    svc.application_submit(actor=provider, application=application, note="Here they are.")

    application.refresh_from_db()
    assert application.status == Status.SUBMITTED
    assert [(t.from_status, t.to_status) for t in application.transitions.all()] == [
        ("draft", "submitted"),
        ("submitted", "more_info"),
        ("more_info", "submitted"),
    ]
    assert application.transitions.last().reason == "Here they are."


@pytest.mark.parametrize(
    ("status", "decision"),
    [
        ("draft", "application_approve"),
        ("draft", "application_reject"),
        ("draft", "application_request_info"),
        ("more_info", "application_approve"),
        ("more_info", "application_reject"),
        ("more_info", "application_request_info"),
        ("approved", "application_approve"),
        ("approved", "application_reject"),
        ("approved", "application_request_info"),
        ("rejected", "application_approve"),
        ("rejected", "application_reject"),
        ("rejected", "application_request_info"),
    ],
)
def test_decisions_are_refused_unless_the_application_is_submitted(
    world,
    admin,
    lot,
    status,
    decision,
):
    application = ApplicationFactory(provider=world.provider_a, lot=lot, status=status)

    with pytest.raises(DomainError, match="cannot be"):
        getattr(svc, decision)(actor=admin, application=application, reason="Because.")

    application.refresh_from_db()
    assert application.status == status
    assert not OutboundEmail.objects.exists()


@pytest.mark.parametrize("status", ["submitted", "approved", "rejected"])
def test_only_a_draft_or_an_application_sent_back_can_be_submitted(world, provider, lot, status):
    application = ApplicationFactory(provider=world.provider_a, lot=lot, status=status)

    with pytest.raises(DomainError, match="cannot be submitted"):
        svc.application_submit(actor=provider, application=application)


def test_the_transition_table_allows_exactly_the_documented_paths():
    allowed = {(a, b) for a, targets in APPLICATION_STATES.table.items() for b in targets}

    assert allowed == {
        ("draft", "submitted"),
        ("submitted", "more_info"),
        ("more_info", "submitted"),
        ("submitted", "approved"),
        ("submitted", "rejected"),
    }


def test_a_decision_needs_a_reason(world, provider, admin, lot, questions):
    application = submitted_application(world, provider, lot, questions)

    with pytest.raises(DomainError, match="reason"):
        svc.application_approve(actor=admin, application=application, reason="  ")


def test_only_a_consortium_admin_decides(world, provider, lot, questions):
    application = submitted_application(world, provider, lot, questions)

    for user in (world.commissioner_a, world.provider_admin_a):
        with pytest.raises(DomainError, match="consortium admin"):
            svc.application_approve(actor=actor_of(user), application=application, reason="x")


def test_another_consortiums_admin_cannot_decide(world, provider, lot, questions):
    from dps.models import Role
    from tests.conftest import person
    from tests.factories import ConsortiumFactory

    other = person("admin@other.test", ConsortiumFactory(slug="other"), Role.CONSORTIUM_ADMIN)
    application = submitted_application(world, provider, lot, questions)

    with pytest.raises(DomainError, match="another consortium"):
        svc.application_approve(actor=actor_of(other), application=application, reason="x")


def test_approval_reactivates_an_earlier_enrolment(world, admin, lot):
    earlier = EnrolmentFactory(provider=world.provider_a, lot=lot, status="suspended")
    application = ApplicationFactory(provider=world.provider_a, lot=lot, status="submitted")

    svc.application_approve(actor=admin, application=application, reason="Welcome back.")

    earlier.refresh_from_db()
    assert earlier.status == "active"
    assert earlier.application == application
    assert Enrolment.objects.count() == 1


def test_a_removed_provider_cannot_be_approved(world, admin, lot):
    EnrolmentFactory(provider=world.provider_a, lot=lot, status="removed")
    application = ApplicationFactory(provider=world.provider_a, lot=lot, status="submitted")

    with pytest.raises(DomainError, match="final"):
        svc.application_approve(actor=admin, application=application, reason="x")


# --- Enrolments ------------------------------------------------------------------------------


@pytest.fixture
def enrolment(world, lot):
    return EnrolmentFactory(provider=world.provider_a, lot=lot)


def test_suspending_records_the_reason_and_cause_and_emails_the_provider(admin, enrolment):
    svc.enrolment_suspend(actor=admin, enrolment=enrolment, reason="Ofsted concerns.")

    enrolment.refresh_from_db()
    assert enrolment.status == "suspended"
    assert enrolment.suspension_cause == "decision"
    assert enrolment.status_reason == "Ofsted concerns."
    assert any("suspended" in s for s in emails_to("admin@provider-a.test"))
    assert AuditEvent.objects.filter(action="enrolment.suspend").exists()


def test_reinstating_a_decided_suspension(admin, enrolment):
    svc.enrolment_suspend(actor=admin, enrolment=enrolment, reason="Concerns.")

    svc.enrolment_reinstate(actor=admin, enrolment=enrolment, reason="Resolved.")

    enrolment.refresh_from_db()
    assert (enrolment.status, enrolment.suspension_cause) == ("active", "")
    assert any("reinstated" in s for s in emails_to("admin@provider-a.test"))
    assert AuditEvent.objects.filter(action="enrolment.reinstate").exists()


def test_removal_is_final(admin, enrolment):
    svc.enrolment_remove(actor=admin, enrolment=enrolment, reason="Serious breach.")

    enrolment.refresh_from_db()
    assert enrolment.status == "removed"
    assert any("removed" in s for s in emails_to("admin@provider-a.test"))
    for service in (svc.enrolment_suspend, svc.enrolment_reinstate, svc.enrolment_remove):
        with pytest.raises(DomainError, match="removed, so it cannot be"):
            service(actor=admin, enrolment=enrolment, reason="Again.")


def test_an_active_enrolment_cannot_be_reinstated_and_a_suspended_one_not_suspended(
    admin, enrolment
):
    with pytest.raises(DomainError, match="active, so it cannot be reinstated"):
        svc.enrolment_reinstate(actor=admin, enrolment=enrolment, reason="x")
    svc.enrolment_suspend(actor=admin, enrolment=enrolment, reason="x")
    with pytest.raises(DomainError, match="suspended, so it cannot be suspended"):
        svc.enrolment_suspend(actor=admin, enrolment=enrolment, reason="x")


def test_enrolment_decisions_need_a_reason_and_a_consortium_admin(world, admin, enrolment):
    with pytest.raises(DomainError, match="reason"):
        svc.enrolment_suspend(actor=admin, enrolment=enrolment, reason="")
    with pytest.raises(DomainError, match="consortium admin"):
        svc.enrolment_suspend(actor=actor_of(world.commissioner_a), enrolment=enrolment, reason="x")


def test_the_documents_task_suspends_and_reinstates_once(enrolment):
    assert svc.enrolment_suspend_for_documents(enrolment=enrolment, reason="Insurance expired.")
    assert not svc.enrolment_suspend_for_documents(enrolment=enrolment, reason="Again.")
    enrolment.refresh_from_db()
    assert (enrolment.status, enrolment.suspension_cause) == ("suspended", "document_expired")
    event = AuditEvent.objects.get(action="enrolment.suspend")
    assert event.actor_label == "system"

    assert svc.enrolment_reinstate_after_documents(enrolment=enrolment)
    assert not svc.enrolment_reinstate_after_documents(enrolment=enrolment)
    enrolment.refresh_from_db()
    assert enrolment.status == "active"
    subjects = emails_to("admin@provider-a.test")
    assert sum("suspended" in s for s in subjects) == 1
    assert sum("reinstated" in s for s in subjects) == 1


def test_renewing_a_document_does_not_end_a_suspension_the_consortium_decided(admin, enrolment):
    svc.enrolment_suspend(actor=admin, enrolment=enrolment, reason="Concerns.")

    assert not svc.enrolment_reinstate_after_documents(enrolment=enrolment)
    assert not svc.enrolment_suspend_for_documents(enrolment=enrolment, reason="Expired.")

    enrolment.refresh_from_db()
    assert (enrolment.status, enrolment.suspension_cause) == ("suspended", "decision")


def test_the_consortium_cannot_lift_a_suspension_for_an_expired_document(admin, enrolment):
    svc.enrolment_suspend_for_documents(enrolment=enrolment, reason="Expired.", notify=False)

    with pytest.raises(DomainError, match="document expired"):
        svc.enrolment_reinstate(actor=admin, enrolment=enrolment, reason="x")
    assert not OutboundEmail.objects.exists()


# --- Declaration questions -------------------------------------------------------------------


def test_a_consortium_admin_adds_changes_and_deactivates_a_question(world, admin):
    question = svc.declaration_question_save(
        actor=admin, text="Do you agree to the DPS terms?", failing_answer=False, on_fail="block"
    )
    assert question.consortium == world.consortium

    svc.declaration_question_save(
        actor=admin,
        question=question,
        text="Do you agree to the terms?",
        failing_answer=False,
        on_fail="block",
        is_active=False,
    )

    question.refresh_from_db()
    assert (question.text, question.is_active) == ("Do you agree to the terms?", False)
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"declaration_question.create", "declaration_question.deactivate"} <= actions


def test_only_a_consortium_admin_manages_questions(world):
    with pytest.raises(DomainError):
        svc.declaration_question_save(
            actor=actor_of(world.provider_admin_a), text="?", failing_answer=True, on_fail="block"
        )
