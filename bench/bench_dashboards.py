"""The commissioner's and the consortium admin's dashboards (monitoring:dashboard), rendered
whole in this process by Django's test client, signed in as a real commissioner of the
borough with the most placements and as the admin of the consortium with the most boroughs.

Target: p95 < 300 ms per page. The bound is the page's own SQL: the queries one render made,
captured and replayed as they were sent, so the ratio is what Python (the ORM, the charts, the
template) adds to the database's share."""

import time

from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dps.models import Membership, Organisation, Role
from dps.runtime import freeze_startup_objects
from placements.models import Placement

from .harness import ms_result

TARGET_MS = 300
Kind = Organisation.Kind


def commissioner():
    """A commissioner of the borough holding the most placements."""
    busiest = (
        Placement.objects.values("borough_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "borough_id")
        .values_list("borough_id", flat=True)
    )
    for borough_id in busiest[:20]:
        member = _member(borough_id, Role.COMMISSIONER)
        if member is not None:
            return member
    return None


def consortium_admin():
    """The admin of the consortium with the most boroughs."""
    consortia = (
        Organisation.objects.filter(kind=Kind.CONSORTIUM, is_active=True)
        .annotate(n=Count("boroughs"))
        .order_by("-n", "pk")
    )
    for consortium in consortia[:20]:
        member = _member(consortium, Role.CONSORTIUM_ADMIN)
        if member is not None:
            return member
    return None


def _member(organisation, role):
    return (
        Membership.objects.filter(
            organisation=organisation,
            role=role,
            is_active=True,
            user__is_active=True,
            organisation__is_active=True,
        )
        .select_related("user", "organisation")
        .order_by("pk")
        .first()
    )


def busiest_provider(borough):
    """The provider holding most of the borough's placements: the page's provider filter."""
    row = (
        Placement.objects.filter(borough=borough, provider__isnull=False)
        .values("provider_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "provider_id")
        .first()
    )
    return row and row["provider_id"]


def replay_ms(queries):
    """The time to run these SQL statements again, as sent, in one go."""
    start = time.perf_counter()
    with connection.cursor() as cursor:
        for sql in queries:
            cursor.execute(sql)
            if cursor.description:
                cursor.fetchall()
    return (time.perf_counter() - start) * 1000


def time_page(name, member, url, repeat, note=""):
    client = Client()
    client.force_login(member.user)
    response = client.get(url)  # the warm-up, and the page's queries for the bound
    freeze_startup_objects()  # as a gunicorn worker does once started (dps.wsgi)
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered {response.status_code} for {member.user.email}")
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    queries = [q["sql"] for q in captured.captured_queries]
    samples, bounds = [], []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
        bounds.append(replay_ms(queries))
    bounds.sort()
    result = ms_result(
        name,
        samples,
        target_ms=TARGET_MS,
        pct=95,
        bound=bounds[len(bounds) // 2],
        note=f"{member.organisation.name}; {len(queries)} queries, "
        f"{len(response.content) // 1024} KB{note}; bound: its SQL replayed",
    )
    result.extra = {"url": url, "queries": len(queries), "bytes": len(response.content)}
    return result


def run(ctx):
    url = reverse("monitoring:dashboard")
    repeat = ctx.repeat(40, 3)
    results = []
    member = commissioner()
    if member is None:
        raise RuntimeError("No borough has an active commissioner.")
    results.append(time_page("dashboard: commissioner", member, url, repeat))
    provider = busiest_provider(member.organisation)
    if provider is not None:
        results.append(
            time_page(
                "dashboard: commissioner, one provider",
                member,
                f"{url}?provider={provider}",
                repeat,
                note=", filtered by its busiest provider",
            )
        )
    admin = consortium_admin()
    if admin is None:
        raise RuntimeError("No consortium has an active admin.")
    results.append(time_page("dashboard: consortium admin", admin, url, repeat))
    return results
