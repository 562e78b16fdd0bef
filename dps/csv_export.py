"""CSV downloads: every one goes through `csv_download`, so no cell can run as a formula when
the file is opened in a spreadsheet (OWASP, "CSV Injection").

Text that starts with a character a spreadsheet reads as the start of a formula (`=`, `+`,
`-`, `@`, a tab or a carriage return) gets a leading single quote, which makes it text.
Numbers (int, float, Decimal) are written as they are: the product computes them, they
cannot carry a formula, and a negative figure or amount (-1.5) must stay a number for sums
and charts. Anything else (names, areas, references, messages, dates) is text."""

import csv
from decimal import Decimal

from django.http import HttpResponse
from django.utils.http import content_disposition_header

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value):
    """A value as a CSV cell a spreadsheet shows and never runs: None is blank."""
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class SafeWriter:
    """csv.writer's writerow and writerows, each cell through csv_cell."""

    def __init__(self, out):
        self._writer = csv.writer(out)

    def writerow(self, row):
        return self._writer.writerow([csv_cell(value) for value in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def csv_download(filename):
    """(response, writer): a private, uncached CSV attachment and its safe writer."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=filename
    )
    response["Cache-Control"] = "private, no-store"
    return response, SafeWriter(response)
