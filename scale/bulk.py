"""PostgreSQL's advice for populating a database: load the rows first, build the indexes and
check the foreign keys after. Index maintenance and per-row foreign key triggers cost more than
the COPY itself; one index build and one check per key at the end cost a fraction of that.

`deferred_constraints(tables)` sets aside the tables' secondary indexes, unique and foreign key
constraints, and puts every one back when the block ends, even after an error (re-adding a
constraint checks every row, so the data loaded is proved to satisfy it)."""

from contextlib import contextmanager

from django.db import connection

CONSTRAINTS = """
    SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), contype
    FROM pg_constraint WHERE conrelid = ANY(%s::regclass[]) AND contype IN ('f', 'u')
    ORDER BY contype DESC, conname
"""
# Indexes of their own: not the primary key, nor behind a unique constraint.
INDEXES = """
    SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
    FROM pg_index i
    WHERE i.indrelid = ANY(%s::regclass[])
      AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
    ORDER BY 1
"""


def _quote(name):
    return connection.ops.quote_name(name)


@contextmanager
def deferred_constraints(tables, report=print):
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(CONSTRAINTS, [list(tables)])
        constraints = cursor.fetchall()  # foreign keys first ('f' > 'u')
        cursor.execute(INDEXES, [list(tables)])
        indexes = cursor.fetchall()
        for table, name, _definition, _kind in constraints:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {_quote(name)}")
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {name}")
    try:
        yield
    finally:
        report(f"  building {len(indexes)} indexes, checking {len(constraints)} constraints")
        with connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem TO '256MB'")
            for _name, definition in indexes:
                cursor.execute(definition)
            for table, name, definition, _kind in reversed(constraints):  # unique ones first
                cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {_quote(name)} {definition}")
