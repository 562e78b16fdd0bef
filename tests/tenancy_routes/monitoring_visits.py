"""Routes of the monitoring visits' pages and API, for tests/test_url_tenancy.py.

The victim is provider A: its service "Alpha Lodge" and an overdue visit to it. Borough A
places children with provider A, so its commissioner (the owner) reads and records the visit;
borough B places nobody there, so its commissioner is an intruder with the placement officers,
provider B, and the boroughs' and provider B's API keys (monitoring.access)."""

from datetime import timedelta

from django.utils import timezone

from monitoring.models import MonitoringVisit
from providers.models import Service
from tests.monitoring.helpers_m4 import enrolled
from tests.test_url_tenancy import PROVIDER_MARKERS, Tenant

MARKERS = (*PROVIDER_MARKERS, "Alpha Lodge")
INTRUDERS = ("commissioner_b", "officer_a", "officer_b", "provider_admin_b", "bidder_b")


def service(world):
    found = Service.objects.filter(provider=world.provider_a, name="Alpha Lodge").first()
    return found or enrolled(world, placing=("borough_a",))[1]


def visit(world):
    found = MonitoringVisit.objects.filter(service=service(world)).first()
    return found or MonitoringVisit.objects.create(
        service=service(world),
        provider=world.provider_a,
        consortium=world.consortium,
        due_date=timezone.localdate() - timedelta(days=10),
    )


def schedule(world):
    later = timezone.localdate() + timedelta(days=30)
    return {"service": service(world).pk, "due_date": later.strftime("%d/%m/%Y")}


def record(world):
    visit(world)
    return {
        "visited_on": timezone.localdate().strftime("%d/%m/%Y"),
        "findings": "All well.",
        "rag": "green",
    }


def record_api(world):
    visit(world)
    return {"visited_on": timezone.localdate().isoformat(), "findings": "All well.", "rag": "green"}


def _tenant(**kwargs):
    defaults = {
        "victim": "provider_a",
        "owner": "commissioner_a",
        "owner_sees": "Alpha Lodge",
        "markers": MARKERS,
        "intruders": INTRUDERS,
    }
    return Tenant(**{**defaults, **kwargs})


def creating(world):
    """A post recipe for a list route: makes the victim's visit, posts nothing."""
    visit(world)


ROUTES = {
    "monitoring:visit_list": _tenant(post=creating),
    "monitoring:visit_overdue": _tenant(post=creating),
    "monitoring:visit_schedule": _tenant(post=schedule, changes=True),
    "monitoring:visit_detail": _tenant(kwargs={"pk": visit}, post=record, changes=True),
    "monitoring:visit_cancel": _tenant(
        kwargs={"pk": visit}, post={"reason": "Home closed."}, changes=True
    ),
    "api:monitoring:monitoring-visits": _tenant(post=creating),
    "api:monitoring:monitoring-visit": _tenant(kwargs={"pk": visit}),
    "api:monitoring:monitoring-visit-record": _tenant(
        kwargs={"pk": visit}, get=False, post=record_api, changes=True
    ),
}
