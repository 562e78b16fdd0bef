"""Rows written straight to the tables in batches: COPY on PostgreSQL, executemany elsewhere.

The generator gives each row its primary key itself (from the table's highest id), so rows can
point at each other without a round trip; the sequences are moved past them at the end. Each
table keeps at most `batch` rows in memory, so memory stays flat however many rows go in.
When one table's batch is full every table is written, in the order they were first used
(parents first), so a foreign key never points at a row not yet written."""

import json
import time

from django.core.management.color import no_style
from django.db import connection, models

MISSING = object()


class Table:
    """One model's table: its columns in order, their defaults, and the rows not yet written."""

    def __init__(self, loader, model):
        self.loader = loader
        self.model = model
        self.name = model._meta.db_table
        fields = model._meta.concrete_fields
        self.fields = fields
        self.columns = [f.column for f in fields]
        self.index = {f.attname: i for i, f in enumerate(fields)}
        self.json = {i for i, f in enumerate(fields) if isinstance(f, models.JSONField)}
        self.defaults = [self._default(f) for f in fields]
        self.rows = []
        self.written = 0
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT MAX({connection.ops.quote_name('id')}) FROM {self.name}")  # noqa: S608
            self.next_id = (cursor.fetchone()[0] or 0) + 1
        self.checked = False

    def _default(self, field):
        if field.primary_key:
            return MISSING
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            return self.loader.now
        if field.has_default():
            return field.get_default()
        if field.null:
            return None
        if field.empty_strings_allowed and isinstance(
            field, (models.CharField, models.TextField, models.FileField)
        ):
            return ""
        return MISSING

    def new_id(self):
        pk = self.next_id
        self.next_id += 1
        return pk

    def add(self, **values):
        """Queue one row; returns its id. JSON fields take Python values (a dict or list
        given is not to be changed after)."""
        row = self.defaults.copy()
        pk = values.pop("id", None) or self.new_id()
        row[0] = pk
        index = self.index
        for name, value in values.items():
            row[index[name]] = value
        if not self.checked:
            missing = [self.columns[i] for i, v in enumerate(row) if v is MISSING]
            if missing:
                raise ValueError(f"{self.name}: no value for {', '.join(missing)}")
            self.checked = True
        self.rows.append(row)
        if len(self.rows) >= self.loader.batch:
            self.loader.flush()
        return pk

    def flush(self):
        if not self.rows:
            return
        rows, self.rows = self.rows, []
        self.loader.write(self, rows)
        self.written += len(rows)


class Loader:
    def __init__(self, *, now, batch=20_000):
        self.now = now
        self.batch = batch
        self.tables = {}
        self.postgres = connection.vendor == "postgresql"
        self.seconds_writing = 0.0

    def __getitem__(self, model):
        table = self.tables.get(model)
        if table is None:
            table = self.tables[model] = Table(self, model)
        return table

    @property
    def rows_written(self):
        return sum(t.written + len(t.rows) for t in self.tables.values())

    def write(self, table, rows):
        start = time.monotonic()
        columns = ", ".join(connection.ops.quote_name(c) for c in table.columns)
        with connection.cursor() as cursor:
            if self.postgres:
                json_columns = table.json
                with cursor.cursor.copy(f"COPY {table.name} ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        for i in json_columns:
                            if row[i] is not None:
                                row[i] = json.dumps(row[i])
                        copy.write_row(row)
            else:
                # Elsewhere (SQLite, for the tests) each value goes through its field.
                fields = table.fields
                prepared = [
                    [f.get_db_prep_save(v, connection) for f, v in zip(fields, row, strict=True)]
                    for row in rows
                ]
                marks = ", ".join(["%s"] * len(table.columns))
                cursor.executemany(
                    f"INSERT INTO {table.name} ({columns}) VALUES ({marks})",  # noqa: S608
                    prepared,
                )
        self.seconds_writing += time.monotonic() - start

    def flush(self):
        for table in self.tables.values():
            table.flush()

    def finish(self):
        """Write what is left, move the sequences past the ids given, refresh the planner's
        statistics."""
        self.flush()
        statements = connection.ops.sequence_reset_sql(
            no_style(), [t.model for t in self.tables.values()]
        )
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
            if self.postgres:
                for table in self.tables.values():
                    cursor.execute(f"ANALYZE {table.name}")
