"""What the visits' pages and emails read: the visits overdue, the services monitored, and the
provider's admins to tell. Who sees which visit: monitoring.access."""

from datetime import date

from django.db.models import Q, QuerySet
from django.utils import timezone

from dps.models import Membership, Organisation, Role
from dps.tenancy import Actor
from providers.models import Enrolment, Service

from ..access import visits_visible_to
from ..models import MonitoringVisit

# A provider is monitored while enrolled on a lot, suspended or not.
MONITORED_ENROLMENTS = (Enrolment.Status.ACTIVE, Enrolment.Status.SUSPENDED)


def overdue_visits(actor: Actor | None, today: date | None = None) -> QuerySet[MonitoringVisit]:
    """Scheduled visits the actor sees that were due before today, most overdue first."""
    today = today or timezone.localdate()
    return visits_visible_to(actor).filter(
        status=MonitoringVisit.Status.SCHEDULED, due_date__lt=today
    )


def monitored_services(consortium: Organisation | None) -> QuerySet[Service]:
    """Active services of the providers enrolled on the consortium's lots."""
    enrolled = Enrolment.objects.filter(
        lot__consortium=consortium, status__in=MONITORED_ENROLMENTS
    ).values("provider_id")
    return Service.objects.filter(is_active=True, provider_id__in=enrolled).select_related(
        "provider"
    )


def provider_admin_emails(provider: Organisation) -> list[str]:
    """The addresses of the provider's active admins, told of its visits and plans."""
    return list(
        Membership.objects.filter(organisation=provider, is_active=True, user__is_active=True)
        .filter(Q(role=Role.PROVIDER_ADMIN) | Q(is_org_admin=True))
        .values_list("user__email", flat=True)
        .order_by("user__email")
    )
