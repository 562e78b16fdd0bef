"""How big each data set is, and the shapes of its distributions.

`national` is England on one installation: 153 boroughs in 10 regional consortia, about 3,500
children's homes, 320 fostering agencies and 260 supported accommodation providers (with
schools and parent-and-child units, about 5,000 services), 100,000 requests a year with 5 to 30
bids each, 80,000 placements a year and about 15,000 users. `small` keeps the same shapes at a
fiftieth of the size, for the benchmarks in CI; `tiny` is for the tests."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Scale:
    name: str
    regions: int
    boroughs: int
    home_providers: int  # organisations running children's homes ...
    homes: int  # ... and the homes they run between them
    fostering_agencies: int
    supported_providers: int
    school_providers: int
    parent_child_providers: int
    requests_per_year: int
    spot_share: float  # placements made outside the DPS, as a share of all placements
    borough_users: int  # per borough, on average
    bids: tuple = (5, 30)


SCALES = {
    "national": Scale("national", 10, 153, 1100, 3500, 320, 260, 150, 60, 100_000, 0.12, 45),
    "small": Scale("small", 2, 12, 24, 70, 8, 6, 4, 2, 2_000, 0.12, 12),
    "tiny": Scale("tiny", 2, 4, 4, 8, 2, 2, 1, 1, 60, 0.12, 4),
}

# The regions of England as consortia, with the number of councils in each (153 in all).
REGIONS = [
    ("London North", 16),
    ("London South", 17),
    ("South East", 19),
    ("South West", 15),
    ("East of England", 11),
    ("East Midlands", 10),
    ("West Midlands", 14),
    ("Yorkshire and the Humber", 15),
    ("North West", 24),
    ("North East", 12),
]
NAME_STARTS = [
    "Ash", "Bel", "Brook", "Cal", "Dun", "Elm", "Fair", "Glen", "Har", "Hol", "King", "Lang",
    "Mar", "North", "Oak", "Pen", "Red", "Rye", "Stan", "Thorn", "Wal", "West", "Win", "Yar",
]  # fmt: skip
NAME_ENDS = [
    "borough", "bridge", "field", "ford", "ham", "ley", "mouth", "stead", "ton", "wick",
    "worth", "by",
]  # fmt: skip

# The lots of every consortium: code, name, service type, share of requests, child's age range
# (weights rise with age within it), base weekly fee, placement length in days (min, max),
# share of endings unplanned.
LOTS = [
    ("childrens-homes", "Residential children's homes", "childrens_home", 38, (8, 17), 5200,
     (120, 720), 0.38),
    ("fostering", "Independent fostering", "fostering", 32, (0, 17), 950, (300, 1100), 0.22),
    ("supported-16-plus", "Supported accommodation 16+", "supported_accommodation", 18, (16, 17),
     1600, (150, 540), 0.3),
    ("parent-and-child", "Parent and child", "parent_and_child", 4, (16, 17), 3200, (84, 140),
     0.15),
    ("send-schools", "SEND independent and non-maintained schools", "school", 8, (6, 17), 3700,
     (300, 1100), 0.12),
]  # fmt: skip
SERVICE_AGES = {
    "childrens_home": (8, 17),
    "fostering": (0, 17),
    "supported_accommodation": (16, 17),
    "parent_and_child": (16, 17),
    "school": (5, 17),
}
# Ofsted's national picture for children's social care settings.
RATINGS = [
    ("outstanding", 20),
    ("good", 62),
    ("requires_improvement", 13),
    ("inadequate", 2),
    ("not_yet_inspected", 3),
]
RATING_QUALITY = {
    "outstanding": 100,
    "good": 75,
    "requires_improvement": 40,
    "inadequate": 0,
    "not_yet_inspected": 50,
}
