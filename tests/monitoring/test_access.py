"""The access helpers of monitoring.access keep one contract: the object, or 404 for another
tenant's object, a missing one or a malformed id; with write=True, 403 for a reader who may not
change it. (Through the pages and the API: test_monitoring_access and the tenancy harness.)"""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from monitoring import access
from monitoring.models import KpiRun, Report
from monitoring.services import plans as plan_services
from tests.factories import ConsortiumFactory, ServiceFactory
from tests.monitoring.helpers_m4 import actor_of, enrolled, place_with

MISSING = 10**9


def refused_as_missing(get, actor, *pk):
    for wrong in (*pk[:-1], MISSING), (*pk[:-1], "not-a-number"):
        with pytest.raises(Http404):
            get(actor, *wrong)
    with pytest.raises(Http404):
        get(actor, *pk)


def test_a_placement_is_recorded_on_only_by_its_boroughs_officers(world):
    placement = place_with(world.borough_a, ServiceFactory(provider=world.provider_a))
    officer, provider = actor_of(world.officer_a), actor_of(world.provider_admin_a)

    assert access.get_placement_for_actor(officer, placement.pk, write=True) == placement
    assert access.get_placement_for_actor(provider, placement.pk) == placement
    with pytest.raises(PermissionDenied):
        access.get_placement_for_actor(provider, placement.pk, write=True)
    refused_as_missing(access.get_placement_for_actor, actor_of(world.officer_b), placement.pk)


def test_a_plans_action_is_changed_only_by_the_plans_owners(world):
    enrolled(world, placing=("borough_a", "borough_b"))
    later = timezone.localdate() + timedelta(days=30)
    plan = plan_services.plan_open(
        actor=actor_of(world.commissioner_a),
        provider=world.provider_a,
        reason="Unplanned endings too high.",
        review_date=later,
        actions=[{"description": "Review matching", "owner": "Manager", "due_date": later}],
    )
    action = plan.actions.get()
    get = access.get_plan_action_for_actor

    assert get(actor_of(world.commissioner_a), plan.pk, action.pk, write=True) == action
    assert get(actor_of(world.commissioner_b), plan.pk, action.pk) == action
    with pytest.raises(PermissionDenied):
        get(actor_of(world.commissioner_b), plan.pk, action.pk, write=True)
    with pytest.raises(Http404):
        get(actor_of(world.commissioner_a), plan.pk, MISSING)
    with pytest.raises(Http404):
        get(actor_of(world.provider_admin_b), plan.pk, action.pk)


def test_a_report_is_read_across_its_consortium_and_generated_by_its_admin(world):
    report = Report.objects.create(
        kind=Report.Kind.PROVIDER,
        consortium=world.consortium,
        provider=world.provider_a,
        period_start=date(2026, 4, 1),
        period_end=date(2026, 6, 30),
    )
    get = access.get_report_for_actor

    assert get(actor_of(world.admin), report.pk, write=True) == report
    assert get(actor_of(world.commissioner_b), report.pk) == report
    assert get(actor_of(world.provider_admin_a), report.pk) == report
    with pytest.raises(PermissionDenied):
        get(actor_of(world.commissioner_b), report.pk, write=True)
    refused_as_missing(get, actor_of(world.provider_admin_b), report.pk)


def test_a_kpi_run_is_only_its_consortium_admins(world):
    run = KpiRun.objects.create(consortium=world.consortium, trigger="manual")
    other = KpiRun.objects.create(consortium=ConsortiumFactory(slug="other"), trigger="manual")
    admin = actor_of(world.admin)

    assert access.get_kpi_run_for_actor(admin, run.pk, write=True) == run
    refused_as_missing(access.get_kpi_run_for_actor, admin, other.pk)
    refused_as_missing(access.get_kpi_run_for_actor, actor_of(world.commissioner_a), run.pk)
