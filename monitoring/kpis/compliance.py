"""Provider compliance: mandatory documents current, monitoring visits on time, and Ofsted
rating downgrades."""

from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    IntegerField,
    Q,
    Value,
    When,
)
from django.db.models.functions import Cast, TruncDate

from dps.models import AuditEvent
from monitoring.models import MonitoringVisit
from providers.models import MANDATORY_TYPES, Enrolment, OfstedRating, Service
from providers.selectors.quality import (
    RATING_POINTS,
    SCORED_STATUSES,
    current_mandatory_document,
)

from .base import (
    ALL_PERIODS,
    CONSORTIUM,
    PROVIDER,
    SERVICE,
    Kpi,
    Row,
    bucketed,
    decimal,
    grouped,
    register,
)

ENROLMENT_PATHS = {"consortium": "lot__consortium", "provider": "provider"}
VISIT_PATHS = {"consortium": "consortium", "provider": "provider", "service": "service"}


def documents_current(scope, periods, today):
    """By the quality score's own rule (`current_mandatory_document`), so the KPI for today and
    the score's compliance part never disagree. A period before the provider enrolled has no
    figure: nothing was asked of it then."""

    def current(p):
        return Count(
            "provider__documents__document_type",
            distinct=True,
            filter=current_mandatory_document(p.upto(today), prefix="provider__documents__"),
        )

    def required(p):
        enrolled = Q(enrolled_at__date__lte=p.upto(today))
        return Count("provider", distinct=True, filter=enrolled) * len(MANDATORY_TYPES)

    return grouped(
        Enrolment.objects.filter(status__in=SCORED_STATUSES),
        ENROLMENT_PATHS,
        scope,
        periods,
        current,
        required,
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
    new rating); a downgrade is a change to a rating of fewer points. The downgrades are
    counted by provider and day once (`downgrades_by_provider_and_day`), and each period adds
    up its days, rather than one count per enrolment and period. A group counts its providers'
    greatest (in a provider scope, the provider's own); the denominator is its providers."""
    consortium_path, id_path = ENROLMENT_PATHS[CONSORTIUM], ENROLMENT_PATHS[scope]
    enrolments = (
        Enrolment.objects.filter(status__in=SCORED_STATUSES)
        .filter(**{f"{consortium_path}__isnull": False, f"{id_path}__isnull": False})
        .values_list(consortium_path, id_path, "provider")
        .distinct()
        .order_by()
    )
    providers_of = {}
    for c, s, provider in enrolments:
        providers_of.setdefault((c, s), set()).add(provider)
    by_day = downgrades_by_provider_and_day(today)
    rows = []
    for (c, s), providers in providers_of.items():
        for i, period in enumerate(periods):
            most = max(downgrades_in(by_day, provider, period, today) for provider in providers)
            rows.append(Row(c, s, i, decimal(most), decimal(len(providers - {None}))))
    return rows


def downgrades_by_provider_and_day(today):
    """{provider: {day: downgrades}} up to today; the day is the local date (as `__date`)."""
    downgrades = (
        AuditEvent.objects.filter(action="service.ofsted_rating", at__date__lte=today)
        .alias(old=rating_points("old"), new=rating_points("new"))
        .filter(new__lt=F("old"))
        .values_list("object_id", TruncDate("at"))
        .annotate(n=Count("pk"))
        .order_by()
    )
    counted = list(downgrades)
    # The audit log names the service by its id as text.
    provider_of = dict(
        Service.objects.annotate(sid=Cast("pk", CharField()))
        .filter(sid__in={object_id for object_id, _, _ in counted})
        .values_list("sid", "provider")
    )
    by_day = {}
    for object_id, day, n in counted:
        if object_id in provider_of:
            days = by_day.setdefault(provider_of[object_id], {})
            days[day] = days.get(day, 0) + n
    return by_day


def downgrades_in(by_day, provider, period, today):
    """The provider's downgrades in the period up to today."""
    last = period.upto(today)
    return sum(n for day, n in by_day.get(provider, {}).items() if period.start <= day <= last)


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
        "a current document (uploaded, not replaced, not expired) at the end of the period (or "
        "today), as the quality score's compliance part counts them; none before it enrolled.",
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
