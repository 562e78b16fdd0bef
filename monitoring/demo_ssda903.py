"""Demo SSDA903 returns: each demo borough's looked-after children over six years, written as
the header and episodes files of each year's return, as a council's case system exports them.

Each child's care is a chain of episodes: a start (RNE S), moves to new carers (P), changes of
legal status only (L), moves with the same carers (T), a week in hospital and back (T1, then
P), a foster-to-adopt placement before an adoption, and an ending with a DfE reason. A few
children are looked after only under short breaks (V3). Deterministic (one random.Random per
borough). The return of a year holds every child looked after at any time in it, with the
episodes open during it; an episode that ended after the year is open in that year's return."""

import csv
import io
import random
from dataclasses import dataclass, replace
from datetime import date, timedelta

from .services.ssda903_read import EPISODE_COLUMNS, HEADER_COLUMNS, year_window

SEED = 9031
CHILDREN = 160
# Real postcodes (ONS Postcode Directory, OGL) in and around each demo borough's area, so the
# validator can place each placement inside or outside the borough's boundary.
AREAS = {
    "northbridge": ("E09000019", ["N19 4EB", "N19 3RQ", "N7 6PA", "N5 1XL"]),
    "eastmoor": ("E09000025", ["E12 6ET", "E15 9HP", "E13 9AJ", "E16 9HX"]),
    "westvale": ("E09000013", ["SW6 6PA", "W12 0AG", "SW6 3DY", "W12 6PB"]),
}
ELSEWHERE = ["CR4 6DD", "CR0 8SS", "ME2 1NF", "ME4 4ET", "BN2 5TT", "B33 3DD"]
ETHNIC = ["WBRI", "WBRI", "WBRI", "WOTH", "MWBC", "BAFR", "BCRB", "ABAN", "APKN", "OOTH"]
# Placement type, provider, whether it has an Ofsted URN, weight: for a child under 16.
YOUNGER = [
    ("U4", "PR1", True, 30),
    ("U6", "PR4", True, 25),
    ("U1", "PR1", True, 8),
    ("U3", "PR1", True, 6),
    ("K2", "PR4", True, 14),
    ("P1", "PR0", False, 5),
    ("S1", "PR4", True, 4),
    ("R1", "PR4", True, 2),
]
OLDER = [("H5", "PR4", True, 40)]
MOVES = ["CARPL", "CARPL", "CREQB", "CHILD", "LAREQ", "CREQO", "STAND"]
LEAVING = ["E4A", "E4A", "E13", "E45", "E41", "E8"]


@dataclass(frozen=True)
class Ep:
    decom: date
    rne: str
    ls: str
    place: str
    provider: str
    urn: str
    pl_post: str
    dec: date | None = None
    rec: str = ""
    reason: str = ""


def _setting(rng, age, home, area):
    choices = OLDER if age >= 16 else YOUNGER
    place, provider, has_urn, _w = rng.choices(choices, weights=[c[3] for c in choices])[0]
    places = [p for p in (area if rng.random() < 0.6 else ELSEWHERE) if p != home]
    post = home if place == "P1" else rng.choice(places)
    urn = f"SC{rng.randint(100000, 999999)}" if has_urn else ""
    return place, provider, urn, post


def _child_history(rng, today, area):
    """(date of birth, sex, home postcode, [Ep]) of one child."""
    start = today - timedelta(days=rng.randint(30, 6 * 365))
    dob = start - timedelta(days=rng.randint(0, 17 * 365))
    home = rng.choice(area)
    short_breaks = rng.random() < 0.04
    ls = "V3" if short_breaks else rng.choice(["C2", "C2", "C1", "V2", "V2"])
    episodes = []
    day, rne = start, "S"
    while day < today:
        age = (day - dob).days // 365
        if age >= 18:
            break
        place, provider, urn, post = _setting(rng, age, home, area)
        if episodes and rne in ("L", "T"):
            place, provider, urn, post = (
                episodes[-1].place,
                episodes[-1].provider,
                episodes[-1].urn,
                episodes[-1].pl_post,
            )
            if rne == "T":
                # The same carers: now long-term fostering, or moved house.
                if place == "U6":
                    place = "U4"
                else:
                    post = rng.choice([p for p in area if p not in (post, home)])
        if short_breaks:
            place, provider, urn, post = "U6", "PR1", "", ""
        episode = Ep(day, rne, ls, place, provider, urn, post)
        length = rng.randint(3, 6) if short_breaks else int(rng.expovariate(1 / 420)) + 14
        end = day + timedelta(days=length)
        if end >= today:
            episodes.append(episode)
            break
        roll = rng.random()
        if short_breaks or roll < 0.22 or (end - dob).days >= 18 * 365:
            rec = "E17" if (end - dob).days >= 18 * 365 else rng.choice(LEAVING)
            episodes.append(replace(episode, dec=end, rec=rec))
            if not short_breaks or rng.random() < 0.5:
                break
            day, rne = end + timedelta(days=rng.randint(20, 60)), "S"
            continue
        if roll < 0.32 and ls == "C1":
            ls, rne, reason = "C2", "L", ""
        elif roll < 0.40:
            rne, reason = "T", "PLACE"
        elif roll < 0.46 and place in ("U4", "U6", "K2"):
            # A week in hospital, then back to the same placement.
            episodes.append(replace(episode, dec=end, rec="X1"))
            back = end + timedelta(days=rng.randint(2, 7))
            hospital = rng.choice([p for p in area if p != home])
            episodes.append(Ep(end, "P", ls, "T1", "", "", hospital, back, "X1"))
            day, rne = back, "P"
            episodes.append(Ep(back, "P", ls, place, provider, urn, post))
            nxt = back + timedelta(days=int(rng.expovariate(1 / 300)) + 30)
            if nxt >= today:
                break
            episodes[-1] = replace(episodes[-1], dec=nxt, rec="X1", reason="CARPL")
            day, rne = nxt, "P"
            continue
        else:
            rne, reason = "P", rng.choice(MOVES)
        episodes.append(replace(episode, dec=end, rec="X1", reason=reason))
        day = end
    return dob, rng.choice("12"), home, episodes


def _fmt(day):
    return day.strftime("%d/%m/%Y") if day else ""


def borough_returns(slug, today, years):
    """{year ending: (header CSV bytes, episodes CSV bytes)} for each of `years`."""
    la_code, area = AREAS[slug]
    rng = random.Random(f"{SEED}-{slug}")  # noqa: S311 - demo data, not secrets
    children = []
    for number in range(1, CHILDREN + 1):
        dob, sex, home, episodes = _child_history(rng, today, area)
        if episodes:
            children.append((f"{slug[:2].upper()}{number:05d}", dob, sex, home, episodes))
    returns = {}
    for year in years:
        start, end = year_window(year)
        header, body = io.StringIO(), io.StringIO()
        heads, rows = csv.writer(header), csv.writer(body)
        heads.writerow(HEADER_COLUMNS)
        rows.writerow(EPISODE_COLUMNS)
        for reference, dob, sex, home, episodes in children:
            during = [e for e in episodes if e.decom <= end and (e.dec is None or e.dec >= start)]
            if not during:
                continue
            # Sex as 1 and 2 until 2023-24, M and F since; a UPN once of school age.
            shown = sex if year < 2025 else {"1": "M", "2": "F"}[sex]
            upn = "UN1" if (end - dob).days < 5 * 365 else f"A{rng.randint(10**11, 10**12 - 1)}"
            mother = "0" if sex == "2" else ""
            heads.writerow([reference, shown, _fmt(dob), rng.choice(ETHNIC), upn, mother, ""])
            for e in during:
                ended = e.dec is not None and e.dec <= end
                rows.writerow(
                    [
                        reference,
                        _fmt(e.decom),
                        e.rne,
                        e.ls,
                        "N1",
                        e.place,
                        e.provider,
                        _fmt(e.dec) if ended else "",
                        e.rec if ended else "",
                        e.reason if ended and e.rec == "X1" else "",
                        "" if e.ls in ("V3", "V4") else home,
                        e.pl_post,
                        e.urn,
                    ]
                )
        returns[year] = (header.getvalue().encode(), body.getvalue().encode())
    return la_code, returns
