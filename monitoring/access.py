"""Who may touch which of the monitoring app's tenant-owned objects, decided once here.

SSDA903 returns hold child-level data: only the borough's own commissioners and placement
officers see them. Another borough's return is the same 404 as one that does not exist; the
consortium admin, providers and API clients are refused (the consortium admin sees boroughs'
figures only in aggregate)."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from .models import Ssda903Return
from .services.ssda903 import may_upload

SSDA903_ROLES = {"commissioner", "placement_officer"}


def may_see_ssda903(actor):
    return (
        actor is not None
        and actor.is_borough
        and actor.api_client is None
        and actor.role in SSDA903_ROLES
    )


def ssda903_returns_visible_to(actor):
    """The actor's borough's returns, newest first; none for anyone else."""
    if not may_see_ssda903(actor):
        return Ssda903Return.objects.none()
    return Ssda903Return.objects.filter(borough=actor.organisation).select_related("uploaded_by")


def get_ssda903_return_for_actor(actor, pk, *, write=False):
    """The return, or 404 (another borough's or none); 403 for a reader who may not write."""
    try:
        found = ssda903_returns_visible_to(actor).get(pk=pk)
    except (Ssda903Return.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    if write and not may_upload(actor):
        raise PermissionDenied
    return found
