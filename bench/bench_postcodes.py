"""The ONS Postcode Directory: loading it (`manage.py load_postcodes`: the packaged directory,
2.7 million postcodes, at national scale; the postcodes of a few letters at small scale), with
the loading process's peak memory, and looking places up in it: locate() of a postcode and
locate_district() of a district, p50 over postcodes and districts drawn from what was loaded.
Last, what looking places up costs a process: its memory after a thousand and more lookups
against before (the directory stays in the database, not in each process).

The load runs in a process of its own, so its memory is its own, inside a transaction that is
rolled back: the benchmark database keeps whatever directory it had."""

import gc
import json
import os
import subprocess
import sys
import time

from bench.harness import Result, ms_result, peak_rss_mb, rss_mb, timed

LOAD_TARGET_S = 120  # the whole directory, on 2 cores
MEMORY_TARGET_MB = 512  # the loading process's peak
LOOKUP_TARGET_MS = 5
PROCESS_COST_TARGET_MB = 5
SMALL_LETTERS = "EN"  # East and North London and around: about a tenth of the directory
LOOKUPS = 1000


def _child(ctx, *args):
    """Run this module's child part in a process of its own; its answer, as JSON."""
    completed = subprocess.run(
        [sys.executable, "-m", "bench.bench_postcodes", *args],
        cwd=ctx.root,
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "dps.settings.bench"},
    )
    return json.loads(completed.stdout.strip().splitlines()[-1])


def _sample(table, column, count, size):
    """About `size` values of a column, spread over the table (the same ones each run)."""
    from django.db import connection

    percent = min(100.0, 100.0 * size * 2 / max(count, 1))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {column} FROM {table} TABLESAMPLE BERNOULLI (%s) REPEATABLE (15) "  # noqa: S608
            "LIMIT %s",
            [percent, size],
        )
        return [row[0] for row in cursor.fetchall()]


def _load(letters):
    """Load the directory (or the letters given), time it and read the peak memory; then time
    lookups against what was loaded, and what they add to the process's memory; then roll it
    all back."""
    from django.db import transaction

    from geography.loading import load_postcodes
    from geography.models import District, Postcode
    from geography.selectors import locate, locate_district

    before = rss_mb()
    with transaction.atomic():
        started = time.perf_counter()
        dataset = load_postcodes(force=True, letters=letters or None)
        seconds = time.perf_counter() - started
        peak = peak_rss_mb()
        rows = dataset.rows if dataset else 0
        codes = _sample(Postcode._meta.db_table, "code", rows, 200)
        districts = _sample(District._meta.db_table, "code", District.objects.count(), 200)
        postcodes = iter(codes * 3)
        locate_ms = timed(lambda: locate(next(postcodes)), repeat=len(codes))
        found = iter(districts * 3)
        district_ms = timed(lambda: locate_district(next(found)), repeat=len(districts))
        located = sum(1 for code in codes if locate(code).grid)
        gc.collect()
        lookups_before = rss_mb()
        for _ in range(LOOKUPS // max(len(codes), 1) + 1):
            for code in codes:
                locate(code)
                locate_district(code[:-3])
        lookups_after = rss_mb()
        transaction.set_rollback(True)
    return {
        "rows": rows,
        "districts": len(districts),
        "seconds": seconds,
        "rss_before_mb": before,
        "peak_rss_mb": peak,
        "locate_ms": locate_ms,
        "district_ms": district_ms,
        "located": located,
        "sampled": len(codes),
        "lookups_before_mb": lookups_before,
        "lookups_after_mb": lookups_after,
    }


def run(ctx):
    letters = SMALL_LETTERS if ctx.small else ""
    loaded = _child(ctx, "load", letters)
    what = f"letters {letters}" if letters else "the whole directory"
    results = [
        Result(
            name=f"load_postcodes: {loaded['rows']:,} postcodes ({what})",
            unit="s",
            median=loaded["seconds"],
            p95=loaded["seconds"],
            target="" if ctx.small else f"< {LOAD_TARGET_S} s",
            passed=None if ctx.small else loaded["seconds"] < LOAD_TARGET_S,
            note="in one transaction, rolled back afterwards",
            runs=1,
        ),
        Result(
            name="load_postcodes peak memory",
            unit="MB",
            median=loaded["peak_rss_mb"],
            target=f"< {MEMORY_TARGET_MB} MB",
            passed=loaded["peak_rss_mb"] < MEMORY_TARGET_MB,
            note=f"the loading process; {loaded['rss_before_mb']:.0f} MB before it began",
            runs=1,
        ),
        ms_result(
            "locate() a postcode",
            loaded["locate_ms"],
            target_ms=LOOKUP_TARGET_MS,
            note=f"{loaded['located']} of {loaded['sampled']} sampled postcodes located",
        ),
        ms_result(
            "locate_district() a postcode district",
            loaded["district_ms"],
            target_ms=LOOKUP_TARGET_MS,
            note=f"{loaded['districts']} districts sampled",
        ),
    ]
    grown = loaded["lookups_after_mb"] - loaded["lookups_before_mb"]
    results.append(
        Result(
            name=f"memory {LOOKUPS:,}+ lookups add to a process",
            unit="MB",
            median=grown,
            target=f"< {PROCESS_COST_TARGET_MB} MB",
            passed=grown < PROCESS_COST_TARGET_MB,
            note="each lookup is one indexed query: the directory stays in the database",
            runs=1,
        )
    )
    return results


def main(argv):
    import django

    django.setup()
    part, *rest = argv
    if part != "load":
        raise SystemExit(f"Unknown part: {part}")
    print(json.dumps(_load(rest[0] if rest else "")))


if __name__ == "__main__":
    main(sys.argv[1:])
