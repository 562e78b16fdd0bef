"""Routes of the KPI pages and API, for tests/test_url_tenancy.py.

The pages are the consortium admin's (as the lots pages are): a run of borough A's consortium
and its thresholds are the victim's; everyone else, the borough's own people included, is
refused. The API: borough A's own borough-scope snapshot, whose value no one outside the
borough (borough B included: it sees the consortium only in aggregate) may read."""

from datetime import date
from decimal import Decimal

from django.utils import timezone

from monitoring.models import KpiRun, KpiSnapshot, KpiThreshold
from tests.test_url_tenancy import Tenant

RUN_TRIGGER = "Alpha on demand rerun"
THRESHOLD_MARKER = "71.2345"
SNAPSHOT_MARKER = "87.6543"
EVERYONE_BUT_THE_ADMIN = (
    "commissioner_a",
    "officer_a",
    "commissioner_b",
    "officer_b",
    "provider_admin_a",
    "bidder_a",
    "provider_admin_b",
    "bidder_b",
)


def run(world):
    found = KpiRun.objects.filter(consortium=world.consortium, trigger=RUN_TRIGGER).first()
    return found or KpiRun.objects.create(
        consortium=world.consortium, trigger=RUN_TRIGGER, total_steps=18
    )


def threshold(world):
    found = KpiThreshold.objects.filter(consortium=world.consortium, kpi="school_attendance")
    return found.first() or KpiThreshold.objects.create(
        consortium=world.consortium,
        kpi="school_attendance",
        amber_at=Decimal(THRESHOLD_MARKER),
        red_at=Decimal("60"),
    )


def snapshot(world):
    found = KpiSnapshot.objects.filter(value=Decimal(SNAPSHOT_MARKER)).first()
    return found or KpiSnapshot.objects.create(
        kpi="unplanned_endings_12m",
        consortium=world.consortium,
        scope=KpiSnapshot.Scope.BOROUGH,
        scope_id=world.borough_a.pk,
        period=KpiSnapshot.Period.QUARTER,
        period_start=date(2024, 1, 1),
        period_end=date(2024, 3, 31),
        value=Decimal(SNAPSHOT_MARKER),
        numerator=Decimal("1"),
        denominator=Decimal("1"),
        computed_at=timezone.now(),
    )


def making(maker):
    """A post recipe that makes the victim's object and posts nothing."""

    def recipe(world):
        maker(world)

    return recipe


def thresholds_post(world):
    threshold(world)
    return {
        "school_attendance__amber_at": THRESHOLD_MARKER,
        "school_attendance__red_at": "60",
        "unplanned_endings_12m__amber_at": "20",
        "unplanned_endings_12m__red_at": "30",
    }


def admin_route(markers, **kwargs):
    return Tenant(
        owner="admin",
        owner_sees=markers[0],
        markers=markers,
        intruders=EVERYONE_BUT_THE_ADMIN,
        **kwargs,
    )


ROUTES = {
    "monitoring:kpi_run_list": admin_route((RUN_TRIGGER,), post=making(run)),
    "monitoring:kpi_run_detail": admin_route((RUN_TRIGGER,), kwargs={"pk": run}),
    "monitoring:kpi_recompute": admin_route(
        (RUN_TRIGGER,), get=False, post=making(run), changes=True
    ),
    "monitoring:kpi_thresholds": admin_route(
        (THRESHOLD_MARKER,), post=thresholds_post, changes=True
    ),
    "api:monitoring:kpi-snapshots": Tenant(
        owner_sees=SNAPSHOT_MARKER, markers=(SNAPSHOT_MARKER,), post=making(snapshot)
    ),
}
