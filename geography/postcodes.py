"""How UK postcodes are written: a full postcode is its outward code (the postcode district,
e.g. SE1) and its inward code (a digit and two letters, e.g. 7PB)."""

import re

# The outward code: A9, A99, AA9, AA99, A9A or AA9A.
DISTRICT = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")
POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})$")

POSTCODE_MESSAGE = "Enter a full UK postcode, like SE1 7PB."
DISTRICT_MESSAGE = (
    "Enter the first part of a UK postcode (the postcode district), like SE1 or GU14."
)


def compact(value: str | None) -> str:
    """Upper case, with every space taken out: "se1  7pb " -> "SE17PB"."""
    return re.sub(r"\s+", "", value or "").upper()


def normalise_postcode(value: str | None) -> str | None:
    """The postcode written the standard way ("SE1 7PB"), or None when it is not one."""
    match = POSTCODE.match(compact(value))
    return f"{match[1]} {match[2]}" if match else None


def normalise_district(value: str | None) -> str | None:
    """The postcode district ("SE1"), or None when it is not one."""
    text = compact(value)
    return text if DISTRICT.match(text) else None


def district_of(postcode: str) -> str:
    """The district of a full postcode, written either way: "SE1 7PB" -> "SE1"."""
    return compact(postcode)[:-3]
