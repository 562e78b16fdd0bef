from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from dps.services import DomainError
from providers.services.ofsted import ofsted_import

LABEL = "import_ofsted command"


class Command(BaseCommand):
    help = (
        "Update services' Ofsted ratings and inspection dates from Ofsted's published CSV of "
        "children's social care providers. Safe to run again with the same file."
    )

    def add_arguments(self, parser):
        parser.add_argument("csv", type=Path, help="The CSV file to import.")

    def handle(self, *args, csv, **options):
        if not csv.is_file():
            raise CommandError(f"No such file: {csv}")
        self.stdout.write(f"Importing {csv.name} ...")

        def progress(rows):
            self.stdout.write(f"  {rows} rows read")

        try:
            with csv.open("rb") as file:  # read as UTF-8 by the import (dps.csv_import)
                report = ofsted_import(file=file, label=LABEL, source=csv.name, progress=progress)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        for line in report.lines():
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS("Done."))
