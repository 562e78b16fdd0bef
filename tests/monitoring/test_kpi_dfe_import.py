"""A hand-worked return taken the whole way: uploaded as the two CSV files a case system
exports, checked by the DfE's own rules (none broken), imported, and counted by the DfE's
definitions."""

from datetime import date
from decimal import Decimal

import pytest

from monitoring.kpis import KPIS
from monitoring.kpis.periods import Period
from monitoring.models import KpiRun
from tests.monitoring.ssda903_helpers import EPISODES, HEADER, TODAY, ep, hd, run

pytestmark = pytest.mark.usefixtures("frozen")
YEAR = Period("year", date(2024, 4, 1), date(2025, 3, 31))

# From 2024-25 the return gives sex as M, F or U; every child of school age has a UPN.
RETURN_HEADER = (
    HEADER
    + hd("C1", sex="M", upn="A123456789012")
    + hd("C2", sex="M", upn="A123456789013")
    + hd("C3", sex="M", upn="A123456789014")
)
RETURN_EPISODES = (
    EPISODES
    # C1: foster carers (S), who move house (T: the same carers), then a children's home (P),
    # then other foster carers (P): 3 placements, 2 moves.
    + ep(
        "C1",
        "10/04/2024",
        place="U4",
        urn="SC111111",
        dec="01/07/2024",
        rec="X1",
        reason="PLACE",
        pl="BR1 3AA",
        home="SE5 8AA",
    )
    + ep(
        "C1",
        "01/07/2024",
        rne="T",
        place="U4",
        urn="SC111111",
        dec="01/10/2024",
        rec="X1",
        reason="CARPL",
        pl="BR2 9AA",
        home="SE5 8AA",
    )
    + ep(
        "C1",
        "01/10/2024",
        rne="P",
        place="K2",
        urn="SC222222",
        dec="15/01/2025",
        rec="X1",
        reason="CREQB",
        pl="BR1 3AA",
        home="SE5 8AA",
    )
    + ep("C1", "15/01/2025", rne="P", place="U6", urn="SC333333", pl="BR2 9AA", home="SE5 8AA")
    # C2: with the same foster carers since June 2021: long-term stable.
    + ep("C2", "01/06/2021", place="U4", urn="SC111111", pl="BR1 3AA", home="SE5 8AA")
    # C3: a week in hospital (T1) and back to the same carers: one placement, not three.
    + ep(
        "C3",
        "01/05/2024",
        place="U4",
        urn="SC111111",
        dec="01/08/2024",
        rec="X1",
        pl="BR1 3AA",
        home="SE5 8AA",
    )
    + ep(
        "C3",
        "01/08/2024",
        rne="P",
        place="T1",
        provider="",
        dec="06/08/2024",
        rec="X1",
        pl="BR2 9AA",
        home="SE5 8AA",
    )
    + ep("C3", "06/08/2024", rne="P", place="U4", urn="SC111111", pl="BR1 3AA", home="SE5 8AA")
)


def figure(code, borough):
    kpi = KPIS[code]
    (row,) = [r for r in kpi.compute("borough", [YEAR], TODAY.date()) if r.scope_id == borough.pk]
    return kpi.value_of(row.numerator, row.denominator), row.numerator, row.denominator


def test_a_hand_worked_return_gives_the_dfe_figures(world):
    ssda903_return = run(world.borough_a, RETURN_HEADER, RETURN_EPISODES)

    assert ssda903_return.status == "imported", list(ssda903_return.issues.values())
    assert ssda903_return.children_valid == 3
    assert figure("cla_at_end", world.borough_a) == (Decimal(3), 3, 3)
    # C1 alone had 3 or more placements.
    assert figure("three_plus_placements", world.borough_a)[1:] == (1, 3)
    # Only C2 has been looked after for 2.5 years; with the same carers throughout.
    assert figure("long_term_stability", world.borough_a)[1:] == (1, 1)
    assert figure("started_in_year", world.borough_a)[1] == 2


def test_an_import_recomputes_the_consortiums_kpis(world):
    run(world.borough_a, RETURN_HEADER, RETURN_EPISODES)
    assert KpiRun.objects.filter(consortium=world.consortium, trigger="SSDA903 import").exists()
