import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from dps.models import Organisation
from monitoring.kpis.periods import return_year, year_ending_of
from monitoring.selectors.kpis import borough_year_figures

FIRST_YEAR_ENDING = 2000


class Command(BaseCommand):
    help = (
        "Print every KPI of a borough for the return year ending 31 March YYYY, computed now "
        "from the KPI definitions (not read from the snapshots): code, label, value, "
        "numerator, denominator and the period. --json prints it as one JSON object, every "
        "number as a string (null: no data, with a note)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--borough", required=True, help="The borough's slug.")
        parser.add_argument(
            "--year-ending", required=True, help="The year the return year ends in (YYYY)."
        )
        parser.add_argument("--json", dest="as_json", action="store_true", help="Print JSON.")

    def handle(self, *args, borough, year_ending, as_json=False, **options):
        org = Organisation.objects.filter(slug=borough, kind=Organisation.Kind.BOROUGH).first()
        if org is None:
            raise CommandError(f"No borough with the slug {borough!r}.")
        today = timezone.localdate()
        latest = year_ending_of(today)
        if not (year_ending.isdigit() and FIRST_YEAR_ENDING <= int(year_ending) <= latest):
            raise CommandError(
                f"--year-ending must be a year from {FIRST_YEAR_ENDING} to {latest} "
                f"(the return year ending 31 March of it), not {year_ending!r}."
            )
        period = return_year(int(year_ending))
        counted_to = period.upto(today)
        figures = borough_year_figures(org, int(year_ending), today=today)
        if as_json:
            self._json(org, period, counted_to, today, figures)
        else:
            self._text(org, period, today, figures)

    def _json(self, org, period, counted_to, today, figures):
        document = {
            "borough": org.slug,
            "year_ending": period.end.year,
            "period": {
                "start": period.start.isoformat(),
                "end": period.end.isoformat(),
                "counted_to": counted_to.isoformat(),
                "label": period.label(today),
            },
            "kpis": [
                {
                    "code": kpi.code,
                    "label": kpi.label,
                    "unit": kpi.unit,
                    "value": _text(value),
                    "numerator": _text(numerator),
                    "denominator": _text(denominator),
                    "note": note,
                }
                for kpi, numerator, denominator, value, note in figures
            ],
        }
        self.stdout.write(json.dumps(document, indent=2))

    def _text(self, org, period, today, figures):
        self.stdout.write(f"{org.name}: {period.label(today)}")
        self.stdout.write("code\tlabel\tvalue\tnumerator\tdenominator")
        for kpi, numerator, denominator, value, note in figures:
            if note:
                cells = [kpi.code, kpi.label, note, "", ""]
            else:
                cells = [kpi.code, kpi.label, *(_text(v) for v in (value, numerator, denominator))]
            self.stdout.write("\t".join(cells))


def _text(number):
    """A figure as a string (Kpi.value_of's four places for the value); None stays None."""
    return None if number is None else str(number)
