"""Who may touch which notice, decided once here (the rule: procurement.selectors.notices).

`get_notice_for_actor(actor, pk, *, write=False)`: the notice, or 404 for another
consortium's, a missing one or a malformed id (the same answer, in pages and API alike); with
`write`, 403 for a reader (a commissioner) who may not change it."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from dps.tenancy import Actor

from .models import Notice
from .selectors.notices import may_write_notices, notices_visible_to


def get_notice_for_actor(actor: Actor | None, pk: Any, *, write: bool = False) -> Notice:
    qs = notices_visible_to(actor).select_related("placement", "request", "opening", "conditions")
    try:
        notice = qs.get(pk=pk)
    except (Notice.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    if write and not may_write_notices(actor):
        raise PermissionDenied("Only the consortium admin can draft and publish notices.")
    return notice
