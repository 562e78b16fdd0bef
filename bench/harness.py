"""What every benchmark shares: timing over repeated runs, the result row, memory readings."""

import os
import statistics
import time
from dataclasses import dataclass, field


@dataclass
class Result:
    """One row of the table. `median` and `p95` are in `unit`; `bound` is the median of a lower
    bound measured in the same run (the same answer from hand-written SQL, a trivial view),
    when one can be measured. `passed` is None when the figure has no target to check."""

    name: str
    unit: str
    median: float | None = None
    p95: float | None = None
    target: str = ""
    passed: bool | None = None
    bound: float | None = None
    note: str = ""
    runs: int = 0
    extra: dict = field(default_factory=dict)

    @property
    def ratio(self):
        if self.bound and self.median is not None:
            return self.median / self.bound
        return None


def percentile(samples, pct):
    """The nearest-rank percentile of a list of numbers."""
    ordered = sorted(samples)
    if not ordered:
        return None
    rank = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def summary(samples):
    """(median, p95) of samples."""
    return statistics.median(samples), percentile(samples, 95)


def timed(fn, *, repeat, warmup=1, setup=None):
    """Call `fn` `repeat` times (after `warmup` untimed calls) and return the durations in
    milliseconds. `setup`, when given, runs untimed before each call and its value is passed
    to `fn`."""
    samples = []
    for i in range(warmup + repeat):
        arg = setup() if setup else None
        start = time.perf_counter()
        fn(arg) if setup else fn()
        elapsed = (time.perf_counter() - start) * 1000
        if i >= warmup:
            samples.append(elapsed)
    return samples


def rss_mb(pid=None):
    """The resident set size of a process now, in MB (Linux)."""
    with open(f"/proc/{pid or os.getpid()}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return None


def peak_rss_mb(pid=None):
    """The peak resident set size of a process so far, in MB (Linux's VmHWM)."""
    with open(f"/proc/{pid or os.getpid()}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return None


def ms_result(name, samples, *, target_ms=None, pct=50, bound=None, note=""):
    """A result in milliseconds with a target on the median (pct=50) or the p95 (pct=95)."""
    median, p95 = summary(samples)
    passed = None
    target = ""
    if target_ms is not None:
        figure = median if pct == 50 else p95
        passed = figure < target_ms
        target = f"p{pct} < {target_ms:g} ms"
    return Result(
        name=name,
        unit="ms",
        median=median,
        p95=p95,
        target=target,
        passed=passed,
        bound=bound,
        note=note,
        runs=len(samples),
    )
