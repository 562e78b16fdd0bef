"""Events that may owe a notice queue a sync of their consortium's notices once the change is
committed. No rule lives here: the sync decides (procurement/notice_rules.py). The receiver
itself reads nothing: the consortium is looked up after the commit."""

from django.db import transaction


def consortium_of(borough_id=None, arrangement_id=None, consortium_id=None):
    """The consortium id behind a borough, an arrangement, or itself."""
    if borough_id is not None:
        from dps.models import Organisation

        return (
            Organisation.objects.filter(pk=borough_id)
            .values_list("consortium_id", flat=True)
            .first()
        )
    if arrangement_id is not None:
        from providers.models import Arrangement

        return (
            Arrangement.objects.filter(pk=arrangement_id)
            .values_list("consortium_id", flat=True)
            .first()
        )
    return consortium_id


def _queue(**ids):
    from .tasks import notices_sync_task

    consortium_id = consortium_of(**ids)
    if consortium_id is not None:
        notices_sync_task.delay(consortium_id)


def event_saved(sender, instance, raw=False, **kwargs):
    """post_save of a placement, a request, a conditions version, an opening or an
    arrangement."""
    if raw:
        return
    ids = {
        name: getattr(instance, name)
        for name in ("borough_id", "arrangement_id", "consortium_id")
        if hasattr(instance, name)
    }
    transaction.on_commit(lambda: _queue(**ids))
