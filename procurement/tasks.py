"""Background work of the procurement app. Each task takes ids, calls a service, and has one
effect however often it runs (notices are unique per subject, reminders once a day)."""

from celery import shared_task
from django.utils import timezone


@shared_task
def notices_sync_task(consortium_id):
    """Record the notices the consortium's data now owes (queued after each event)."""
    from dps.models import Organisation

    from .services.notices import notices_sync

    consortium = Organisation.objects.filter(pk=consortium_id, kind="consortium").first()
    if consortium is None:
        return 0
    return len(notices_sync(consortium=consortium, today=timezone.localdate()))


@shared_task
def notices_daily():
    """Beat's daily run: every consortium's notices synced, then its admins reminded."""
    from providers.models import Arrangement

    from .services.notices import notices_remind, notices_sync

    today = timezone.localdate()
    reminded = 0
    for arrangement in Arrangement.objects.select_related("consortium"):
        notices_sync(consortium=arrangement.consortium, today=today)
        reminded += notices_remind(consortium=arrangement.consortium, today=today)
    return reminded
