"""Figures as people read them: one rule per unit, so a KPI reads the same on a page, in a PDF
report, in a CSV and in the API.

Every figure is rounded half up (as the KPI engine, the quality score and the bids' scores
round: `rounded`) to its unit's places before it is shown or exported; money is shown by
`money`, other numbers by `number`."""

from decimal import ROUND_HALF_UP, Decimal

# The decimal places each unit is shown to (and a CSV holds).
PLACES = {"percent": 1, "pounds": 2, "days": 0, "count": 0, "points": 1, "ratio": 2, "miles": 1}
DEFAULT_PLACES = 1
NO_DATA = "No data"


def rounded(value: Decimal | int | float | str, places: int = 2) -> Decimal:
    """The value to `places` decimal places (by default hundredths: pence, a score's points),
    half up, as a Decimal. A float is read as it prints (0.125 is 0.125, not the binary
    fraction nearest it)."""
    return Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def number(value: Decimal | int | float, places: int = 0) -> str:
    """A number with thousands separated and `places` decimals, rounded half up: "1,204",
    "-12.5"."""
    amount = rounded(value, places)
    sign = "-" if amount < 0 else ""
    return f"{sign}{abs(amount):,.{places}f}"


def money(value: Decimal | int | float | None) -> str:
    """Pounds and pence: "£3,000.00", "-£12.50"; "" for no amount."""
    if value is None:
        return ""
    amount = rounded(value, 2)
    return f"{'-' if amount < 0 else ''}£{number(abs(amount), 2)}"


def figure_rounded(value, unit):
    """The value to its unit's places, half up; None for no value. What a CSV holds."""
    if value is None:
        return None
    return rounded(value, PLACES.get(unit, DEFAULT_PLACES))


def figure_display(value, unit):
    """The value as people read it: "12.5%", "£1,234,567.89", "45 days", "12.5 miles",
    "1,204", "No data"."""
    amount = figure_rounded(value, unit)
    if amount is None:
        return NO_DATA
    if unit == "pounds":
        return money(amount)
    text = number(amount, PLACES.get(unit, DEFAULT_PLACES))
    if unit == "percent":
        return f"{text}%"
    if unit == "days":
        return f"{text} day{'' if amount == 1 else 's'}"
    if unit == "miles":
        return f"{text} miles"  # "1.0 miles": always to one decimal place
    return text
