"""The SSDA903 import: a borough's header and episodes files, checked, become its children, their
episodes of care and their placements, linked to services by Ofsted URN; a child with any issue
is left out; importing the same files again changes nothing."""

from datetime import date
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from dps.models import AuditEvent
from monitoring.models import CareEpisode, Ssda903Return
from monitoring.services import ssda903
from monitoring.services.ssda903 import parse_date
from monitoring.ssda903_columns import ending_planned
from placements.models import Child, Placement
from tests.factories import ServiceFactory
from tests.monitoring.ssda903_helpers import (
    EPISODES,
    HEADER,
    ep,
    hd,
    issues,
    placements,
    run,
)

SAMPLES = Path(__file__).resolve().parents[2] / "docs" / "samples"
pytestmark = pytest.mark.usefixtures("frozen")


@pytest.fixture
def services(world):
    return {
        "SC100001": ServiceFactory(provider=world.provider_a, ofsted_urn="SC100001"),
        "SC100002": ServiceFactory(provider=world.provider_b, ofsted_urn="SC100002"),
        "SC100011": ServiceFactory(provider=world.provider_a, ofsted_urn="SC100011"),
        "SC100012": ServiceFactory(provider=world.provider_b, ofsted_urn="SC100012"),
    }


def import_samples(capsys=None, *extra):
    call_command(
        "import_ssda903",
        "--borough",
        "borough-a",
        "--import-valid",
        *extra,
        str(SAMPLES / "ssda903_header.csv"),
        str(SAMPLES / "ssda903_episodes.csv"),
    )
    return capsys.readouterr().out if capsys else None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("27/03/2025", date(2025, 3, 27)),
        ("7/3/2025", date(2025, 3, 7)),
        ("2025-03-27", date(2025, 3, 27)),
        ("27-03-2025", date(2025, 3, 27)),
        ("27/03/25", date(2025, 3, 27)),
        ("27/03/2025 00:00", date(2025, 3, 27)),
        ("27/03/2025 13:45:10", date(2025, 3, 27)),
        ("2025-03-27T00:00:00", date(2025, 3, 27)),
        ("  ", None),
        ("", None),
    ],
)
def test_it_reads_the_date_formats_such_files_hold(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["2025-02-30", "31/31/2025", "March 2025", "27/03"])
def test_an_unreadable_date_is_refused(text):
    with pytest.raises(ssda903.RowError):
        parse_date(text, "DECOM")


@pytest.mark.parametrize(
    ("reason", "rec", "planned"),
    [
        ("CARPL", "X1", True),
        ("PLACE", "X1", True),
        ("CREQB", "X1", False),
        ("ALLEG", "X1", False),
        ("OTHER", "X1", None),
        ("", "X1", None),
        ("", "E4A", True),
        ("", "E11", True),
        ("", "E4B", False),
        ("", "E9", False),
        ("", "E2", None),
        ("", "", None),
    ],
)
def test_planned_or_not_follows_the_documented_rule(reason, rec, planned):
    assert ending_planned(reason_place_change=reason, rec=rec) is planned


def test_the_sample_files_import_their_valid_children_with_the_dfe_rules(world, services, capsys):
    out = import_samples(capsys)

    assert "Year ending 31 March 2025 (inferred from the episodes' dates" in out
    assert "Children: 5\nEpisodes: 10\n" in out
    assert "DPS03 (1): Unreadable DOB “not known”." in out
    assert "episodes line 9: NB1004 DPS05 Unreadable DECOM “2023-02-30”." in out
    assert "episodes line 10: NB1004 DPS07 DEC 01/05/2023 is before DECOM 01/06/2023." in out
    assert "episodes line 11: NB9999 DPS09 CHILD NB9999 is in no row of the header file." in out
    # The DfE's rules, with their codes and the lines of the original files.
    assert "header line 6: NB1005 102 Date of birth is not a valid date." in out
    assert "episodes line 11: NB9999 INT03" in out
    assert "Valid children (no issue): 3 of 5" in out
    assert "Children: 3 created, 0 updated, 0 unchanged, 2 left out for issues" in out
    assert "Placements: 6 created, 0 updated, 0 unchanged" in out
    assert "Legal status changes continuing a placement (RNE L): 1" in out
    assert "Unmatched URNs: 1\n  SC999999" in out
    assert not Child.objects.filter(reference__in=["NB1004", "NB1005", "NB9999"]).exists()

    child = Child.objects.get(borough=world.borough_a, reference="NB1001")
    assert (child.date_of_birth, child.sex, child.ethnicity) == (date(2010, 3, 14), "1", "WBRI")
    assert child.looked_after_since == date(2022, 4, 1)
    assert Child.objects.get(reference="NB1003").date_of_birth == date(2008, 9, 5)

    first, second = placements("NB1001")
    assert first.child == child
    assert first.borough == world.borough_a
    assert (first.start_date, first.end_date, first.status) == (
        date(2022, 4, 1),
        date(2022, 9, 15),
        "ended",
    )
    assert (first.end_reason, first.end_planned) == ("CREQB", False)
    assert (first.placement_type, first.legal_status) == ("K2", "C2")
    assert (first.service, first.provider) == (services["SC100001"], world.provider_a)
    assert first.weekly_fee == 0
    assert (second.status, second.end_date, second.end_planned) == ("started", None, None)
    assert (second.service, second.provider) == (services["SC100002"], world.provider_b)
    # Open at the return's year end: known to run to then, no further.
    assert second.known_until == date(2025, 3, 31)
    assert first.known_until is None

    # No URN (XXXXXXX) and an unknown URN both leave the service and provider empty.
    assert [(p.service, p.provider) for p in placements("NB1002")] == [(None, None)] * 2
    # The validator's derived placement area and distance are kept on each episode.
    episode = CareEpisode.objects.get(child=child, decom=date(2022, 4, 1))
    assert (episode.pl_la, episode.pl_location) == ("E09000028", "OUT")
    assert episode.pl_distance is not None
    assert episode.urn == "SC100001"
    assert CareEpisode.objects.get(child__reference="NB1002", seq=0, rne="S").urn == ""


def test_importing_the_same_files_again_changes_nothing(world, services, capsys):
    import_samples()
    before = list(Placement.objects.values().order_by("pk"))
    children = list(Child.objects.values().order_by("pk"))
    episodes = list(CareEpisode.objects.values().order_by("pk"))

    out = import_samples(capsys, "--year-ending", "2025")

    assert "Children: 0 created, 0 updated, 3 unchanged" in out
    assert "Episodes: 0 created, 0 updated, 7 unchanged, 0 removed" in out
    assert "Placements: 0 created, 0 updated, 6 unchanged" in out
    assert list(Placement.objects.values().order_by("pk")) == before
    assert list(Child.objects.values().order_by("pk")) == children
    assert list(CareEpisode.objects.values().order_by("pk")) == episodes


def test_a_changed_value_updates_the_placement_it_belongs_to(world, services, no_dfe_rules):
    header = HEADER + hd("C1", sex="2")
    run(world.borough_a, header, EPISODES + ep("C1", "01/04/2024", urn="SC100001"))
    placement = placements("C1")[0]

    ssda903_return = run(
        world.borough_a,
        header,
        EPISODES + ep("C1", "01/04/2024", dec="31/12/2024", rec="E4B", urn="SC100011"),
    )

    report = ssda903_return.report
    assert (report["placements_created"], report["placements_updated"]) == (0, 1)
    assert (report["episodes_updated"], report["episodes_created"]) == (1, 0)
    placement.refresh_from_db()
    assert (placement.end_date, placement.status, placement.end_reason) == (
        date(2024, 12, 31),
        "ended",
        "E4B",
    )
    assert placement.end_planned is False
    assert placement.known_until is None
    assert placement.service == services["SC100011"]
    assert Placement.objects.filter(source="ssda903").count() == 1


def test_a_legal_status_change_continues_the_placement(world, services, no_dfe_rules):
    ssda903_return = run(
        world.borough_a,
        HEADER + hd("C1"),
        EPISODES
        + ep("C1", "01/04/2023", ls="V2", dec="01/06/2023", rec="X1", urn="SC100001")
        + ep("C1", "01/06/2023", rne="L", dec="01/09/2023", rec="X1", urn="SC100001")
        + ep("C1", "01/09/2023", rne="L", ls="C1", dec="01/12/2023", rec="X1", reason="STAND")
        + ep("C1", "01/12/2023", rne="P", ls="C1", place="U1"),
        year_ending=2024,
    )

    assert ssda903_return.report["legal_status_episodes"] == 2
    first, second = placements("C1")
    assert (first.start_date, first.end_date) == (date(2023, 4, 1), date(2023, 12, 1))
    assert (first.legal_status, first.end_reason, first.end_planned) == ("C1", "STAND", False)
    assert (second.start_date, second.legal_status, second.status) == (
        date(2023, 12, 1),
        "C1",
        "started",
    )


def test_a_legal_status_change_in_a_later_return_continues_the_running_placement(
    world, no_dfe_rules
):
    header = HEADER + hd("C1")
    run(world.borough_a, header, EPISODES + ep("C1", "01/04/2023", ls="V2"), year_ending=2024)
    later = EPISODES + ep("C1", "01/06/2024", rne="L", dec="01/01/2025", rec="E11")

    report = run(world.borough_a, header, later).report

    assert (report["placements_created"], report["placements_updated"]) == (0, 1)
    (placement,) = placements("C1")
    assert (placement.start_date, placement.end_date, placement.legal_status) == (
        date(2023, 4, 1),
        date(2025, 1, 1),
        "C2",
    )
    assert (placement.status, placement.end_planned, placement.known_until) == (
        "ended",
        True,
        None,
    )
    # The period of care began before this return: the earlier start is kept.
    assert Child.objects.get(reference="C1").looked_after_since == date(2023, 4, 1)
    report = run(world.borough_a, header, later).report
    assert (report["placements_created"], report["placements_updated"]) == (0, 0)


def test_several_episodes_on_one_day_keep_their_file_order(world, services, no_dfe_rules):
    header = HEADER + hd("C1")
    # Listed out of date order; the two on 10/01/2025 keep the order of their lines.
    episodes = (
        EPISODES
        + ep("C1", "20/03/2025", rne="P", place="U3", urn="SC100012")
        + ep("C1", "10/01/2025", dec="10/01/2025", rec="X1", reason="ALLEG", urn="SC100001")
        + ep(
            "C1",
            "10/01/2025",
            rne="P",
            place="U1",
            dec="20/03/2025",
            reason="CARPL",
            urn="SC100011",
        )
    )
    run(world.borough_a, header, episodes)

    first, second, third = placements("C1")
    assert [p.service for p in (first, second, third)] == [
        services["SC100001"],
        services["SC100011"],
        services["SC100012"],
    ]
    assert (first.end_date, first.end_planned) == (date(2025, 1, 10), False)
    assert (second.end_date, second.end_planned) == (date(2025, 3, 20), True)
    assert list(
        CareEpisode.objects.filter(decom=date(2025, 1, 10)).values_list("seq", "place")
    ) == [(0, "K2"), (1, "U1")]

    report = run(world.borough_a, header, episodes).report
    assert (report["placements_created"], report["placements_updated"]) == (0, 0)
    assert report["placements_unchanged"] == 3
    assert [p.pk for p in placements("C1")] == [first.pk, second.pk, third.pk]


def test_a_new_period_of_care_moves_looked_after_since(world, no_dfe_rules):
    report = run(
        world.borough_a,
        HEADER + hd("C1", dob="01/01/2010"),
        EPISODES
        + ep("C1", "01/04/2020", ls="V2", dec="01/04/2021", rec="E4A")
        + ep("C1", "01/09/2024"),
    ).report
    assert report["placements_created"] == 2
    assert Child.objects.get(reference="C1").looked_after_since == date(2024, 9, 1)


def test_headers_are_matched_ignoring_case_and_spaces_after_a_title(world, no_dfe_rules):
    ssda903_return = run(
        world.borough_a,
        "SSDA903 header extract\n child , Sex ,dob,Ethnic\nC1,2,01/01/2012,wbri\n",
        "Episodes\nChild,Decom,rne,ls,place,dec,rec,Reason Place Change,urn\n"
        "C1,01/04/2024,s,c2,k2,,,,\n",
    )
    assert ssda903_return.issues_total == 0
    report = ssda903_return.report
    assert (report["children_created"], report["placements_created"]) == (1, 1)
    child = Child.objects.get(reference="C1")
    assert (child.sex, child.ethnicity) == ("2", "WBRI")
    assert placements("C1")[0].legal_status == "C2"
    episode = CareEpisode.objects.get(child=child)
    assert (episode.rne, episode.ls, episode.place) == ("S", "C2", "K2")


def test_messy_files_from_spreadsheets_are_read(world, no_dfe_rules):
    header = "\ufeffCHILD,SEX,DOB,ETHNIC\r\nC1,1,2012-01-01 00:00,wbri\r\n\r\n\r\n"
    episodes = (
        "Looked after children: episodes\r\n"
        "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,URN\r\n"
        "C1,01/04/2024 00:00,s,c2,n1,u1,pr1,2024-09-01,x1,carpl,xxxxxxx\r\n"
        "C1,2024-09-01,p,c2,n1,k2,pr4,,,,sc100001\r\n"
        ",,,,,,,,,,\r\n\r\n"
    )
    ssda903_return = run(world.borough_a, header.encode("utf-8"), episodes)

    assert ssda903_return.status == "imported", ssda903_return.problems
    assert ssda903_return.issues_total == 0
    first, second = CareEpisode.objects.order_by("decom")
    assert (first.decom, first.dec, first.rec, first.reason_place_change) == (
        date(2024, 4, 1),
        date(2024, 9, 1),
        "X1",
        "CARPL",
    )
    assert (first.urn, second.urn, second.place) == ("", "SC100001", "K2")
    assert Child.objects.get(reference="C1").date_of_birth == date(2012, 1, 1)


def test_children_and_placements_belong_to_the_importing_borough_only(world, no_dfe_rules):
    header = HEADER + hd("C1")
    episodes = EPISODES + ep("C1", "01/04/2024")
    run(world.borough_a, header, episodes)
    report = run(world.borough_b, header, episodes).report

    assert (report["children_created"], report["placements_created"]) == (1, 1)
    assert Child.objects.filter(reference="C1").count() == 2
    assert {p.borough for p in placements("C1")} == {world.borough_a, world.borough_b}
    assert CareEpisode.objects.filter(child__reference="C1").count() == 2


def test_only_the_valid_children_are_imported(world, no_dfe_rules):
    ssda903_return = run(
        world.borough_a,
        HEADER + hd("C1") + hd("C2") + hd("C3", dob="soon"),
        EPISODES
        + ep("C1", "01/04/2024")
        + ep("C2", "01/05/2024", dec="01/06/2024", rec="X1")
        + ep("C2", "01/06/2024", rne="Q")
        + ep("C3", "01/04/2024"),
    )
    assert (ssda903_return.children_total, ssda903_return.children_valid) == (3, 1)
    assert ssda903_return.report["children_left_out"] == 2
    assert list(Child.objects.values_list("reference", flat=True)) == ["C1"]
    assert CareEpisode.objects.count() == 1
    assert [p.child_reference for p in Placement.objects.all()] == ["C1"]


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        (hd("") + hd("C1"), [("header", 2, "", "DPS01")]),
        (
            hd("C1") + hd("C1", sex="2"),
            [("header", 2, "C1", "DPS02"), ("header", 3, "C1", "DPS02")],
        ),
        (hd("C1", dob="not known"), [("header", 2, "C1", "DPS03")]),
        (hd("C1", dob=""), [("header", 2, "C1", "DPS03")]),
        # In the future (so after DECOM too).
        (hd("C1", dob="01/01/2026"), [("header", 2, "C1", "DPS04")] * 2),
        (hd("C1", dob="01/01/1999"), [("header", 2, "C1", "DPS04")]),  # over 25 at year end
        (hd("C1", dob="01/05/2024"), [("header", 2, "C1", "DPS04")]),  # after DECOM
    ],
)
def test_our_checks_of_the_header_rows(world, no_dfe_rules, rows, expected):
    ssda903_return = run(world.borough_a, HEADER + rows, EPISODES + ep("C1", "01/04/2024"))
    assert issues(ssda903_return) == expected
    assert not Child.objects.exclude(reference="C1").exists()
    assert Child.objects.exists() is (expected[0][2] == "")


@pytest.mark.parametrize(
    ("rows", "expected", "message"),
    [
        (ep("", "01/04/2024"), [("episodes", 2, "", "DPS01")], "No CHILD."),
        (ep("C1", "soon"), [("episodes", 2, "C1", "DPS05")], "Unreadable DECOM “soon”."),
        (ep("C1", ""), [("episodes", 2, "C1", "DPS06")], "No DECOM"),
        (
            ep("C1", "01/04/2024", dec="later"),
            [("episodes", 2, "C1", "DPS05")],
            "Unreadable DEC “later”.",
        ),
        (
            ep("C1", "01/06/2024", dec="01/05/2024"),
            [("episodes", 2, "C1", "DPS07")],
            "DEC 01/05/2024 is before DECOM 01/06/2024.",
        ),
        (
            ep("C1", "01/04/2024", rne="SP"),
            [("episodes", 2, "C1", "DPS08")],
            "Unknown RNE “SP”: expected one of S, L, P, B, T, U.",
        ),
        (
            ep("C9", "01/04/2024"),
            [("episodes", 2, "C9", "DPS09")],
            "CHILD C9 is in no row of the header file.",
        ),
        (
            ep("C1", "01/04/2024", dec="01/08/2024") + ep("C1", "01/07/2024", rne="P"),
            [("episodes", 3, "C1", "DPS10")],
            "overlaps the one on line 2",
        ),
        (
            ep("C1", "01/04/2024") + ep("C1", "01/07/2024", rne="P"),
            [("episodes", 2, "C1", "DPS11")],
            "has no DEC but the child has a later episode (line 3",
        ),
    ],
)
def test_our_checks_of_the_episode_rows(world, no_dfe_rules, rows, expected, message):
    ssda903_return = run(
        world.borough_a, HEADER + hd("C1") + hd("C2"), EPISODES + rows + ep("C2", "01/05/2024")
    )
    assert issues(ssda903_return) == expected
    assert message in ssda903_return.issues.get().message
    # The rest is imported.
    assert ssda903_return.report["placements_created"] == 1
    assert "C2" in Child.objects.values_list("reference", flat=True)
    assert not Child.objects.filter(reference=expected[0][2]).exists()


def test_a_gap_between_episodes_is_fine(world, no_dfe_rules):
    ssda903_return = run(
        world.borough_a,
        HEADER + hd("C1"),
        EPISODES
        + ep("C1", "01/04/2024", dec="01/06/2024", rec="E13")
        + ep("C1", "01/09/2024", rne="S"),
    )
    assert ssda903_return.issues_total == 0
    assert ssda903_return.report["placements_created"] == 2


def test_one_summary_event_is_audited(world, services):
    import_samples()
    (event,) = AuditEvent.objects.filter(action="placement.ssda903_import")
    assert event.actor_label == "import ssda903"
    assert event.organisation == world.borough_a
    assert event.detail["placements_created"] == 6
    assert event.detail["children_left_out"] == 2
    assert event.detail["files"] == {
        "header": "ssda903_header.csv",
        "episodes": "ssda903_episodes.csv",
    }


def test_the_command_prints_its_progress_and_checks_only_without_import_valid(
    world, tmp_path, capsys, no_dfe_rules
):
    header = tmp_path / "header.csv"
    episodes = tmp_path / "episodes.csv"
    header.write_text(HEADER + "".join(hd(f"C{i}") for i in range(5)))
    episodes.write_text(EPISODES + "".join(ep(f"C{i}", "01/04/2024") for i in range(5)))
    call_command(
        "import_ssda903",
        "--borough",
        "borough-a",
        "--year-ending",
        "2025",
        str(header),
        str(episodes),
    )
    out = capsys.readouterr().out
    assert "  Reading the files ...\n  Checking the rows ...\n  Running the DfE's rules" in out
    assert "Valid children (no issue): 5 of 5" in out
    assert "Checked only" in out
    assert not Child.objects.exists()
    assert Ssda903Return.objects.get().status == "validated"


def test_the_command_refuses_an_unknown_borough_or_file_or_a_refused_return(world, tmp_path):
    with pytest.raises(CommandError, match="No borough"):
        call_command(
            "import_ssda903",
            "--borough",
            "provider-a",
            str(SAMPLES / "ssda903_header.csv"),
            str(SAMPLES / "ssda903_episodes.csv"),
        )
    with pytest.raises(CommandError, match="No such file"):
        call_command(
            "import_ssda903",
            "--borough",
            "borough-a",
            str(tmp_path / "none.csv"),
            str(SAMPLES / "ssda903_episodes.csv"),
        )
    with pytest.raises(CommandError, match="refused"):
        call_command(
            "import_ssda903",
            "--borough",
            "borough-a",
            "--year-ending",
            "2025",
            str(SAMPLES / "ssda903_episodes.csv"),
            str(SAMPLES / "ssda903_header.csv"),
        )
