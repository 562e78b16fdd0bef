"""An SSDA903 return in, validated and imported: 5,000 children and 10,000 episodes (300
children at small scale) of a borough kept for the benchmark, uploaded, checked (file-level checks,
our row checks, the DfE's rules with the validator), and its valid children imported (children,
episodes of care, placements). Timed end to end; target under 30 s. What the import wrote is
removed at the end."""

import random
import time
from datetime import date, timedelta

from django.db import transaction

from bench.harness import Result
from dps.models import Organisation
from monitoring.models import CareEpisode, Ssda903Return
from monitoring.services.ssda903 import (
    ssda903_return_create,
    ssda903_return_import,
    ssda903_return_store,
    ssda903_return_validate,
)
from placements.models import Child, Placement

TARGET_S = 30
YEAR = 2025
HEADER = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n"
EPISODES = (
    "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,"
    "PL_POST,URN\n"
)
POSTCODES = ["BR1 3AA", "BR1 3AB", "SE5 8AA", "SE5 8AB", "SE6 4AA", "SE6 4AB", "SE1 7AA"]
PLACES = [("U1", "PR1", "XXXXXXX"), ("U4", "PR1", "XXXXXXX"), ("K2", "PR4", "SC{:06d}")]
ETHNIC = ["WBRI", "WIRI", "MWBC", "BAFR", "ABAN", "OOTH"]


def generate(children, rng):
    """(header, episodes) CSV bytes: about two episodes a child, in the return's year."""
    header, episodes = [HEADER], [EPISODES]
    start = date(YEAR - 1, 4, 1)
    for i in range(children):
        ref = f"B{i:06d}"
        dob = date(2008, 1, 1) + timedelta(days=rng.randrange(0, 4500))
        sex = rng.choice("MF")
        mother = "0" if sex == "F" else ""
        header.append(f"{ref},{sex},{dob:%d/%m/%Y},{rng.choice(ETHNIC)},UN2,{mother},\n")
        decom = max(dob + timedelta(days=30), start - timedelta(days=rng.randrange(0, 900)))
        home = rng.choice(POSTCODES)
        places = rng.sample(PLACES, 2)
        for n in range(2):
            place, provider, urn = places[n]
            placed = rng.choice([p for p in POSTCODES if p != home])
            last = n == 1
            dec = "" if last else (start + timedelta(days=rng.randrange(30, 300)))
            rne = "S" if n == 0 else "P"
            episodes.append(
                f"{ref},{decom:%d/%m/%Y},{rne},C2,N1,{place},{provider},"
                f"{'' if last else f'{dec:%d/%m/%Y}'},{'' if last else 'X1'},"
                f"{'' if last else 'CARPL'},{home},{placed},"
                f"{urn.format(rng.randrange(1, 999999))}\n"
            )
            if not last:
                decom = dec
    return "".join(header).encode(), "".join(episodes).encode()


def _cleanup(borough):
    with transaction.atomic():
        Placement.objects.filter(borough=borough).delete()
        CareEpisode.objects.filter(borough=borough).delete()
        Child.objects.filter(borough=borough).delete()
        Ssda903Return.objects.filter(borough=borough).delete()


def run(ctx):
    children = 300 if ctx.small else 5000
    header, episodes = generate(children, random.Random(903))
    # Kept between runs (its audit events are append-only); what a run writes is removed.
    borough, _ = Organisation.objects.get_or_create(
        slug="ssda903-bench",
        defaults={
            "kind": Organisation.Kind.BOROUGH,
            "name": "SSDA903 bench borough",
            "la_code": "E09000006",
        },
    )
    _cleanup(borough)
    try:
        started = time.perf_counter()
        ssda903_return = ssda903_return_create(
            actor=None,
            borough=borough,
            year_ending=YEAR,
            header=header,
            episodes=episodes,
            label="bench",
            queue=False,
        )
        ssda903_return_validate(ssda903_return)
        validated = time.perf_counter()
        if ssda903_return.status != Ssda903Return.Status.VALIDATED:
            raise AssertionError(
                f"the return was {ssda903_return.status}: {ssda903_return.problems}"
            )
        ssda903_return_import(actor=None, ssda903_return=ssda903_return, queue=False)
        ssda903_return_store(ssda903_return)
        done = time.perf_counter()
        if ssda903_return.status != Ssda903Return.Status.IMPORTED:
            raise AssertionError(
                f"the import ended {ssda903_return.status}: {ssda903_return.error}"
            )
        report = ssda903_return.report
    finally:
        _cleanup(borough)
    total = done - started
    return [
        Result(
            name=(
                f"SSDA903 return of {children:,} children, {ssda903_return.episodes_total:,} "
                "episodes: validated and imported"
            ),
            unit="s",
            median=total,
            p95=total,
            target=f"< {TARGET_S} s",
            passed=total < TARGET_S,
            note=(
                f"validation {validated - started:.1f} s "
                f"({ssda903_return.issues_total} issues), import {done - validated:.1f} s "
                f"({report['children_created']} children, {report['episodes_created']} "
                f"episodes, {report['placements_created']} placements)"
            ),
            runs=1,
        )
    ]
