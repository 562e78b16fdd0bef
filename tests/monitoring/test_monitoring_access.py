"""Who reads and who acts on corrective action plans and monitoring visits across a
consortium (monitoring.access), the same through the pages and the API.

Borough A opened a plan about provider A; borough B places children with provider A too;
a third borough of the consortium places nobody there."""

from datetime import timedelta

import pytest
from django.utils import timezone

from dps.models import Role
from monitoring.models import CorrectiveActionPlan, MonitoringVisit
from monitoring.services import plans as plan_services
from placements.models import Fee
from tests.conftest import person
from tests.factories import BoroughFactory
from tests.monitoring.helpers_m4 import actor_of, enrolled

API_PLANS = "/api/v1/corrective-action-plans/"
API_VISITS = "/api/v1/monitoring-visits/"


def later(days=30):
    return timezone.localdate() + timedelta(days=days)


@pytest.fixture
def stranger(world):
    """The commissioner of a borough of the consortium that places nobody with provider A."""
    borough = BoroughFactory(slug="borough-c", name="Charlie Borough", consortium=world.consortium)
    return person("commissioner@c.test", borough, Role.COMMISSIONER, admin=True)


@pytest.fixture
def plan(world):
    enrolled(world, placing=("borough_a", "borough_b"))
    return plan_services.plan_open(
        actor=actor_of(world.commissioner_a),
        provider=world.provider_a,
        reason="Unplanned endings too high.",
        review_date=later(),
        actions=[{"description": "Review matching", "owner": "Manager", "due_date": later(7)}],
    )


@pytest.fixture
def visit(world):
    _lot, alpha, _bravo = enrolled(world, placing=("borough_a", "borough_b"))
    return MonitoringVisit.objects.create(
        service=alpha,
        provider=world.provider_a,
        consortium=world.consortium,
        due_date=timezone.localdate() - timedelta(days=3),
    )


def close_on_page(client, plan):
    return client.post(
        f"/monitoring/plans/{plan.pk}/close/",
        {"closing_note": "Closed.", "close_with_open_actions": "on"},
    )


def close_over_api(client, plan):
    return client.post(
        f"{API_PLANS}{plan.pk}/close/",
        {"closing_note": "Closed.", "close_with_open_actions": True},
        content_type="application/json",
    )


def listed(client, path):
    return {row["id"] for row in client.get(path).json()["results"]}


def test_a_borough_placing_with_the_provider_reads_another_boroughs_plan_but_cannot_change_it(
    client, world, plan
):
    client.force_login(world.commissioner_b)

    page = client.get(f"/monitoring/plans/{plan.pk}/")
    assert page.status_code == 200
    assert "Unplanned endings too high." in page.content.decode()
    assert "Close the plan" not in page.content.decode()
    assert listed(client, API_PLANS) == {plan.pk}
    assert client.get(f"{API_PLANS}{plan.pk}/").status_code == 200

    assert close_on_page(client, plan).status_code == 403
    assert client.get(f"/monitoring/plans/{plan.pk}/review/").status_code == 403
    assert close_over_api(client, plan).status_code == 403
    added = client.post(
        f"{API_PLANS}{plan.pk}/actions/",
        {"description": "x", "owner": "y", "due_date": later().isoformat()},
        content_type="application/json",
    )
    assert added.status_code == 403
    plan.refresh_from_db()
    assert plan.status == CorrectiveActionPlan.Status.OPEN
    assert plan.actions.count() == 1


def test_the_borough_that_opened_the_plan_changes_it(client, world, plan):
    client.force_login(world.commissioner_a)

    assert close_on_page(client, plan).status_code == 302
    plan.refresh_from_db()
    assert plan.status == CorrectiveActionPlan.Status.CLOSED


def test_the_consortium_admin_changes_any_plan_of_the_consortium(client, world, plan):
    client.force_login(world.admin)

    assert close_over_api(client, plan).status_code == 200
    plan.refresh_from_db()
    assert plan.status == CorrectiveActionPlan.Status.CLOSED


def test_a_borough_placing_nobody_with_the_provider_sees_its_plans_neither_on_pages_nor_api(
    client, plan, stranger
):
    client.force_login(stranger)

    assert client.get(f"/monitoring/plans/{plan.pk}/").status_code == 404
    assert close_on_page(client, plan).status_code == 404
    assert "Alpha Care" not in client.get("/monitoring/plans/").content.decode()
    assert listed(client, API_PLANS) == set()
    assert client.get(f"{API_PLANS}{plan.pk}/").status_code == 404
    assert close_over_api(client, plan).status_code == 404


def test_the_opening_borough_reads_its_plan_after_its_placements_have_gone(client, world, plan):
    Fee.objects.filter(placement__borough=world.borough_a).delete()
    world.borough_a.borough_placements.all().delete()
    client.force_login(world.commissioner_a)

    assert client.get(f"/monitoring/plans/{plan.pk}/").status_code == 200
    assert listed(client, API_PLANS) == {plan.pk}


def test_it_refuses_to_open_a_plan_about_a_provider_the_borough_places_nobody_with(
    client, world, plan, stranger
):
    client.force_login(stranger)

    page = client.post(
        "/monitoring/plans/new/",
        {
            "provider": world.provider_a.pk,
            "reason": "Heard about it.",
            "review_date": later().strftime("%d/%m/%Y"),
        },
    )
    api = client.post(
        API_PLANS,
        {"provider": world.provider_a.pk, "reason": "x", "review_date": later().isoformat()},
        content_type="application/json",
    )

    assert page.status_code == 400
    assert "Select a valid choice" in page.content.decode()
    assert api.status_code == 400
    assert "provider" in api.json()["errors"]
    assert CorrectiveActionPlan.objects.count() == 1


def test_every_borough_placing_with_the_provider_records_its_visit(client, world, visit):
    client.force_login(world.commissioner_b)

    assert listed(client, API_VISITS) == {visit.pk}
    recorded = client.post(
        f"{API_VISITS}{visit.pk}/record/",
        {"visited_on": timezone.localdate().isoformat(), "findings": "Fine.", "rag": "green"},
        content_type="application/json",
    )

    assert recorded.status_code == 200
    visit.refresh_from_db()
    assert visit.status == MonitoringVisit.Status.COMPLETED


def test_a_borough_placing_nobody_with_the_provider_neither_sees_nor_records_its_visits(
    client, visit, stranger
):
    client.force_login(stranger)

    assert client.get(f"/monitoring/visits/{visit.pk}/").status_code == 404
    assert client.post(f"/monitoring/visits/{visit.pk}/cancel/", {"reason": "x"}).status_code == 404
    assert "Alpha Lodge" not in client.get("/monitoring/visits/").content.decode()
    assert listed(client, API_VISITS) == set()
    recorded = client.post(
        f"{API_VISITS}{visit.pk}/record/",
        {"visited_on": timezone.localdate().isoformat(), "findings": "Fine.", "rag": "green"},
        content_type="application/json",
    )
    assert recorded.status_code == 404
    visit.refresh_from_db()
    assert visit.status == MonitoringVisit.Status.SCHEDULED
