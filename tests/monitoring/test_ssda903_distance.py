"""Why an SSDA903 episode's distance from home is not known: found at import from HOME_POST and
PL_POST against the ONS Postcode Directory (the hand-worked slice in tests/geography), for the
whole batch at once; PL_DISTANCE stays as the DfE's validator derived it."""

import pytest

from geography.selectors import Unknown
from monitoring.models import CareEpisode
from monitoring.services import ssda903_store, ssda903_validate
from tests.monitoring.ssda903_helpers import EPISODES, HEADER, ep, hd, run

pytestmark = pytest.mark.usefixtures("frozen", "directory")
HOME = "N19 4EB"


def imported(world, rows):
    """Import one episode per (home, placement) postcode pair, each child its own; the reason
    of each child's episode, by child."""
    header = HEADER + "".join(hd(f"C{i}", upn=f"U{i}") for i in range(len(rows)))
    episodes = EPISODES + "".join(
        ep(f"C{i}", "01/06/2024", home=home, pl=pl) for i, (home, pl) in enumerate(rows)
    )
    run(world.borough_a, header, episodes)
    return dict(CareEpisode.objects.values_list("child__reference", "distance_unknown").order_by())


def test_each_reason_a_distance_is_unknown(world, no_dfe_rules):
    reasons = imported(
        world,
        [
            (HOME, ""),  # PL_POST blank: also how a confidential placement is returned
            ("", "N7 6PA"),  # HOME_POST blank
            (HOME, "M2 3RT"),  # not in the directory
            (HOME, "N19 9ZX"),  # terminated in 2019
            (HOME, "AB11 3AG"),  # no grid reference
            ("N19 9ZX", "M2 3RT"),  # the home's reason first
        ],
    )
    assert reasons == {
        "C0": Unknown.NOT_GIVEN,
        "C1": Unknown.NOT_GIVEN,
        "C2": Unknown.NOT_FOUND,
        "C3": Unknown.TERMINATED,
        "C4": Unknown.NO_GRID,
        "C5": Unknown.TERMINATED,
    }
    assert not CareEpisode.objects.filter(pl_distance__isnull=False).exists()


def test_a_distance_the_validator_derived_has_no_reason(world, monkeypatch):
    def derived(*, header_rows, episode_rows, year_ending, la_code):
        result = ssda903_validate.DfeResult(ruleset_year=year_ending)
        # N19 4EB to N7 6PA, as the validator works it: 0.7 miles, inside Islington.
        result.derived = {row.index: ("E09000019", "IN", 0.7) for row in episode_rows}
        return result

    monkeypatch.setattr(ssda903_validate, "dfe_rules_run", derived)
    assert imported(world, [(HOME, "N7 6PA")]) == {"C0": ""}
    episode = CareEpisode.objects.get()
    assert (str(episode.pl_distance), episode.pl_location) == ("0.7", "IN")


def test_the_postcodes_of_a_batch_are_located_together(world, no_dfe_rules, monkeypatch):
    calls = []
    locate_many = ssda903_store.locate_many

    def counted(postcodes):
        calls.append(set(postcodes))
        return locate_many(postcodes)

    monkeypatch.setattr(ssda903_store, "locate_many", counted)
    imported(world, [(HOME, "M2 3RT"), (HOME, "N19 9ZX"), (HOME, "")])
    assert calls == [{HOME, "M2 3RT", "N19 9ZX"}]
