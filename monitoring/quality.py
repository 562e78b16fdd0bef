"""The outcomes part of a provider's quality score, from its KPI snapshots: registered with the
providers app, which stays neutral (50) without a figure.

From the provider's latest yearly snapshots (provider scope, for the consortium) with a value:
- needs_change (mean change in total needs score; negative is better):
  50 - 10 x change, within 0..100 (a fall of 5 points or more scores 100, a rise of 5 or more 0);
- unplanned_endings_12m (percent; lower is better): 100 - 2 x percent, within 0..100 (none
  scores 100, half or more scores 0).
The part is the mean of those available; with neither, None (neutral)."""

from decimal import Decimal

from .models import KpiSnapshot

MAPPINGS = {
    "needs_change": lambda v: Decimal(50) - 10 * v,
    "unplanned_endings_12m": lambda v: Decimal(100) - 2 * v,
}


def clamp(value):
    return max(Decimal(0), min(Decimal(100), value))


def outcomes_part(provider, consortium):
    from providers.services.quality import Part

    latest = {}
    for row in (
        KpiSnapshot.objects.filter(
            consortium=consortium,
            scope=KpiSnapshot.Scope.PROVIDER,
            scope_id=provider.pk,
            period=KpiSnapshot.Period.YEAR,
            kpi__in=list(MAPPINGS),
            value__isnull=False,
        )
        .order_by("kpi", "-period_start")
        .values("kpi", "value", "period_start")
    ):
        latest.setdefault(row["kpi"], row)
    if not latest:
        return None
    scores = {code: clamp(MAPPINGS[code](row["value"])) for code, row in latest.items()}
    value = sum(scores.values()) / len(scores)
    words = {
        "needs_change": "needs score change {v} points",
        "unplanned_endings_12m": "{v}% unplanned endings within 12 months",
    }
    basis = (
        "From the latest year's KPIs: "
        + "; ".join(
            words[code].format(v=f"{row['value'].normalize():f}")
            + f" (year from {row['period_start'].isoformat()})"
            for code, row in sorted(latest.items())
        )
        + "."
    )
    inputs = {
        code: {
            "value": str(row["value"]),
            "period_start": row["period_start"].isoformat(),
            "score": str(scores[code]),
        }
        for code, row in latest.items()
    }
    return Part(value, basis, inputs)
