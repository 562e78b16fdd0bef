"""What the benchmarks pick from the data set: the busiest consortium's biggest lot, and
requests on it shaped like the ones boroughs post."""

import random

from django.db.models import Count

from dps.models import Membership, Organisation, Role
from placements.models import PlacementRequest
from providers.models import Enrolment, Lot
from providers.needs import INDICATOR_CODES


def biggest_lot():
    """The lot with the most active enrolments (at national scale: residential homes in the
    largest region)."""
    return (
        # Not the lots the other benchmarks make for themselves (their slugs start "bench-").
        Lot.objects.exclude(consortium__slug__startswith="bench-")
        .annotate(enrolled=Count("enrolments", filter=_active_enrolment()))
        .select_related("consortium")
        .order_by("-enrolled", "pk")
        .first()
    )


def _active_enrolment():
    from django.db.models import Q

    return Q(enrolments__status=Enrolment.Status.ACTIVE)


def new_requests(lot, count, seed=1):
    """Unsaved requests on the lot from one of its consortium's boroughs, with varied ages,
    genders and needs, as eligibility sees them."""
    rng = random.Random(seed)
    borough = Organisation.objects.filter(consortium=lot.consortium_id).order_by("pk").first()
    requests = []
    for _ in range(count):
        requests.append(
            PlacementRequest(
                borough=borough,
                lot=lot,
                age=rng.randint(10, 17),
                gender=rng.choice(["female", "male"]),
                needs={c: rng.choice([0, 1, 1, 2, 2, 3]) for c in INDICATOR_CODES},
                areas=[],
            )
        )
    return requests


def officer_of(borough):
    membership = (
        Membership.objects.filter(organisation=borough, role=Role.PLACEMENT_OFFICER, is_active=True)
        .select_related("user", "organisation")
        .order_by("pk")
        .first()
    )
    from dps.tenancy import Actor

    return Actor.for_membership(membership)
