"""Reads of the quality part: scores visible to an actor, the latest score per consortium, and
the status of a provider's mandatory documents (which the compliance part is computed from)."""

from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import dateformat

from dps.formatting import rounded
from dps.models import Organisation
from dps.tenancy import Actor

from ..models import (
    COMPONENTS,
    MANDATORY_TYPES,
    Document,
    DocumentType,
    Enrolment,
    OfstedRating,
    QualityScore,
    QualityWeights,
)
from .documents import expiry_state

# The points of each Ofsted rating in the inspection part.
RATING_POINTS = {
    OfstedRating.OUTSTANDING: 100,
    OfstedRating.GOOD: 75,
    OfstedRating.REQUIRES_IMPROVEMENT: 40,
    OfstedRating.INADEQUATE: 0,
    OfstedRating.NOT_YET_INSPECTED: 50,
}


# Enrolments whose provider counts as enrolled with the lot's consortium for its score.
SCORED_STATUSES = [Enrolment.Status.ACTIVE, Enrolment.Status.SUSPENDED]

CURRENT, EXPIRING, EXPIRED, MISSING = "current", "expiring", "expired", "missing"
STATUS_LABELS = {
    CURRENT: "Current",
    EXPIRING: "Expiring soon",
    EXPIRED: "Expired",
    MISSING: "Missing",
}
# The mandatory types in the order they are listed.
MANDATORY_ORDER = [t for t in DocumentType if t in MANDATORY_TYPES]


def current_mandatory_document(day: date, *, prefix: str = "") -> Q:
    """A filter on documents (reached through `prefix`): a mandatory document current on
    `day`: uploaded by then, not replaced by then by a renewal, and not expired (a document is
    expired on its expiry date, as `expiry_state` says). The one definition the quality score's
    compliance part and the documents_current KPI count by."""

    def q(lookup, value):
        return Q(**{f"{prefix}{lookup}": value})

    return (
        q("document_type__in", MANDATORY_ORDER)
        & q("uploaded_at__date__lte", day)
        & (q("superseded_by__isnull", True) | q("superseded_by__uploaded_at__date__gt", day))
        & (q("expires_on__isnull", True) | q("expires_on__gt", day))
    )


def mandatory_documents_current(provider: Organisation, *, today: date) -> int:
    """How many of the mandatory document types the provider has a current document of."""
    return (
        Document.objects.filter(current_mandatory_document(today), provider=provider)
        .order_by()
        .values("document_type")
        .distinct()
        .count()
    )


def mandatory_documents_status(provider: Organisation, *, today: date) -> list[dict[str, Any]]:
    """One row per mandatory document type, in a fixed order: its status (current, expiring,
    expired or missing), the document it was judged on, and its expiry date. A renewal
    supersedes the document it replaces, so only documents not superseded are considered;
    of those, the one that lasts longest counts. One query."""
    best: dict[str, Any] = {}
    documents = Document.objects.filter(
        provider=provider, document_type__in=MANDATORY_ORDER, superseded_by__isnull=True
    ).values("id", "document_type", "expires_on")
    for doc in documents:
        kept = best.get(doc["document_type"])
        if kept is None or _lasts_longer(doc["expires_on"], kept["expires_on"]):
            best[doc["document_type"]] = doc
    rows = []
    for doc_type in MANDATORY_ORDER:
        chosen = best.get(doc_type.value)
        expires_on = chosen["expires_on"] if chosen else None
        status = MISSING if chosen is None else expiry_state(expires_on, today)[0]
        rows.append(
            {
                "type": doc_type.value,
                "label": doc_type.label,
                "status": status,
                "status_label": STATUS_LABELS[status],
                "document_id": chosen["id"] if chosen else None,
                "expires_on": expires_on,
            }
        )
    return rows


def _lasts_longer(a, b):
    if a is None:
        return b is not None
    return b is not None and a > b


def scored_consortia(provider: Organisation) -> QuerySet[Organisation]:
    """The consortia a provider is enrolled with (active or suspended on one of their lots)."""
    ids = Enrolment.objects.filter(provider=provider, status__in=SCORED_STATUSES).values(
        "lot__consortium"
    )
    return Organisation.objects.filter(pk__in=ids).order_by("name")


def latest_score_id(consortium_ref: Any, provider_ref: Any = None) -> Subquery:
    """A subquery: the id of the newest snapshot of a provider for a consortium."""
    return Subquery(
        QualityScore.objects.filter(
            # The stubs reject an OuterRef in a union, though filter() takes one.
            provider=provider_ref if provider_ref is not None else OuterRef("pk"),  # type: ignore[misc]
            consortium=consortium_ref,
        )
        .order_by("-computed_at", "-id")
        .values("id")[:1]
    )


def current_scores(provider: Organisation) -> QuerySet[QualityScore]:
    """The provider's newest snapshot for each consortium it is enrolled with."""
    newest = QualityScore.objects.filter(
        provider=OuterRef("provider"), consortium=OuterRef("consortium")
    ).order_by("-computed_at", "-id")
    return (
        QualityScore.objects.filter(provider=provider, consortium__in=scored_consortia(provider))
        .filter(pk=Subquery(newest.values("id")[:1]))
        .select_related("consortium")
        .order_by("consortium__name")
    )


def quality_scores_visible_to(actor: Actor | None) -> QuerySet[QualityScore]:
    """Providers see their own snapshots; boroughs and consortium admins see their consortium's
    snapshots of the providers enrolled (active) on its lots; nobody else sees any."""
    if actor is None:
        return QualityScore.objects.none()
    scores = QualityScore.objects.select_related("provider", "consortium")
    if actor.is_provider:
        return scores.filter(provider=actor.organisation)
    consortium = actor.consortium
    if consortium is None:
        return QualityScore.objects.none()
    enrolled = Enrolment.objects.filter(
        lot__consortium=consortium, status=Enrolment.Status.ACTIVE
    ).values("provider")
    return scores.filter(Q(consortium=consortium) & Q(provider__in=enrolled))


# --- Explaining a snapshot ----------------------------------------------------------------

PART_LABELS = {
    "inspection": "Inspection",
    "outcomes": "Outcomes",
    "compliance": "Compliance",
    "responsiveness": "Responsiveness",
}


def score_breakdown(score: QualityScore) -> list[dict[str, Any]]:
    """Each part of a snapshot: its value, its weight, what it adds to the total (weight x
    value / 100, rounded half up to 2 places) and what it was computed from."""
    rows = []
    for name in COMPONENTS:
        value = getattr(score, name)
        weight = int(score.weights.get(name, 0))
        rows.append(
            {
                "name": name,
                "label": PART_LABELS[name],
                "value": value,
                "weight": weight,
                "contribution": rounded(value * weight / 100),
                "basis": score.inputs.get(name, {}).get("basis", ""),
            }
        )
    return rows


def _day(iso):
    return dateformat.format(date.fromisoformat(iso), "j F Y") if iso else ""


def score_guidance(score: QualityScore) -> list[str]:
    """How the provider could raise this score, from the snapshot's own inputs: a list of
    sentences, the most valuable first."""
    weights = score.weights
    advice = []  # (points the total could gain, sentence)

    inspection = score.inputs.get("inspection", {})
    services = inspection.get("services", [])
    places = inspection.get("total_places") or 0
    if not places:
        advice.append(
            (
                Decimal(0),
                "Add your services with their registered places: until then your inspection "
                "score is a neutral 50.",
            )
        )
    else:
        good = RATING_POINTS[OfstedRating.GOOD]
        for rating, label in (
            ("inadequate", "Inadequate"),
            ("requires_improvement", "Requires improvement"),
        ):
            rated = [s for s in services if s["rating"] == rating and s["places"]]
            if not rated:
                continue
            gain = sum((good - s["points"]) * s["places"] for s in rated) / places
            total_gain = rounded(Decimal(gain) * weights.get("inspection", 0) / 100)
            names = ", ".join(s["name"] for s in rated)
            advice.append(
                (
                    total_gain,
                    f"Services rated {label} lower your inspection score ({names}). Rated Good "
                    f"they would add {total_gain} points to your total.",
                )
            )
        unrated = [s["name"] for s in services if s["rating"] == "not_yet_inspected"]
        if unrated:
            advice.append(
                (
                    Decimal(0),
                    "Services not yet inspected count as 50 until Ofsted rates them ("
                    + ", ".join(unrated)
                    + "). Keep their ratings up to date after each inspection.",
                )
            )

    compliance = score.inputs.get("compliance", {})
    required = compliance.get("required") or 1
    per_document = rounded(Decimal(100) / required * Decimal(weights.get("compliance", 0)) / 100)
    for doc in compliance.get("documents", []):
        label = doc["label"]
        lowered = label[0].lower() + label[1:]
        if doc["status"] == EXPIRED:
            advice.append(
                (
                    per_document,
                    f"Renew your {lowered}: it expired on {_day(doc['expires_on'])}. That would "
                    f"add {per_document} points to your total.",
                )
            )
        elif doc["status"] == MISSING:
            advice.append(
                (
                    per_document,
                    f"Upload your {lowered}: it is missing. That would add {per_document} points "
                    "to your total.",
                )
            )
        elif doc["status"] == EXPIRING:
            advice.append(
                (
                    Decimal(0),
                    f"Renew your {lowered} before it expires on {_day(doc['expires_on'])}, or "
                    "your compliance score will fall.",
                )
            )
    advice.sort(key=lambda item: -item[0])
    sentences = [sentence for _, sentence in advice]
    for name in ("outcomes", "responsiveness"):
        if score.inputs.get(name, {}).get("source") == "neutral":
            sentences.append(
                f"{PART_LABELS[name]}: {score.inputs[name]['basis']} Nothing to do yet."
            )
    return sentences


def quality_weights_of(consortium: Organisation) -> QualityWeights:
    """The consortium's weights, or the defaults (unsaved) if its admin has set none."""
    weights = QualityWeights.objects.filter(consortium=consortium).first()
    return weights or QualityWeights(consortium=consortium)


def score_history(
    provider: Organisation, consortium: Organisation | None = None
) -> QuerySet[QualityScore]:
    scores = QualityScore.objects.filter(provider=provider).select_related("consortium")
    if consortium is not None:
        scores = scores.filter(consortium=consortium)
    return scores


def score_inputs(score: QualityScore) -> dict[str, list[dict[str, Any]]]:
    """A snapshot's services and mandatory documents as they were, with dates as dates."""

    def day(iso):
        return date.fromisoformat(iso) if iso else None

    services = [
        {**s, "inspection_date": day(s.get("inspection_date"))}
        for s in score.inputs.get("inspection", {}).get("services", [])
    ]
    documents = [
        {**d, "expires_on": day(d.get("expires_on"))}
        for d in score.inputs.get("compliance", {}).get("documents", [])
    ]
    return {"services": services, "documents": documents}
