"""Monitoring visits: scheduling by rating, idempotence, recording, cancelling, overdue,
who sees which, the pages and the API."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.test import override_settings
from django.utils import timezone

from dps.models import AuditEvent, OutboundEmail
from dps.services import DomainError
from monitoring import access
from monitoring.models import MonitoringVisit
from monitoring.selectors import visits as selectors
from monitoring.services import visits as services
from monitoring.tasks import visits_schedule_daily
from providers.models import Enrolment
from tests.factories import ConsortiumFactory, EnrolmentFactory, LotFactory, ServiceFactory
from tests.monitoring.helpers_m4 import actor_of, enrolled

TODAY = date(2025, 1, 15)
Status = MonitoringVisit.Status


def visit_of(service):
    return MonitoringVisit.objects.get(service=service, status=Status.SCHEDULED)


@pytest.mark.parametrize(
    ("rating", "due"),
    [
        ("outstanding", date(2025, 7, 15)),
        ("good", date(2025, 7, 15)),
        ("not_yet_inspected", date(2025, 7, 15)),
        ("requires_improvement", date(2025, 4, 15)),
        ("inadequate", date(2025, 2, 15)),
    ],
)
def test_the_first_visit_is_due_by_the_services_rating(world, rating, due):
    _lot, a, _b = enrolled(world, rating=rating)

    services.visits_schedule(consortium=world.consortium, today=TODAY)

    assert visit_of(a).due_date == due


def test_the_next_visit_is_due_after_the_last_completed_one(world):
    _lot, a, _b = enrolled(world, rating="requires_improvement")
    MonitoringVisit.objects.create(
        service=a,
        provider=world.provider_a,
        consortium=world.consortium,
        due_date=date(2024, 12, 1),
        status=Status.COMPLETED,
        visited_on=date(2024, 12, 10),
    )

    services.visits_schedule(consortium=world.consortium, today=TODAY)

    assert visit_of(a).due_date == date(2025, 3, 10)


@override_settings(VISIT_INTERVAL_MONTHS=12)
def test_the_default_interval_is_a_setting(world):
    _lot, a, _b = enrolled(world)

    services.visits_schedule(consortium=world.consortium, today=TODAY)

    assert visit_of(a).due_date == date(2026, 1, 15)


def test_scheduling_is_idempotent(world):
    enrolled(world)

    first = services.visits_schedule(consortium=world.consortium, today=TODAY)
    second = services.visits_schedule(consortium=world.consortium, today=TODAY)

    assert len(first) == 2
    assert second == []
    assert MonitoringVisit.objects.count() == 2
    assert AuditEvent.objects.filter(action="monitoring_visit.schedule").count() == 1


def test_only_active_services_of_enrolled_providers_are_scheduled(world):
    enrolled(world)
    ServiceFactory(provider=world.provider_a, name="Closed Lodge", is_active=False)
    Enrolment.objects.filter(provider=world.provider_b).update(status=Enrolment.Status.REMOVED)
    other = LotFactory(consortium=ConsortiumFactory(slug="other"))
    outsider = ServiceFactory(name="Elsewhere House")
    EnrolmentFactory(provider=outsider.provider, lot=other)

    services.visits_schedule(consortium=world.consortium, today=TODAY)

    assert list(MonitoringVisit.objects.values_list("service__name", flat=True)) == ["Alpha Lodge"]


def test_the_daily_task_schedules_every_consortium(world):
    enrolled(world)

    visits_schedule_daily()
    visits_schedule_daily()

    assert MonitoringVisit.objects.count() == 2


def test_recording_completes_the_visit_schedules_the_next_and_tells_the_provider(world):
    _lot, a, _b = enrolled(world, rating="inadequate")
    services.visits_schedule(consortium=world.consortium, today=TODAY)
    visit = visit_of(a)
    actor = actor_of(world.commissioner_a)

    services.visit_record(
        actor=actor, visit=visit, visited_on=TODAY, findings="Records well kept.", rag="green"
    )

    visit.refresh_from_db()
    assert (visit.status, visit.rag, visit.recorded_by) == (
        Status.COMPLETED,
        "green",
        world.commissioner_a,
    )
    assert visit_of(a).due_date == date(2025, 2, 15)
    email = OutboundEmail.objects.get(to="admin@provider-a.test")
    assert "Alpha Lodge" in email.subject
    assert AuditEvent.objects.filter(action="monitoring_visit.record").exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"findings": " "}, "findings"),
        ({"rag": "purple"}, "rag"),
        ({"visited_on": date(2999, 1, 1)}, "visited_on"),
        ({"visited_on": date(1990, 1, 1)}, "visited_on"),
    ],
)
def test_recording_refuses_bad_input(world, change, field):
    _lot, a, _b = enrolled(world)
    services.visits_schedule(consortium=world.consortium, today=TODAY)
    data = {"visited_on": TODAY, "findings": "Fine.", "rag": "green", **change}

    with pytest.raises(DomainError) as exc:
        services.visit_record(actor=actor_of(world.admin), visit=visit_of(a), **data)

    assert exc.value.field == field


def test_a_recorded_or_cancelled_visit_cannot_be_recorded_again(world):
    _lot, a, _b = enrolled(world)
    services.visits_schedule(consortium=world.consortium, today=TODAY)
    visit = visit_of(a)
    services.visit_cancel(actor=actor_of(world.admin), visit=visit, reason="Home closed.")

    with pytest.raises(DomainError):
        services.visit_record(
            actor=actor_of(world.admin), visit=visit, visited_on=TODAY, findings="x", rag="red"
        )


@pytest.mark.parametrize("persona", ["officer_a", "provider_admin_a"])
def test_only_commissioners_and_the_admin_record(world, persona):
    _lot, a, _b = enrolled(world)
    services.visits_schedule(consortium=world.consortium, today=TODAY)

    with pytest.raises(PermissionDenied):
        services.visit_record(
            actor=actor_of(getattr(world, persona)),
            visit=visit_of(a),
            visited_on=TODAY,
            findings="x",
            rag="red",
        )


def test_an_extra_visit_is_for_a_monitored_service_and_not_in_the_past(world):
    _lot, a, _b = enrolled(world)
    outsider = ServiceFactory(name="Elsewhere House")
    actor = actor_of(world.commissioner_b)
    today = timezone.localdate()

    visit = services.visit_schedule_manual(actor=actor, service=a, due_date=today)

    assert visit.consortium == world.consortium
    with pytest.raises(DomainError) as exc:
        services.visit_schedule_manual(actor=actor, service=outsider, due_date=today)
    assert exc.value.field == "service"
    with pytest.raises(DomainError) as exc:
        services.visit_schedule_manual(actor=actor, service=a, due_date=today - timedelta(1))
    assert exc.value.field == "due_date"


def test_overdue_visits_are_the_scheduled_ones_due_before_today(world):
    _lot, a, b = enrolled(world)
    MonitoringVisit.objects.create(
        service=a, provider=world.provider_a, consortium=world.consortium, due_date=TODAY
    )
    late = MonitoringVisit.objects.create(
        service=b,
        provider=world.provider_b,
        consortium=world.consortium,
        due_date=TODAY - timedelta(1),
    )
    MonitoringVisit.objects.create(
        service=b,
        provider=world.provider_b,
        consortium=world.consortium,
        due_date=TODAY - timedelta(9),
        status=Status.COMPLETED,
    )

    assert list(selectors.overdue_visits(actor_of(world.commissioner_a), TODAY)) == [late]
    assert list(selectors.overdue_visits(actor_of(world.provider_admin_a), TODAY)) == []
    assert list(selectors.overdue_visits(actor_of(world.officer_a), TODAY)) == []


def test_who_sees_which_visits(world):
    enrolled(world)
    services.visits_schedule(consortium=world.consortium, today=TODAY)

    def names(user):
        return sorted(
            access.visits_visible_to(actor_of(user)).values_list("service__name", flat=True)
        )

    assert names(world.admin) == ["Alpha Lodge", "Bravo Lodge"]
    assert names(world.commissioner_b) == ["Alpha Lodge", "Bravo Lodge"]
    assert names(world.provider_admin_a) == ["Alpha Lodge"]
    assert names(world.bidder_b) == ["Bravo Lodge"]
    assert names(world.officer_a) == []


# --- Pages --------------------------------------------------------------------------------


def test_the_commissioner_records_a_visit_on_its_page(client, world):
    _lot, a, _b = enrolled(world)
    services.visits_schedule(consortium=world.consortium, today=TODAY)
    visit = visit_of(a)
    client.force_login(world.commissioner_a)

    assert "Alpha Lodge" in client.get("/monitoring/visits/").content.decode()
    assert "Overdue" in client.get("/monitoring/visits/overdue/").content.decode()
    bad = client.post(f"/monitoring/visits/{visit.pk}/", {"visited_on": "31/02/2025"})
    assert bad.status_code == 400
    response = client.post(
        f"/monitoring/visits/{visit.pk}/",
        {"visited_on": "10/01/2025", "findings": "Good records.", "rag": "amber"},
    )
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.rag == "amber"


def test_the_commissioner_schedules_and_cancels_a_visit(client, world):
    _lot, a, _b = enrolled(world)
    client.force_login(world.admin)

    response = client.post(
        "/monitoring/visits/new/",
        {"service": a.pk, "due_date": (timezone.localdate() + timedelta(7)).strftime("%d/%m/%Y")},
    )
    assert response.status_code == 302
    visit = visit_of(a)
    assert client.post(f"/monitoring/visits/{visit.pk}/cancel/", {}).status_code == 400
    client.post(f"/monitoring/visits/{visit.pk}/cancel/", {"reason": "Duplicate."})
    visit.refresh_from_db()
    assert visit.status == Status.CANCELLED


def test_the_provider_reads_its_visits_and_cannot_record(client, world):
    _lot, a, b = enrolled(world)
    services.visits_schedule(consortium=world.consortium, today=TODAY)
    client.force_login(world.provider_admin_a)

    page = client.get("/monitoring/visits/").content.decode()
    assert "Alpha Lodge" in page
    assert "Bravo Lodge" not in page
    own = visit_of(a)
    assert "Record the visit" not in client.get(f"/monitoring/visits/{own.pk}/").content.decode()
    response = client.post(
        f"/monitoring/visits/{own.pk}/",
        {"visited_on": "10/01/2025", "findings": "x", "rag": "green"},
    )
    assert response.status_code == 403
    assert client.get(f"/monitoring/visits/{visit_of(b).pk}/").status_code == 404


def test_placement_officers_have_no_visits_pages(client, world):
    client.force_login(world.officer_a)

    assert client.get("/monitoring/visits/").status_code == 403


# --- API ----------------------------------------------------------------------------------


def test_the_api_lists_and_records_visits(client, world, api_key_for):
    _lot, a, b = enrolled(world)
    services.visits_schedule(consortium=world.consortium, today=TODAY)
    visit = visit_of(a)
    client.force_login(world.commissioner_a)

    listed = client.get("/api/v1/monitoring-visits/?overdue=true").json()
    assert {row["service_name"] for row in listed["results"]} == {"Alpha Lodge", "Bravo Lodge"}
    bad = client.post(
        f"/api/v1/monitoring-visits/{visit.pk}/record/",
        {"visited_on": "2025-01-10", "findings": "x", "rag": "pink"},
        content_type="application/json",
    )
    assert bad.status_code == 400
    done = client.post(
        f"/api/v1/monitoring-visits/{visit.pk}/record/",
        {"visited_on": "2025-01-10", "findings": "Fine.", "rag": "green"},
        content_type="application/json",
    )
    assert done.status_code == 200
    assert done.json()["status"] == "completed"

    key = api_key_for(world.provider_a)
    own = client.get("/api/v1/monitoring-visits/", headers={"Authorization": key}).json()
    assert {row["service_name"] for row in own["results"]} == {"Alpha Lodge"}
    other = client.get(
        f"/api/v1/monitoring-visits/{visit_of(b).pk}/", headers={"Authorization": key}
    )
    assert other.status_code == 404
    borough_key = api_key_for(world.borough_a)
    refused = client.get("/api/v1/monitoring-visits/", headers={"Authorization": borough_key})
    assert refused.status_code == 403
