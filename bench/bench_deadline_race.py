"""200 providers bid on one request in the last second before its deadline, over the REST API.

Each provider's system sends one bid (POST /api/v1/bids/) to gunicorn; 80% of the sends are
spread over the second before the deadline and 20% over half a second after it, by the client's
clock. The server decides by the time it received each bid (see below), under the request's
row lock. The request is then closed by the real closing code once CLOSE_GRACE_SECONDS have
passed, and the run checks:

- no error: every answer is a 201 or a 400 saying the deadline passed (no 5xx, no other 4xx, no
  timeout, no connection error);
- every bid sent before the deadline was saved, and every one sent after it refused;
- every bid the server accepted is in the database, saved before the deadline, and evaluated;
- nothing else was saved (no bid lost, none accepted late), and the request closed once.

On two cores the API saves a few dozen bids a second, so most of the bids sent in the last
second wait for a free thread until after the deadline. gunicorn runs in the shipped
configuration (gunicorn.conf.py), whose worker notes when it took each request in
(dps/gunicorn_worker.py); the server judges each bid by that time. Nothing the client sends
stamps it: no proxy header is trusted. A bid sent before the deadline that is still refused
is counted in the note as "sent before but late at the server", and fails the run.

The fixture lives in its own consortium ("Bench deadline race"), built idempotently, so it runs
on any database: the national data set or one loaded by seed_demo."""

import http.client
import json
import random
import threading
import time
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone

from bench import fixtures
from bench.harness import Result, summary
from bench.servers import gunicorn

# Two cores: two worker processes with four threads each. Eight requests run at once (eight
# PostgreSQL connections, kept by CONN_MAX_AGE); the rest wait in gunicorn's backlog.
WORKERS, THREADS = 2, 4
PROVIDERS, SMALL_PROVIDERS = 200, 30
BEFORE_SHARE = 0.8  # of the bids sent in the second before the deadline; the rest after it
WINDOW_BEFORE, WINDOW_AFTER = 1.0, 0.5  # seconds
LEAD = 3.0  # seconds from publishing to the deadline, for the senders to get ready
SLUG = "bench-deadline-race"
SERVICE_NAME = "Bench race home"
CLIENT_NAME = "Bench deadline race"
DEADLINE_PASSED = "The deadline for bids passed at"


# --- The fixture ------------------------------------------------------------------------------


def _fresh_keys(organisations):
    """One write-scoped API client per organisation, with a new key each run (only the hash is
    stored, so an old key cannot be read back). Returns {organisation id: full key}."""
    from dps.models import ApiClient
    from dps.models.api import hash_key

    clients = {c.organisation_id: c for c in ApiClient.objects.filter(
        organisation__in=organisations, name=CLIENT_NAME)}  # fmt: skip
    keys, new = {}, []
    for organisation in organisations:
        prefix, secret, keys[organisation.pk] = ApiClient.new_key()
        client = clients.get(organisation.pk)
        if client is None:
            client = ApiClient(organisation=organisation, name=CLIENT_NAME)
            new.append(client)
        client.prefix, client.key_hash = prefix, hash_key(secret)
        client.can_write, client.revoked_at = True, None
    ApiClient.objects.bulk_update(
        list(clients.values()), ["prefix", "key_hash", "can_write", "revoked_at"]
    )
    ApiClient.objects.bulk_create(new)
    return keys


def build_fixture(count):
    """The consortium, its borough and lot, and `count` providers actively enrolled on the lot,
    each with a fitting service and an API client. Returns (lot, the borough's actor, the
    providers, {provider id: API key})."""
    from dps.models import ApiClient, Organisation
    from dps.tenancy import Actor
    from providers.models import Lot

    Kind = Organisation.Kind
    consortium, _ = Organisation.objects.get_or_create(
        slug=SLUG, defaults={"kind": Kind.CONSORTIUM, "name": "Bench deadline race"}
    )
    borough, _ = Organisation.objects.get_or_create(
        slug=f"{SLUG}-borough",
        defaults={"kind": Kind.BOROUGH, "name": "Bench Race Borough", "consortium": consortium},
    )
    lot, _ = Lot.objects.get_or_create(
        consortium=consortium, code="residential", defaults={"name": "Residential homes"}
    )
    slugs = [f"{SLUG}-provider-{n:03d}" for n in range(count)]
    providers = fixtures.providers(slugs, lambda slug: f"Race Provider {slug[-3:]}")
    fixtures.enrol(providers, lot)
    fixtures.home_services(providers, SERVICE_NAME, vacancies=1)

    borough_client, _ = ApiClient.objects.get_or_create(
        organisation=borough,
        name=CLIENT_NAME,
        defaults={"prefix": ApiClient.new_key()[0], "key_hash": "-", "can_write": True},
    )
    return lot, Actor.for_api_client(borough_client), providers, _fresh_keys(providers)


def publish(lot, officer):
    """A complete request, published through the service (which invites every eligible provider
    on the lot), whose deadline is then moved to LEAD seconds away."""
    from placements.models import PlacementRequest
    from placements.services import requests as request_services
    from providers.needs import DOMAINS, INDICATOR_CODES

    needs = dict.fromkeys(INDICATOR_CODES, 2)
    placement_request = request_services.request_create(
        actor=officer,
        lot=lot,
        reference=f"RACE-{timezone.now():%Y%m%d-%H%M%S}",
        strengths="Good at football, kind to younger children.",
        age=14,
        gender="female",
        ethnicity="White British",
        language="English",
        legal_status="s31",
        urgency="planned",
        date_needed=timezone.localdate() + timedelta(days=14),
        duration_weeks=52,
        needs=needs,
        need_details={code: f"Detail about {code}." for code in needs},
        outcomes={code: f"Outcome for {code}." for code, _ in DOMAINS[:2]},
        story="Came into care last spring; wants to stay near her school.",
    )
    request_services.request_publish(actor=officer, placement_request=placement_request)
    deadline = timezone.now() + timedelta(seconds=LEAD)
    PlacementRequest.objects.filter(pk=placement_request.pk).update(bid_deadline=deadline)
    placement_request.refresh_from_db()
    return placement_request


# --- The race ---------------------------------------------------------------------------------


def send_times(count, deadline):
    """Epoch seconds at which each of `count` bids is sent: 80% spread evenly over the second
    before the deadline, the rest over the half second after it, in a shuffled order."""
    before = round(count * BEFORE_SHARE)
    after = count - before
    times = [deadline - WINDOW_BEFORE * (before - i) / before for i in range(before)]
    times += [deadline + WINDOW_AFTER * (i + 1) / after for i in range(after)]
    random.Random(count).shuffle(times)
    return times


def send_bid(base, key, body, at, outcome):
    """Wait until `at`, POST the bid on a new connection, note what came back."""
    url = urlsplit(base)
    time.sleep(max(0.0, at - time.time()))
    outcome["sent_at"] = time.time()
    start = time.perf_counter()
    try:
        connection = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
        headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
        connection.request("POST", "/api/v1/bids/", body=body, headers=headers)
        response = connection.getresponse()
        outcome["status"], outcome["body"] = response.status, response.read()
        connection.close()
    except OSError as exc:  # refused, reset or timed out
        outcome["status"], outcome["body"] = None, repr(exc).encode()
    outcome["ms"] = (time.perf_counter() - start) * 1000


def warm_up(base, keys):
    """Each gunicorn thread serves a few API reads first (imports, its database connection), as
    a server that has been up a while would have."""
    url = urlsplit(base)

    def read(key):
        for _ in range(3):
            connection = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
            connection.request(
                "GET", "/api/v1/opportunities/", headers={"Authorization": f"Bearer {key}"}
            )
            connection.getresponse().read()
            connection.close()

    threads = [
        threading.Thread(target=read, args=(key,))
        for key in list(keys.values())[: 2 * WORKERS * THREADS]
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)


def race(base, placement_request, providers, keys):
    """Every provider bids once at its moment; the request is closed by the closing code once
    the grace after the deadline has passed, whether or not answers are still on their way.
    Returns the outcomes (one dict per bid) and whether the close happened."""
    from placements.models import ProviderInvitation
    from placements.services.closing import request_close
    from providers.models import Service

    invitations = dict(
        ProviderInvitation.objects.filter(request=placement_request).values_list(
            "provider_id", "pk"
        )
    )
    services = dict(
        Service.objects.filter(provider__in=providers, name=SERVICE_NAME).values_list(
            "provider_id", "pk"
        )
    )
    deadline = placement_request.bid_deadline.timestamp()
    start_date = (timezone.localdate() + timedelta(days=14)).isoformat()
    needs_met = dict.fromkeys(placement_request.needs, "We can.")
    outcomes, threads = [], []
    for number, (provider, at) in enumerate(
        zip(providers, send_times(len(providers), deadline), strict=True)
    ):
        body = json.dumps(
            {
                "invitation": invitations[provider.pk],
                "service": services[provider.pk],
                "core_weekly_fee": f"{2000 + 10 * number}.00",
                "start_date": start_date,
                "needs_met": needs_met,
            }
        )
        outcome = {"provider": provider.pk, "scheduled": at}
        outcomes.append(outcome)
        threads.append(
            threading.Thread(target=send_bid, args=(base, keys[provider.pk], body, at, outcome))
        )
    for thread in threads:
        thread.start()

    # What the beat task does for this request: close it once the grace has passed.
    time.sleep(max(0.0, deadline + settings.CLOSE_GRACE_SECONDS - time.time()))
    closed = False
    give_up = time.monotonic() + 30
    while not closed and time.monotonic() < give_up:
        closed = request_close(placement_request.pk)  # skips a request locked by a bid
        if not closed:
            time.sleep(0.05)
    for thread in threads:
        thread.join(60)
    return outcomes, closed


# --- The checks -------------------------------------------------------------------------------


def check(placement_request, outcomes, closed):
    """Sort each outcome into accepted, refused or error, and list every broken rule."""
    from placements.models import Bid, PlacementRequest, RequestTransition

    deadline = placement_request.bid_deadline
    at_deadline = deadline.timestamp()
    problems, accepted, refused, errors = [], {}, [], []
    for outcome in outcomes:
        status = outcome["status"]
        text = outcome["body"].decode(errors="replace")
        late = outcome["sent_at"] >= at_deadline
        if status == 201:
            accepted[json.loads(text)["id"]] = outcome
            if late:
                problems.append("a bid sent after the deadline was accepted")
        elif status == 400 and DEADLINE_PASSED in text:
            refused.append(outcome)
        else:
            errors.append(f"{status}: {text[:200]}")
            if late:
                problems.append("a bid sent after the deadline was not cleanly refused")

    if early := sum(1 for o in refused if o["sent_at"] < at_deadline):
        problems.append(f"{early} bid(s) sent before the deadline refused")
    placement_request.refresh_from_db()
    if not closed or placement_request.status != PlacementRequest.Status.CLOSED:
        problems.append(f"the request did not close (it is {placement_request.status})")
    closes = RequestTransition.objects.filter(
        request=placement_request, to_status=PlacementRequest.Status.CLOSED
    )
    if closes.count() != 1:
        problems.append(f"the request closed {closes.count()} times")
    bids = {b.pk: b for b in Bid.objects.filter(request=placement_request)}
    if lost := set(accepted) - set(bids):
        problems.append(f"{len(lost)} accepted bid(s) not in the database")
    if stray := set(bids) - set(accepted):
        problems.append(f"{len(stray)} bid(s) saved that no 201 answered")
    inputs = getattr(getattr(placement_request, "evaluation", None), "inputs", {})
    for bid in bids.values():
        if bid.submitted_at >= deadline:
            problems.append(f"bid {bid.pk} saved at {bid.submitted_at}, after the deadline")
        if bid.status != Bid.Status.SUBMITTED or bid.rank is None or str(bid.pk) not in inputs:
            problems.append(f"bid {bid.pk} was not evaluated ({bid.status})")
    if errors:
        problems.append(f"{len(errors)} error(s), e.g. {errors[0]}")
    return accepted, refused, errors, problems


def run(ctx):
    count = SMALL_PROVIDERS if ctx.small else PROVIDERS
    lot, officer, providers, keys = build_fixture(count)
    log_dir = ctx.out / "deadline_race"
    log_dir.mkdir(exist_ok=True)
    served = gunicorn(workers=WORKERS, threads=THREADS, log_dir=log_dir)
    with served as (base, _):
        warm_up(base, keys)
        placement_request = publish(lot, officer)
        outcomes, closed = race(base, placement_request, providers, keys)
    accepted, refused, errors, problems = check(placement_request, outcomes, closed)

    deadline = placement_request.bid_deadline.timestamp()
    sent_before = [o for o in outcomes if o["sent_at"] < deadline]
    late_at_server = sum(1 for o in refused if o["sent_at"] < deadline)
    passed = not problems
    (log_dir / "outcomes.json").write_text(
        json.dumps(
            [{**o, "sent_at": o["sent_at"] - deadline, "scheduled": o["scheduled"] - deadline,
              "body": o["body"].decode(errors="replace")[:300]} for o in outcomes],
            indent=1,
        )
    )  # fmt: skip
    for problem in problems:
        print(f"   problem: {problem}")
    note = (
        f"{len(outcomes)} sent ({len(sent_before)} before the deadline): {len(accepted)} accepted, "
        f"{len(refused)} refused ({late_at_server} sent before but late at the server), "
        f"{len(errors)} errors; gunicorn {WORKERS} workers x {THREADS} threads"
    )
    median, p95 = summary([o["ms"] for o in outcomes])
    return [
        Result(
            name="deadline_race: errors",
            unit="errors",
            median=len(errors),
            target="0 errors, every check holds",
            passed=passed,
            note=note if passed else f"{note}; {problems[0]}",
            runs=len(outcomes),
            extra={"problems": problems},
        ),
        Result(
            name="deadline_race: bid request",
            unit="ms",
            median=median,
            p95=p95,
            note=f"{len(outcomes)} bids over {WINDOW_BEFORE + WINDOW_AFTER:g} s",
            runs=len(outcomes),
        ),
    ]
