"""Benchmarks: `make bench` (or `python -m bench`) loads the national data set, or reuses it,
and prints each figure against its target. `make bench SCALE=small` runs the same suite on a
small data set, checking that every benchmark runs, not its times. See docs/performance.md."""
