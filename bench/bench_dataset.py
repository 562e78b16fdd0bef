"""The data set every other benchmark reads: loaded by `manage.py seed_scale` into the database
DATABASE_URL names, or reused when a finished load of the same scale and years, made with the
same migrations, is there. Any other database (a load that did not finish, or one made with
other migrations) is dropped and loaded again. The figures are the load's own: its time and its
peak memory, measured when it ran."""

import subprocess
import sys

import psycopg
from django.conf import settings
from django.core.management import call_command
from django.db import DatabaseError, connection, connections

from bench.harness import Result
from scale.management.commands.seed_scale import loaded

LOAD_TARGET_S = 600  # one year, national, on 2 cores
MEMORY_TARGET_MB = 1024


def _maintenance(sql):
    db = settings.DATABASES["default"]
    with psycopg.connect(
        host=db.get("HOST") or None,
        port=db.get("PORT") or None,
        user=db.get("USER") or None,
        password=db.get("PASSWORD") or None,
        dbname="postgres",
        autocommit=True,
    ) as conn:
        cursor = conn.execute(sql)
        return cursor.fetchall() if cursor.description else None


def _fresh_database():
    """Drop the benchmark database and create it empty."""
    name = settings.DATABASES["default"]["NAME"]
    connections.close_all()
    quoted = '"' + name.replace('"', '""') + '"'
    _maintenance(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)")
    _maintenance(f"CREATE DATABASE {quoted}")


def _exists():
    name = settings.DATABASES["default"]["NAME"]
    return bool(_maintenance(f"SELECT 1 FROM pg_database WHERE datname = '{name}'"))  # noqa: S608


def ensure(ctx):
    """The marker of a finished load of ctx's scale and years, loading it first if needed."""
    if connection.vendor != "postgresql":
        raise RuntimeError("The benchmarks need PostgreSQL: set DATABASE_URL.")
    if _exists():
        # Asked before migrating: a load made with these very migrations needs none, and one
        # made with others (an edited migration) may not even migrate.
        try:
            marker = loaded(ctx.scale, ctx.years)
        except DatabaseError:
            marker = None
        if marker:
            return marker, True
        print(
            "   the database holds an unfinished load, another scale or one made with other "
            "migrations: starting again",
            flush=True,
        )
    _fresh_database()
    call_command("migrate", verbosity=0)
    return _load(ctx), False


def _load(ctx):
    connections.close_all()
    command = [sys.executable, "manage.py", "seed_scale", "--scale", ctx.scale]
    subprocess.run([*command, "--years", str(ctx.years)], cwd=ctx.root, check=True)
    return loaded(ctx.scale, ctx.years)


def run(ctx):
    marker, reused = ensure(ctx)
    ctx.dataset = marker.detail
    detail = marker.detail
    note = "reused; measured when it was loaded" if reused else "loaded now"
    per_year = detail["seconds"] / detail["years"]
    timed = ctx.scale == "national"
    return [
        Result(
            name=f"seed_scale {detail['scale']}: {detail['rows']:,} rows, per year",
            unit="s",
            median=per_year,
            target=f"< {LOAD_TARGET_S} s" if timed else "",
            passed=per_year < LOAD_TARGET_S if timed else None,
            note=note,
            runs=1,
        ),
        Result(
            name="seed_scale peak memory",
            unit="MB",
            median=detail["peak_rss_mb"],
            target=f"< {MEMORY_TARGET_MB} MB",
            passed=detail["peak_rss_mb"] < MEMORY_TARGET_MB,
            note=note,
            runs=1,
        ),
    ]
