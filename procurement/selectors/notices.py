"""Reads of the notices: who sees which, what is due, and what a notice says.

The consortium admin (and the consortium's API clients) read and write the consortium's
notices; the commissioners of its boroughs read them. Nobody else sees any."""

from datetime import date, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from dps.formatting import money
from dps.tenancy import Actor
from providers.models import ProviderProfile
from providers.selectors.arrangement import arrangement_of

from ..models import Notice
from .valuation import placement_valuation, request_valuation

# Reminders and the dashboard list notices due within this many days.
DUE_SOON_DAYS = 5


def may_read_notices(actor: Actor | None) -> bool:
    if actor is None or actor.consortium is None:
        return False
    if actor.kind == "consortium":
        return True
    return actor.is_person and actor.role == "commissioner"


def may_write_notices(actor: Actor | None) -> bool:
    """The consortium admin, or the consortium's API client with the write scope."""
    return actor is not None and actor.kind == "consortium" and actor.can_write


def notices_visible_to(actor: Actor | None) -> QuerySet[Notice]:
    if actor is None or not may_read_notices(actor):
        return Notice.objects.none()
    return Notice.objects.filter(consortium=actor.consortium)


# What a notice's subject line reads, selected with the notices that show it.
SUBJECT_RELATED = (
    "placement__borough",
    "placement__provider",
    "placement__lot",
    "request__borough",
    "request__lot",
    "opening",
    "conditions",
)


def notice_subject(notice: Notice) -> str:
    """What the notice is about, in a line: the placement, competition, opening or version of
    the conditions (nothing about a child). Blank for the arrangement's own notices."""
    if placement := notice.placement:
        lot = f" ({placement.lot.name})" if placement.lot else ""
        provider = placement.provider.name if placement.provider else "a provider"
        return (
            f"{placement.borough.name}: placement with {provider}{lot} from "
            f"{placement.start_date:%-d %B %Y}, {money(placement.weekly_fee)} a week"
        )
    if request := notice.request:
        lot = f" on {request.lot.name}" if request.lot else ""
        published = f", published {request.published_at:%-d %B %Y}" if request.published_at else ""
        return f"{request.borough.name}: competition{lot}{published}"
    if opening := notice.opening:
        return f"Opening from {opening.opens_on:%-d %B %Y} to {opening.closes_on:%-d %B %Y}"
    if conditions := notice.conditions:
        return f"Conditions of membership, version {conditions.number}"
    return ""


def is_overdue(notice: Notice, today: date) -> bool:
    return notice.status != Notice.Status.PUBLISHED and notice.due_on < today


def unpublished_due_by(qs: QuerySet[Notice], today: date) -> QuerySet[Notice]:
    """Notices not yet published, overdue or due within DUE_SOON_DAYS, soonest first."""
    return qs.filter(
        ~Q(status=Notice.Status.PUBLISHED),
        due_on__lte=today + timedelta(days=DUE_SOON_DAYS),
    ).order_by("due_on", "id")


def notices_due_summary(actor: Actor | None, today: date) -> dict[str, Any]:
    """For the dashboard: the actor's consortium's notices overdue and due soon."""
    due = list(unpublished_due_by(notices_visible_to(actor), today)[:20])
    return {
        "overdue": [n for n in due if n.due_on < today],
        "due_soon": [n for n in due if n.due_on >= today],
    }


# --- What a notice says -------------------------------------------------------------------


def _money(value) -> str:
    return f"{value:.2f}"


def notice_fields(notice: Notice) -> dict[str, Any]:
    """The notice's fields from the product's data, named as Find a Tender names them where
    it can. Only the service, the lot, the value, the dates, the buyer and the provider: never
    anything about the child (no reference, age, needs, home or name)."""
    consortium = notice.consortium
    arrangement = arrangement_of(consortium)
    fields: dict[str, Any] = {
        "noticeType": notice.kind,
        "noticeTitle": notice.get_kind_display(),
        "event": notice.event,
        "buyer": {"name": consortium.name},
    }
    if arrangement is not None:
        fields["procurement"] = {
            "title": arrangement.title,
            "description": arrangement.description,
            "legalBasis": arrangement.get_basis_display(),
            "startDate": arrangement.starts_on.isoformat(),
            "endDate": arrangement.ends_on.isoformat(),
            "specialRegime": "lightTouch",
        }
    if (conditions := notice.conditions) is not None:
        fields["modification"] = {
            "conditionsVersion": conditions.number,
            "inForceFrom": timezone.localdate(conditions.in_force_from).isoformat(),
            "reason": conditions.reason,
            "conditionsOfMembership": conditions.text,
        }
    if (opening := notice.opening) is not None:
        fields["opening"] = {
            "opensOn": opening.opens_on.isoformat(),
            "closesOn": opening.closes_on.isoformat(),
            "frameworkAwardedOn": opening.awards_on.isoformat(),
        }
    if notice.request_id:
        fields.update(_competition_fields(notice.request, arrangement))
    if notice.placement_id:
        fields.update(_contract_fields(notice.placement, arrangement))
    return fields


def _competition_fields(request, arrangement) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "buyer": {"name": request.borough.name, "jointWith": request.borough.consortium.name},
        "lot": request.lot.name if request.lot_id else "",
        "tender": {
            "publishedOn": (
                timezone.localdate(request.published_at).isoformat() if request.published_at else ""
            ),
            "status": request.get_status_display(),
        },
    }
    value = request_valuation(request, arrangement) if arrangement else None
    if value is not None:
        fields["tender"]["estimatedValue"] = {
            "amountGross": _money(value.gross),
            "amount": _money(value.net),
            "currency": "GBP",
        }
    return fields


def _contract_fields(placement, arrangement) -> dict[str, Any]:
    provider = placement.provider
    profile = ProviderProfile.objects.filter(organisation=provider).first() if provider else None
    fields: dict[str, Any] = {
        "buyer": {"name": placement.borough.name, "jointWith": placement.borough.consortium.name},
        "lot": placement.lot.name if placement.lot_id else "",
        "contract": {
            "serviceType": placement.service.get_service_type_display()
            if placement.service_id
            else "",
            "awardRoute": (
                "Direct award: user choice (Schedule 5 para. 15)"
                if placement.user_choice_grounds
                else placement.get_source_display()
            ),
            "startDate": placement.start_date.isoformat(),
            "plannedEndDate": placement.planned_end_date.isoformat()
            if placement.planned_end_date
            else "",
            "endDate": placement.end_date.isoformat() if placement.end_date else "",
            "weeklyFee": _money(placement.weekly_fee),
        },
        "supplier": {
            "name": provider.name if provider else placement.spot_provider_name,
            "companiesHouseNumber": profile.companies_house_number if profile else "",
        },
    }
    if arrangement is not None:
        value = placement_valuation(placement, arrangement)
        fields["contract"]["estimatedValue"] = {
            "amountGross": _money(value.gross),
            "amount": _money(value.net),
            "currency": "GBP",
            "weeks": f"{value.weeks:.2f}",
        }
    return fields
