"""python -m bench [--scale national|small] [--only NAME ...]

Loads the data set (or reuses it), runs each benchmark, prints the table and writes it to
var/bench/. At national scale a missed target fails the run; at small scale only an error
does (the times of a small data set say nothing)."""

import argparse
import importlib
import json
import os
import sys
import time
import traceback
from dataclasses import asdict
from pathlib import Path

# Each module's run(ctx) returns a list of Results; they run in this order.
BENCHMARKS = [
    "dataset",
    "eligibility",
    "eligibility_distance",
    "evaluation",
    "kpis",
    "dashboards",
    "api_load",
    "deadline_race",
    "email_fanout",
    "ssda903",
    "postcodes",
]


class Context:
    """What a benchmark may ask about the run."""

    def __init__(self, scale, years):
        self.scale = scale
        self.years = years
        self.small = scale == "small"
        self.root = Path(__file__).resolve().parent.parent
        self.out = self.root / "var" / "bench"
        self.out.mkdir(parents=True, exist_ok=True)

    def repeat(self, national, small=3):
        """How many timed runs: fewer on the small data set, which only proves it runs."""
        return small if self.small else national


def fmt(value, unit):
    if value is None:
        return "–"
    if unit == "ms":
        return f"{value:,.1f} ms"
    if unit == "s":
        return f"{value:,.2f} s"
    return f"{value:,.1f} {unit}"


def table(results):
    head = ("benchmark", "median", "p95", "target", "bound", "ratio", "ok", "note")
    rows = [head]
    for r in results:
        ok = "yes" if r.passed else "NO" if r.passed is False else ""
        rows.append(
            (
                r.name,
                fmt(r.median, r.unit),
                fmt(r.p95, r.unit),
                r.target,
                fmt(r.bound, r.unit),
                f"{r.ratio:.2f}x" if r.ratio else "",
                ok,
                r.note,
            )
        )
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(head))]
    lines = ["| " + " | ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)) + " |"
             for row in rows]  # fmt: skip
    lines.insert(1, "| " + " | ".join("-" * w for w in widths) + " |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--scale", choices=["national", "small"], default="national")
    parser.add_argument("--years", type=int, default=1)
    parser.add_argument("--only", nargs="*", choices=BENCHMARKS, help="Run only these.")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dps.settings.bench")
    import django

    django.setup()
    from bench.harness import Result

    ctx = Context(args.scale, args.years)
    names = args.only or BENCHMARKS
    # The data set comes first unless told to use the database as it is (BENCH_NO_DATASET=1,
    # e.g. a database loaded by seed_demo while writing a benchmark).
    if "dataset" not in names and not os.environ.get("BENCH_NO_DATASET"):
        names = ["dataset", *names]
    results, failed = [], False
    started = time.monotonic()
    for name in names:
        print(f"\n== {name}", flush=True)
        module = importlib.import_module(f"bench.bench_{name}")
        try:
            rows = module.run(ctx)
        except Exception as exc:
            traceback.print_exc()
            rows = [Result(name=name, unit="", passed=False, note=f"error: {exc}"[:200])]
            failed = True
        for row in rows:
            print(f"   {row.name}: {fmt(row.median, row.unit)} (p95 {fmt(row.p95, row.unit)})"
                  f" {row.target} {row.note}", flush=True)  # fmt: skip
        results.extend(rows)
        if name == "dataset" and failed:
            break
    missed = [r for r in results if r.passed is False]
    text = table(results)
    print(f"\nScale: {args.scale}, {args.years} year(s); {time.monotonic() - started:.0f} s\n")
    print(text)
    (ctx.out / f"results-{args.scale}.md").write_text(text + "\n")
    (ctx.out / f"results-{args.scale}.json").write_text(
        json.dumps([{**asdict(r), "ratio": r.ratio} for r in results], indent=2, default=str)
    )
    if failed:
        print("\nA benchmark failed to run.", file=sys.stderr)
        return 1
    if missed and not ctx.small:
        print(f"\n{len(missed)} target(s) missed.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
