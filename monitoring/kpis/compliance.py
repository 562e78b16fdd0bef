"""Provider compliance: mandatory documents current, monitoring visits on time, and Ofsted
rating downgrades."""

from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Value,
    When,
)
from django.db.models.functions import Cast

from dps.models import AuditEvent
from monitoring.models import MonitoringVisit
from providers.models import MANDATORY_TYPES, Enrolment, OfstedRating, Service
from providers.selectors.quality import RATING_POINTS, SCORED_STATUSES

from . import ALL_PERIODS, CONSORTIUM, PROVIDER, SERVICE, Kpi, bucketed, grouped, register
from .expressions import count_of

ENROLMENT_PATHS = {"consortium": "lot__consortium", "provider": "provider"}
VISIT_PATHS = {"consortium": "consortium", "provider": "provider", "service": "service"}


def documents_current(scope, periods, today):
    def current(p):
        at = p.upto(today)
        return Count(
            "provider__documents__document_type",
            distinct=True,
            filter=Q(
                provider__documents__document_type__in=MANDATORY_TYPES,
                provider__documents__uploaded_at__date__lte=at,
            )
            & (
                Q(provider__documents__expires_on__isnull=True)
                | Q(provider__documents__expires_on__gte=at)
            ),
        )

    return grouped(
        Enrolment.objects.filter(status__in=SCORED_STATUSES),
        ENROLMENT_PATHS,
        scope,
        periods,
        current,
        lambda p: Count("provider", distinct=True) * len(MANDATORY_TYPES),
    )


def visits_on_time(scope, periods, today):
    due = Q(due_date__lte=today)  # visits due later in the current period are not yet due
    on_time = Q(status=MonitoringVisit.Status.COMPLETED, visited_on__lte=F("due_date"))
    return bucketed(
        MonitoringVisit.objects.exclude(status=MonitoringVisit.Status.CANCELLED),
        VISIT_PATHS,
        scope,
        periods,
        "due_date",
        Count("pk", filter=due & on_time),
        Count("pk", filter=due),
    )


def rating_points(key):
    return Case(
        *[
            When(**{f"detail__{key}__rating": rating, "then": Value(points)})
            for rating, points in RATING_POINTS.items()
            # "Not yet inspected" is no grade: a change to or from it is neither way.
            if rating != OfstedRating.NOT_YET_INSPECTED
        ],
        default=Value(None),
        output_field=IntegerField(),
    )


def ofsted_downgrades(scope, periods, today):
    """Ofsted rating changes are audited (action "service.ofsted_rating", with the old and
    new rating); a downgrade is a change to a rating of fewer points."""
    downgrades = (
        AuditEvent.objects.filter(action="service.ofsted_rating")
        .alias(old=rating_points("old"), new=rating_points("new"))
        .filter(new__lt=F("old"))
        .filter(
            object_id__in=Service.objects.filter(provider=OuterRef(OuterRef("provider"))).values(
                sid=Cast("pk", CharField())
            )
        )
    )

    queryset = Enrolment.objects.filter(status__in=SCORED_STATUSES)
    for i, p in enumerate(periods):
        queryset = queryset.alias(
            **{
                f"down{i}": count_of(
                    downgrades.filter(at__date__gte=p.start, at__date__lte=p.upto(today))
                )
            }
        )
    return grouped(
        queryset,
        ENROLMENT_PATHS,
        scope,
        periods,
        lambda p: Max(f"down{periods.index(p)}"),
        lambda p: Count("provider", distinct=True),
    )


COMPLIANCE = "Provider compliance"
register(
    Kpi(
        code="documents_current",
        label="Mandatory documents current",
        unit="percent",
        higher_is_better=True,
        scopes=(PROVIDER,),
        periods=ALL_PERIODS,
        compute=documents_current,
        family=COMPLIANCE,
        scale=100,
        description="Of the mandatory document types, the share for which the provider had "
        "uploaded a document, unexpired, at the end of the period (or today).",
    )
)
register(
    Kpi(
        code="visits_on_time",
        label="Monitoring visits on time",
        unit="percent",
        higher_is_better=True,
        scopes=(CONSORTIUM, PROVIDER, SERVICE),
        periods=ALL_PERIODS,
        compute=visits_on_time,
        family=COMPLIANCE,
        scale=100,
        description="Of the visits (not cancelled) due in the period up to today, the share "
        "completed on or before the due date.",
    )
)
register(
    Kpi(
        code="ofsted_downgrades",
        label="Ofsted rating downgrades",
        unit="count",
        higher_is_better=False,
        scopes=(PROVIDER,),
        periods=ALL_PERIODS,
        compute=ofsted_downgrades,
        family=COMPLIANCE,
        total=True,
        description="The number of times in the period one of the provider's services was "
        "given a lower Ofsted rating than it had.",
    )
)
