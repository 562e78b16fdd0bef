from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from dps.models import Organisation
from dps.services import DomainError
from monitoring.services.ssda903 import ssda903_import

LABEL = "import ssda903"


class Command(BaseCommand):
    help = (
        "Import a borough's SSDA903 return (the DfE's looked-after children return): its header "
        "file (CHILD, SEX, DOB, ETHNIC, ...) and episodes file (CHILD, DECOM, RNE, LS, PLACE, "
        "DEC, REC, REASON_PLACE_CHANGE, URN, ...). Each child becomes the borough's Child; each "
        "episode with RNE S, P, B, T or U becomes a placement (source ssda903), linked to the "
        "service with its Ofsted URN; an episode with RNE L (legal status only) continues the "
        "placement before it and sets its legal status and ending. Ending planned or not: from "
        "REASON_PLACE_CHANGE (CARPL, PLACE planned; CLOSE, ALLEG, STAND, APPRR, CREQB, CREQO, "
        "CHILD, LAREQ, CUSTOD unplanned; OTHER unknown), or, when the child left care, from REC "
        "(E4B, E9 unplanned; E2, E8 unknown; other E codes planned). New placements record a "
        "weekly fee of 0 (the return holds none). Bad rows are reported with their line numbers "
        "and skipped. Safe to run again with the same files."
    )

    def add_arguments(self, parser):
        parser.add_argument("--borough", required=True, help="The borough's slug.")
        parser.add_argument("header", type=Path, help="The header CSV file.")
        parser.add_argument("episodes", type=Path, help="The episodes CSV file.")

    def handle(self, *args, borough, header, episodes, **options):
        for path in (header, episodes):
            if not path.is_file():
                raise CommandError(f"No such file: {path}")
        organisation = Organisation.objects.filter(
            slug=borough, kind=Organisation.Kind.BOROUGH
        ).first()
        if organisation is None:
            raise CommandError(f"No borough with the slug “{borough}”.")
        self.stdout.write(
            f"Importing {header.name} and {episodes.name} for {organisation.name} ..."
        )

        def progress(name, rows):
            self.stdout.write(f"  {name}: {rows} rows read")

        try:
            with (
                header.open(encoding="utf-8-sig", errors="replace", newline="") as header_file,
                episodes.open(encoding="utf-8-sig", errors="replace", newline="") as episodes_file,
            ):
                report = ssda903_import(
                    borough=organisation,
                    header=header_file,
                    episodes=episodes_file,
                    label=LABEL,
                    header_name=header.name,
                    episodes_name=episodes.name,
                    progress=progress,
                )
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        for line in report.lines():
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS("Done."))
