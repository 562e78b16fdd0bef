"""Periodic work of the providers app. Each task takes ids (or nothing), calls a service, and
has one effect however often it runs."""

from celery import shared_task


@shared_task(name="providers.tasks.documents_expiry_sweep", ignore_result=True)
def documents_expiry_sweep():
    from .services.documents import documents_expiry_sweep as sweep

    return sweep()


@shared_task(name="providers.tasks.quality_scores_nightly", ignore_result=True)
def quality_scores_nightly():
    from .services.quality import quality_scores_recompute_all

    return quality_scores_recompute_all(trigger="nightly")


@shared_task(name="providers.tasks.quality_scores_recompute_consortium", ignore_result=True)
def quality_scores_recompute_consortium(consortium_id):
    """After a consortium's weights change: recompute its enrolled providers' scores."""
    from .services.quality import quality_scores_recompute_consortium as recompute

    return recompute(consortium_id=consortium_id)
