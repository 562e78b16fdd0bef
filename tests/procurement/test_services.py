"""Drafting, publishing and reminding: the notice's fields come from the product's data and
never hold anything about the child; the Find a Tender id is checked; each is audited."""

import json
from datetime import date

import pytest

from dps.models import AuditEvent, OutboundEmail
from dps.services import DomainError
from procurement.models import Notice
from procurement.services.notices import (
    notice_draft,
    notice_publish,
    notices_remind,
    notices_sync,
)
from providers.models import ProviderProfile
from tests.placements.helpers import actor_of

from . import helpers as h

pytestmark = pytest.mark.django_db
TODAY = date(2026, 6, 1)
# What the product knows of a child: none may be a notice's field.
CHILD_FIELDS = {
    "child",
    "child_reference",
    "reference",
    "age",
    "gender",
    "ethnicity",
    "date_of_birth",
    "needs",
    "needs_total",
    "home_district",
    "story",
    "strengths",
    "legal_status",
}


def keys(value):
    if isinstance(value, dict):
        return set(value) | set().union(*(keys(v) for v in value.values()))
    return set()


def award_notice(world):
    h.arrangement(world)
    ProviderProfile.objects.create(
        organisation=world.provider_a,
        legal_name="Alpha Care Ltd",
        companies_house_number="01234567",
        address="1 High Street",
        postcode="NB1 1AA",
        contact_name="Ann Alpha",
    )
    h.placement(world, "13000")
    notices_sync(consortium=world.consortium, today=TODAY)
    return Notice.objects.get(kind="UK6")


def test_a_draft_fills_the_fields_from_the_placement_and_nothing_of_the_child(world):
    notice = award_notice(world)
    notice = notice_draft(actor=actor_of(world.admin), notice=notice)
    assert notice.status == "drafted"
    fields = notice.fields
    assert fields["supplier"] == {"name": "Alpha Care", "companiesHouseNumber": "01234567"}
    assert fields["buyer"] == {"name": "Alpha Borough", "jointWith": "Test Consortium"}
    assert fields["lot"] == "Residential homes"
    # 13,000 x 52 = 676,000.00, no VAT.
    assert fields["contract"]["estimatedValue"]["amountGross"] == "676000.00"
    assert fields["contract"]["startDate"] == "2026-04-06"
    assert "CHILD-REF-77" not in json.dumps(fields)
    assert not keys(fields) & CHILD_FIELDS
    assert AuditEvent.objects.filter(action="notice.draft").count() == 1


def test_publishing_needs_a_find_a_tender_id(world):
    notice = award_notice(world)
    admin = actor_of(world.admin)
    for bad in ("", "12345-2026", "0123456-2026", "012345/2026", "abc"):
        with pytest.raises(DomainError) as refused:
            notice_publish(actor=admin, notice=notice, fts_notice_id=bad)
        assert refused.value.field == "fts_notice_id"
    notice = notice_publish(actor=admin, notice=notice, fts_notice_id="012345-2026")
    assert (notice.status, notice.fts_notice_id) == ("published", "012345-2026")
    assert notice.fields["noticeType"] == "UK6"  # drafted on the way
    assert AuditEvent.objects.filter(action="notice.publish").count() == 1
    with pytest.raises(DomainError):
        notice_publish(actor=admin, notice=notice, fts_notice_id="012346-2026")
    with pytest.raises(DomainError):
        notice_draft(actor=admin, notice=notice)


def test_only_the_consortium_admin_drafts_and_publishes(world):
    from django.core.exceptions import PermissionDenied

    notice = award_notice(world)
    for user in (world.commissioner_a, world.officer_a, world.provider_admin_a):
        with pytest.raises(PermissionDenied):
            notice_draft(actor=actor_of(user), notice=notice)
        with pytest.raises(PermissionDenied):
            notice_publish(actor=actor_of(user), notice=notice, fts_notice_id="012345-2026")


def test_reminders_go_to_the_admins_once_a_day_for_overdue_and_due_soon(world):
    h.arrangement(world, starts_on=date(2026, 6, 3))
    # UK13 due 2 June (due soon on 1 June), UK14 due 8 June (not yet), UK6 of a placement
    # started 6 April... before the start: none. A placement starting 20 May: UK6 overdue.
    h.placement(world, "13000", start=date(2026, 6, 3))
    notices_sync(consortium=world.consortium, today=TODAY)
    assert notices_remind(consortium=world.consortium, today=TODAY) == 1
    email = OutboundEmail.objects.get(to="admin@consortium.test")
    assert "UK13" in email.body_text
    assert "UK6" in email.body_text
    assert "UK14" not in email.body_text
    assert "CHILD-REF-77" not in email.body_text
    # Once a day.
    assert notices_remind(consortium=world.consortium, today=TODAY) == 0
    assert OutboundEmail.objects.count() == 1


def test_the_daily_task_syncs_every_consortium_and_reminds_its_admins(world, settings):
    import time_machine

    from procurement.tasks import notices_daily

    assert settings.CELERY_BEAT_SCHEDULE["notices-daily"]["task"] == (
        "procurement.tasks.notices_daily"
    )
    h.arrangement(world)
    h.placement(world, "13000")
    with time_machine.travel(date(2026, 6, 1), tick=False):
        assert notices_daily() == 1
        assert notices_daily() == 0
    assert Notice.objects.count() == 4  # UK13, UK14, UK6, UK7
    assert OutboundEmail.objects.filter(to="admin@consortium.test").count() == 1
