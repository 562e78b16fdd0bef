"""Who may touch which of the monitoring app's tenant-owned objects, decided once here.

SSDA903 returns hold child-level data: only the borough's own commissioners and placement
officers see them. Another borough's return is the same 404 as one that does not exist; the
consortium admin, providers and API clients are refused (the consortium admin sees boroughs'
figures only in aggregate).

Monitoring visits and corrective action plans: see the rule below."""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from placements.models import Placement

from .models import CorrectiveActionPlan, MonitoringVisit, Ssda903Return
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


# --- Monitoring visits and corrective action plans -----------------------------------------
#
# A visit or a plan is about one provider, within one consortium. It is read by the consortium
# admin, by the commissioners of every borough of the consortium that has a placement with the
# provider (past or present: they answer for those children), by the borough that opened it,
# and by the provider itself (read only). A plan is acted on (actions, reviews, closing) only by
# the borough that opened it and the consortium admin; a visit, which the consortium schedules
# for all of its boroughs, by the consortium admin and every borough that may read it. Opening a
# plan or scheduling a visit follows the read rule: a borough monitors the providers it places
# with. Placement officers and API clients' systems take no part. Pages and API both ask here.


def consortium_of(actor):
    """The consortium whose monitoring the actor shares, or None."""
    return actor.consortium if actor is not None else None


def is_monitor(actor):
    """Commissioners and the consortium admin (people, not API clients' systems)."""
    return actor is not None and actor.is_commissioner_or_admin


def providers_placed_by(borough):
    """The ids of the providers the borough has (or had) a placement with."""
    return Placement.objects.filter(borough=borough, provider__isnull=False).values("provider_id")


def monitored_by(actor, field="provider_id"):
    """A filter over `field` (a provider) keeping the providers the actor monitors: every one
    for the consortium admin, those its borough places with for a commissioner."""
    if not is_monitor(actor) or consortium_of(actor) is None:
        return Q(pk__in=[])
    if actor.is_consortium_admin:
        return Q()
    return Q(**{f"{field}__in": providers_placed_by(actor.organisation)})


def may_monitor_provider(actor, provider):
    """The actor may open a plan about the provider or schedule a visit to it."""
    if provider is None or not is_monitor(actor) or consortium_of(actor) is None:
        return False
    return actor.is_consortium_admin or (
        providers_placed_by(actor.organisation).filter(provider_id=provider.pk).exists()
    )


def _monitored(actor, qs, *, opened_by_borough=False):
    """`qs` (visits or plans) narrowed to those the actor may read."""
    if actor is None:
        return qs.none()
    if actor.is_provider:
        return qs.filter(provider=actor.organisation)
    consortium = consortium_of(actor)
    if not is_monitor(actor) or consortium is None:
        return qs.none()
    readers = monitored_by(actor)
    if opened_by_borough and actor.is_borough:
        readers |= Q(borough=actor.organisation)
    return qs.filter(readers, consortium=consortium)


def visits_visible_to(actor):
    qs = MonitoringVisit.objects.select_related("service", "provider", "recorded_by")
    return _monitored(actor, qs)


def plans_visible_to(actor):
    qs = CorrectiveActionPlan.objects.select_related("provider", "borough", "opened_by")
    return _monitored(actor, qs, opened_by_borough=True)


def may_act_on_visit(actor, visit):
    return is_monitor(actor) and visits_visible_to(actor).filter(pk=visit.pk).exists()


def may_act_on_plan(actor, plan):
    if not is_monitor(actor) or consortium_of(actor) is None:
        return False
    if plan.consortium_id != consortium_of(actor).pk:
        return False
    return actor.is_consortium_admin or plan.borough_id == actor.organisation.pk


def _get(qs, pk):
    try:
        return qs.get(pk=pk)
    except (qs.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def get_visit_for_actor(actor, pk, *, write=False):
    """The visit, or 404 (one the actor may not read); 403 to a reader who may not act."""
    visit = _get(visits_visible_to(actor), pk)
    if write and not may_act_on_visit(actor, visit):
        raise PermissionDenied("Only commissioners and the consortium admin record visits.")
    return visit


def get_plan_for_actor(actor, pk, *, write=False):
    """The plan, or 404 (one the actor may not read); 403 to a reader who may not act."""
    plan = _get(plans_visible_to(actor), pk)
    if write and not may_act_on_plan(actor, plan):
        raise PermissionDenied(
            "Only the borough that opened the plan and the consortium admin change it."
        )
    return plan
