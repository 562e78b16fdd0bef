"""An SSDA903 return's files refused as a whole (nothing imported), the DfE's rules, and what a
return of one year does to the episodes and placements other years' returns wrote."""

from datetime import date

import pytest

from monitoring.models import CareEpisode, Ssda903Issue
from placements.models import Child
from tests.monitoring.ssda903_helpers import EPISODES, HEADER, ep, hd, placements, run, validate

pytestmark = pytest.mark.usefixtures("frozen")
GOOD_HEADER = HEADER + hd("C1")
GOOD_EPISODES = EPISODES + ep("C1", "01/04/2024")


@pytest.mark.parametrize(
    ("header", "episodes", "problem"),
    [
        (
            "CHILD,SEX,DOB\nC1,1,01/01/2012,Zoë\n".encode("cp1252"),
            GOOD_EPISODES,
            "The header file is not UTF-8 (line 2 has a character saved another way",
        ),
        (
            GOOD_HEADER,
            GOOD_EPISODES.replace(",", ";"),
            "The episodes file separates its values with semicolons (;), not commas",
        ),
        (GOOD_HEADER.replace(",", "\t"), GOOD_EPISODES, "separates its values with tabs"),
        (GOOD_HEADER, GOOD_EPISODES.replace(",", "|"), "separates its values with pipes (|)"),
        ("CHILD,SEX,ETHNIC\nC1,1,WBRI\n", GOOD_EPISODES, "The header file has no column DOB"),
        (
            GOOD_HEADER,
            "CHILD,PLACE,LS,DEC\nC1,K2,C2,\n",
            "The episodes file has no column DECOM, RNE",
        ),
        (GOOD_EPISODES, GOOD_HEADER, "The file uploaded as the header file is the episodes file"),
        ("", GOOD_EPISODES, "The header file is empty."),
        (GOOD_HEADER, EPISODES + "\n\n", "The episodes file is empty: it has a header row"),
        (
            GOOD_HEADER,
            "\ufeffnothing here\n1,2,3\n".encode("utf-16"),
            "The episodes file is saved as UTF-16",
        ),
        (
            GOOD_HEADER,
            EPISODES + ep("C1", "01/04/2021", dec="01/01/2022", rec="E13"),
            "none of its 1 episodes is open during the year ending 31 March 2025 (1 April "
            "2024 to 31 March 2025). It looks like the return for the year ending 31 March 2022",
        ),
        (
            GOOD_HEADER,
            EPISODES
            + ep("C1", "01/03/2025", dec="01/04/2025", rec="X1")
            + ep("C1", "01/04/2025", rne="P")
            + ep("C1", "01/05/2025", rne="P"),
            "2 of its 3 episodes start after the year ending 31 March 2025",
        ),
    ],
)
def test_a_file_level_problem_refuses_the_return_and_imports_nothing(
    world, no_dfe_rules, header, episodes, problem
):
    ssda903_return = run(world.borough_a, header, episodes)

    assert ssda903_return.status == "refused"
    assert any(problem in p for p in ssda903_return.problems), ssda903_return.problems
    assert not Ssda903Issue.objects.exists()
    assert not Child.objects.exists()
    assert not CareEpisode.objects.exists()


def test_both_files_problems_are_given_at_once(world, no_dfe_rules):
    ssda903_return = run(world.borough_a, "", GOOD_EPISODES.replace(",", ";"))
    assert len(ssda903_return.problems) == 2


def test_a_utf8_file_with_a_byte_order_mark_is_fine(world, no_dfe_rules):
    ssda903_return = run(
        world.borough_a, "\ufeff" + HEADER + hd("C1", ethnic="WBRI"), GOOD_EPISODES
    )
    assert ssda903_return.status == "imported"


def test_a_dfe_rule_is_reported_with_its_code_and_line(world):
    ssda903_return = validate(
        world.borough_a,
        HEADER + hd("C1", sex="M", dob="01/06/2021") + hd("C2", sex="X", dob="01/06/2021"),
        EPISODES
        + ep("C1", "01/05/2024", place="U1", provider="PR1", pl="SE5 8AA", urn="XXXXXXX")
        + ep("C2", "01/05/2024", place="U1", provider="PR1", pl="SE5 8AA", urn="XXXXXXX"),
    )

    assert ssda903_return.status == "validated"
    issue = ssda903_return.issues.get(code="101")
    assert (issue.file, issue.line, issue.child) == ("header", 3, "C2")
    assert "sex is not valid" in issue.message
    assert issue.fields == "SEX"
    assert [i.code for i in ssda903_return.issues.filter(child="C1")] == []
    assert (ssda903_return.children_total, ssda903_return.children_valid) == (2, 1)
    validation = ssda903_return.report["validation"]
    assert validation["ruleset_year"] == 2025
    assert validation["rules_ran"] > 50
    assert "derived" in ssda903_return.report


@pytest.mark.parametrize(("year_ending", "decom"), [(2024, "01/05/2023"), (2025, "01/05/2024")])
def test_sex_written_either_way_is_judged_in_the_years_own_code(world, year_ending, decom):
    # Rule 101: 1 and 2 up to the year ending 2024, M, F and U from 2025. Case systems write
    # either; the import stores both as the same value, so neither spelling is refused.
    header = HEADER + "".join(
        hd(child, sex=sex, dob="01/06/2012")
        for child, sex in [("C1", "1"), ("C2", "M"), ("C3", "f"), ("C4", "X")]
    )
    episodes = EPISODES + "".join(
        ep(child, decom, place="U1", provider="PR1", pl="SE5 8AA", urn="XXXXXXX")
        for child in ("C1", "C2", "C3", "C4")
    )

    ssda903_return = validate(world.borough_a, header, episodes, year_ending=year_ending)

    assert [i.child for i in ssda903_return.issues.filter(code="101")] == ["C4"]


def test_a_year_without_its_own_rules_uses_the_nearest(world):
    ssda903_return = validate(
        world.borough_a,
        HEADER + hd("C1", sex="1", dob="01/06/2012"),
        EPISODES + ep("C1", "01/05/2019", place="U1", provider="PR1"),
        year_ending=2020,
    )
    assert ssda903_return.report["validation"]["ruleset_year"] == 2023


# --- One year's return against another's ---------------------------------------------------


def test_an_open_episode_is_known_only_to_the_return_year_end(world, no_dfe_rules):
    run(world.borough_a, GOOD_HEADER, GOOD_EPISODES, year_ending=2025)

    episode = CareEpisode.objects.get()
    assert (episode.year_ending, episode.dec, episode.ends) == (2025, None, date(2025, 4, 1))
    (placement,) = placements("C1")
    assert (placement.status, placement.known_until) == ("started", date(2025, 3, 31))

    # The next year's return carries it on, still open: known a year further.
    run(world.borough_a, GOOD_HEADER, GOOD_EPISODES, year_ending=2026)
    episode.refresh_from_db()
    assert (episode.year_ending, episode.ends) == (2026, date(2026, 4, 1))
    placement.refresh_from_db()
    assert placement.known_until == date(2026, 3, 31)


def test_reimporting_a_fixed_file_updates_and_drops_what_it_no_longer_holds(world, no_dfe_rules):
    header = HEADER + hd("C1")
    run(
        world.borough_a,
        header,
        EPISODES
        + ep("C1", "01/04/2024", dec="01/06/2024", rec="X1")
        + ep("C1", "01/06/2024", rne="P"),
    )
    assert CareEpisode.objects.count() == 2

    fixed = run(world.borough_a, header, EPISODES + ep("C1", "01/04/2024", ls="C1"))

    report = fixed.report
    assert (report["episodes_updated"], report["episodes_removed"]) == (1, 1)
    (episode,) = CareEpisode.objects.all()
    assert (episode.ls, episode.dec, episode.ends) == ("C1", None, date(2025, 4, 1))


def test_an_older_return_imported_after_a_newer_one_changes_nothing_it_wrote(world, no_dfe_rules):
    header = HEADER + hd("C1")
    newer = EPISODES + ep("C1", "01/04/2024", dec="01/10/2025", rec="E13")
    run(world.borough_a, HEADER + hd("C1", dob="02/02/2012"), newer, year_ending=2026)
    before_episodes = list(CareEpisode.objects.values())
    (placement,) = placements("C1")
    assert (placement.end_date, placement.known_until) == (date(2025, 10, 1), None)

    older = run(world.borough_a, header, GOOD_EPISODES, year_ending=2025)

    assert older.report["episodes_kept_newer"] == 1
    assert list(CareEpisode.objects.values()) == before_episodes
    placement.refresh_from_db()
    assert (placement.status, placement.end_date, placement.known_until) == (
        "ended",
        date(2025, 10, 1),
        None,
    )
    assert Child.objects.get().date_of_birth == date(2012, 2, 2)
