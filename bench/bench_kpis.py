"""Every KPI snapshot recomputed for every borough, provider and period: `manage.py
recompute_kpis` (the nightly run's code) in its own process, its peak memory watched. The
lower bound is the database's share alone: the aggregation queries the engine sends, replayed
as they are with a cursor, without building or storing a snapshot."""

import subprocess
import sys
import time

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bench.harness import Result, peak_rss_mb, summary
from monitoring.kpis import KPIS
from monitoring.models import KpiRun, KpiSnapshot
from monitoring.selectors.kpis import kpi_data_since
from monitoring.services.kpis import AGGREGATION_SETTINGS, kpi_periods

TARGET_S = 60
TARGET_RATIO = 3
MEMORY_TARGET_MB = 1024


def _engine_run(ctx):
    """One run of the command; returns (seconds the run took, the process's peak RSS)."""
    log = open(ctx.out / "recompute_kpis.log", "ab")  # noqa: SIM115 - held while it runs
    with log:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "recompute_kpis"], cwd=ctx.root, stdout=log, stderr=log
        )
        peak = 0.0
        while process.poll() is None:
            try:
                peak = max(peak, peak_rss_mb(process.pid) or 0)
            except FileNotFoundError:
                break
            time.sleep(0.1)
    if process.wait() != 0:
        raise RuntimeError(f"recompute_kpis failed: see {ctx.out / 'recompute_kpis.log'}")
    run = KpiRun.objects.filter(trigger="command").order_by("-pk").first()
    return (run.finished_at - run.started_at).total_seconds(), peak


def _aggregation_queries():
    """The SQL of every aggregation the engine makes (captured by making them once)."""
    today = timezone.localdate()
    since = kpi_data_since()
    with CaptureQueriesContext(connection) as captured:
        for kpi in KPIS.values():
            # As the engine asks: every period kind at once (the return years the data
            # covers), by scope (or scopes together).
            listed = kpi_periods(kpi, today, since)
            for _computed in kpi.computed(listed, today):
                pass
    return [q["sql"] for q in captured.captured_queries]


def _replay(queries):
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in AGGREGATION_SETTINGS:  # as the engine runs them
            cursor.execute(statement)
        start = time.perf_counter()
        for sql in queries:
            cursor.execute(sql)
            cursor.fetchall()
        return time.perf_counter() - start


def run(ctx):
    # The nightly run recomputes snapshots that are there. On a fresh data set the first run
    # writes every one; it is reported on its own line, not timed against the target.
    first = [] if KpiSnapshot.objects.exists() else [_engine_run(ctx)]
    runs = [_engine_run(ctx) for _ in range(ctx.repeat(2, 1))]
    seconds = [s for s, _ in runs]
    peak = max(p for _, p in runs + first)
    queries = _aggregation_queries()
    bounds = [_replay(queries)]
    median, p95 = summary(seconds)
    bound = summary(bounds)[0]
    snapshots = KpiSnapshot.objects.count()
    return [
        Result(
            name=f"every KPI snapshot recomputed ({snapshots:,} snapshots, {len(KPIS)} KPIs)",
            unit="s",
            median=median,
            p95=p95,
            target=f"< {TARGET_S} s, within {TARGET_RATIO}x of the bound",
            passed=median < TARGET_S and median < TARGET_RATIO * bound,
            bound=bound,
            note=f"bound: its {len(queries)} aggregation queries replayed alone",
            runs=len(seconds),
        ),
        *(
            Result(
                name="first KPI computation, into an empty snapshot table",
                unit="s",
                median=s,
                target="(reported)",
                note="every snapshot inserted; once per data set",
            )
            for s, _ in first
        ),
        Result(
            name="KPI job peak memory",
            unit="MB",
            median=peak,
            target=f"< {MEMORY_TARGET_MB} MB",
            passed=peak < MEMORY_TARGET_MB,
            runs=len(runs),
        ),
    ]
