"""seed_scale: the data set is reproducible, shaped like the real thing, consistent with the
product's rules (the services work on it), and loads only into an empty database."""

from dataclasses import replace
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Avg, Count, Q

from dps.models import AuditEvent, Membership, Organisation
from placements.models import Bid, Placement, PlacementRequest
from placements.services.closing import request_close
from placements.services.eligibility import eligibility_check
from providers.models import Lot, Service
from scale.generate import MODELS, generate
from scale.management.commands.seed_scale import MARKER, loaded, schema_fingerprint
from scale.profile import SCALES

TODAY = date(2026, 12, 4)
# A few hundred requests: enough for the shapes to show, quick on SQLite.
SCALE = replace(SCALES["tiny"], requests_per_year=400)

pytestmark = pytest.mark.django_db


def load(**kwargs):
    return generate(SCALE, years=1, seed=7, today=TODAY, **kwargs)


def fingerprint():
    requests = PlacementRequest.objects.order_by("pk").values_list(
        "pk", "age", "lot__code", "status", "max_weekly_budget"
    )
    bids = Bid.objects.order_by("pk").values_list("pk", "request_id", "provider_id", "weekly_fee")
    return list(requests), list(bids)


def empty_tables():
    with connection.cursor() as cursor:
        for model in reversed(MODELS):
            cursor.execute(f"DELETE FROM {model._meta.db_table}")  # noqa: S608
        if connection.vendor == "postgresql":
            # Check the deferred keys now: a table with checks pending cannot be altered.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def test_the_same_seed_gives_the_same_rows():
    counts = load()
    first = fingerprint()
    empty_tables()
    assert load() == counts
    assert fingerprint() == first
    assert first[1], "bids were made"


def test_every_table_gets_rows_and_the_tenants_are_as_asked():
    counts = load()
    assert all(counts.values()), {t: n for t, n in counts.items() if not n}
    assert Organisation.objects.filter(kind="consortium").count() == SCALE.regions
    assert Organisation.objects.filter(kind="borough").count() == SCALE.boroughs
    assert Service.objects.filter(service_type="childrens_home").count() == SCALE.homes
    assert Membership.objects.count() == counts["dps_membership"]


def test_the_data_look_like_real_placements():
    load()
    requests = PlacementRequest.objects.exclude(status="draft")
    older = requests.filter(age__gte=12).count()
    assert older > requests.filter(age__lt=12).count(), "older children are placed more often"
    by_lot = dict(requests.values_list("lot__code").annotate(n=Count("pk")))
    assert by_lot["childrens-homes"] == max(by_lot.values()), "residential is the biggest lot"
    bids = (
        requests.filter(closed_at__isnull=False)
        .annotate(n=Count("bids"))
        .values_list("n", flat=True)
    )
    assert min(bids) >= 1
    assert max(bids) <= SCALE.bids[1]
    # Fees rise with needs: homes' bids for the neediest children cost more than for the least.
    homes = Bid.objects.filter(request__lot__code="childrens-homes").select_related("request")
    by_need = sorted((b.request.total_need_score, b.weekly_fee) for b in homes)
    third = len(by_need) // 3
    low = sum(f for _, f in by_need[:third]) / third
    high = sum(f for _, f in by_need[-third:]) / third
    assert high > low
    # A share of placements ends unplanned (in a single year, most endings are those).
    placed = Placement.objects.exclude(status="awarded")
    unplanned = placed.filter(end_planned=False).count() / placed.count()
    assert 0.1 < unplanned < 0.5, unplanned
    assert placed.filter(end_planned=True).exists()
    assert Placement.objects.filter(source="spot").exists()
    # Each placement made from a request keeps the request's total needs score, as an award does.
    from_requests = Placement.objects.filter(request__isnull=False).select_related("request")
    assert from_requests.exists()
    assert all(p.needs_total == p.request.total_need_score for p in from_requests)
    statuses = set(requests.values_list("status", flat=True))
    assert {"open", "placed", "cancelled", "no_suitable_offer"} <= statuses


def test_the_services_work_on_the_data():
    load()
    lot = Lot.objects.filter(code="childrens-homes").order_by("pk").first()
    request = PlacementRequest(lot=lot, age=14, gender="male", needs={"emotional_health": 2})
    eligible = eligibility_check(request).eligible
    assert eligible, "a typical request finds providers"
    open_request = (
        PlacementRequest.objects.filter(status="open")
        .annotate(n=Count("bids"))
        .filter(n__gt=1)
        .first()
    )
    assert request_close(open_request.pk, now=open_request.bid_deadline + timedelta(minutes=1))
    open_request.refresh_from_db()
    ranked = Bid.objects.filter(request=open_request, rank__isnull=False)
    assert open_request.status == "closed"
    assert ranked.count() == open_request.bids.count()
    assert ranked.aggregate(best=Avg("rank", filter=Q(rank=1)))["best"] == 1


def test_the_command_shows_progress_records_the_load_and_refuses_a_full_database():
    out = StringIO()
    call_command("seed_scale", "--scale", "tiny", "--today", "2026-12-04", stdout=out)
    text = out.getvalue()
    assert "requests:" in text
    assert "left" in text
    assert "rows in" in text
    marker = AuditEvent.objects.get(action="seed_scale.loaded")
    assert marker.detail["scale"] == "tiny"
    assert marker.detail["rows"] > 0
    with pytest.raises(CommandError, match="empty"):
        call_command("seed_scale", "--scale", "tiny", stdout=StringIO())


def test_a_load_made_with_other_migrations_is_not_reused():
    # The benchmarks reuse a load only if it was made with the migrations there now: one
    # edited since would leave a schema the code does not expect.
    detail = {"scale": "tiny", "years": 1, "schema": "made with other migrations"}
    AuditEvent.objects.create(actor_label="seed_scale", action=MARKER, detail=detail)
    assert loaded("tiny", 1) is None
    detail = {**detail, "schema": schema_fingerprint()}
    AuditEvent.objects.create(actor_label="seed_scale", action=MARKER, detail=detail)
    assert loaded("tiny", 1).detail == detail


def test_services_requests_and_placements_are_located_without_the_directory():
    from geography.distance import miles_between
    from geography.models import Postcode
    from scale.districts import by_council

    load()
    councils = by_council()
    districts = {d.code: d for ds in councils.values() for d in ds}
    boroughs = dict(Organisation.objects.filter(kind="borough").values_list("pk", "la_code"))

    assert not Postcode.objects.exists()
    assert set(boroughs.values()) <= set(councils)
    assert len(set(boroughs.values())) == len(boroughs)  # one council each
    # The tiny scale's two consortia are London's: London boroughs only.
    assert all(code.startswith("E09") for code in boroughs.values())
    services = list(Service.objects.all())
    for service in services:
        district = districts[service.postcode_district]
        assert service.postcode.startswith(f"{district.code} ")
        assert service.council == district.council
        assert abs(service.easting - district.easting) <= 1500
        assert abs(service.northing - district.northing) <= 1500
    requests = list(PlacementRequest.objects.all())
    shared = [r for r in requests if r.home_location == "district"]
    assert 0 < len(shared) < len(requests)
    for request in shared:
        home = districts[request.home_district]
        assert home.council == boroughs[request.borough_id]
        assert (request.home_easting, request.home_northing) == (home.easting, home.northing)
    placements = list(Placement.objects.select_related("service", "request"))
    measured = [p for p in placements if p.distance_miles is not None]
    assert measured
    for placement in measured:
        grid = (placement.service.easting, placement.service.northing)
        if placement.request_id:  # through the DPS: from the request's home
            home = (placement.request.home_easting, placement.request.home_northing)
            assert placement.distance_miles == miles_between(home, grid)
        assert placement.outside_boundary == (placement.council != boroughs[placement.borough_id])
    unknown = {p.distance_unknown for p in placements if p.distance_miles is None}
    assert unknown <= {"confidential", "not_given"}


def test_each_bought_placement_has_its_schedule_and_a_year_of_invoices_matched_to_it():
    from finance.models import Invoice, InvoiceLine, Remittance
    from placements.models import Fee
    from placements.selectors.schedule import schedules_of

    load()
    placements = Placement.objects.exclude(source="ssda903")
    agreed = Fee.objects.filter(kind=Fee.Kind.AGREED)
    assert agreed.count() == placements.count()
    assert set(agreed.values_list("placement_id", flat=True)) == set(
        placements.values_list("pk", flat=True)
    )
    # Today's fee is the schedule's latest (every change in the data set is in the past).
    changed = Fee.objects.exclude(kind=Fee.Kind.AGREED).select_related("placement")
    assert changed.exists()
    assert all(f.placement.weekly_fee == f.weekly_fee for f in changed)

    invoices = list(Invoice.objects.all())
    assert {i.status for i in invoices} == {"submitted", "decided", "paid"}
    # Four-weekly periods of the past year, all ended; one invoice per provider, borough, period.
    assert all(
        i.period_end < TODAY and i.period_start >= TODAY - timedelta(days=365) for i in invoices
    )
    assert all((i.period_end - i.period_start).days == 27 for i in invoices)
    keys = [(i.provider_id, i.borough_id, i.period_start) for i in invoices]
    assert len(keys) == len(set(keys))
    # Every line says what the schedule owes for the period, and the placement's borough and
    # provider are the invoice's.
    lines = list(InvoiceLine.objects.select_related("invoice", "placement"))
    schedules = schedules_of({line.placement for line in lines})
    for line in lines:
        invoice = line.invoice
        assert (line.placement.borough_id, line.placement.provider_id) == (
            invoice.borough_id,
            invoice.provider_id,
        )
        owed = schedules[line.placement_id].owed(invoice.period_start, invoice.period_end)
        assert (line.expected_days, line.expected_amount) == owed
        assert line.days == line.expected_days
        assert line.days > 0
        assert (line.match == "matched") == (line.amount == line.expected_amount)
    assert {line.match for line in lines} == {"matched", "over"}
    assert {"pending", "queried", "approved", "rejected"} <= {line.status for line in lines}
    # A decided or paid invoice has every line decided; a paid one its remittance, of the
    # approved lines.
    by_invoice: dict = {}
    for line in lines:
        by_invoice.setdefault(line.invoice_id, []).append(line)
    for invoice in invoices:
        if invoice.status != "submitted":
            assert all(x.status in ("approved", "rejected") for x in by_invoice[invoice.pk])
    remittances = {r.invoice_id: r for r in Remittance.objects.all()}
    paid = [i for i in invoices if i.status == "paid"]
    assert set(remittances) == {i.pk for i in paid}
    for invoice in paid:
        approved = sum(x.amount for x in by_invoice[invoice.pk] if x.status == "approved")
        assert remittances[invoice.pk].amount == approved
