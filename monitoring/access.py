"""Who may touch which of the monitoring app's tenant-owned objects, decided once here.

Each object addressed by its id has one helper, `get_<thing>_for_actor(actor, pk, *,
write=False)`: the object, or 404 for another tenant's object, a missing one or a malformed id
(the same answer, in pages and API alike); with `write`, 403 for a reader who may not change it.
Pages and API views call them rather than looking objects up themselves.

SSDA903 returns hold child-level data: only the borough's own commissioners and placement
officers see them. Another borough's return is the same 404 as one that does not exist; the
consortium admin, providers and API clients are refused (the consortium admin sees boroughs'
figures only in aggregate).

Monitoring visits, corrective action plans, a placement's life and the quarterly reports: see
the rules below."""

from typing import TypeGuard

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from dps.models import Organisation, Role
from dps.tenancy import Actor
from placements.models import Placement
from placements.selectors import placements_visible_to

from .models import (
    CorrectiveAction,
    CorrectiveActionPlan,
    KpiRun,
    MonitoringVisit,
    Report,
    Ssda903Return,
)
from .selectors.kpis import runs_visible_to
from .services.ssda903 import may_upload

SSDA903_ROLES = {"commissioner", "placement_officer"}


def _get(qs, pk):
    """One object of an already-scoped queryset: another tenant's, none, or a malformed id
    are the same 404."""
    try:
        return qs.get(pk=pk)
    except (qs.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


# --- SSDA903 returns ------------------------------------------------------------------------


def may_see_ssda903(actor: Actor | None) -> TypeGuard[Actor]:
    return (
        actor is not None
        and actor.is_borough
        and actor.api_client is None
        and actor.role in SSDA903_ROLES
    )


def ssda903_returns_visible_to(actor: Actor | None) -> QuerySet[Ssda903Return]:
    """The actor's borough's returns, newest first; none for anyone else."""
    if not may_see_ssda903(actor):
        return Ssda903Return.objects.none()
    return Ssda903Return.objects.filter(borough=actor.organisation).select_related("uploaded_by")


def get_ssda903_return_for_actor(
    actor: Actor | None, pk: object, *, write: bool = False
) -> Ssda903Return:
    """The return, or 404 (another borough's or none); 403 for a reader who may not write."""
    found = _get(ssda903_returns_visible_to(actor), pk)
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


def _monitors(actor: Actor | None) -> TypeGuard[Actor]:
    """Commissioners and the consortium admin, of a consortium."""
    return actor is not None and actor.is_commissioner_or_admin and actor.consortium is not None


def providers_placed_by(borough: Organisation) -> QuerySet:
    """The ids of the providers the borough has (or had) a placement with."""
    return Placement.objects.filter(borough=borough, provider__isnull=False).values("provider_id")


def monitored_by(actor: Actor | None, field: str = "provider_id") -> Q:
    """A filter over `field` (a provider) keeping the providers the actor monitors: every one
    for the consortium admin, those its borough places with for a commissioner."""
    if not _monitors(actor):
        return Q(pk__in=[])
    if actor.is_consortium_admin:
        return Q()
    return Q(**{f"{field}__in": providers_placed_by(actor.organisation)})


def may_monitor_provider(actor: Actor | None, provider: Organisation | None) -> bool:
    """The actor may open a plan about the provider or schedule a visit to it."""
    if provider is None or not _monitors(actor):
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
    if not _monitors(actor):
        return qs.none()
    readers = monitored_by(actor)
    if opened_by_borough and actor.is_borough:
        readers |= Q(borough=actor.organisation)
    return qs.filter(readers, consortium=actor.consortium)


def visits_visible_to(actor: Actor | None) -> QuerySet[MonitoringVisit]:
    qs = MonitoringVisit.objects.select_related("service", "provider", "recorded_by")
    return _monitored(actor, qs)


def plans_visible_to(actor: Actor | None) -> QuerySet[CorrectiveActionPlan]:
    qs = CorrectiveActionPlan.objects.select_related("provider", "borough", "opened_by")
    return _monitored(actor, qs, opened_by_borough=True)


def may_act_on_visit(actor: Actor | None, visit: MonitoringVisit) -> bool:
    return (
        actor is not None
        and actor.is_commissioner_or_admin
        and visits_visible_to(actor).filter(pk=visit.pk).exists()
    )


def may_act_on_plan(actor: Actor | None, plan: CorrectiveActionPlan) -> bool:
    if not _monitors(actor):
        return False
    consortium = actor.consortium
    if consortium is None or plan.consortium_id != consortium.pk:
        return False
    return actor.is_consortium_admin or plan.borough_id == actor.organisation.pk


def get_visit_for_actor(actor: Actor | None, pk: object, *, write: bool = False) -> MonitoringVisit:
    """The visit, or 404 (one the actor may not read); 403 to a reader who may not act."""
    visit = _get(visits_visible_to(actor), pk)
    if write and not may_act_on_visit(actor, visit):
        raise PermissionDenied("Only commissioners and the consortium admin record visits.")
    return visit


def get_plan_for_actor(
    actor: Actor | None, pk: object, *, write: bool = False
) -> CorrectiveActionPlan:
    """The plan, or 404 (one the actor may not read); 403 to a reader who may not act."""
    plan = _get(plans_visible_to(actor), pk)
    if write and not may_act_on_plan(actor, plan):
        raise PermissionDenied(
            "Only the borough that opened the plan and the consortium admin change it."
        )
    return plan


def get_plan_action_for_actor(
    actor: Actor | None, plan_pk: object, pk: object, *, write: bool = False
) -> CorrectiveAction:
    """An action of a plan (as `get_plan_for_actor` answers for the plan), or 404 for one
    that is not of this plan."""
    plan = get_plan_for_actor(actor, plan_pk, write=write)
    action = _get(CorrectiveAction.objects.filter(plan=plan), pk)
    action.plan = plan
    return action


# --- A placement's life (reviews, fee changes, the ending, spot purchases) -----------------
#
# The borough's placement officers (and its case systems with the write scope) record them on
# the borough's own placements; the borough and the provider read the placement's timeline.


def may_record(actor: Actor | None, placement: Placement | None = None) -> bool:
    """The borough's placement officers (and its case systems with the write scope), on the
    borough's own placement if one is given."""
    if actor is None or not actor.is_borough_writer:
        return False
    return placement is None or placement.borough_id == actor.organisation.pk


def get_placement_for_actor(actor: Actor | None, pk: object, *, write: bool = False) -> Placement:
    """The placement whose life the actor reads (the borough's or the provider's own), or 404;
    with `write`, 403 for anyone who may not record on it."""
    placement = _get(placements_visible_to(actor).select_related("bid", "child"), pk)
    if write and not may_record(actor, placement):
        raise PermissionDenied("Only the borough's placement officers can record this.")
    return placement


# --- Quarterly reports ----------------------------------------------------------------------
#
# Every figure of a report is an aggregate, so every commissioner of the consortium reads every
# report of it; the consortium admin reads them all and generates them; a provider reads its
# own provider reports. Commissioners and the consortium admin subscribe to the emails.


def reports_visible_to(actor: Actor | None) -> QuerySet[Report]:
    """The consortium admin sees all of its consortium's; a commissioner its consortium's (the
    consortium report and every provider report); a provider only its own provider reports."""
    reports = Report.objects.select_related("consortium", "provider")
    if actor is None:
        return reports.none()
    if actor.is_consortium_admin:
        return reports.filter(consortium=actor.organisation)
    if actor.is_borough and actor.role == Role.COMMISSIONER:
        return reports.filter(consortium_id=actor.organisation.consortium_id)
    if actor.is_provider and actor.api_client is None:
        return reports.filter(kind=Report.Kind.PROVIDER, provider=actor.organisation)
    return reports.none()


def may_subscribe(actor: Actor | None) -> TypeGuard[Actor]:
    return actor is not None and actor.is_commissioner_or_admin


def may_generate_reports(actor: Actor | None) -> bool:
    """The consortium admin (a person) generates its consortium's reports and tries again."""
    return actor is not None and actor.is_consortium_admin and actor.api_client is None


def get_report_for_actor(actor: Actor | None, pk: object, *, write: bool = False) -> Report:
    """The report, or 404 (one the actor may not read); with `write` (generating it again),
    403 for anyone but the consortium admin."""
    report = _get(reports_visible_to(actor), pk)
    if write and not may_generate_reports(actor):
        raise PermissionDenied("Only the consortium admin generates reports.")
    return report


# --- KPI runs -------------------------------------------------------------------------------


def get_kpi_run_for_actor(actor: Actor | None, pk: object, *, write: bool = False) -> KpiRun:
    """A KPI run of the consortium admin's consortium, or 404; with `write`, 403 for a
    read-only consortium admin (a run is never changed: a new one is asked for)."""
    run = _get(runs_visible_to(actor).select_related("requested_by"), pk)
    if write and (actor is None or not actor.is_consortium_writer):
        raise PermissionDenied
    return run
