"""manage.py load_postcodes: load the ONS Postcode Directory into the database (once per
release; `make run` and the container's start call it)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from geography.loading import load_postcodes


class Command(BaseCommand):
    help = "Load the ONS Postcode Directory (postcodes, districts, local authorities)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--onspd",
            type=Path,
            help="An ONSPD CSV, or the ONS's zip of it, instead of the packaged directory "
            "(it also gives each postcode's termination date).",
        )
        parser.add_argument("--force", action="store_true", help="Load even if loaded already.")

    def handle(self, *args, onspd=None, force=False, verbosity=1, **options):
        if onspd is not None and not onspd.exists():
            raise CommandError(f"No such file: {onspd}")

        def progress(line):
            if verbosity:
                self.stdout.write(line)
                self.stdout.flush()

        try:
            load_postcodes(onspd=onspd, force=force, progress=progress)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
