"""Routes recording a placement's life (reviews, fee changes, the ending, spot purchases) and
its timeline over the API, for tests/test_url_tenancy.py.

The victim is borough A and its started placement (provider A's). Only borough A's placement
officers record; provider A reads the timeline, so only borough B and provider B are intruders
there."""

from django.utils import timezone

from placements.models import Placement
from placements.services import award as award_services
from providers.needs import INDICATOR_CODES
from tests.placements import helpers
from tests.tenancy_routes import placements_api
from tests.tenancy_routes.placements_requests import MARKERS, placement
from tests.test_url_tenancy import Tenant


def started(world):
    """Borough A's placement with provider A, started today."""
    made = placement(world)
    if made.status == Placement.Status.AWARDED:
        made = award_services.placement_start(
            actor=helpers.actor_of(world.officer_a),
            placement=made,
            actual_start_date=timezone.localdate(),
        )
    return made


def today():
    return timezone.localdate().strftime("%d/%m/%Y")


def review_form(world):
    started(world)
    return {
        **{f"need_{code}": "1" for code in INDICATOR_CODES},
        "review_date": today(),
        "progress_be_healthy": "improving",
        "progress_be_safe": "no_change",
        "education_status": "attending",
        "attendance_percent": "95",
    }


def review_json(world):
    started(world)
    return {
        "review_date": timezone.localdate().isoformat(),
        "needs": dict.fromkeys(INDICATOR_CODES, 1),
        "outcomes_progress": {
            "be_healthy": {"progress": "improving", "note": ""},
            "be_safe": {"progress": "no_change", "note": ""},
        },
        "education_status": "attending",
        "attendance_percent": 95,
    }


def recorder(**kwargs):
    kwargs.setdefault("markers", MARKERS)
    return Tenant(owner="officer_a", changes=True, **kwargs)


ROUTES = {
    "monitoring:spot_create": recorder(
        owner_sees="Record a spot purchase",
        post={
            "child_reference": "ALPHA-SPOT-1",
            "start_date": today(),
            "weekly_fee": "4000",
            "spot_provider_name": "Faraway Homes",
        },
    ),
    "monitoring:review_create": recorder(
        kwargs={"pk": started}, owner_sees="Record a review", post=review_form
    ),
    "monitoring:fee_change_create": recorder(
        kwargs={"pk": started},
        owner_sees="Change the weekly fee",
        post={
            "kind": "additional_support",
            "effective_date": today(),
            "weekly_fee": "3500",
            "reason": "More staffing.",
        },
    ),
    "monitoring:placement_end": recorder(
        kwargs={"pk": started},
        owner_sees="Record the ending",
        post={"end_date": today(), "planned": "yes", "reason": "E4A", "destination": "Home"},
    ),
    # Provider B's placement (it reads the timeline): the markers are the borough's own, the
    # award's reason and who recorded each event.
    "api:monitoring:placement-events": Tenant(
        kwargs={"pk": placements_api.placement},
        owner_sees=placements_api.AWARD_REASON,
        markers=placements_api.PLACEMENT_MARKERS,
        intruders=placements_api.PLACEMENT_INTRUDERS,
    ),
    "api:monitoring:placement-reviews": recorder(
        kwargs={"pk": started}, get=False, post=review_json
    ),
    "api:monitoring:placement-fee-changes": recorder(
        kwargs={"pk": started},
        get=False,
        post=lambda world: {
            "effective_date": started(world).actual_start_date.isoformat(),
            "weekly_fee": "3500.00",
            "reason": "More staffing.",
        },
    ),
    "api:monitoring:placement-end": recorder(
        kwargs={"pk": started},
        get=False,
        post=lambda world: {
            "end_date": started(world).actual_start_date.isoformat(),
            "planned": False,
            "reason": "CHILD",
            "destination": "Another home",
        },
    ),
    "api:monitoring:spot-placements": recorder(
        get=False,
        post={
            "child_reference": "ALPHA-SPOT-2",
            "start_date": "2025-01-06",
            "weekly_fee": "4000.00",
            "spot_provider_name": "Faraway Homes",
        },
    ),
}
