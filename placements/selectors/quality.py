"""The responsiveness part of a provider's quality score: the share of its invitations to bid,
on the consortium's lots over the last 12 months and now closed, that it answered (with a bid,
or by declining). Registered with the providers app, which stays neutral (50) without it."""

from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from dps.models import Organisation

from ..models import Bid, ProviderInvitation

if TYPE_CHECKING:
    from providers.services.quality import Part

WINDOW = timedelta(days=365)


def responsiveness_part(provider: Organisation, consortium: Organisation) -> "Part | None":
    from providers.services.quality import Part

    since = timezone.now() - WINDOW
    bids = Bid.objects.filter(request=OuterRef("request"), provider=OuterRef("provider")).exclude(
        status=Bid.Status.WITHDRAWN
    )
    figures = (
        ProviderInvitation.objects.filter(
            provider=provider,
            request__lot__consortium=consortium,
            request__closed_at__isnull=False,
            request__closed_at__gte=since,
        )
        .annotate(bid=Exists(bids))
        .aggregate(
            invited=Count("pk"),
            answered=Count("pk", filter=Q(bid=True) | Q(declined_at__isnull=False)),
        )
    )
    invited, answered = figures["invited"], figures["answered"]
    if not invited:
        return None
    value = Decimal(100) * answered / invited
    return Part(
        value,
        f"Answered {answered} of the {invited} invitation{'s' if invited != 1 else ''} to bid "
        "that closed in the last 12 months (a bid or a decline).",
        {"invited": invited, "answered": answered},
    )
