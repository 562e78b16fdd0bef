"""What a placement's life shows: its timeline of events (award, start, reviews, fee changes,
ending), read by the borough and the provider; the desired outcomes a review reports on; and
the services and lots a spot purchase may be with. Who may read or record: monitoring.access."""

from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone

from dps.formatting import money
from dps.models import AuditEvent
from dps.tenancy import Actor
from placements.models import Fee, Placement
from providers.models import Enrolment, Lot, Service
from providers.needs import DOMAINS

from ..models import PlacementReview
from ..ssda903_codes import end_reason_label

Progress = PlacementReview.Progress
DOMAIN_LABELS = dict(DOMAINS)


# --- Reviews --------------------------------------------------------------------------------


def desired_outcome_domains(placement: Placement) -> list[str]:
    """The domains the request set desired outcomes for (none for a spot purchase)."""
    request = placement.request if placement.request_id else None
    outcomes = (request.outcomes or {}) if request is not None else {}
    return [code for code, _ in DOMAINS if (outcomes.get(code) or "").strip()]


# --- Spot purchases -------------------------------------------------------------------------


def spot_services(actor: Actor) -> QuerySet[Service]:
    """Services a spot purchase may be with: active ones of providers enrolled (and not
    removed) on a lot of the borough's consortium."""
    enrolled = Enrolment.objects.filter(
        lot__consortium_id=actor.organisation.consortium_id,
        status__in=[Enrolment.Status.ACTIVE, Enrolment.Status.SUSPENDED],
    ).values("provider_id")
    return (
        Service.objects.filter(is_active=True, provider_id__in=enrolled)
        .select_related("provider")
        .order_by("provider__name", "name")
    )


def spot_lots(actor: Actor) -> QuerySet[Lot]:
    return Lot.objects.filter(consortium_id=actor.organisation.consortium_id).order_by(
        "position", "name"
    )


# --- The timeline ---------------------------------------------------------------------------

ATTRIBUTED = (
    "placement.created",
    "placement.started",
    "placement.review_recorded",
    "placement.fee_changed",
    "placement.ended",
)


def request_needs_total(placement: Placement) -> int | None:
    request = placement.request if placement.request_id else None
    if request is None:
        return None
    needs = request.needs or {}
    return sum(needs.values()) if needs else None


def placement_events(placement: Placement, *, for_borough: bool = True) -> list[dict]:
    """The placement's story, oldest first: its award (or recording), start, reviews (with the
    change in needs against the request's), fee changes and ending. A fixed number of queries.

    Who recorded each event, and why the award went to this offer, are the borough's own: a
    provider reads the borough's name instead."""
    audits: dict[str, AuditEvent] = {}
    by_review: dict[int, str] = {}
    by_fee_change: dict[int, str] = {}
    for event in AuditEvent.objects.filter(
        object_type=Placement._meta.label, object_id=str(placement.pk), action__in=ATTRIBUTED
    ).order_by("at", "id"):
        if event.action == "placement.review_recorded":
            by_review[event.detail.get("review")] = event.actor_label
        elif event.action == "placement.fee_changed":
            by_fee_change[event.detail.get("fee_change")] = event.actor_label
        else:
            audits.setdefault(event.action, event)

    def by(action):
        event = audits.get(action)
        if not for_borough:
            return placement.borough.name if event else ""
        return event.actor_label if event else ""

    def recorder(label, user):
        if not (label or user):
            return ""
        if not for_borough:
            return placement.borough.name
        return label or _user_label(user)

    created = audits.get("placement.created")
    bid = placement.bid if placement.bid_id else None
    original_fee = bid.weekly_fee if bid is not None else None
    if original_fee is None and created and created.detail.get("weekly_fee"):
        original_fee = Decimal(created.detail["weekly_fee"])
    spot = placement.source == Placement.Source.SPOT
    award_summary = f"Weekly fee {money(original_fee)}" if original_fee is not None else ""
    if for_borough and placement.award_reason:
        award_summary += f". Why this offer: {placement.award_reason}"
    events = [
        {
            "kind": "spot" if spot else "award",
            "date": timezone.localtime(placement.awarded_at).date(),
            "title": "Spot purchase recorded" if spot else "Awarded",
            "summary": award_summary,
            "by": by("placement.created"),
            "object_id": None,
            "detail": {
                "weekly_fee": str(original_fee) if original_fee is not None else None,
                "award_reason": placement.award_reason if for_borough else "",
            },
        }
    ]
    if placement.actual_start_date:
        events.append(
            {
                "kind": "start",
                "date": placement.actual_start_date,
                "title": "Started",
                "summary": "The child moved in.",
                "by": by("placement.started") or by("placement.created"),
                "object_id": None,
                "detail": {},
            }
        )
    baseline = request_needs_total(placement)
    reviews = placement.reviews.select_related("recorded_by").order_by("review_date", "id")
    for review in reviews:
        change = review.needs_total - baseline if baseline is not None else None
        summary = f"Needs total {review.needs_total}"
        if change is not None:
            summary += f" ({change:+d} against the request's {baseline})"
        summary += f"; {review.get_education_status_display().lower()}"
        if review.attendance_percent is not None:
            summary += f", attendance {review.attendance_percent}%"
        events.append(
            {
                "kind": "review",
                "date": review.review_date,
                "title": "Review",
                "summary": summary,
                "by": recorder(by_review.get(review.pk), review.recorded_by),
                "object_id": review.pk,
                "detail": {
                    "needs": review.needs,
                    "needs_total": review.needs_total,
                    "needs_change": change,
                    "outcomes_progress": review.outcomes_progress,
                    "education_status": review.education_status,
                    "attendance_percent": review.attendance_percent,
                    "notes": review.notes,
                },
                "progress_rows": [
                    (DOMAIN_LABELS[code], Progress(entry["progress"]).label, entry.get("note"))
                    for code, entry in (review.outcomes_progress or {}).items()
                    if code in DOMAIN_LABELS and entry.get("progress") in Progress.values
                ],
                "notes": review.notes,
            }
        )
    changes = (
        placement.fees.exclude(kind=Fee.Kind.AGREED)
        .select_related("recorded_by")
        .order_by("effective_date", "id")
    )
    for fee_change in changes:
        events.append(
            {
                "kind": "fee_change",
                "date": fee_change.effective_date,
                "title": f"Weekly fee changed: {fee_change.get_kind_display().lower()}",
                "summary": (
                    f"{money(fee_change.weekly_fee)} a week from this date: {fee_change.reason}"
                ),
                "by": recorder(by_fee_change.get(fee_change.pk), fee_change.recorded_by),
                "object_id": fee_change.pk,
                "detail": {
                    "kind": fee_change.kind,
                    "weekly_fee": str(fee_change.weekly_fee),
                    "reason": fee_change.reason,
                },
            }
        )
    if placement.status == Placement.Status.ENDED and placement.end_date:
        planned = "Planned" if placement.end_planned else "Unplanned"
        summary = f"{planned}: {end_reason_label(placement.end_reason)}"
        if placement.destination:
            summary += f". Destination: {placement.destination}"
        events.append(
            {
                "kind": "end",
                "date": placement.end_date,
                "title": "Ended",
                "summary": summary,
                "by": by("placement.ended"),
                "object_id": None,
                "detail": {
                    "planned": placement.end_planned,
                    "reason": placement.end_reason,
                    "reason_label": end_reason_label(placement.end_reason),
                    "destination": placement.destination,
                },
            }
        )
    order = {"award": 0, "spot": 0, "start": 1, "review": 2, "fee_change": 2, "end": 3}
    # The award comes first even when the child moved in before it was recorded (an emergency).
    events.sort(key=lambda e: (order[e["kind"]] > 0, e["date"], order[e["kind"]]))
    return events


def _user_label(user):
    if user is None:
        return ""
    return getattr(user, "full_name", "") or user.email
