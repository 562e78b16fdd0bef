"""Figures as people read them: one rule per unit, so a KPI reads the same on a page, in a PDF
report, in a CSV and in the API.

Every figure is rounded half up (as the KPI engine and the quality score round) to its unit's
places before it is shown or exported."""

from decimal import ROUND_HALF_UP, Decimal

# The decimal places each unit is shown to (and a CSV holds).
PLACES = {"percent": 1, "pounds": 2, "days": 0, "count": 0, "points": 1, "ratio": 2}
DEFAULT_PLACES = 1
NO_DATA = "No data"


def figure_rounded(value, unit):
    """The value to its unit's places, half up; None for no value. What a CSV holds."""
    if value is None:
        return None
    places = PLACES.get(unit, DEFAULT_PLACES)
    return Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def figure_display(value, unit):
    """The value as people read it: "12.5%", "£1,234,567.89", "45 days", "1,204", "No data"."""
    rounded = figure_rounded(value, unit)
    if rounded is None:
        return NO_DATA
    places = PLACES.get(unit, DEFAULT_PLACES)
    text = f"{abs(rounded):,.{places}f}"
    sign = "-" if rounded < 0 else ""
    if unit == "pounds":
        return f"{sign}£{text}"
    if unit == "percent":
        return f"{sign}{text}%"
    if unit == "days":
        return f"{sign}{text} day{'' if rounded == 1 else 's'}"
    return f"{sign}{text}"
