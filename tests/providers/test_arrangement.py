"""The arrangement: its legal basis and dates, the conditions of membership in force, an open
framework's openings and the s.49 schedule, the decision timer, and the dashboard's warnings.
Dates are worked by hand in each test."""

import re
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from dps.models import AuditEvent, Role
from dps.services import DomainError
from providers.models import Application, Arrangement, ConditionsVersion, Opening
from providers.selectors.arrangement import (
    application_window,
    arrangement_warnings,
    decision_due,
    reopening_due_by,
)
from providers.services.arrangement import arrangement_save, conditions_publish, opening_save
from providers.services.enrolment import application_start, application_submit
from tests.conftest import person
from tests.factories import ApplicationFactory, ConsortiumFactory, make_api_client
from tests.providers import enrolment_helpers
from tests.providers.enrolment_helpers import actor_of

lot = enrolment_helpers.lot


def setup(world, basis="dynamic_market", starts_on=date(2025, 4, 1), ends_on=date(2029, 3, 31),
          **extra):  # fmt: skip
    return arrangement_save(
        actor=actor_of(world.admin),
        basis=basis,
        title="Children's placements",
        starts_on=starts_on,
        ends_on=ends_on,
        **extra,
    )


def aware(*args):
    return datetime(*args, tzinfo=timezone.get_current_timezone())


# --- The arrangement's rules ---------------------------------------------------------------


def test_the_admin_sets_up_a_dynamic_market_with_the_default_threshold(world):
    arrangement = setup(world, decision_days=15)

    assert arrangement.consortium == world.consortium
    assert arrangement.light_touch_threshold == Decimal("663540")
    assert arrangement.decision_days == 15
    assert AuditEvent.objects.filter(action="arrangement.create").count() == 1


def test_saving_again_changes_the_one_arrangement(world):
    setup(world)
    setup(world, basis="open_framework", ends_on=date(2033, 3, 31))

    assert Arrangement.objects.get().basis == "open_framework"
    assert AuditEvent.objects.filter(action="arrangement.change").count() == 1


def test_a_legacy_dps_cannot_end_after_23_february_2029(world):
    setup(world, basis="legacy_dps", starts_on=date(2022, 4, 1), ends_on=date(2029, 2, 23))
    with pytest.raises(DomainError) as refused:
        setup(world, basis="legacy_dps", starts_on=date(2022, 4, 1), ends_on=date(2029, 2, 24))
    assert refused.value.field == "ends_on"
    assert "23 February 2029" in refused.value.message


def test_an_open_framework_ends_at_most_8_years_after_its_start(world):
    # The period of 8 years beginning with 1 April 2026 ends on 31 March 2034.
    setup(world, basis="open_framework", starts_on=date(2026, 4, 1), ends_on=date(2034, 3, 31))
    with pytest.raises(DomainError, match="by 31 March 2034"):
        setup(world, basis="open_framework", starts_on=date(2026, 4, 1), ends_on=date(2034, 4, 1))


def test_the_dates_must_be_in_order(world):
    with pytest.raises(DomainError, match="after the start date"):
        setup(world, starts_on=date(2026, 4, 1), ends_on=date(2026, 4, 1))


def test_only_a_consortium_admin_saves_it(world):
    for user in (world.commissioner_a, world.provider_admin_a):
        with pytest.raises(DomainError):
            arrangement_save(
                actor=actor_of(user),
                basis="dynamic_market",
                title="x",
                starts_on=date(2026, 1, 1),
                ends_on=date(2027, 1, 1),
            )
    assert not Arrangement.objects.exists()


# --- Warnings ------------------------------------------------------------------------------


def test_a_legacy_dps_warns_from_a_year_before_its_end(world):
    arrangement = setup(
        world, basis="legacy_dps", starts_on=date(2022, 4, 1), ends_on=date(2029, 2, 23)
    )
    assert arrangement_warnings(arrangement, today=date(2028, 2, 22)) == []
    [warning] = arrangement_warnings(arrangement, today=date(2028, 2, 23))
    assert warning.startswith("This DPS must end by 23 February 2029")


def test_a_dynamic_market_has_no_warning(world):
    assert arrangement_warnings(setup(world), today=date(2029, 3, 1)) == []


def test_the_warning_shows_on_the_arrangement_page_and_the_dashboard(client, world):
    setup(world, basis="legacy_dps", starts_on=date(2022, 4, 1), ends_on=date(2029, 2, 23))
    with time_machine.travel(date(2028, 6, 1)):
        client.force_login(world.admin)
        page = client.get(reverse("providers:arrangement")).content.decode()
        client.force_login(world.commissioner_a)
        dashboard = client.get(reverse("monitoring:dashboard")).content.decode()
    assert "This DPS must end by 23 February 2029" in page
    assert "This DPS must end by 23 February 2029" in dashboard


def test_an_open_framework_past_its_required_reopening_warns(world):
    arrangement = setup(
        world, basis="open_framework", starts_on=date(2026, 1, 1), ends_on=date(2033, 12, 31)
    )
    opening_save(
        actor=actor_of(world.admin),
        opens_on=date(2026, 1, 1),
        closes_on=date(2026, 1, 31),
        awards_on=date(2026, 3, 1),
    )
    # A further award is due within the 3 years beginning 1 March 2026: by 29 February 2029?
    # No: 2029 is not a leap year, so the period ends on 28 February 2029.
    assert reopening_due_by(arrangement) == date(2029, 2, 28)
    assert arrangement_warnings(arrangement, today=date(2029, 2, 28)) == []
    [warning] = arrangement_warnings(arrangement, today=date(2029, 3, 1))
    assert "reopened" in warning
    assert "28 February 2029" in warning


# --- Openings and the s.49 schedule ---------------------------------------------------------


@pytest.fixture
def framework(world):
    return setup(
        world, basis="open_framework", starts_on=date(2026, 1, 1), ends_on=date(2033, 12, 31)
    )


def opening(world, opens, closes, awards, **kwargs):
    return opening_save(
        actor=actor_of(world.admin), opens_on=opens, closes_on=closes, awards_on=awards, **kwargs
    )


def test_a_schedule_keeping_to_s49_is_accepted(world, framework):
    # First award 1 Mar 2026; second by 28 Feb 2029 (here 1 Feb 2029); third within 5 years
    # of the second: by 31 Jan 2034 (here 1 Jun 2033, before the scheme's end on 29 Feb 2034).
    opening(world, date(2026, 1, 1), date(2026, 1, 31), date(2026, 3, 1))
    opening(world, date(2028, 12, 1), date(2028, 12, 31), date(2029, 2, 1))
    opening(world, date(2033, 4, 1), date(2033, 4, 30), date(2033, 6, 1))
    assert Opening.objects.count() == 3


def test_a_second_award_3_years_after_the_first_is_refused(world, framework):
    opening(world, date(2026, 1, 1), date(2026, 1, 31), date(2026, 3, 1))
    with pytest.raises(DomainError, match="within 3 years of the first: by 28 February 2029"):
        opening(world, date(2029, 1, 1), date(2029, 1, 31), date(2029, 3, 1))


def test_a_5_year_gap_after_the_second_award_is_refused(world):
    # The scheme's 8 years beginning 1 March 2026 end on 28 February 2034.
    setup(world, basis="open_framework", starts_on=date(2026, 3, 1), ends_on=date(2034, 2, 28))
    opening(world, date(2026, 3, 1), date(2026, 3, 1), date(2026, 3, 1))
    opening(world, date(2027, 1, 1), date(2027, 1, 31), date(2027, 3, 1))
    # The 5 years beginning 1 March 2027 end on 29 February 2032.
    with pytest.raises(DomainError, match="within 5 years: by 29 February 2032"):
        opening(world, date(2032, 1, 1), date(2032, 1, 31), date(2032, 3, 1))


def test_nothing_after_8_years_from_the_first_award(world):
    setup(world, basis="open_framework", starts_on=date(2026, 3, 1), ends_on=date(2034, 2, 28))
    opening(world, date(2026, 3, 1), date(2026, 3, 1), date(2026, 3, 1))
    opening(world, date(2028, 1, 1), date(2028, 1, 31), date(2028, 3, 1))
    opening(world, date(2032, 1, 1), date(2032, 1, 31), date(2032, 3, 1))
    # An award on 1 March 2034 falls after the 8 years beginning 1 March 2026.
    with pytest.raises(DomainError, match="28 February 2034"):
        opening(world, date(2034, 2, 1), date(2034, 2, 28), date(2034, 3, 1))


def test_openings_cannot_overlap_and_only_an_open_framework_has_them(world, framework):
    opening(world, date(2026, 1, 1), date(2026, 1, 31), date(2026, 3, 1))
    with pytest.raises(DomainError, match="overlaps"):
        opening(world, date(2026, 1, 31), date(2026, 2, 10), date(2026, 3, 1))
    setup(world)  # now a dynamic market
    with pytest.raises(DomainError, match="Only an open framework"):
        opening(world, date(2027, 1, 1), date(2027, 1, 31), date(2027, 3, 1))


def test_applications_to_an_open_framework_only_during_an_opening(world, framework, lot):
    opening(world, date(2026, 1, 1), date(2026, 1, 31), date(2026, 3, 1))
    opening(world, date(2027, 6, 1), date(2027, 6, 30), date(2027, 8, 1))
    provider = actor_of(world.provider_admin_a)

    with time_machine.travel(date(2026, 1, 15)):
        application = application_start(actor=provider, lot=lot)
    with time_machine.travel(date(2026, 2, 1)):
        with pytest.raises(DomainError) as refused:
            application_submit(actor=provider, application=application)
        window = application_window(world.consortium.pk)
    assert "The next opening is from 1 June 2027 to 30 June 2027" in refused.value.message
    assert not window.open
    with time_machine.travel(date(2027, 6, 30)):
        application_submit(actor=provider, application=application)
    assert Application.objects.get().status == "submitted"


def test_starting_an_application_outside_an_opening_is_refused(world, framework, lot):
    with (
        time_machine.travel(date(2026, 2, 1)),
        pytest.raises(DomainError, match="no opening is planned"),
    ):
        application_start(actor=actor_of(world.provider_admin_a), lot=lot)


def test_a_dynamic_market_accepts_applications_at_any_time(world, lot):
    setup(world)
    application = application_start(actor=actor_of(world.provider_admin_a), lot=lot)
    application_submit(actor=actor_of(world.provider_admin_a), application=application)
    assert application_window(world.consortium.pk).message == (
        "Applications are accepted at any time."
    )


def test_the_apply_page_shows_the_window(client, world, framework, lot):
    opening(world, date(2026, 1, 1), date(2026, 1, 31), date(2026, 3, 1))
    client.force_login(world.provider_admin_a)
    with time_machine.travel(date(2026, 1, 10)):
        page = client.get(reverse("providers:application_new")).content.decode()
    assert "Test Consortium: Applications are open until 31 January 2026." in page


def test_the_openings_pages_add_and_change_an_opening(client, world, framework):
    client.force_login(world.admin)
    response = client.post(
        reverse("providers:openings"),
        {
            "opens_on_day": "1", "opens_on_month": "1", "opens_on_year": "2026",
            "closes_on_day": "31", "closes_on_month": "1", "closes_on_year": "2026",
            "awards_on_day": "1", "awards_on_month": "3", "awards_on_year": "2026",
        },
    )  # fmt: skip
    assert response.status_code == 302
    added = Opening.objects.get()
    bad = client.post(
        reverse("providers:opening_edit", args=[added.pk]),
        {
            "opens_on_day": "1", "opens_on_month": "2", "opens_on_year": "2026",
            "closes_on_day": "31", "closes_on_month": "1", "closes_on_year": "2026",
            "awards_on_day": "1", "awards_on_month": "3", "awards_on_year": "2026",
        },
    )  # fmt: skip
    assert bad.status_code == 400
    assert "on or after the opening date" in bad.content.decode()


# --- Conditions of membership ---------------------------------------------------------------


def test_version_1_needs_no_reason_but_version_2_does(world):
    setup(world)
    admin = actor_of(world.admin)
    first = conditions_publish(actor=admin, text="Registered with Ofsted.")
    with pytest.raises(DomainError) as refused:
        conditions_publish(actor=admin, text="Registered with Ofsted; rated Good.")
    assert refused.value.field == "reason"
    second = conditions_publish(
        actor=admin, text="Registered with Ofsted; rated Good.", reason="Raise the bar."
    )
    assert (first.number, second.number) == (1, 2)


def test_conditions_need_an_arrangement(world):
    with pytest.raises(DomainError, match="Set up the consortium's arrangement"):
        conditions_publish(actor=actor_of(world.admin), text="x")


def test_a_submitted_application_records_the_version_in_force(world, lot):
    setup(world)
    admin = actor_of(world.admin)
    first = conditions_publish(actor=admin, text="v1", in_force_from=aware(2026, 1, 1))
    second = conditions_publish(
        actor=admin, text="v2", in_force_from=aware(2026, 6, 1), reason="A modification."
    )
    provider = actor_of(world.provider_admin_a)
    with time_machine.travel(aware(2026, 3, 1, 12)):
        application = application_start(actor=provider, lot=lot)
        application_submit(actor=provider, application=application)
    application.refresh_from_db()
    assert application.conditions == first
    assert second.number == 2


def test_the_review_page_shows_the_version_and_a_newer_one(client, world, lot):
    setup(world)
    admin = actor_of(world.admin)
    conditions_publish(actor=admin, text="v1", in_force_from=aware(2026, 1, 1))
    provider = actor_of(world.provider_admin_a)
    with time_machine.travel(aware(2026, 3, 1, 12)):
        application = application_start(actor=provider, lot=lot)
        application_submit(actor=provider, application=application)
    conditions_publish(
        actor=admin, text="v2", in_force_from=aware(2026, 6, 1), reason="A modification."
    )
    client.force_login(world.admin)
    with time_machine.travel(aware(2026, 7, 1, 12)):
        page = client.get(reverse("providers:application_review", args=[application.pk]))
    text = " ".join(page.content.decode().split())
    assert "version 1 (in force from 1 January 2026)" in text
    assert "Version 2 came into force on 1 June 2026, since it was submitted." in text


def test_the_conditions_page_publishes_a_version(client, world):
    setup(world)
    client.force_login(world.admin)
    response = client.post(reverse("providers:conditions"), {"text": "Be registered."})
    assert response.status_code == 302
    refused = client.post(reverse("providers:conditions"), {"text": "Be rated Good."})
    assert refused.status_code == 400
    assert "Say why the conditions change" in refused.content.decode()
    assert ConditionsVersion.objects.count() == 1


# --- The decision timer ----------------------------------------------------------------------


def test_the_queue_shows_each_due_date_oldest_first_and_marks_the_overdue(client, world, lot):
    setup(world, decision_days=10)
    early = ApplicationFactory(provider=world.provider_a, lot=lot, status="submitted")
    late = ApplicationFactory(
        provider=world.provider_b, lot=lot, status="submitted", flagged_for_review=True
    )
    # Submitted 1 March: due 11 March. Submitted 5 March: due 15 March.
    Application.objects.filter(pk=early.pk).update(submitted_at=aware(2026, 3, 1, 10))
    Application.objects.filter(pk=late.pk).update(submitted_at=aware(2026, 3, 5, 10))
    client.force_login(world.admin)
    with time_machine.travel(aware(2026, 3, 12, 9)):
        response = client.get(reverse("providers:review_queue"))
    rows = [(a.pk, a.due_on, a.overdue) for a in response.context["page"]]
    assert rows == [
        (early.pk, date(2026, 3, 11), True),
        (late.pk, date(2026, 3, 15), False),
    ]
    text = " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())
    assert "11 Mar 2026 Overdue" in text
    assert "15 Mar 2026 Overdue" not in text
    assert decision_due(Application.objects.get(pk=late.pk), Arrangement.objects.get()) == date(
        2026, 3, 15
    )


def test_no_timer_under_an_open_framework(world, framework, lot):
    application = ApplicationFactory(provider=world.provider_a, lot=lot, status="submitted")
    Application.objects.filter(pk=application.pk).update(submitted_at=timezone.now())
    application.refresh_from_db()
    assert decision_due(application, framework) is None


# --- Pages and the API ---------------------------------------------------------------------


def test_the_settings_page_saves_the_arrangement(client, world):
    client.force_login(world.admin)
    data = {
        "basis": "legacy_dps",
        "title": "Our DPS",
        "starts_on_day": "1", "starts_on_month": "4", "starts_on_year": "2022",
        "ends_on_day": "1", "ends_on_month": "3", "ends_on_year": "2029",
        "decision_days": "10",
        "light_touch_threshold": "663540",
        "vat_percent": "0",
    }  # fmt: skip
    refused = client.post(reverse("providers:arrangement"), data)
    assert refused.status_code == 400
    assert "cannot run after 23 February 2029" in refused.content.decode()
    data["ends_on_day"], data["ends_on_month"] = "23", "2"
    assert client.post(reverse("providers:arrangement"), data).status_code == 302
    assert Arrangement.objects.get().ends_on == date(2029, 2, 23)


@pytest.mark.parametrize("who", ["commissioner_a", "officer_a", "provider_admin_a"])
def test_the_arrangement_pages_are_the_admins_only(client, world, who):
    setup(world)
    client.force_login(getattr(world, who))
    for name in ("providers:arrangement", "providers:conditions", "providers:openings"):
        assert client.get(reverse(name)).status_code == 403


def test_another_consortiums_admin_sees_only_their_own(client, world, framework):
    added = opening(world, date(2026, 1, 1), date(2026, 1, 31), date(2026, 3, 1))
    other = person("admin@other.test", ConsortiumFactory(slug="other"), Role.CONSORTIUM_ADMIN)
    client.force_login(other)
    assert (
        "Children's placements" not in client.get(reverse("providers:arrangement")).content.decode()
    )
    assert client.get(reverse("providers:opening_edit", args=[added.pk])).status_code == 404


def test_anonymous_users_are_sent_to_sign_in(client, world):
    assert client.get(reverse("providers:arrangement")).status_code == 302


def test_the_api_gives_a_borough_the_arrangement(world, lot):
    from rest_framework.test import APIClient

    setup(world)
    conditions_publish(actor=actor_of(world.admin), text="Be registered.")
    _, key = make_api_client(world.borough_a)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")

    data = api.get("/api/v1/arrangement/").json()

    assert data["basis"] == "dynamic_market"
    assert (data["starts_on"], data["ends_on"]) == ("2025-04-01", "2029-03-31")
    assert data["lots"] == [{"id": lot.pk, "code": lot.code, "name": lot.name}]
    assert data["conditions_in_force"]["number"] == 1


def test_the_api_refuses_providers_and_anonymous_callers(world):
    from rest_framework.test import APIClient

    setup(world)
    _, key = make_api_client(world.provider_a)
    api = APIClient()
    assert api.get("/api/v1/arrangement/").status_code in (401, 403)
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert api.get("/api/v1/arrangement/").status_code == 403


def test_the_api_answers_404_before_the_arrangement_is_set_up(world):
    from rest_framework.test import APIClient

    _, key = make_api_client(world.borough_b)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert api.get("/api/v1/arrangement/").status_code == 404


def test_a_dynamic_market_decision_day_is_submitted_plus_days(world):
    # Guard against off-by-one: decided within 10 days of 1 March is 11 March.
    assert date(2026, 3, 1) + timedelta(days=10) == date(2026, 3, 11)
