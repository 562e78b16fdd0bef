"""Where one KPI's computed snapshots are stored: new ones inserted, changed ones updated by
their unique key, and the KPI's snapshots in the computed window that this computation did not
produce (their data is gone) removed.

Rows come in as plain tuples in the order of STAGED, one scope at a time: a national run
computes millions of snapshots, too many to build model instances for.

- PostgreSQL (`StagedStore`): the rows are COPied into a temporary table, the stored snapshots
  of the window are compared with it in one join, and only the difference is written. An
  unchanged snapshot is not rewritten, so it keeps the run and the time of the computation
  that last changed it: `computed_at` is when its current value was computed (it has been
  recomputed every run since, with the same result).
- Other databases (`OrmStore`, SQLite for the tests): bulk_create with update_conflicts, then
  the removal of what this run did not write; every snapshot gets the run and its time.

Both leave the same snapshots (key, period end, the day counted to, values, RAG) behind. A
running period's snapshot changes each day (its `counted_to` moves on) even if its figures do
not.
"""

from collections.abc import Iterable
from datetime import date, datetime

from django.db import connection
from django.db.models import SET_NULL, Q

from ..models import KpiRun, KpiSnapshot

STAGED = (
    "consortium_id",
    "scope",
    "scope_id",
    "period",
    "period_start",
    "period_end",
    "counted_to",
    "value",
    "numerator",
    "denominator",
    "rag",
)
KEY = ("consortium_id", "scope", "scope_id", "period", "period_start")
CHANGING = ("period_end", "counted_to", "value", "numerator", "denominator", "rag")
STAGE = "kpi_snapshot_stage"
DIFF = "kpi_snapshot_diff"

# The SQL of StagedStore. The names filled in are fixed (the model's table and columns,
# STAGED, KEY, CHANGING); every value goes as a parameter.
CREATE_STAGE = (
    "CREATE TEMP TABLE {stage} ON COMMIT DROP AS SELECT {staged} FROM {table} WITH NO DATA"
)
COPY_STAGE = "COPY {stage} ({staged}) FROM STDIN"
# The difference: staged only (id null: new), stored only (scope null: gone), or both with
# another value (changed).
CREATE_DIFF = """
CREATE TEMP TABLE {diff} ON COMMIT DROP AS
WITH stored AS (
    SELECT id, {staged} FROM {table} WHERE kpi = %(kpi)s{of_consortium} AND ({window})
)
SELECT s.id, {staged_t} FROM stored s FULL JOIN {stage} t ON {key_matches}
WHERE s.id IS NULL OR t.scope IS NULL OR ({changing_s}) IS DISTINCT FROM ({changing_t})
"""
WRITE_DIFF = """
WITH changed AS (
    UPDATE {table} s SET {changing_set}, run_id = %(run)s, computed_at = %(now)s
    FROM {diff} d WHERE s.id = d.id AND d.id IS NOT NULL AND d.scope IS NOT NULL
),
added AS (
    INSERT INTO {table} (kpi, {staged}, run_id, computed_at)
    SELECT %(kpi)s, {staged}, %(run)s, %(now)s FROM {diff} WHERE id IS NULL
    -- Inserted meanwhile by another run: the later computation wins, as with bulk_create.
    ON CONFLICT (kpi, {key}) DO UPDATE SET {changing_excluded},
        run_id = EXCLUDED.run_id, computed_at = EXCLUDED.computed_at
),
gone AS (
    DELETE FROM {table} s USING {diff} d
    WHERE s.id = d.id AND d.id IS NOT NULL AND d.scope IS NULL RETURNING s.id
){unlinks}
SELECT count(*) FROM gone
"""
UNLINK = (
    ", unlink{i} AS (UPDATE {table} SET {column} = NULL WHERE {column} IN (SELECT id FROM gone))"
)


def store_for(
    kpi_code: str, *, run: KpiRun, now: datetime, windows: dict[str, date]
) -> "OrmStore | StagedStore":
    """The store of this database. `windows`: {period kind: earliest computed start}; older
    snapshots are out of the computation's reach and are kept."""
    cls = StagedStore if connection.vendor == "postgresql" else OrmStore
    return cls(kpi_code, run=run, now=now, windows=windows)


class OrmStore:
    """bulk_create by scope, then the removal of the KPI's snapshots that the run did not
    write: every snapshot it computed carries the run."""

    def __init__(self, kpi_code, *, run, now, windows):
        self.kpi_code, self.run, self.now, self.windows = kpi_code, run, now, windows

    def write(self, rows: Iterable[tuple]) -> None:
        KpiSnapshot.objects.bulk_create(
            [
                KpiSnapshot(
                    kpi=self.kpi_code,
                    run=self.run,
                    computed_at=self.now,
                    **dict(zip(STAGED, row, strict=True)),
                )
                for row in rows
            ],
            update_conflicts=True,
            unique_fields=["kpi", *KEY],
            update_fields=[*CHANGING, "run", "computed_at"],
            batch_size=2000,
        )

    def finish(self) -> None:
        stale = KpiSnapshot.objects.filter(kpi=self.kpi_code).exclude(run=self.run)
        if self.run.consortium_id is not None:
            stale = stale.filter(consortium_id=self.run.consortium_id)
        window = [Q(period=kind, period_start__gte=start) for kind, start in self.windows.items()]
        stale.filter(Q(*window, _connector=Q.OR)).delete()


class StagedStore:
    """COPY into a temporary stage, then write only the difference between the stored
    snapshots and the stage: one hash join compares millions of rows far faster than row by
    row statements (or than an ON CONFLICT probe of the unique index for each staged row), and
    an unchanged snapshot is neither rewritten nor locked. Runs inside a transaction: the
    temporary tables are dropped at commit if `finish` is never reached."""

    def __init__(self, kpi_code, *, run, now, windows):
        self.kpi_code, self.run, self.now, self.windows = kpi_code, run, now, windows
        self.names = {
            "stage": STAGE,
            "diff": DIFF,
            "table": connection.ops.quote_name(KpiSnapshot._meta.db_table),
            "staged": ", ".join(STAGED),
        }
        with connection.cursor() as cursor:
            cursor.execute(CREATE_STAGE.format(**self.names))

    def write(self, rows: Iterable[tuple]) -> None:
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(COPY_STAGE.format(**self.names)) as copy,
        ):
            for row in rows:
                copy.write_row(row)

    def finish(self) -> None:
        """Write the new and changed snapshots, remove the gone ones (unlinking what points at
        them, as the ORM's SET_NULL would), drop the temporary tables. The difference gets a
        table of its own, analysed, so that the planner sees how few rows it usually has and
        writes them by id instead of scanning every snapshot."""
        names = {**self.names, **self._sql_names()}
        params = self._params()
        with connection.cursor() as cursor:
            # The step's work_mem (services.kpis) hashes a KPI's snapshots in memory.
            cursor.execute(CREATE_DIFF.format(**names), params)
            cursor.execute(f"ANALYZE {DIFF}")
            cursor.execute(WRITE_DIFF.format(**names), params)
            cursor.execute(f"DROP TABLE {DIFF}, {STAGE}")

    def _sql_names(self):
        """The stored snapshots this computation covers are the KPI's, of the run's consortium
        if it has one, from the earliest computed start of each period kind on."""
        window = " OR ".join(
            f"(period = %(kind{i})s AND period_start >= %(start{i})s)"
            for i in range(len(self.windows))
        )
        of_consortium = (
            "" if self.run.consortium_id is None else " AND consortium_id = %(consortium)s"
        )
        unlinks = "".join(
            UNLINK.format(i=i, table=table, column=column)
            for i, (table, column) in enumerate(_pointing_at_snapshots())
        )
        return {
            "of_consortium": of_consortium,
            "window": window,
            "staged_t": ", ".join(f"t.{c}" for c in STAGED),
            "key_matches": " AND ".join(f"t.{c} = s.{c}" for c in KEY),
            "changing_s": ", ".join(f"s.{c}" for c in CHANGING),
            "changing_t": ", ".join(f"t.{c}" for c in CHANGING),
            "changing_set": ", ".join(f"{c} = d.{c}" for c in CHANGING),
            "key": ", ".join(KEY),
            "changing_excluded": ", ".join(f"{c} = EXCLUDED.{c}" for c in CHANGING),
            "unlinks": unlinks,
        }

    def _params(self):
        params = {"kpi": self.kpi_code, "consortium": self.run.consortium_id}
        params.update({"run": self.run.pk, "now": self.now})
        for i, (kind, start) in enumerate(self.windows.items()):
            params.update({f"kind{i}": kind, f"start{i}": start})
        return params


def _pointing_at_snapshots():
    """(table, column) of every foreign key to a snapshot; each must be SET_NULL, the only
    on_delete the set-based removal reproduces."""
    pointing = []
    # With the hidden ones (related_name="+"), as the ORM's deletion finds them.
    for relation in KpiSnapshot._meta.get_fields(include_hidden=True):
        reverse = relation.auto_created and not relation.concrete
        if not (reverse and (relation.one_to_many or relation.one_to_one)):
            continue
        field = relation.field
        if field.remote_field.on_delete is not SET_NULL:
            raise NotImplementedError(f"{field} does not SET_NULL; teach StagedStore its rule.")
        table = connection.ops.quote_name(field.model._meta.db_table)
        pointing.append((table, connection.ops.quote_name(field.column)))
    return pointing
