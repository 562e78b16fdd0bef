"""The monitoring pages and endpoints that list rows answer in a fixed number of queries
however many rows there are: a plan's actions and history, a provider's performance page (its
visits and plans), and the lists the consortium admin reads (visits, plans, reports, the market
position statement)."""

from datetime import date, timedelta
from decimal import Decimal
from itertools import count

import pytest
from django.utils import timezone

from monitoring.models import (
    CorrectiveAction,
    CorrectiveActionPlan,
    MonitoringVisit,
    Report,
)
from monitoring.models.plans import PlanEntry
from placements.models import PlacementRequest
from providers.models import QualityScore
from tests.factories import (
    EnrolmentFactory,
    LotFactory,
    ProviderFactory,
    ServiceFactory,
    UserFactory,
)
from tests.list_queries import assert_queries_do_not_grow, label, listed


def plan_of(world, provider, borough=None):
    return CorrectiveActionPlan.objects.create(
        provider=provider,
        consortium=world.consortium,
        borough=borough,
        reason=label("Reason"),
        review_date=timezone.localdate(),
    )


# --- Rows -------------------------------------------------------------------------------------


def visits_of_other_providers(world, n):
    """Visits to services of new providers, each enrolled on the consortium's lot."""
    lot = LotFactory(consortium=world.consortium)
    shown = []
    for _ in range(n):
        provider = ProviderFactory(name=label("Visited Care"))
        EnrolmentFactory(provider=provider, lot=lot)
        service = ServiceFactory(provider=provider, name=label("Visited Home"))
        MonitoringVisit.objects.create(
            service=service,
            provider=provider,
            consortium=world.consortium,
            due_date=timezone.localdate() + timedelta(days=7),
        )
        shown += [provider.name, service.name]
    return shown


def plans_of_other_providers(world, n):
    """Plans borough A opened for new providers, each with two actions."""
    shown = []
    for _ in range(n):
        provider = ProviderFactory(name=label("Planned Care"))
        plan = plan_of(world, provider, borough=world.borough_a)
        for _ in range(2):
            CorrectiveAction.objects.create(
                plan=plan, description="Do", owner="Someone", due_date=timezone.localdate()
            )
        shown.append(provider.name)
    return shown


def provider_reports(world, n):
    """A quarter's report of each of n new providers."""
    shown = []
    for _ in range(n):
        provider = ProviderFactory(name=label("Reported Care"))
        Report.objects.create(
            kind=Report.Kind.PROVIDER,
            consortium=world.consortium,
            provider=provider,
            period_start=date(2025, 1, 1),
            period_end=date(2025, 3, 31),
        )
        shown.append(provider.name)
    return shown


def lots_with_open_requests(world, n):
    """Lots of the consortium, each with an open request of borough A (the market statement
    has a row for each lot)."""
    shown = []
    for _ in range(n):
        lot = LotFactory(consortium=world.consortium, name=label("Market lot"))
        PlacementRequest.objects.create(
            borough=world.borough_a,
            lot=lot,
            status=PlacementRequest.Status.OPEN,
            bid_deadline=timezone.now() + timedelta(days=1),
        )
        shown.append(lot.name)
    return shown


# --- Scenarios on one record ------------------------------------------------------------------


def plan_detail(path):
    """A plan for provider A of borough A's: n more actions, and n more reviews and suspensions
    in its history, each by a different person."""

    def scenario(world):
        plan = plan_of(world, world.provider_a, world.borough_a)
        api = path.startswith("/api/")

        def more(n):
            shown = []
            for _ in range(n):
                action = CorrectiveAction.objects.create(
                    plan=plan,
                    description=label("Action"),
                    owner=label("Owner"),
                    due_date=timezone.localdate(),
                )
                shown += [action.description, action.owner]
                if api:  # the API gives the actions; the history is the page's
                    continue
                lot = LotFactory(consortium=world.consortium, name=label("Suspended lot"))
                enrolment = EnrolmentFactory(provider=world.provider_a, lot=lot)
                for entry in (
                    PlanEntry(plan=plan, kind=PlanEntry.Kind.REVIEW, note=label("Review note")),
                    PlanEntry(plan=plan, kind=PlanEntry.Kind.SUSPENSION, enrolment=enrolment),
                ):
                    entry.note = entry.note or label("Suspension note")
                    entry.by = UserFactory(full_name=label("Monitor"))
                    entry.save()
                    shown.append(entry.note)
                shown.append(lot.name)
            return shown

        return path.format(pk=plan.pk), more

    return scenario


def performance(path):
    """Provider A, enrolled on the consortium's lot: n more visits to its services, plans of
    borough A's, and quality scores (the page shows the latest twenty of each)."""

    def scenario(world):
        EnrolmentFactory(provider=world.provider_a, lot=LotFactory(consortium=world.consortium))
        days = count(1)

        def more(n):
            shown = []
            for _ in range(n):
                service = ServiceFactory(provider=world.provider_a, name=label("Alpha Home"))
                MonitoringVisit.objects.create(
                    service=service,
                    provider=world.provider_a,
                    consortium=world.consortium,
                    due_date=timezone.localdate() + timedelta(days=next(days)),
                )
                plan = plan_of(world, world.provider_a, world.borough_a)
                QualityScore.objects.create(
                    provider=world.provider_a,
                    consortium=world.consortium,
                    total=Decimal("50"),
                    inspection=Decimal("50"),
                    outcomes=Decimal("50"),
                    compliance=Decimal("50"),
                    responsiveness=Decimal("50"),
                    weights={},
                    inputs={},
                    trigger="test",
                )
                shown += [service.name, plan.reason]
            return shown

        return path.format(pk=world.provider_a.pk), more

    return scenario


# (persona, scenario, signed in with an API key of the persona's organisation)
SCENARIOS = [
    ("commissioner_a", plan_detail("/monitoring/plans/{pk}/"), False),
    ("admin", plan_detail("/monitoring/plans/{pk}/"), False),
    ("provider_admin_a", plan_detail("/monitoring/plans/{pk}/"), False),
    ("commissioner_a", plan_detail("/api/v1/corrective-action-plans/{pk}/"), False),
    ("provider_admin_a", plan_detail("/api/v1/corrective-action-plans/{pk}/"), True),
    ("commissioner_a", performance("/monitoring/providers/{pk}/performance/"), False),
    ("admin", performance("/monitoring/providers/{pk}/performance/"), False),
    ("provider_admin_a", performance("/monitoring/performance/"), False),
    ("admin", listed("/monitoring/visits/", visits_of_other_providers), False),
    ("admin", listed("/api/v1/monitoring-visits/", visits_of_other_providers), False),
    ("admin", listed("/monitoring/plans/", plans_of_other_providers), False),
    ("commissioner_a", listed("/api/v1/corrective-action-plans/", plans_of_other_providers), False),
    ("admin", listed("/reports/", provider_reports), False),
    ("admin", listed("/monitoring/market/", lots_with_open_requests), False),
    ("commissioner_a", listed("/monitoring/market/", lots_with_open_requests), False),
]


@pytest.mark.parametrize(
    ("persona", "scenario", "api_key"),
    SCENARIOS,
    ids=[f"{p}-{s.__name__}-{i}" for i, (p, s, _) in enumerate(SCENARIOS)],
)
def test_a_list_answers_in_the_same_number_of_queries_for_more_rows(
    client, world, persona, scenario, api_key
):
    assert_queries_do_not_grow(client, world, persona, scenario, api_key)
