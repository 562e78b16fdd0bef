"""Writes of the arrangement part: the consortium admin sets up its arrangement (legal basis,
dates, settings), publishes versions of the conditions of membership, and plans an open
framework's openings. docs/procurement.md gives each rule with its source."""

from datetime import date, datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from dps.services import DomainError
from dps.services.audit import audit_record
from dps.tenancy import Actor

from ..access import require_consortium_admin
from ..models.arrangement import LEGACY_DPS_LAST_DAY, Arrangement, ConditionsVersion, Opening
from ..selectors.arrangement import (
    SCHEME_YEARS,
    arrangement_of,
    openings_of,
    schedule_problems,
    years_after,
)

Basis = Arrangement.Basis


@transaction.atomic
def arrangement_save(
    *,
    actor: Actor | None,
    basis: str,
    title: str,
    starts_on: date,
    ends_on: date,
    description: str | None = "",
    decision_days: int = 10,
    light_touch_threshold: Decimal | None = None,
    vat_percent: Decimal | None = None,
) -> Arrangement:
    """Set up or change the consortium's arrangement. A legacy DPS ends by 23 February 2029;
    an open framework at most 8 years after it starts; the dates are in order."""
    actor = require_consortium_admin(actor)
    if basis not in Basis.values:
        raise DomainError("Choose the arrangement's legal basis.", field="basis")
    if ends_on <= starts_on:
        raise DomainError("The end date must be after the start date.", field="ends_on")
    if basis == Basis.LEGACY_DPS and ends_on > LEGACY_DPS_LAST_DAY:
        raise DomainError(
            "A dynamic purchasing system set up under the Public Contracts Regulations 2015 "
            f"cannot run after {LEGACY_DPS_LAST_DAY:%-d %B %Y}.",
            field="ends_on",
        )
    if basis == Basis.OPEN_FRAMEWORK and ends_on > years_after(starts_on, SCHEME_YEARS):
        raise DomainError(
            "An open framework ends at most 8 years after it starts: by "
            f"{years_after(starts_on, SCHEME_YEARS):%-d %B %Y}.",
            field="ends_on",
        )
    arrangement = Arrangement.objects.select_for_update().filter(
        consortium=actor.organisation
    ).first() or Arrangement(consortium=actor.organisation)
    created = arrangement.pk is None
    before = {
        "basis": arrangement.basis,
        "starts_on": str(arrangement.starts_on or ""),
        "ends_on": str(arrangement.ends_on or ""),
    }
    arrangement.basis = basis
    arrangement.title = " ".join((title or "").split())
    arrangement.description = (description or "").strip()
    arrangement.starts_on, arrangement.ends_on = starts_on, ends_on
    arrangement.decision_days = decision_days
    if light_touch_threshold is not None:
        arrangement.light_touch_threshold = light_touch_threshold
    if vat_percent is not None:
        arrangement.vat_percent = vat_percent
    if basis == Basis.OPEN_FRAMEWORK and not created:
        problems = schedule_problems(arrangement, list(openings_of(arrangement)))
        if problems:
            raise DomainError(problems[0], field="ends_on")
        if openings_of(arrangement).filter(closes_on__gt=ends_on).exists():
            raise DomainError(
                "An opening closes after this end date: change the opening first.",
                field="ends_on",
            )
    arrangement.full_clean()
    arrangement.save()
    audit_record(
        actor=actor,
        action="arrangement.create" if created else "arrangement.change",
        obj=arrangement,
        detail={
            "before": None if created else before,
            "basis": basis,
            "starts_on": str(starts_on),
            "ends_on": str(ends_on),
        },
    )
    return arrangement


def _require_arrangement(actor: Actor) -> Arrangement:
    arrangement = arrangement_of(actor.organisation)
    if arrangement is None:
        raise DomainError("Set up the consortium's arrangement first.")
    return arrangement


@transaction.atomic
def conditions_publish(
    *,
    actor: Actor | None,
    text: str,
    in_force_from: datetime | None = None,
    reason: str | None = "",
) -> ConditionsVersion:
    """Publish a version of the conditions of membership, in force from a moment (now, if not
    given). Version 1 sets them; each later one is a modification of the arrangement and
    needs its reason (a dynamic market's UK15 notice follows from it)."""
    actor = require_consortium_admin(actor)
    arrangement = (
        Arrangement.objects.select_for_update().filter(consortium=actor.organisation).first()
    )
    if arrangement is None:
        raise DomainError("Set up the consortium's arrangement first.")
    text = (text or "").strip()
    if not text:
        raise DomainError("Enter the conditions of membership.", field="text")
    latest = ConditionsVersion.objects.filter(arrangement=arrangement).order_by("-number").first()
    number = latest.number + 1 if latest else 1
    reason = (reason or "").strip()
    if number > 1 and not reason:
        raise DomainError(
            "Say why the conditions change: a new version is a modification of the arrangement.",
            field="reason",
        )
    in_force_from = in_force_from or timezone.now()
    if latest is not None and in_force_from < latest.in_force_from:
        raise DomainError(
            f"A new version cannot come into force before version {latest.number} "
            f"({timezone.localtime(latest.in_force_from):%-d %B %Y}).",
            field="in_force_from",
        )
    version = ConditionsVersion(
        arrangement=arrangement,
        number=number,
        text=text,
        in_force_from=in_force_from,
        reason=reason,
        created_by=actor.user,
    )
    version.full_clean()
    version.save()
    audit_record(
        actor=actor,
        action="conditions.publish",
        obj=version,
        detail={"number": number, "in_force_from": in_force_from.isoformat(), "reason": reason},
    )
    return version


@transaction.atomic
def opening_save(
    *,
    actor: Actor | None,
    opens_on: date,
    closes_on: date,
    awards_on: date,
    opening: Opening | None = None,
) -> Opening:
    """Add (or change) an opening of the consortium's open framework: its window for
    applications and the day the framework it leads to is awarded. The whole schedule must
    keep to s.49(2)."""
    actor = require_consortium_admin(actor)
    arrangement = _require_arrangement(actor)
    arrangement = Arrangement.objects.select_for_update().get(pk=arrangement.pk)
    if arrangement.basis != Basis.OPEN_FRAMEWORK:
        raise DomainError("Only an open framework has openings.")
    if opening is not None and opening.arrangement_id != arrangement.pk:
        raise DomainError("This opening belongs to another consortium.")
    if closes_on < opens_on:
        raise DomainError("The closing date must be on or after the opening date.", "closes_on")
    if awards_on < closes_on:
        raise DomainError("The award date must be on or after the closing date.", "awards_on")
    if opens_on < arrangement.starts_on or closes_on > arrangement.ends_on:
        raise DomainError(
            f"An opening must fall within the arrangement: {arrangement.starts_on:%-d %B %Y} "
            f"to {arrangement.ends_on:%-d %B %Y}.",
            field="opens_on",
        )
    others = [o for o in openings_of(arrangement) if opening is None or o.pk != opening.pk]
    if any(o.opens_on <= closes_on and opens_on <= o.closes_on for o in others):
        raise DomainError("This opening overlaps another one.", field="opens_on")
    opening = opening or Opening(arrangement=arrangement)
    opening.opens_on, opening.closes_on, opening.awards_on = opens_on, closes_on, awards_on
    problems = schedule_problems(arrangement, [*others, opening])
    if problems:
        raise DomainError(problems[0], field="awards_on")
    created = opening.pk is None
    opening.full_clean()
    opening.save()
    audit_record(
        actor=actor,
        action="opening.create" if created else "opening.change",
        obj=opening,
        detail={
            "opens_on": str(opens_on),
            "closes_on": str(closes_on),
            "awards_on": str(awards_on),
        },
    )
    return opening
