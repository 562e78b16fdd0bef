"""Background work of the placements app. Each task takes ids (or nothing), calls a service, and
has one effect however often it runs."""

from celery import shared_task

from dps.tasks import TRANSIENT_ERRORS


@shared_task(name="placements.tasks.requests_close_due", ignore_result=True)
def requests_close_due():
    from .services.closing import requests_close_due as close_due

    return close_due()


@shared_task(name="placements.tasks.fees_roll_daily", ignore_result=True)
def fees_roll_daily():
    """Each placement's fee today: a change dated ahead comes into force on its day (the
    placement's weekly_fee, which current spend and the pages show, becomes its fee)."""
    from .services.fees import fees_roll

    return fees_roll()


@shared_task(
    name="placements.tasks.ipa_generate",
    ignore_result=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=True,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=5,
)
def ipa_generate_task(placement_id):
    """Render and store a new placement's IPA; the download renders it if this has not run."""
    from .models import Placement
    from .services.award import ipa_ensure

    placement = Placement.objects.filter(pk=placement_id).first()
    if placement is not None:
        ipa_ensure(placement)
