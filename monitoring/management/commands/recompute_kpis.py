import time

from django.core.management.base import BaseCommand, CommandError

from dps.models import Organisation
from monitoring.kpis import KPIS
from monitoring.models import KpiRun
from monitoring.services.kpis import kpi_run_execute


class Command(BaseCommand):
    help = (
        "Recompute every KPI snapshot now, for every consortium (or one: --consortium SLUG), "
        "as the nightly run does, printing each KPI as it is done."
    )

    def add_arguments(self, parser):
        parser.add_argument("--consortium", help="The consortium's slug; default: all.")

    def handle(self, *args, consortium=None, **options):
        org = None
        if consortium:
            org = Organisation.objects.filter(slug=consortium, kind="consortium").first()
            if org is None:
                raise CommandError(f"No consortium with the slug {consortium!r}.")
        run = KpiRun.objects.create(consortium=org, trigger="command", total_steps=len(KPIS))
        started = time.monotonic()
        codes = list(KPIS)

        def step(done, written):
            elapsed = time.monotonic() - started
            self.stdout.write(
                f"  {done}/{len(codes)} {codes[done - 1]}: {written:,} snapshots so far, "
                f"{elapsed:.1f} s"
            )
            self.stdout.flush()

        run = kpi_run_execute(run, on_step=step)
        seconds = (run.finished_at - run.started_at).total_seconds()
        self.stdout.write(
            f"KPI run {run.pk}: {run.snapshots_written:,} snapshots in {seconds:.1f} s"
        )
