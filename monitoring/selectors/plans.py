"""What the corrective action plans' pages read: the plans the actor sees (with their open and
overdue actions counted), the providers a plan may be about, the KPIs it may cite, and the
enrolments it may suspend. Who sees which plan: monitoring.access."""

from datetime import date

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from dps.models import Organisation
from dps.tenancy import Actor
from providers.models import Enrolment

from .. import access
from ..models import CorrectiveAction, CorrectiveActionPlan, KpiSnapshot
from .visits import MONITORED_ENROLMENTS


def plans_visible_to(actor: Actor | None, today: date | None = None) -> QuerySet:
    """The plans the actor sees, each with its count of open and of overdue actions."""
    today = today or timezone.localdate()
    qs = access.plans_visible_to(actor)
    open_actions = Q(actions__status=CorrectiveAction.Status.OPEN)
    return qs.annotate(
        open_actions=Count("actions", filter=open_actions),
        overdue_actions=Count("actions", filter=open_actions & Q(actions__due_date__lt=today)),
    ).order_by("-opened_at", "-id")


def enrolled_providers(consortium: Organisation | None) -> QuerySet[Organisation]:
    """Providers enrolled (active or suspended) on the consortium's lots."""
    enrolled = Enrolment.objects.filter(
        lot__consortium=consortium, status__in=MONITORED_ENROLMENTS
    ).values("provider_id")
    return Organisation.objects.filter(kind=Organisation.Kind.PROVIDER, pk__in=enrolled)


def kpi_choices() -> list[tuple[str, str]]:
    """(code, label) of the defined KPIs; none if they are not defined yet."""
    try:
        from ..kpis import KPIS
    except ImportError:
        return []
    return [(code, kpi.label) for code, kpi in KPIS.items()]


def kpi_label(code: str) -> str:
    return dict(kpi_choices()).get(code, code)


def suspendable_enrolments(plan: CorrectiveActionPlan) -> QuerySet[Enrolment]:
    """The provider's active enrolments on the plan's consortium's lots."""
    return Enrolment.objects.filter(
        provider_id=plan.provider_id,
        lot__consortium_id=plan.consortium_id,
        status=Enrolment.Status.ACTIVE,
    ).select_related("lot")


def snapshot_for(actor: Actor | None, snapshot_id: str | int | None) -> KpiSnapshot | None:
    """A KPI snapshot the actor may cite when opening a plan, or None."""
    if actor is None:
        return None
    consortium = actor.consortium
    if consortium is None or not snapshot_id:
        return None
    try:
        qs = KpiSnapshot.objects.filter(consortium=consortium, pk=int(snapshot_id))
    except (TypeError, ValueError):
        return None
    if actor.is_borough:
        qs = qs.exclude(Q(scope="borough") & ~Q(scope_id=actor.organisation.pk))
    return qs.first()
