"""The daily expiry task: reminders 30 and 7 days before a mandatory document expires,
suspension on the day, reinstatement once renewed; each once however often it runs."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from dps.models import AuditEvent, OutboundEmail
from dps.tenancy import Actor
from providers import tasks
from providers.models import MANDATORY_TYPES, Document, DocumentType, Enrolment
from providers.services import quality
from providers.services.documents import document_upload, documents_expiry_sweep
from tests.factories import DocumentFactory, EnrolmentFactory, LotFactory

from .documents_helpers import PDF, upload

EXPIRES = date(2026, 6, 30)
LONDON = ZoneInfo("Europe/London")
ADMIN = "admin@provider-a.test"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def on(day, run=documents_expiry_sweep):
    """Run the task (or `run`) at 6am on `day`, London time."""
    with time_machine.travel(datetime.combine(day, time(6), tzinfo=LONDON), tick=False):
        return run()


def before(n):
    return EXPIRES - timedelta(days=n)


@pytest.fixture
def lot(world):
    return LotFactory(consortium=world.consortium, name="Residential homes")


@pytest.fixture
def enrolment(world, lot):
    return EnrolmentFactory(provider=world.provider_a, lot=lot)


@pytest.fixture
def documents(world):
    """Provider A's mandatory documents: the public liability certificate expires on
    EXPIRES, the rest much later (the safeguarding policy never)."""
    made = {}
    for document_type in sorted(MANDATORY_TYPES):
        expires = None if document_type == DocumentType.SAFEGUARDING_POLICY else date(2028, 1, 1)
        if document_type == DocumentType.PUBLIC_LIABILITY:
            expires = EXPIRES
        made[document_type] = DocumentFactory(
            provider=world.provider_a,
            document_type=document_type,
            issued_on=date(2025, 7, 1),
            expires_on=expires,
            original_name=f"{document_type}.pdf",
        )
    return made


def emails_to(address, containing=""):
    return OutboundEmail.objects.filter(to=address, subject__icontains=containing)


def renew(world, document_type=DocumentType.PUBLIC_LIABILITY, day=EXPIRES + timedelta(days=1)):
    """Provider A's admin uploads a renewed document on `day`."""
    actor = Actor.for_membership(world.provider_admin_a.memberships.get())

    def upload_it():
        return document_upload(
            actor=actor,
            document_type=document_type,
            issued_on=day,
            expires_on=day + timedelta(days=365),
            file=upload(PDF, name="renewed.pdf"),
        )

    return on(day, upload_it)


# --- Reminders ------------------------------------------------------------------------------


def test_nothing_is_sent_more_than_30_days_before(world, documents, enrolment):
    on(before(31))

    assert not OutboundEmail.objects.exists()


def test_the_admins_are_reminded_30_days_before_and_only_once(world, documents, enrolment):
    on(before(30))
    on(before(30))
    on(before(29))

    reminders = emails_to(ADMIN, "expires in")
    assert [e.subject for e in reminders] == ["Public liability insurance expires in 30 days"]
    assert "30 June 2026" in reminders.get().body_text
    assert "/documents/" in reminders.get().body_text
    # Only the provider's admins are reminded.
    assert not emails_to("bidder@provider-a.test").exists()
    assert OutboundEmail.objects.count() == 1


def test_a_reminder_is_plain_text_with_nothing_escaped(world, documents, enrolment):
    world.provider_a.name = "O'Brien & Sons Care"
    world.provider_a.save()

    on(before(30))

    assert "O'Brien & Sons Care's public liability insurance" in emails_to(ADMIN).get().body_text


def test_the_admins_are_reminded_again_7_days_before_and_only_once(world, documents, enrolment):
    for day in (before(30), before(20), before(8), before(7), before(7), before(3), before(1)):
        on(day)

    subjects = list(emails_to(ADMIN).order_by("pk").values_list("subject", flat=True))
    assert subjects == [
        "Public liability insurance expires in 30 days",
        "Public liability insurance expires in 7 days",
    ]


def test_a_reminder_whose_day_was_missed_is_sent_on_the_next_run(world, documents, enrolment):
    on(before(28))

    assert [e.subject for e in emails_to(ADMIN)] == [
        "Public liability insurance expires in 28 days"
    ]


def test_running_the_task_itself_twice_sends_each_reminder_once(world, documents, enrolment):
    on(before(7), tasks.documents_expiry_sweep)
    on(before(7), tasks.documents_expiry_sweep)

    assert emails_to(ADMIN, "expires in 7 days").count() == 1


def test_optional_documents_bring_no_reminder(world, enrolment):
    DocumentFactory(provider=world.provider_a, document_type="other", expires_on=EXPIRES)

    on(before(7))
    on(EXPIRES)

    assert not OutboundEmail.objects.exists()
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.ACTIVE


# --- Suspension -----------------------------------------------------------------------------


def test_the_enrolments_stay_active_until_the_expiry_day(world, documents, enrolment):
    on(before(1))

    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.ACTIVE


def test_the_active_enrolments_are_suspended_on_the_expiry_day(world, documents, enrolment, lot):
    other_lot = LotFactory(consortium=world.consortium, name="Fostering")
    second = EnrolmentFactory(provider=world.provider_a, lot=other_lot)

    counts = on(EXPIRES)

    assert counts["suspended"] == 2
    for each in (enrolment, second):
        each.refresh_from_db()
        assert each.status == Enrolment.Status.SUSPENDED
        assert each.suspension_cause == Enrolment.Cause.DOCUMENT_EXPIRED
        assert "Public liability insurance expired on 30 June 2026" in each.status_reason
    assert emails_to(ADMIN, "Your enrolment on Residential homes has been suspended").count() == 1
    assert emails_to(ADMIN, "Your enrolment on Fostering has been suspended").count() == 1
    assert AuditEvent.objects.filter(action__contains="suspend").count() == 2


def test_running_twice_on_the_expiry_day_suspends_and_emails_once(world, documents, enrolment):
    on(EXPIRES)
    on(EXPIRES)
    on(EXPIRES + timedelta(days=1))

    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.SUSPENDED
    assert emails_to(ADMIN, "suspended").count() == 1
    assert AuditEvent.objects.filter(action__contains="suspend").count() == 1


def test_other_providers_are_not_suspended(world, documents, enrolment, lot):
    bravo = EnrolmentFactory(provider=world.provider_b, lot=lot)

    on(EXPIRES)

    bravo.refresh_from_db()
    assert bravo.status == Enrolment.Status.ACTIVE
    assert not emails_to("admin@provider-b.test").exists()


def test_a_mandatory_document_never_uploaded_suspends_nothing(world, documents, enrolment):
    documents[DocumentType.DPS_TERMS].delete()

    on(before(1))

    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.ACTIVE


def test_an_expired_document_already_renewed_suspends_nothing(world, documents, enrolment):
    renewed = DocumentFactory(
        provider=world.provider_a, document_type="public_liability", expires_on=date(2027, 6, 30)
    )
    Document.objects.filter(pk=documents[DocumentType.PUBLIC_LIABILITY].pk).update(
        superseded_by=renewed
    )

    on(EXPIRES)

    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.ACTIVE


def test_an_enrolment_the_consortium_suspended_keeps_its_cause(world, documents, enrolment):
    Enrolment.objects.filter(pk=enrolment.pk).update(
        status=Enrolment.Status.SUSPENDED,
        suspension_cause=Enrolment.Cause.DECISION,
        status_reason="Safeguarding concern under investigation",
    )

    on(EXPIRES)

    enrolment.refresh_from_db()
    assert enrolment.suspension_cause == Enrolment.Cause.DECISION
    assert enrolment.status_reason == "Safeguarding concern under investigation"
    assert not emails_to(ADMIN, "suspended").exists()


# --- Reinstatement --------------------------------------------------------------------------


def test_renewing_reinstates_only_the_enrolments_suspended_for_documents(
    world, documents, enrolment
):
    decided = EnrolmentFactory(
        provider=world.provider_a,
        lot=LotFactory(consortium=world.consortium, name="Fostering"),
        status=Enrolment.Status.SUSPENDED,
        suspension_cause=Enrolment.Cause.DECISION,
        status_reason="Safeguarding concern under investigation",
    )
    on(EXPIRES)

    renewed = renew(world)

    enrolment.refresh_from_db()
    decided.refresh_from_db()
    assert enrolment.status == Enrolment.Status.ACTIVE
    assert enrolment.suspension_cause == ""
    assert decided.status == Enrolment.Status.SUSPENDED
    assert decided.suspension_cause == Enrolment.Cause.DECISION
    assert emails_to(ADMIN, "Your enrolment on Residential homes has been reinstated").count() == 1
    documents[DocumentType.PUBLIC_LIABILITY].refresh_from_db()
    assert documents[DocumentType.PUBLIC_LIABILITY].superseded_by == renewed


def test_the_sweep_reinstates_once_the_document_is_renewed_and_only_once(
    world, documents, enrolment
):
    on(EXPIRES)
    renewed = DocumentFactory(
        provider=world.provider_a, document_type="public_liability", expires_on=date(2027, 6, 30)
    )
    Document.objects.filter(pk=documents[DocumentType.PUBLIC_LIABILITY].pk).update(
        superseded_by=renewed
    )

    on(EXPIRES + timedelta(days=1))
    on(EXPIRES + timedelta(days=1))

    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.ACTIVE
    assert emails_to(ADMIN, "reinstated").count() == 1


def test_no_reinstatement_while_another_mandatory_document_is_expired(world, documents, enrolment):
    Document.objects.filter(pk=documents[DocumentType.DPS_TERMS].pk).update(expires_on=EXPIRES)
    on(EXPIRES)

    renew(world, DocumentType.PUBLIC_LIABILITY)
    on(EXPIRES + timedelta(days=1))

    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.SUSPENDED
    assert "Signed DPS terms expired" in enrolment.status_reason

    renew(world, DocumentType.DPS_TERMS)

    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.ACTIVE


def test_an_upload_recomputes_the_quality_score(world, documents, monkeypatch):
    calls = []
    monkeypatch.setattr(quality, "quality_score_recompute", lambda **kw: calls.append(kw))

    renew(world, day=before(10))

    assert calls == [{"provider": world.provider_a, "trigger": "documents"}]
