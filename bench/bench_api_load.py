"""The REST API under a mixed read load, served by gunicorn on this machine.

Gunicorn runs WORKERS processes of THREADS threads (gthread): on 2 cores two processes keep
both cores busy, and the threads let one process serve another request while a query waits
on PostgreSQL. The load generator (bench/loadgen.py) is open-loop: requests start at a
constant rate whatever the answers. It runs in this process on the same cores, so it takes
CPU from the server; its own CPU use is in the note.

The mix: the list and detail endpoints an integration polls, half with the API key of the
borough holding the most placements, half with that of the provider holding the most, in
turn at random (fixed seed). Detail ids are drawn from what each key may see. GETs only,
none with a side effect (an opportunity's detail marks the invitation viewed, so it is left
out), so a loaded national database is not changed beyond the two API clients, which are
kept and given a fresh key on each run.

Targets: at 50 requests a second for 20 s, p95 < 300 ms and no error (any answer other than
2xx, or none within 10 s); each worker's peak RSS < 300 MB. Then the rate steps up until the
p95 passes 1 s, and the highest rate held below it is reported. The bound is /healthz at the
same rate through the same server and generator."""

import os
import random

from django.db.models import Count

from dps.models import ApiClient, Organisation
from dps.models.api import hash_key
from dps.tenancy import Actor
from placements.models import Placement
from placements.selectors import placements_visible_to, requests_visible_to
from placements.selectors.bids import bids_readable_by
from placements.selectors.invitations import opportunities_of
from providers.selectors.directory import directory_providers
from providers.selectors.services import services_visible_to

from . import loadgen
from .harness import Result, peak_rss_mb, percentile, summary
from .servers import children_of, gunicorn

WORKERS, THREADS = 2, 4
RATE = 50
TARGET_MS, HELD_MS, RSS_TARGET_MB = 300, 1000, 300
STEPS = [50, 75, 100, 150, 200, 300, 400, 600]
CLIENT_NAME = "Benchmark load (read only)"
IDS_PER_ENDPOINT = 200
Kind = Organisation.Kind


def busiest(kind):
    """The organisation of this kind holding the most placements."""
    field = "borough_id" if kind == Kind.BOROUGH else "provider_id"
    row = (
        Placement.objects.filter(**{f"{field[:-3]}__is_active": True})
        .values(field)
        .annotate(n=Count("pk"))
        .order_by("-n", field)
        .first()
    )
    if row is None:
        raise RuntimeError(f"No {kind} holds a placement.")
    return Organisation.objects.get(pk=row[field])


def api_key(organisation):
    """The organisation's benchmark API client (made on the first run), with a fresh key."""
    client = ApiClient.objects.filter(
        organisation=organisation, name=CLIENT_NAME, revoked_at__isnull=True
    ).first()
    prefix, secret, key = ApiClient.new_key()
    if client is None:
        client = ApiClient.objects.create(
            organisation=organisation, name=CLIENT_NAME, prefix=prefix, key_hash=hash_key(secret)
        )
    else:
        key = f"dps_{client.prefix}_{secret}"
        ApiClient.objects.filter(pk=client.pk).update(key_hash=hash_key(secret))
    return client, key


def sample_ids(queryset, rng):
    ids = list(queryset.order_by().values_list("pk", flat=True)[:20000])
    return rng.sample(ids, min(len(ids), IDS_PER_ENDPOINT))


def endpoints(organisation, rng):
    """[(name, [paths])] for one API client's organisation."""
    client, key = api_key(organisation)
    actor = Actor.for_api_client(client)
    who = "borough" if organisation.kind == Kind.BOROUGH else "provider"
    lists = {
        "placements": ("placements/", placements_visible_to),
        "bids": ("bids/", bids_readable_by),
        "services": ("services/", services_visible_to),
    }
    if who == "borough":
        lists["requests"] = ("requests/", requests_visible_to)
        lists["providers"] = ("providers/", directory_providers)
    else:
        lists["opportunities"] = ("opportunities/", opportunities_of)
    out = []
    for name, (path, selector) in lists.items():
        out.append((f"{who} {name} list", [f"/api/v1/{path}"]))
        if name != "opportunities":
            ids = sample_ids(selector(actor), rng)
            if ids:
                out.append((f"{who} {name} detail", [f"/api/v1/{path}{pk}/" for pk in ids]))
    open_ = "requests" if who == "borough" else "opportunities"
    out.append((f"{who} open {open_}", [f"/api/v1/{open_}/?status=open"]))
    out.append((f"{who} kpi-snapshots list", ["/api/v1/kpi-snapshots/"]))
    own = f"{who}={organisation.pk}&period=month"
    out.append((f"{who} own monthly kpi-snapshots", [f"/api/v1/kpi-snapshots/?{own}"]))
    headers = {"Authorization": f"Bearer {key}", "Accept": "application/json"}
    return [(name, paths, headers) for name, paths in out]


def mix(groups, rng, size=5000):
    """`size` requests, each endpoint equally likely, each detail a random visible id."""
    return [
        (name, rng.choice(paths), headers)
        for name, paths, headers in (rng.choice(groups) for _ in range(size))
    ]


def cpu_seconds(pids):
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def describe(run):
    ms = [s.ms for s in run.samples]
    p50, p95 = summary(ms)
    return (
        f"{run.rate:g}/s for {run.seconds:g} s: {len(ms)} requests, p50 {p50:.0f} ms, "
        f"p95 {p95:.0f} ms, {run.errors} errors, generator CPU {run.cpu_s / run.wall_s:.0%}"
    )


def by_endpoint(run):
    lines = []
    names = sorted({s.name for s in run.samples})
    for name in names:
        ms = [s.ms for s in run.samples if s.name == name]
        bad = sorted({s.status for s in run.samples if s.name == name and not s.ok})
        size = max(s.size for s in run.samples if s.name == name)
        lines.append(
            f"  {name:34} n={len(ms):5} p50={percentile(ms, 50):7.1f} ms "
            f"p95={percentile(ms, 95):7.1f} ms max={max(ms):7.1f} ms "
            f"{size // 1024:4} KB{' errors ' + str(bad) if bad else ''}"
        )
    return lines


def run(ctx):
    rng = random.Random(2025)
    borough, provider = busiest(Kind.BOROUGH), busiest(Kind.PROVIDER)
    groups = endpoints(borough, rng) + endpoints(provider, rng)
    requests = mix(groups, rng)
    seconds = 4 if ctx.small else 20
    step_seconds = 2 if ctx.small else 10
    steps = STEPS[:2] if ctx.small else STEPS
    log = [f"Borough: {borough.name}; provider: {provider.name}", f"{len(groups)} endpoints:"]
    log += [f"  {name}: {len(paths)} path(s)" for name, paths, _h in groups]

    with gunicorn(workers=WORKERS, threads=THREADS, log_dir=ctx.out) as (base, master):
        workers = children_of(master.pid)
        loadgen.run(base, requests, rate=20, seconds=2 if ctx.small else 5)  # warm up
        health = loadgen.run(base, [("healthz", "/healthz", {})], rate=RATE, seconds=seconds / 2)
        cpu_before = cpu_seconds([master.pid, *workers])
        main = loadgen.run(base, requests, rate=RATE, seconds=seconds)
        server_cpu = (cpu_seconds([master.pid, *workers]) - cpu_before) / main.wall_s
        log += ["", describe(health), describe(main), *by_endpoint(main)]
        held, step_notes = None, []
        for rate in steps:
            step = loadgen.run(base, requests, rate=rate, seconds=step_seconds)
            p95 = percentile([s.ms for s in step.samples], 95)
            log += ["", describe(step), *by_endpoint(step)]
            step_notes.append(f"{rate}/s: p95 {p95:.0f} ms")
            if p95 >= HELD_MS or step.errors > len(step.samples) / 100:
                break
            held = rate
        peaks = [peak_rss_mb(pid) for pid in children_of(master.pid)]
        if sorted(children_of(master.pid)) != sorted(workers):
            log.append("A worker was restarted during the load: its peak RSS is lost.")

    (ctx.out / "api_load.txt").write_text("\n".join(log) + "\n")
    print("\n".join(log))
    ms = [s.ms for s in main.samples]
    p50, p95 = summary(ms)
    setup = f"gunicorn {WORKERS} workers x {THREADS} threads"
    return [
        Result(
            name=f"api: mixed load {RATE}/s",
            unit="ms",
            median=p50,
            p95=p95,
            target=f"p95 < {TARGET_MS} ms, 0 errors",
            passed=p95 < TARGET_MS and main.errors == 0,
            bound=summary([s.ms for s in health.samples])[0],
            note=f"{len(ms)} requests, {main.errors} errors, {len(groups)} endpoints; {setup}; "
            f"server CPU {server_cpu:.0%}, generator CPU {main.cpu_s / main.wall_s:.0%} "
            "of a core; bound: /healthz",
            runs=len(ms),
        ),
        Result(
            name="api: highest rate with p95 < 1 s",
            unit="req/s",
            median=held,
            note="; ".join(step_notes) + ("" if ctx.small else f" ({step_seconds} s each)"),
        ),
        Result(
            name="api: worker peak RSS",
            unit="MB",
            median=max(peaks),
            target=f"< {RSS_TARGET_MB} MB",
            passed=max(peaks) < RSS_TARGET_MB,
            note="per worker: " + ", ".join(f"{p:.0f}" for p in peaks),
        ),
    ]
