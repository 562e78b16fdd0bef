import hashlib
import resource
import time
from datetime import date
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from dps.models import AuditEvent, Organisation
from scale.generate import generate
from scale.profile import SCALES

MARKER = "seed_scale.loaded"


def schema_fingerprint():
    """A digest of every migration file of the project's apps: a load made with other
    migrations (one edited since, say) is not the schema the code now expects."""
    digest = hashlib.sha256()
    root = Path(settings.BASE_DIR).resolve()
    for config in sorted(apps.get_app_configs(), key=lambda c: c.label):
        folder = Path(config.path) / "migrations"
        if not folder.is_relative_to(root) or not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.py")):
            digest.update(f"{config.label}/{path.name}\0".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def loaded(scale=None, years=None):
    """The record a finished load left with the current migrations, or None."""
    events = AuditEvent.objects.filter(action=MARKER, detail__schema=schema_fingerprint())
    events = events.order_by("-at")
    if scale:
        events = events.filter(detail__scale=scale)
    if years:
        events = events.filter(detail__years=years)
    return events.first()


def duration(seconds):
    minutes, seconds = divmod(int(seconds), 60)
    return f"{minutes} min {seconds:02d} s" if minutes else f"{seconds} s"


class Command(BaseCommand):
    help = (
        "Generate a realistic national data set (reproducible from --seed) into an empty "
        "database, streaming rows in batches (COPY on PostgreSQL): 153 boroughs in 10 consortia, "
        "about 5,000 services, 100,000 requests and 1,000,000 bids a year, 80,000 placements a "
        "year with reviews and endings, documents, visits and 15,000 users."
    )

    def add_arguments(self, parser):
        parser.add_argument("--years", type=int, default=1, help="Years of history (default 1).")
        parser.add_argument("--scale", choices=sorted(SCALES), default="national")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--today", type=date.fromisoformat, help="The data set's today (default: today)."
        )

    def handle(self, *args, years, scale, seed, today, **options):
        if years < 1:
            raise CommandError("--years must be 1 or more.")
        if Organisation.objects.exists():
            raise CommandError(
                "The database already holds organisations: seed_scale loads into an empty one "
                "(create a new database and run migrate)."
            )
        started = time.monotonic()
        self.last_report = 0.0
        self.stdout.write(
            f"Generating the {scale} data set: {years} year(s), seed {seed}, "
            f"into {connection.vendor}"
        )
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # A load that fails is started again from an empty database, so no commit
                # needs to wait for the disk.
                cursor.execute("SET synchronous_commit TO off")
        counts = generate(
            SCALES[scale],
            years=years,
            seed=seed,
            today=today,
            progress=self.report,
            say=self.stdout.write,
        )
        seconds = time.monotonic() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        rows = sum(counts.values())
        for table, count in counts.items():
            self.stdout.write(f"  {table:<40} {count:>12,}")
        self.stdout.write(
            f"{rows:,} rows in {duration(seconds)} ({rows / seconds:,.0f} rows/s); "
            f"peak memory {peak:,.0f} MB"
        )
        AuditEvent.objects.create(
            actor_label="seed_scale",
            action=MARKER,
            detail={
                "scale": scale,
                "years": years,
                "seed": seed,
                "rows": rows,
                "seconds": round(seconds, 1),
                "peak_rss_mb": round(peak),
                "counts": counts,
                "schema": schema_fingerprint(),
            },
        )

    def report(self, stage, done, expected, elapsed):
        """Progress every few seconds: how far, and an estimate of the time left."""
        final = done is expected
        if elapsed - self.last_report < 5 and not final:
            return
        self.last_report = elapsed
        expected = max(expected, done)
        share = done / expected if expected else 1.0
        left = elapsed * (1 - share) / share if share else 0
        self.stdout.write(
            f"  {stage}: {done:,} of about {expected:,.0f} ({share:.0%}), "
            f"{duration(elapsed)} elapsed, about {duration(left)} left"
        )
        self.stdout.flush()
