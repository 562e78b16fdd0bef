"""Alert email fan-out: publishing a placement request whose lot has 1,000 eligible providers
writes one outbox row per provider in the publishing transaction, and one Celery worker then
delivers them to an SMTP server.

Targets: the outbox rows are committed in under 2 s (the publish call, through the real
service); one worker delivers them at 100 or more per second, each once, each marked sent.

The benchmark builds its own fixture (a consortium "Bench fan-out" with a lot of N providers,
each actively enrolled with a fitting service and one bidder), so it runs on any database."""

import time
from collections import Counter
from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from bench import fixtures
from bench.harness import Result, ms_result, peak_rss_mb, percentile, summary
from bench.servers import BENCH_QUEUE, celery_worker, children_of, smtp_server

PROVIDERS = {"national": 1000, "small": 100}
# Prefork processes in the one worker node that delivers the alerts.
CONCURRENCY = 4
TARGET_COMMIT_MS = 2000
TARGET_RATE = 100  # messages per second
DELIVERY_TIMEOUT = 180  # seconds: far beyond any passing run, so a stuck worker fails it
SLUG = "bench-fanout"


def run(ctx):
    size = PROVIDERS["small" if ctx.small else "national"]
    fixture = fanout_fixture(size)
    repeat = ctx.repeat(5, 2)
    _route_tasks_to_the_bench_worker()
    commits, returns, rates, firsts = [], [], [], []
    with (
        smtp_server() as (smtp, email_url),
        celery_worker(log_dir=ctx.out, email_url=email_url, concurrency=CONCURRENCY) as worker,
    ):
        _drain_outbox(smtp)
        for i in range(1 + repeat):  # the first run warms the worker and is not counted
            run = _publish_and_deliver(fixture, smtp)
            if i:
                commits.append(run["commit_ms"])
                returns.append(run["return_ms"])
                rates.append(run["rate"])
                firsts.append(run["first_ms"])
        memory = _worker_peak_rss(worker.pid)
    note = f"{size} providers, 1 worker x {CONCURRENCY} processes"
    rate_median = summary(rates)[0]
    return [
        ms_result(
            "email_fanout outbox committed",
            commits,
            target_ms=TARGET_COMMIT_MS,
            note=f"{note}; publish call returns in p50 {summary(returns)[0]:,.0f} ms",
        ),
        Result(
            name="email_fanout delivered rate",
            unit="msg/s",
            median=rate_median,
            # The slowest runs are the low rates: the 5th percentile is the "p95" of a rate.
            p95=percentile(rates, 5),
            target=f"p50 >= {TARGET_RATE} msg/s",
            passed=rate_median >= TARGET_RATE,
            note=f"{note}; commit to first arrival p50 {summary(firsts)[0]:,.0f} ms; "
            "every email arrived once and is marked sent",
            runs=len(rates),
        ),
        Result(
            name="email_fanout worker peak RSS",
            unit="MB",
            median=memory,
            note=f"master and {CONCURRENCY} processes, summed",
            runs=1,
        ),
    ]


def _route_tasks_to_the_bench_worker():
    """The tasks this process queues (on commit) go to the queue the bench worker reads."""
    from dps.celery import app

    app.conf.task_default_queue = BENCH_QUEUE


def _publish_and_deliver(fixture, smtp):
    """Publish a fresh request; time the commit of its outbox rows, then its delivery."""
    from dps.models import OutboundEmail
    from placements.services.requests import request_create, request_publish

    draft = request_create(actor=fixture["officer"], **_request_fields(fixture["lot"]))
    marks = {}
    started = time.monotonic()
    with transaction.atomic():
        # Registered first, so it runs first after the commit, before the hand-off to Celery.
        transaction.on_commit(lambda: marks.setdefault("commit", time.monotonic()))
        eligibility = request_publish(actor=fixture["officer"], placement_request=draft)
    returned = time.monotonic()
    expected = fixture["recipients"]
    if len(eligibility.eligible) != len(expected):
        raise RuntimeError(f"{len(eligibility.eligible)} eligible providers, not {len(expected)}")
    rows = OutboundEmail.objects.filter(dedupe_key__startswith=f"request:{draft.pk}:invite:")
    if rows.count() != len(expected):
        raise RuntimeError(f"{rows.count()} outbox rows, not {len(expected)}")

    arrivals = _wait_for_arrivals(smtp, since=marks["commit"], recipients=expected)
    _wait_until_all_sent(rows, len(expected))
    first, last = arrivals[0][0], arrivals[-1][0]
    return {
        "commit_ms": (marks["commit"] - started) * 1000,
        "return_ms": (returned - started) * 1000,
        "first_ms": (first - marks["commit"]) * 1000,
        "rate": len(expected) / (last - marks["commit"]),
    }


def _wait_for_arrivals(smtp, *, since, recipients):
    """Wait for one message to each recipient after `since`; fail on a duplicate or timeout."""
    deadline = time.monotonic() + DELIVERY_TIMEOUT
    while True:
        arrivals = [a for a in list(smtp.arrivals) if a[0] >= since and a[1][0] in recipients]
        if len(arrivals) >= len(recipients):
            break
        if time.monotonic() > deadline:
            raise RuntimeError(f"{len(arrivals)} of {len(recipients)} emails arrived in time")
        time.sleep(0.02)
    counts = Counter(rcpt for _, rcpts in arrivals for rcpt in rcpts)
    if set(counts) != recipients or max(counts.values()) != 1:
        twice = [r for r, c in counts.items() if c > 1][:3]
        raise RuntimeError(f"an email arrived more than once (e.g. {twice})")
    return sorted(arrivals)


def _wait_until_all_sent(rows, count, timeout=30):
    """The worker marks a row sent just after the server accepts it."""
    from dps.models import OutboundEmail

    deadline = time.monotonic() + timeout
    while rows.filter(status=OutboundEmail.Status.SENT).count() != count:
        if time.monotonic() > deadline:
            by_status = dict(Counter(rows.values_list("status", flat=True)))
            raise RuntimeError(f"not every email was marked sent: {by_status}")
        time.sleep(0.05)


def _drain_outbox(smtp, timeout=60):
    """Send what the database already had queued (e.g. seed_demo's emails), so that the timed
    runs deliver only their own."""
    from dps.celery import app
    from dps.models import OutboundEmail

    due = OutboundEmail.objects.filter(
        status__in=[OutboundEmail.Status.QUEUED, OutboundEmail.Status.SENDING],
        next_attempt_at__lte=timezone.now(),
    )
    if not due.exists():
        return
    app.send_task("dps.tasks.emails_sweep", queue=BENCH_QUEUE)
    deadline = time.monotonic() + timeout
    while due.filter(status=OutboundEmail.Status.QUEUED).exists():
        if time.monotonic() > deadline:
            print(f"   {due.count()} emails already in the outbox were not sent", flush=True)
            return
        time.sleep(0.2)


def _worker_peak_rss(pid):
    pids = [pid, *children_of(pid)]
    peaks = [peak_rss_mb(p) for p in pids]
    return sum(p for p in peaks if p)


def _request_fields(lot):
    """A request every fixture service fits: a 14-year-old, each need scored."""
    from providers.needs import DOMAINS, INDICATOR_CODES

    needs = dict.fromkeys(INDICATOR_CODES, 1)
    return {
        "lot": lot,
        "reference": "BENCH-FANOUT",
        "strengths": "Funny and kind.",
        "age": 14,
        "gender": "female",
        "ethnicity": "White British",
        "language": "English",
        "religion": "None",
        "legal_status": "s31",
        "urgency": "planned",
        "date_needed": timezone.localdate() + timedelta(days=14),
        "duration_weeks": 52,
        "needs": needs,
        "need_details": {code: f"Detail about {code}" for code in needs},
        "outcomes": {code: f"Outcome for {code}" for code, _ in DOMAINS[:2]},
        "story": "A benchmark request.",
        "child_views": "",
    }


# --- The fixture ---------------------------------------------------------------------------


@transaction.atomic
def fanout_fixture(size):
    """The consortium, its borough and officer, and a lot of `size` providers, each actively
    enrolled with a fitting service and one active bidder. Creates only what is missing."""
    from dps.models import Organisation
    from dps.tenancy import Actor

    consortium = _organisation(f"{SLUG}", "Bench fan-out", Organisation.Kind.CONSORTIUM)
    borough = _organisation(
        f"{SLUG}-borough", "Bench fan-out Borough", Organisation.Kind.BOROUGH, consortium
    )
    officer = _officer(borough)
    lot = _lot(consortium, size)
    slugs = [f"{SLUG}-p{i:04d}" for i in range(size)]
    providers = fixtures.providers(slugs, lambda slug: f"Fan-out Care {slug[-4:]}")
    fixtures.enrol(providers, lot)
    fixtures.home_services(providers, "Fan-out House", vacancies=2)
    bidders = _bidders(providers)
    return {
        "officer": Actor.for_membership(officer),
        "lot": lot,
        "recipients": set(bidders),
    }


def _organisation(slug, name, kind, consortium=None):
    from dps.models import Organisation

    org, _ = Organisation.objects.get_or_create(
        slug=slug, defaults={"name": name, "kind": kind, "consortium": consortium}
    )
    return org


def _officer(borough):
    from dps.models import Membership, Role, User

    user, _ = User.objects.get_or_create(
        email="officer@fanout.bench.test", defaults={"full_name": "Fan-out Officer"}
    )
    membership, _ = Membership.objects.update_or_create(
        user=user,
        organisation=borough,
        defaults={"role": Role.PLACEMENT_OFFICER, "is_active": True},
    )
    return membership


def _lot(consortium, size):
    from providers.models import Lot

    lot, _ = Lot.objects.update_or_create(
        consortium=consortium,
        code=f"fanout-{size}",
        defaults={"name": f"Fan-out to {size}", "is_active": True, "service_types": []},
    )
    return lot


def _bidders(providers):
    """One active bidder per provider; returns their addresses."""
    from dps.models import Membership, Role, User

    emails = {p.pk: f"bidder-{p.slug[-4:]}@fanout.bench.test" for p in providers}
    have = set(User.objects.filter(email__in=emails.values()).values_list("email", flat=True))
    unusable = make_password(None)
    User.objects.bulk_create(
        [User(email=e, password=unusable) for e in emails.values() if e not in have]
    )
    User.objects.filter(email__in=emails.values()).update(is_active=True)
    users = dict(User.objects.filter(email__in=emails.values()).values_list("email", "pk"))
    member = set(
        Membership.objects.filter(organisation__in=providers).values_list(
            "organisation_id", "user_id"
        )
    )
    Membership.objects.bulk_create(
        [
            Membership(organisation_id=org, user_id=users[e], role=Role.BIDDER)
            for org, e in emails.items()
            if (org, users[e]) not in member
        ]
    )
    Membership.objects.filter(organisation__in=providers).update(is_active=True)
    return emails.values()
