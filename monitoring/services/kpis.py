"""The KPI engine: runs that compute every KPI into KpiSnapshot rows, the thresholds that give
each snapshot its RAG, and the emails a new breach sends.

A run computes each KPI in turn (one step each, so its page shows progress), each in its own
transaction: one aggregation query per KPI, scope and period kind (see monitoring.kpis), then
an upsert of the snapshots by their unique key, and the removal of the run's KPI's snapshots
that no longer have data. A period with no data (no value) gets no snapshot: most scopes have
none in most periods, and a page shows a missing snapshot as "no data". Running it twice gives
the same snapshots.

A breach: a borough- or provider-scope snapshot of the latest complete headline period (the
quarter, or the year for yearly KPIs) that is red now and was not red before the run. It emails
the commissioners of the borough (for a provider, of every borough of the consortium with a
placement at it), once each (the email's dedupe key).
"""

import logging
from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from dps.models import Membership, Organisation, Role, User
from dps.services import DomainError
from dps.services.audit import audit_record
from dps.services.emails import email_queue_template
from dps.tenancy import Actor
from placements.models import Placement

from ..kpis import KPIS, Kpi
from ..kpis.periods import Period, latest_complete, periods
from ..models import KpiRun, KpiSnapshot, KpiThreshold, Rag
from ..models.kpis import KPI_RUN_STATES
from ..selectors.kpis import kpi_data_since
from .kpi_store import store_for

log = logging.getLogger(__name__)
BREACH_SCOPES = (KpiSnapshot.Scope.BOROUGH, KpiSnapshot.Scope.PROVIDER)


# --- RAG ----------------------------------------------------------------------------------


def rag_of(kpi: Kpi, value: Decimal | None, threshold: tuple[Decimal, Decimal] | None) -> str:
    """Red, amber or green for a value against (amber_at, red_at), by the KPI's direction:
    higher is better: red at or below red_at, amber at or below amber_at; lower is better:
    red at or above red_at, amber at or above amber_at. No value, no threshold or a KPI with
    no direction: no RAG ("")."""
    if value is None or threshold is None or kpi.higher_is_better is None:
        return ""
    amber_at, red_at = threshold
    if kpi.higher_is_better:
        return Rag.RED if value <= red_at else Rag.AMBER if value <= amber_at else Rag.GREEN
    return Rag.RED if value >= red_at else Rag.AMBER if value >= amber_at else Rag.GREEN


def thresholds_of(
    consortium_ids: Iterable[int] | None = None,
) -> dict[tuple[int, str], tuple[Decimal, Decimal]]:
    rows = KpiThreshold.objects.all()
    if consortium_ids is not None:
        rows = rows.filter(consortium_id__in=consortium_ids)
    return {
        (t.consortium_id, t.kpi): (t.amber_at, t.red_at)
        for t in rows.only("consortium_id", "kpi", "amber_at", "red_at")
    }


def kpi_threshold_set(
    *, actor: Actor | None, kpi: str, amber_at: Decimal | int | str, red_at: Decimal | int | str
) -> KpiThreshold:
    """Set where a KPI turns amber and red for the admin's consortium; the RAG of its existing
    snapshots follows at once (and new breaches are found at the next run)."""
    if actor is None or not actor.is_consortium_admin:
        raise DomainError("Only a consortium admin can set KPI thresholds.")
    definition = KPIS.get(kpi)
    if definition is None:
        raise DomainError("Choose a KPI.", field="kpi")
    if definition.higher_is_better is None:
        raise DomainError("This KPI has no better direction, so it has no RAG.", field="kpi")
    amber_at, red_at = Decimal(amber_at), Decimal(red_at)
    if definition.higher_is_better and red_at > amber_at:
        raise DomainError("Higher is better: red must be at or below amber.", field="red_at")
    if not definition.higher_is_better and red_at < amber_at:
        raise DomainError("Lower is better: red must be at or above amber.", field="red_at")
    consortium = actor.organisation
    with transaction.atomic():
        threshold, created = KpiThreshold.objects.select_for_update().get_or_create(
            consortium=consortium,
            kpi=kpi,
            defaults={"amber_at": amber_at, "red_at": red_at, "updated_by": actor.user},
        )
        old = (
            None
            if created
            else {"amber_at": str(threshold.amber_at), "red_at": str(threshold.red_at)}
        )
        threshold.amber_at, threshold.red_at, threshold.updated_by = amber_at, red_at, actor.user
        threshold.full_clean()
        threshold.save()
        _rag_refresh(definition, consortium.pk, (amber_at, red_at))
        audit_record(
            actor=actor,
            action="kpi_threshold.set",
            obj=threshold,
            detail={
                "kpi": kpi,
                "from": old,
                "to": {"amber_at": str(amber_at), "red_at": str(red_at)},
            },
        )
    return threshold


def _rag_refresh(kpi, consortium_id, threshold):
    """Set the RAG of the KPI's snapshots of the consortium, in the database."""
    snapshots = KpiSnapshot.objects.filter(kpi=kpi.code, consortium_id=consortium_id)
    amber_at, red_at = threshold
    if kpi.higher_is_better:
        red, amber = Q(value__lte=red_at), Q(value__lte=amber_at)
    else:
        red, amber = Q(value__gte=red_at), Q(value__gte=amber_at)
    snapshots.filter(value__isnull=True).update(rag="")
    snapshots.filter(red).update(rag=Rag.RED)
    snapshots.filter(amber & ~red).update(rag=Rag.AMBER)
    snapshots.filter(value__isnull=False).exclude(amber | red).update(rag=Rag.GREEN)


# --- Runs ---------------------------------------------------------------------------------


def kpi_recompute(
    *, consortium: Organisation | None = None, trigger: str, requested_by: User | None = None
) -> KpiRun:
    """Create a run (of one consortium, or of all) and hand it to a worker once committed."""
    run = KpiRun.objects.create(
        consortium=consortium,
        trigger=trigger[:40],
        requested_by=requested_by,
        total_steps=len(KPIS),
    )
    transaction.on_commit(lambda: enqueue_run(run.pk))
    return run


def kpi_recompute_request(*, actor: Actor | None) -> KpiRun:
    """The consortium admin's "Recompute now": a run of their consortium."""
    if actor is None or not actor.is_consortium_admin:
        raise DomainError("Only a consortium admin can recompute the KPIs.")
    with transaction.atomic():
        run = kpi_recompute(
            consortium=actor.organisation, trigger="on demand", requested_by=actor.user
        )
        audit_record(actor=actor, action="kpi_run.requested", obj=run)
    return run


def enqueue_run(run_id: int) -> None:
    """A broker that is down is not an error: the nightly run recomputes everything."""
    from ..tasks import kpis_recompute

    try:
        kpis_recompute.apply_async((run_id,), retry=False)
    except Exception:
        log.warning("Could not queue KPI run %s; the nightly run will recompute.", run_id)


def kpi_run_execute(
    run: KpiRun,
    *,
    today: date | None = None,
    on_step: Callable[[int, int], object] | None = None,
) -> KpiRun:
    """Compute every KPI for the run, one step each; `on_step(done, snapshots written)` is
    told after each. Returns the run."""
    today = today or timezone.localdate()
    KPI_RUN_STATES.move_if(
        run,
        KpiRun.Status.RUNNING,
        fields={"started_at": timezone.now(), "total_steps": len(KPIS), "done_steps": 0},
    )
    written = 0
    try:
        # Once for the run: every KPI covers the same return years.
        since = kpi_data_since(consortium_id=run.consortium_id)
        for done, kpi in enumerate(KPIS.values(), start=1):
            with transaction.atomic():
                _for_aggregation()
                written += kpi_snapshots_compute(kpi, run=run, today=today, since=since)
            KpiRun.objects.filter(pk=run.pk).update(done_steps=done, snapshots_written=written)
            if on_step:
                on_step(done, written)
    except Exception as exc:
        log.exception("KPI run %s failed", run.pk)
        KPI_RUN_STATES.move_if(
            run,
            KpiRun.Status.FAILED,
            fields={"finished_at": timezone.now(), "error": str(exc)[:2000]},
        )
        raise
    KPI_RUN_STATES.move_if(run, KpiRun.Status.DONE, fields={"finished_at": timezone.now()})
    run.refresh_from_db()
    return run


# How PostgreSQL runs the KPIs' aggregations over every placement, bid and invitation, for a
# step's transaction only:
# - jit off: compiling a query it costs as expensive takes longer than it saves here, up to a
#   second per query;
# - more work_mem: the joins of a million bids and the groupings are hashed in memory instead
#   of in batches and sorts on disk (about a tenth off the heaviest KPIs). One step runs at a
#   time, so this is the most a run holds per query node.
AGGREGATION_SETTINGS = ("SET LOCAL jit = off", "SET LOCAL work_mem = '64MB'")


def _for_aggregation():
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for statement in AGGREGATION_SETTINGS:
                cursor.execute(statement)


def kpi_periods(kpi: Kpi, today: date, since: date | None) -> list[Period]:
    """The periods a run computes the KPI for, every kind at once: each kind's periods from
    the return year containing `since` (the earliest date of data, see kpi_data_since), or
    KPI_PERIODS' counts if that is more, up to the one containing today."""
    return [period for kind in kpi.periods for period in periods(kind, today, since=since)]


def kpi_snapshots_compute(kpi: Kpi, *, run: KpiRun, today: date, since: date | None = None) -> int:
    """Compute one KPI for every scope and period kind it has (the periods of kpi_periods;
    `since` None: the counts of KPI_PERIODS only), store the snapshots (see
    kpi_store: on PostgreSQL only new and changed ones are written, so `computed_at` and `run`
    are when and by which run the snapshot's current value was computed), remove those whose
    data is gone, email the new breaches. Returns the number of snapshots computed."""
    now = timezone.now()
    consortium_id = run.consortium_id
    headline = latest_complete(kpi.headline_period, today)
    red_before = set(
        _headline_snapshots(kpi, headline, consortium_id)
        .filter(rag=Rag.RED)
        .values_list("consortium_id", "scope", "scope_id")
    )
    thresholds = thresholds_of(None if consortium_id is None else [consortium_id])
    # Every period kind at once: one query per scope (or per scopes computed together) reads
    # the rows once for months, quarters and years alike. Each scope's snapshots are stored
    # before the next is computed, so memory holds one scope's at a time.
    listed = kpi_periods(kpi, today, since)
    earliest: dict[str, date] = {}
    for period in listed:
        earliest.setdefault(period.kind, period.start)
    written = 0
    with transaction.atomic():
        store = store_for(kpi.code, run=run, now=now, windows=earliest)
        for scope, computed in kpi.computed(listed, today):
            rows = _snapshot_rows(kpi, scope, computed, listed, consortium_id, thresholds, today)
            store.write(rows)
            written += len(rows)
        # What had data before and has none now goes.
        store.finish()
    for snapshot in _headline_snapshots(kpi, headline, consortium_id).filter(rag=Rag.RED):
        if (snapshot.consortium_id, snapshot.scope, snapshot.scope_id) not in red_before:
            breach_notify(snapshot, kpi)
    return written


def _snapshot_rows(kpi, scope, computed, listed, consortium_id, thresholds, today):
    """One scope's snapshots as tuples in kpi_store.STAGED order (of the run's consortium
    only, if it has one), with the KPI's value, its RAG by the consortium's threshold and the
    last day it counts (the period's end, or today while the period runs). Periods without a
    value are left out."""
    rows = []
    for row in computed:
        if consortium_id is not None and row.consortium_id != consortium_id:
            continue
        value = kpi.value_of(row.numerator, row.denominator)
        if value is None:
            continue
        period = listed[row.index]
        rag = rag_of(kpi, value, thresholds.get((row.consortium_id, kpi.code)))
        rows.append(
            (
                row.consortium_id,
                scope,
                row.scope_id,
                period.kind,
                period.start,
                period.end,
                period.upto(today),
                value,
                row.numerator,
                row.denominator,
                rag,
            )
        )
    return rows


def _headline_snapshots(kpi, period, consortium_id):
    snapshots = KpiSnapshot.objects.filter(
        kpi=kpi.code, scope__in=BREACH_SCOPES, period=period.kind, period_start=period.start
    )
    if consortium_id is not None:
        snapshots = snapshots.filter(consortium_id=consortium_id)
    return snapshots


# --- Breaches -----------------------------------------------------------------------------


def breach_boroughs(snapshot: KpiSnapshot) -> QuerySet[Organisation]:
    """The boroughs told of a breach: the borough itself; for a provider, each borough of the
    consortium with a placement at the provider."""
    if snapshot.scope == KpiSnapshot.Scope.BOROUGH:
        return Organisation.objects.filter(pk=snapshot.scope_id, consortium=snapshot.consortium_id)
    return Organisation.objects.filter(
        consortium=snapshot.consortium_id,
        pk__in=Placement.objects.filter(provider=snapshot.scope_id).values("borough"),
    )


def breach_notify(snapshot: KpiSnapshot, kpi: Kpi) -> None:
    boroughs = {b.pk: b for b in breach_boroughs(snapshot)}
    scope_name = (
        Organisation.objects.filter(pk=snapshot.scope_id).values_list("name", flat=True).first()
        or ""
    )
    commissioners = Membership.objects.filter(
        organisation__in=boroughs, role=Role.COMMISSIONER, is_active=True, user__is_active=True
    ).select_related("user", "organisation")
    for membership in commissioners:
        email_queue_template(
            to=membership.user.email,
            template="emails/kpi_breach",
            context={
                "recipient": membership.user,
                "kpi": kpi,
                "snapshot": snapshot,
                "scope_name": scope_name,
                "borough": membership.organisation,
            },
            organisation=membership.organisation,
            dedupe_key=(
                f"kpi-breach:{snapshot.kpi}:{snapshot.scope}:{snapshot.scope_id}:"
                f"{snapshot.period}:{snapshot.period_start}:{membership.user_id}"
            ),
        )
