"""Writes of the quality part: computing and keeping the quality score, and the weights.

The score (0-100) of a provider is computed per consortium it is enrolled with (an active or
suspended enrolment on one of the consortium's lots), from four parts, each 0-100:

- inspection: the Ofsted rating of each of the provider's active services (Outstanding 100,
  Good 75, Requires improvement 40, Inadequate 0, not yet inspected 50), weighted by its
  registered places. With no registered places at all the part is a neutral 50.
- outcomes: from contract monitoring. Until monitoring pushes a figure in (see
  `quality_part_source_register`), a neutral 50.
- compliance: the share of the mandatory document types with a current (unexpired)
  document. Monitoring visit results will count too once visits are recorded.
- responsiveness: the share of invitations answered. Until placement requests push a figure
  in, a neutral 50.

total = sum(weight_i * part_i) / 100, with the consortium's weights (percentages totalling
100; 40/30/20/10 unless its admin set others).

Rounding: every part is rounded to 2 decimal places, half up (ROUND_HALF_UP); the total is
computed from the rounded parts and rounded the same way, so anyone can recompute a stored
total from its stored parts and weights.

Each computation is kept as a QualityScore snapshot with its weights and every input (each
service's rating and places, each mandatory document's status and expiry, the source of each
neutral part), so a past score can be explained after its inputs have changed.
"""

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Case, F, IntegerField, Sum, Value, When
from django.utils import timezone

from dps.formatting import rounded
from dps.models import Organisation
from dps.services import DomainError
from dps.services.audit import audit_record
from dps.tenancy import Actor

from ..models import COMPONENTS, Enrolment, OfstedRating, QualityScore, QualityWeights, Service
from ..selectors.quality import (
    RATING_POINTS,
    SCORED_STATUSES,
    mandatory_documents_current,
    mandatory_documents_status,
)

log = logging.getLogger(__name__)

NEUTRAL = Decimal(50)
DEFAULT_WEIGHTS = {"inspection": 40, "outcomes": 30, "compliance": 20, "responsiveness": 10}
NIGHTLY = "nightly"
BATCH_SIZE = 200


@dataclass(frozen=True)
class Part:
    """One part of the score: its value (0-100), what it was computed from, and why."""

    value: Decimal
    basis: str
    inputs: dict = field(default_factory=dict)


# Parts whose figures come from apps above this one (monitoring for outcomes, placements for
# responsiveness). Such an app registers a function (provider, consortium) -> Part or None
# from its AppConfig.ready(); with none registered, or None returned, the part is neutral.
PART_SOURCES = {}


def quality_part_source_register(
    part: str, source: Callable[[Organisation, Organisation], Part | None]
) -> None:
    """Let a higher app push a figure into `part` ("outcomes" or "responsiveness")."""
    if part not in ("outcomes", "responsiveness"):
        raise ValueError(f"{part} is computed here, not pushed in.")
    PART_SOURCES[part] = source


NEUTRAL_BASIS = {
    "outcomes": "Neutral until contract monitoring data exists.",
    "responsiveness": (
        "Neutral: no invitation to bid closed in the last 12 months. It is the share of "
        "invitations answered."
    ),
}


# --- The parts ----------------------------------------------------------------------------


def rating_points() -> Case:
    """The points of a service's rating, as a database expression."""
    return Case(
        *[
            When(ofsted_rating=rating, then=Value(points))
            for rating, points in RATING_POINTS.items()
        ],
        default=Value(RATING_POINTS[OfstedRating.NOT_YET_INSPECTED]),
        output_field=IntegerField(),
    )


def inspection_part(provider: Organisation) -> Part:
    services = Service.objects.filter(provider=provider, is_active=True)
    totals = services.aggregate(
        places=Sum("registered_places"), weighted=Sum(rating_points() * F("registered_places"))
    )
    places, weighted = totals["places"] or 0, totals["weighted"] or 0
    listed = [
        {
            "id": s["id"],
            "name": s["name"],
            "rating": s["ofsted_rating"],
            "rating_label": OfstedRating(s["ofsted_rating"]).label,
            "inspection_date": s["inspection_date"].isoformat() if s["inspection_date"] else None,
            "points": s["points"],
            "places": s["registered_places"],
        }
        for s in services.annotate(points=rating_points())
        .order_by("name", "id")
        .values("id", "name", "ofsted_rating", "inspection_date", "points", "registered_places")
    ]
    inputs = {"services": listed, "total_places": places, "weighted_points": weighted}
    if not places:
        basis = (
            "Neutral: no active services with registered places."
            if listed
            else "Neutral: no active services yet."
        )
        return Part(NEUTRAL, basis, inputs)
    value = rounded(Decimal(weighted) / Decimal(places))
    basis = (
        f"Ofsted ratings of {len(listed)} active service{'s' if len(listed) != 1 else ''}, "
        f"weighted by their {places} registered place{'s' if places != 1 else ''}."
    )
    return Part(value, basis, inputs)


def compliance_part(provider: Organisation, *, today: date) -> Part:
    rows = mandatory_documents_status(provider, today=today)
    current = mandatory_documents_current(provider, today=today)
    documents = [
        {**r, "expires_on": r["expires_on"].isoformat() if r["expires_on"] else None} for r in rows
    ]
    value = rounded(Decimal(100 * current) / Decimal(len(rows)))
    basis = (
        f"{current} of {len(rows)} mandatory documents current. Monitoring visit results will "
        "count too once monitoring visits are recorded."
    )
    return Part(value, basis, {"documents": documents, "current": current, "required": len(rows)})


def pushed_part(name: str, provider: Organisation, consortium: Organisation) -> Part:
    source = PART_SOURCES.get(name)
    part = source(provider, consortium) if source else None
    if part is None:
        return Part(NEUTRAL, NEUTRAL_BASIS[name], {"source": "neutral"})
    return Part(rounded(part.value), part.basis, {"source": "pushed", **part.inputs})


def weights_of(consortium: Organisation) -> QualityWeights:
    weights, _ = QualityWeights.objects.get_or_create(
        consortium=consortium, defaults=DEFAULT_WEIGHTS
    )
    return weights


def score_total(parts: Mapping[str, Decimal], weights: Mapping[str, Any]) -> Decimal:
    """sum(weight_i * part_i) / 100, rounded half up to 2 places."""
    return rounded(sum(Decimal(weights[name]) * parts[name] for name in COMPONENTS) / 100)


# --- Computing and keeping ----------------------------------------------------------------


def _comparable(score):
    inputs = {k: v for k, v in score["inputs"].items() if k != "as_of"}
    return (score["total"], {n: score[n] for n in COMPONENTS}, score["weights"], inputs)


def _recompute(provider, consortia, *, trigger, skip_unchanged):
    """Compute and keep the provider's score for each of `consortia`. The parts that do not
    depend on the consortium are computed once. With `skip_unchanged`, a consortium's
    snapshot is not written when nothing differs from its latest one."""
    today = timezone.localdate()
    shared = {
        "inspection": inspection_part(provider),
        "compliance": compliance_part(provider, today=today),
    }
    enrolments = list(
        Enrolment.objects.filter(provider=provider, status__in=SCORED_STATUSES)
        .select_related("lot")
        .order_by("lot__position", "lot__code")
    )
    written = []
    for consortium in consortia:
        parts = {
            **shared,
            "outcomes": pushed_part("outcomes", provider, consortium),
            "responsiveness": pushed_part("responsiveness", provider, consortium),
        }
        weights = weights_of(consortium).as_dict()
        values = {name: parts[name].value for name in COMPONENTS}
        inputs = {
            "as_of": today.isoformat(),
            "enrolments": [
                {"lot": e.lot.code, "lot_name": e.lot.name, "status": e.status}
                for e in enrolments
                if e.lot.consortium_id == consortium.pk
            ],
            **{name: {"basis": parts[name].basis, **parts[name].inputs} for name in COMPONENTS},
        }
        new = {
            "total": score_total(values, weights),
            **values,
            "weights": weights,
            "inputs": inputs,
        }
        if skip_unchanged:
            last = (
                QualityScore.objects.filter(provider=provider, consortium=consortium)
                .values("total", *COMPONENTS, "weights", "inputs")
                .first()
            )
            if last is not None and _comparable(last) == _comparable(new):
                continue
        score = QualityScore(provider=provider, consortium=consortium, trigger=trigger[:80], **new)
        score.full_clean()
        score.save()
        written.append(score)
    return written


def quality_score_recompute(*, provider: Organisation, trigger: str) -> list[QualityScore]:
    """Recompute the provider's quality score for every consortium it is enrolled with and
    keep each as a snapshot. Called whenever an input changes (a rating, a document, an
    enrolment) with `trigger` saying what changed, and nightly for everyone. Returns the new
    QualityScore rows (none if the provider is enrolled nowhere)."""
    consortia = list(
        Organisation.objects.filter(
            pk__in=Enrolment.objects.filter(provider=provider, status__in=SCORED_STATUSES).values(
                "lot__consortium"
            )
        )
    )
    if not consortia:
        return []
    with transaction.atomic():
        return _recompute(provider, consortia, trigger=trigger, skip_unchanged=trigger == NIGHTLY)


def _providers_enrolled(consortium=None):
    enrolments = Enrolment.objects.filter(status__in=SCORED_STATUSES)
    if consortium is not None:
        enrolments = enrolments.filter(lot__consortium=consortium)
    return Organisation.objects.filter(pk__in=enrolments.values("provider")).order_by("pk")


def _in_batches(providers, handle):
    """Call `handle(provider)` for each provider, `BATCH_SIZE` at a time, each in its own
    transaction (one provider's failure is logged and does not stop the others)."""
    count, last_pk = 0, 0
    while True:
        batch = list(providers.filter(pk__gt=last_pk)[:BATCH_SIZE])
        if not batch:
            return count
        for provider in batch:
            try:
                with transaction.atomic():
                    count += len(handle(provider))
            except Exception:
                log.exception("Could not recompute the quality score of provider %s", provider.pk)
        last_pk = batch[-1].pk


def quality_scores_recompute_all(*, trigger: str = NIGHTLY) -> int:
    """Recompute every enrolled provider's scores (the nightly run). A snapshot is written
    only where something (an input, a part, a weight) changed since the provider's latest one
    for that consortium, so a quiet night adds no rows; every other computation is kept.
    Returns the number of snapshots written."""
    return _in_batches(
        _providers_enrolled(),
        lambda provider: quality_score_recompute(provider=provider, trigger=trigger),
    )


def quality_scores_recompute_consortium(
    *, consortium_id: int, trigger: str = "weights changed"
) -> int:
    """Recompute the score, for this consortium only, of every provider enrolled with it (after
    its weights change). Running it twice writes nothing the second time. Returns the number
    of snapshots written."""
    consortium = Organisation.objects.filter(
        pk=consortium_id, kind=Organisation.Kind.CONSORTIUM
    ).first()
    if consortium is None:
        return 0
    return _in_batches(
        _providers_enrolled(consortium),
        lambda provider: _recompute(provider, [consortium], trigger=trigger, skip_unchanged=True),
    )


# --- The weights --------------------------------------------------------------------------


def quality_weights_update(
    *,
    actor: Actor | None,
    inspection: int,
    outcomes: int,
    compliance: int,
    responsiveness: int,
) -> QualityWeights:
    """Set the consortium's four weights (whole percentages totalling 100). Audited; the
    scores of every provider enrolled with the consortium are then recomputed by a task."""
    if actor is None or not actor.is_consortium_admin:
        raise DomainError("Only a consortium admin can set the quality weights.")
    values = {
        "inspection": inspection,
        "outcomes": outcomes,
        "compliance": compliance,
        "responsiveness": responsiveness,
    }
    for name, value in values.items():
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
            raise DomainError("Enter a whole number from 0 to 100.", field=name)
    total = sum(values.values())
    if total != 100:
        raise DomainError(f"The weights must total 100. They total {total}.")
    consortium = actor.organisation
    with transaction.atomic():
        weights_of(consortium)
        weights = QualityWeights.objects.select_for_update().get(consortium=consortium)
        old = weights.as_dict()
        if old == values:
            return weights
        for name, value in values.items():
            setattr(weights, name, value)
        weights.updated_by = actor.user
        weights.full_clean()
        weights.save()
        audit_record(
            actor=actor,
            action="quality_weights.update",
            obj=weights,
            detail={"from": old, "to": values},
        )
        transaction.on_commit(lambda: enqueue_consortium_recompute(consortium.pk))
    return weights


def enqueue_consortium_recompute(consortium_id: int) -> None:
    """Hand the recomputation to a worker. A broker that is down is not an error: the nightly
    run recomputes every score anyway."""
    from ..tasks import quality_scores_recompute_consortium as task

    try:
        task.apply_async((consortium_id,), retry=False)
    except Exception:
        log.warning("Could not queue the recomputation for consortium %s.", consortium_id)
