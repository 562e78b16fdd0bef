"""List pages and list endpoints answer in a fixed number of queries, however many rows they
show: each is requested with a few rows and with several times more, and the counts must match.
(N+1 queries would grow with the rows.)"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dps.models import AuditEvent, Membership, OutboundEmail, Role
from providers.models import Application
from tests.factories import (
    ApplicationFactory,
    BoroughFactory,
    DocumentFactory,
    EnrolmentFactory,
    LotFactory,
    ProviderFactory,
    ServiceFactory,
    UserFactory,
    make_api_client,
)


def members(world, n):
    for _ in range(n):
        Membership.objects.create(
            user=UserFactory(), organisation=world.borough_a, role=Role.PLACEMENT_OFFICER
        )


def api_clients(world, n):
    for i in range(n):
        make_api_client(world.borough_a, name=f"Client {timezone.now().timestamp()}-{i}")


def audit_events(world, n):
    for i in range(n):
        AuditEvent.objects.create(
            actor_user=world.officer_a,
            actor_label="x",
            organisation=world.borough_a,
            action=f"a{i}",
        )


def failed_emails(world, n):
    for _ in range(n):
        OutboundEmail.objects.create(
            to="x@a.test", subject="s", body_text="b", status="failed", organisation=world.borough_a
        )


def boroughs(world, n):
    for _ in range(n):
        BoroughFactory(consortium=world.consortium)


def enrolled_providers(world, n):
    lot = LotFactory(consortium=world.consortium)
    for _ in range(n):
        provider = ProviderFactory()
        EnrolmentFactory(provider=provider, lot=lot)
        ServiceFactory(provider=provider)


def submitted_applications(world, n):
    lot = LotFactory(consortium=world.consortium)
    for _ in range(n):
        ApplicationFactory(lot=lot, status=Application.Status.SUBMITTED)


def own_services(world, n):
    for _ in range(n):
        ServiceFactory(provider=world.provider_a)


def own_documents(world, n):
    """A current document, and n earlier ones it renewed (the page's history lists them)."""
    current = DocumentFactory(provider=world.provider_a)
    for _ in range(n):
        DocumentFactory(provider=world.provider_a, superseded_by=current)


def own_applications(world, n):
    for _ in range(n):
        EnrolmentFactory(provider=world.provider_a, lot=LotFactory(consortium=world.consortium))


def consortium_lots(world, n):
    for _ in range(n):
        LotFactory(consortium=world.consortium, service_types=["childrens_home", "fostering"])


def own_invitations(world, n):
    """Open requests provider A is invited to, each with its bid (the list shows its state)."""
    from datetime import timedelta

    from placements.models import Bid, PlacementRequest, ProviderInvitation

    lot = LotFactory(consortium=world.consortium)
    service = ServiceFactory(provider=world.provider_a)
    now = timezone.now()
    for _ in range(n):
        placement_request = PlacementRequest.objects.create(
            borough=world.borough_a,
            lot=lot,
            status=PlacementRequest.Status.OPEN,
            age=14,
            gender="female",
            published_at=now,
            bid_deadline=now + timedelta(days=1),
        )
        invitation = ProviderInvitation.objects.create(
            request=placement_request, provider=world.provider_a
        )
        invitation.services.add(service)
        Bid.objects.create(
            request=placement_request,
            provider=world.provider_a,
            service=service,
            core_weekly_fee=3000,
            weekly_fee=3000,
            start_date=now.date(),
            submitted_at=now,
        )


def borough_requests(world, n):
    """Borough A's requests in several states (the list shows each one's lot and status)."""
    from placements.models import PlacementRequest

    lot = LotFactory(consortium=world.consortium)
    states = list(PlacementRequest.Status)
    for i in range(n):
        PlacementRequest.objects.create(
            borough=world.borough_a,
            lot=lot,
            reference=f"R-{timezone.now().timestamp()}-{i}",
            status=states[i % len(states)],
            bid_deadline=timezone.now(),
        )


def placements(world, n):
    """Placements of borough A with provider A, each with its own service."""
    from placements.models import Placement

    lot = LotFactory(consortium=world.consortium)
    for i in range(n):
        Placement.objects.create(
            borough=world.borough_a,
            provider=world.provider_a,
            service=ServiceFactory(provider=world.provider_a),
            lot=lot,
            child_reference=f"C-{i}",
            weekly_fee=3000,
            start_date=timezone.localdate(),
        )


def spot_placements(world, n):
    """Borough A's spot purchases: with provider A's services on the DPS, and off it."""
    from placements.models import Placement

    for i in range(n):
        Placement.objects.create(
            borough=world.borough_a,
            source=Placement.Source.SPOT,
            provider=world.provider_a if i % 2 else None,
            service=ServiceFactory(provider=world.provider_a) if i % 2 else None,
            spot_provider_name="" if i % 2 else f"Faraway Homes {i}",
            child_reference=f"S-{i}",
            weekly_fee=4000,
            start_date=timezone.localdate(),
        )


def closed_bids(world, n):
    """Bids of providers A and B on borough A's closed requests (the borough reads them)."""
    from placements.models import Bid, PlacementRequest

    lot = LotFactory(consortium=world.consortium)
    services = [ServiceFactory(provider=p) for p in (world.provider_a, world.provider_b)]
    now = timezone.now()
    for _ in range(n):
        placement_request = PlacementRequest.objects.create(
            borough=world.borough_a,
            lot=lot,
            status=PlacementRequest.Status.CLOSED,
            published_at=now,
            bid_deadline=now,
            closed_at=now,
        )
        for rank, service in enumerate(services, start=1):
            Bid.objects.create(
                request=placement_request,
                provider=service.provider,
                service=service,
                core_weekly_fee=3000,
                weekly_fee=3000,
                start_date=now.date(),
                submitted_at=now,
                rank=rank,
                total_score=80,
            )


def quarterly_reports(world, n):
    """Provider reports of the consortium, a quarter each (one of them provider A's), and the
    consortium's."""
    from datetime import date

    from monitoring.models import Report

    start = Report.objects.count()
    for i in range(start, start + n):
        period_start = date(2000 + i // 4, 3 * (i % 4) + 1, 1)
        Report.objects.create(
            kind=Report.Kind.PROVIDER,
            consortium=world.consortium,
            provider=world.provider_a if i % 2 else ProviderFactory(),
            period_start=period_start,
            period_end=period_start,
        )
        Report.objects.create(
            kind=Report.Kind.CONSORTIUM,
            consortium=world.consortium,
            period_start=period_start,
            period_end=period_start,
        )


def monitoring_visits(world, n):
    """Visits to services of providers A and B, enrolled on the consortium's lot."""
    from datetime import timedelta

    from monitoring.models import MonitoringVisit
    from tests.monitoring.helpers_m4 import place_with

    lot = LotFactory(consortium=world.consortium)
    for provider in (world.provider_a, world.provider_b):
        EnrolmentFactory(provider=provider, lot=lot)
        for _ in range(n):
            service = ServiceFactory(provider=provider)
            place_with(world.borough_a, service)  # borough A monitors the providers it uses
            MonitoringVisit.objects.create(
                service=service,
                provider=provider,
                consortium=world.consortium,
                due_date=timezone.localdate() - timedelta(days=1),
            )


def corrective_plans(world, n):
    """Plans borough A opened for providers A and B, each with two actions."""
    from monitoring.models import CorrectiveAction, CorrectiveActionPlan

    for provider in (world.provider_a, world.provider_b):
        for _ in range(n):
            plan = CorrectiveActionPlan.objects.create(
                provider=provider,
                consortium=world.consortium,
                borough=world.borough_a,
                reason="Reason",
                review_date=timezone.localdate(),
            )
            for _ in range(2):
                CorrectiveAction.objects.create(
                    plan=plan, description="Do", owner="Someone", due_date=timezone.localdate()
                )


def kpi_runs(world, n):
    """Runs of the consortium, each requested by the admin."""
    from monitoring.models import KpiRun

    for _ in range(n):
        KpiRun.objects.create(
            consortium=world.consortium, trigger="on demand", requested_by=world.admin
        )


def kpi_snapshots(world, n):
    """Borough A's and provider A's snapshots, a quarter each, and the consortium's."""
    from datetime import date

    from monitoring.models import KpiSnapshot

    start = KpiSnapshot.objects.count()
    for i in range(start, start + n):
        period_start = date(2000 + i // 4, 3 * (i % 4) + 1, 1)
        for scope, scope_id in (
            ("borough", world.borough_a.pk),
            ("provider", world.provider_a.pk),
            ("consortium", world.consortium.pk),
        ):
            KpiSnapshot.objects.create(
                kpi="spend",
                consortium=world.consortium,
                scope=scope,
                scope_id=scope_id,
                period="quarter",
                period_start=period_start,
                period_end=period_start,
                value=i,
                computed_at=timezone.now(),
            )


# (persona, path, rows maker, signed in with an API key of the persona's organisation)
def dashboard_placements(world, n):
    from tests.monitoring.test_dashboards import placements

    placements(world, n)


LISTS = [
    ("commissioner_a", "/organisation/users/", members, False),
    ("commissioner_a", "/organisation/api-clients/", api_clients, False),
    ("admin", "/audit/", audit_events, False),
    ("admin", "/emails/", failed_emails, False),
    ("admin", "/consortium/boroughs/", boroughs, False),
    ("admin", "/consortium/applications/", submitted_applications, False),
    ("admin", "/consortium/enrolments/", enrolled_providers, False),
    ("admin", "/consortium/lots/", consortium_lots, False),
    ("officer_a", "/directory/", enrolled_providers, False),
    ("provider_admin_a", "/services/", own_services, False),
    ("provider_admin_a", "/vacancies/", own_services, False),
    ("provider_admin_a", "/documents/", own_documents, False),
    ("provider_admin_a", "/applications/", own_applications, False),
    ("bidder_a", "/opportunities/", own_invitations, False),
    ("officer_a", "/requests/", borough_requests, False),
    ("commissioner_a", "/requests/?status=open", borough_requests, False),
    ("officer_a", "/placements/", placements, False),
    ("bidder_a", "/placements/", placements, False),
    ("commissioner_a", "/api/v1/members/", members, False),
    ("admin", "/api/v1/audit-events/", audit_events, False),
    ("officer_a", "/api/v1/providers/", enrolled_providers, True),
    ("officer_a", "/api/v1/services/", enrolled_providers, True),
    ("provider_admin_a", "/api/v1/services/", own_services, True),
    ("provider_admin_a", "/api/v1/documents/", own_documents, True),
    ("provider_admin_a", "/api/v1/enrolments/", own_applications, True),
    ("admin", "/api/v1/applications/", submitted_applications, False),
    ("provider_admin_a", "/api/v1/opportunities/", own_invitations, True),
    ("bidder_a", "/api/v1/bids/", own_invitations, True),
    ("officer_a", "/api/v1/bids/", closed_bids, True),
    ("officer_a", "/api/v1/requests/", borough_requests, True),
    ("officer_a", "/api/v1/placements/", placements, True),
    ("bidder_a", "/api/v1/placements/", placements, True),
    ("officer_a", "/placements/", spot_placements, False),
    ("officer_a", "/api/v1/placements/", spot_placements, True),
    ("commissioner_a", "/monitoring/dashboard/", dashboard_placements, False),
    ("admin", "/monitoring/dashboard/", dashboard_placements, False),
    ("commissioner_a", "/monitoring/market/", dashboard_placements, False),
    ("commissioner_a", "/monitoring/visits/", monitoring_visits, False),
    ("admin", "/monitoring/visits/overdue/", monitoring_visits, False),
    ("provider_admin_a", "/monitoring/visits/", monitoring_visits, False),
    ("commissioner_a", "/monitoring/plans/", corrective_plans, False),
    ("provider_admin_a", "/monitoring/plans/", corrective_plans, False),
    ("commissioner_a", "/api/v1/monitoring-visits/", monitoring_visits, False),
    ("provider_admin_a", "/api/v1/monitoring-visits/", monitoring_visits, True),
    ("admin", "/api/v1/corrective-action-plans/", corrective_plans, False),
    ("provider_admin_a", "/api/v1/corrective-action-plans/", corrective_plans, True),
    ("commissioner_a", "/reports/", quarterly_reports, False),
    ("provider_admin_a", "/reports/", quarterly_reports, False),
    ("admin", "/monitoring/kpis/runs/", kpi_runs, False),
    ("admin", "/api/v1/kpi-snapshots/", kpi_snapshots, False),
    ("officer_a", "/api/v1/kpi-snapshots/", kpi_snapshots, True),
    ("provider_admin_a", "/api/v1/kpi-snapshots/", kpi_snapshots, True),
]


def count_queries(client, path, headers):
    """(queries made, size of the answer) for one request."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, headers=headers)
    assert response.status_code == 200, (path, response.status_code)
    return len(queries), len(response.content)


@pytest.mark.parametrize(("persona", "path", "make_rows", "api_key"), LISTS)
def test_a_list_answers_in_the_same_number_of_queries_for_more_rows(
    client, world, persona, path, make_rows, api_key
):
    user = getattr(world, persona)
    headers = {}
    if api_key:
        _client, key = make_api_client(user.membership.organisation, can_write=False)
        headers = {"Authorization": f"Bearer {key}"}
    else:
        client.force_login(user)
    make_rows(world, 2)
    client.get(path, headers=headers)  # warm caches (sessions, content types, sites)
    few, few_size = count_queries(client, path, headers)
    make_rows(world, 8)
    many, many_size = count_queries(client, path, headers)
    assert many_size > few_size, f"{path} does not show the rows made for it"
    assert many == few, f"{path}: {few} queries for a few rows, {many} for more"
