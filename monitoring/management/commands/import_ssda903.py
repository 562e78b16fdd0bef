from collections import Counter
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from dps.models import Organisation
from dps.services import DomainError
from monitoring.services.ssda903 import (
    inferred_year_ending,
    ssda903_return_create,
    ssda903_return_import,
    ssda903_return_store,
    ssda903_return_validate,
)

LABEL = "import ssda903"
FIRST_ISSUES = 20


class Command(BaseCommand):
    help = (
        "Check a borough's SSDA903 return (the DfE's looked-after children return: its header "
        "file and its episodes file) as an upload would be, and with --import-valid import "
        "its valid children: the files are refused for file-level problems (encoding, "
        "delimiter, columns, swapped files, another year's); every row is checked by our "
        "checks (codes DPS..) and the DfE's validation rules; a child with any issue is left "
        "out of the import. Each valid child becomes the borough's Child, its episodes "
        "CareEpisode rows, and each episode with RNE S, P, B, T or U a placement (source "
        "ssda903), linked to the service with its Ofsted URN; an episode with RNE L (legal "
        "status only) continues the placement before it. Runs without a worker. Safe to run "
        "again with the same files."
    )

    def add_arguments(self, parser):
        parser.add_argument("--borough", required=True, help="The borough's slug.")
        parser.add_argument(
            "--year-ending",
            type=int,
            help="The return year, as the year of its 31 March (inferred from the episodes "
            "when not given).",
        )
        parser.add_argument(
            "--import-valid",
            action="store_true",
            help="Import the valid children (without it the files are only checked).",
        )
        parser.add_argument("header", type=Path, help="The header CSV file.")
        parser.add_argument("episodes", type=Path, help="The episodes CSV file.")

    def handle(self, *args, borough, header, episodes, year_ending, import_valid, **options):
        for path in (header, episodes):
            if not path.is_file():
                raise CommandError(f"No such file: {path}")
        organisation = Organisation.objects.filter(
            slug=borough, kind=Organisation.Kind.BOROUGH
        ).first()
        if organisation is None:
            raise CommandError(f"No borough with the slug “{borough}”.")
        header_bytes, episodes_bytes = header.read_bytes(), episodes.read_bytes()
        if year_ending is None:
            year_ending = inferred_year_ending(header_bytes, episodes_bytes)
            if year_ending is None:
                raise CommandError("Give --year-ending: the year cannot be read from the files.")
            self.stdout.write(
                f"Year ending 31 March {year_ending} (inferred from the episodes' dates; "
                "give --year-ending to choose)."
            )
        self.stdout.write(
            f"Checking {header.name} and {episodes.name} for {organisation.name}, "
            f"year ending 31 March {year_ending} ..."
        )
        try:
            with header.open("rb") as header_file, episodes.open("rb") as episodes_file:
                ssda903_return = ssda903_return_create(
                    actor=None,
                    borough=organisation,
                    year_ending=year_ending,
                    header=header_file,
                    episodes=episodes_file,
                    label=LABEL,
                    queue=False,
                )
            ssda903_return_validate(
                ssda903_return, progress=lambda stage: self.stdout.write(f"  {stage} ...")
            )
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        if ssda903_return.status == ssda903_return.Status.REFUSED:
            for problem in ssda903_return.problems:
                self.stderr.write(problem)
            raise CommandError("The return is refused: nothing imported.")
        self._validation(ssda903_return)
        if not import_valid:
            self.stdout.write("Checked only: give --import-valid to import the valid children.")
            return
        if not ssda903_return.children_valid:
            raise CommandError("No valid children to import.")
        self.stdout.write(f"  Importing {ssda903_return.children_valid} valid children ...")
        ssda903_return_import(actor=None, ssda903_return=ssda903_return, queue=False)
        ssda903_return_store(ssda903_return)
        for line in report_lines(ssda903_return.report):
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS("Done."))

    def _validation(self, ssda903_return):
        validation = ssda903_return.report.get("validation", {})
        self.stdout.write(f"Children: {ssda903_return.children_total}")
        self.stdout.write(f"Episodes: {ssda903_return.episodes_total}")
        self.stdout.write(
            f"DfE rules of the year ending {validation.get('ruleset_year')}: "
            f"{validation.get('rules_ran', 0)} ran, {validation.get('rules_skipped', 0)} "
            f"skipped (no data), {len(validation.get('rules_failed', []))} could not run"
        )
        if validation.get("ruleset_year") != ssda903_return.year_ending:
            self.stdout.write(
                f"  (the validator has no rules for {ssda903_return.year_ending}: the nearest "
                "year's were used)"
            )
        issues = ssda903_return.issues.all()
        self.stdout.write(f"Issues: {ssda903_return.issues_total}")
        counts = Counter(issues.values_list("code", flat=True))
        messages = dict(issues.values_list("code", "message"))
        for code, count in sorted(counts.items()):
            self.stdout.write(f"  {code} ({count}): {messages[code][:100]}")
        for issue in issues[:FIRST_ISSUES]:
            self.stdout.write(
                f"  {issue.file} line {issue.line}: {issue.child} {issue.code} {issue.message}"
            )
        self.stdout.write(
            f"Valid children (no issue): {ssda903_return.children_valid} of "
            f"{ssda903_return.children_total}"
        )


def report_lines(report):
    """The import's report as plain text lines."""
    yield (
        f"Children: {report['children_created']} created, {report['children_updated']} "
        f"updated, {report['children_unchanged']} unchanged, {report['children_left_out']} "
        "left out for issues"
    )
    yield (
        f"Episodes: {report['episodes_created']} created, {report['episodes_updated']} "
        f"updated, {report['episodes_unchanged']} unchanged, {report['episodes_removed']} "
        f"removed, {report['episodes_kept_newer']} kept as a newer return wrote them"
    )
    yield (
        f"Placements: {report['placements_created']} created, {report['placements_updated']} "
        f"updated, {report['placements_unchanged']} unchanged"
    )
    yield (
        f"Legal status changes continuing a placement (RNE L): {report['legal_status_episodes']}"
    )
    unmatched = report["unmatched_urns"]
    yield f"Unmatched URNs: {len(unmatched)}"
    if unmatched:
        yield "  " + ", ".join(unmatched[:50]) + (" ..." if len(unmatched) > 50 else "")
    yield f"Imported in {report['seconds']} s"
