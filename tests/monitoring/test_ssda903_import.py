"""The SSDA903 import: a borough's header and episodes files become its children and their
placements, linked to services by Ofsted URN; bad rows are reported with their line numbers
without stopping, and importing the same files again changes nothing."""

import io
from datetime import date
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from dps.models import AuditEvent
from dps.services import DomainError
from monitoring.services import ssda903
from monitoring.services.ssda903 import parse_date, ssda903_import
from monitoring.ssda903_columns import ending_planned
from placements.models import Child, Placement
from tests.factories import ServiceFactory

SAMPLES = Path(__file__).resolve().parents[2] / "docs" / "samples"
HEADER = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n"
EPISODES = (
    "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,"
    "PL_POST,URN\n"
)


def run(borough, header, episodes):
    return ssda903_import(
        borough=borough,
        header=io.BytesIO(header.encode()),
        episodes=io.BytesIO(episodes.encode()),
        label="test",
    )


def placements(child_reference):
    return list(
        Placement.objects.filter(child_reference=child_reference, source="ssda903").order_by(
            "start_date", "pk"
        )
    )


@pytest.fixture
def services(world):
    return {
        "SC100001": ServiceFactory(provider=world.provider_a, ofsted_urn="SC100001"),
        "SC100002": ServiceFactory(provider=world.provider_b, ofsted_urn="SC100002"),
        "SC100011": ServiceFactory(provider=world.provider_a, ofsted_urn="SC100011"),
        "SC100012": ServiceFactory(provider=world.provider_b, ofsted_urn="SC100012"),
    }


def import_samples(capsys=None):
    call_command(
        "import_ssda903",
        "--borough",
        "borough-a",
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


def test_the_sample_files_import_with_their_bad_rows_reported(world, services, capsys):
    out = import_samples(capsys)

    assert "Header rows read: 5" in out
    assert "Episode rows read: 10" in out
    assert "Children: 4 created, 0 updated, 0 unchanged" in out
    assert "Placements: 6 created, 0 updated, 0 unchanged" in out
    assert "Legal status changes continuing a placement (RNE L): 1" in out
    assert "Unmatched URNs: 1\n  SC999999" in out
    assert "Malformed rows: 4" in out
    assert "header line 6: Unreadable DOB “not known”." in out
    assert "episodes line 9: Unreadable DECOM “2023-02-30”." in out
    assert "episodes line 10: DEC 01/05/2023 is before DECOM 01/06/2023." in out
    assert "episodes line 11: Unknown child NB9999" in out
    assert not Child.objects.filter(reference__in=["NB1005", "NB9999"]).exists()

    child = Child.objects.get(borough=world.borough_a, reference="NB1001")
    assert (child.date_of_birth, child.sex, child.ethnicity) == (date(2010, 3, 14), "1", "WBRI")
    assert child.looked_after_since == date(2022, 4, 1)
    assert Child.objects.get(reference="NB1004").date_of_birth == date(2011, 11, 21)
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

    # No URN (XXXXXXX) and an unknown URN both leave the service and provider empty.
    assert [(p.service, p.provider) for p in placements("NB1002")] == [(None, None)] * 2


def test_importing_the_same_files_again_changes_nothing(world, services, capsys):
    import_samples()
    before = list(Placement.objects.values().order_by("pk"))
    children = list(Child.objects.values().order_by("pk"))

    out = import_samples(capsys)

    assert "Children: 0 created, 0 updated, 4 unchanged" in out
    assert "Placements: 0 created, 0 updated, 6 unchanged" in out
    assert list(Placement.objects.values().order_by("pk")) == before
    assert list(Child.objects.values().order_by("pk")) == children


def test_a_changed_value_updates_the_placement_it_belongs_to(world, services):
    header = HEADER + "C1,2,01/01/2012,WBRI,,,\n"
    run(world.borough_a, header, EPISODES + "C1,01/04/2024,S,C2,N1,K2,PR4,,,,,,SC100001\n")
    placement = placements("C1")[0]

    report = run(
        world.borough_a,
        header,
        EPISODES + "C1,01/04/2024,S,C2,N1,K2,PR4,31/12/2024,E4B,,,,SC100011\n",
    )

    assert (report.placements_created, report.placements_updated) == (0, 1)
    placement.refresh_from_db()
    assert (placement.end_date, placement.status, placement.end_reason) == (
        date(2024, 12, 31),
        "ended",
        "E4B",
    )
    assert placement.end_planned is False
    assert placement.service == services["SC100011"]
    assert Placement.objects.filter(source="ssda903").count() == 1


def test_a_legal_status_change_continues_the_placement(world, services):
    report = run(
        world.borough_a,
        HEADER + "C1,1,01/01/2012,WBRI,,,\n",
        EPISODES
        + "C1,01/04/2023,S,V2,N1,K2,PR4,01/06/2023,X1,,,,SC100001\n"
        + "C1,01/06/2023,L,C2,N1,K2,PR4,01/09/2023,X1,,,,SC100001\n"
        + "C1,01/09/2023,L,C1,N1,K2,PR4,01/12/2023,X1,STAND,,,SC100001\n"
        + "C1,01/12/2023,P,C1,N1,U1,PR4,,,,,,\n",
    )

    assert report.legal_status_episodes == 2
    first, second = placements("C1")
    assert (first.start_date, first.end_date) == (date(2023, 4, 1), date(2023, 12, 1))
    assert (first.legal_status, first.end_reason, first.end_planned) == ("C1", "STAND", False)
    assert (second.start_date, second.legal_status, second.status) == (
        date(2023, 12, 1),
        "C1",
        "started",
    )


def test_a_legal_status_change_in_a_later_return_continues_the_running_placement(world):
    header = HEADER + "C1,1,01/01/2012,WBRI,,,\n"
    run(world.borough_a, header, EPISODES + "C1,01/04/2023,S,V2,N1,K2,PR4,,,,,,\n")
    later = EPISODES + "C1,01/06/2024,L,C2,N1,K2,PR4,01/01/2025,E11,,,,\n"

    report = run(world.borough_a, header, later)

    assert (report.placements_created, report.placements_updated) == (0, 1)
    (placement,) = placements("C1")
    assert (placement.start_date, placement.end_date, placement.legal_status) == (
        date(2023, 4, 1),
        date(2025, 1, 1),
        "C2",
    )
    assert (placement.status, placement.end_planned) == ("ended", True)
    # The period of care began before this return: the earlier start is kept.
    assert Child.objects.get(reference="C1").looked_after_since == date(2023, 4, 1)
    report = run(world.borough_a, header, later)
    assert (report.placements_created, report.placements_updated) == (0, 0)


def test_several_episodes_on_one_day_keep_their_file_order(world, services):
    header = HEADER + "C1,1,01/01/2012,WBRI,,,\n"
    # Listed out of date order; the two on 10/01/2024 keep the order of their lines.
    episodes = (
        EPISODES
        + "C1,20/03/2024,P,V2,N1,U3,PR4,,,,,,SC100012\n"
        + "C1,10/01/2024,S,V2,N1,K2,PR4,10/01/2024,X1,ALLEG,,,SC100001\n"
        + "C1,10/01/2024,P,V2,N1,U1,PR4,20/03/2024,X1,CARPL,,,SC100011\n"
    )
    run(world.borough_a, header, episodes)

    first, second, third = placements("C1")
    assert [p.service for p in (first, second, third)] == [
        services["SC100001"],
        services["SC100011"],
        services["SC100012"],
    ]
    assert (first.end_date, first.end_planned) == (date(2024, 1, 10), False)
    assert (second.end_date, second.end_planned) == (date(2024, 3, 20), True)

    report = run(world.borough_a, header, episodes)
    assert (report.placements_created, report.placements_updated) == (0, 0)
    assert report.placements_unchanged == 3
    assert [p.pk for p in placements("C1")] == [first.pk, second.pk, third.pk]


def test_a_new_period_of_care_moves_looked_after_since(world):
    report = run(
        world.borough_a,
        HEADER + "C1,1,01/01/2010,WBRI,,,\n",
        EPISODES
        + "C1,01/04/2020,S,V2,N1,K2,PR4,01/04/2021,E4A,,,,\n"
        + "C1,01/09/2022,S,C2,N1,K2,PR4,,,,,,\n",
    )
    assert report.placements_created == 2
    assert Child.objects.get(reference="C1").looked_after_since == date(2022, 9, 1)


def test_headers_are_matched_ignoring_case_and_spaces_after_a_title(world):
    report = run(
        world.borough_a,
        "SSDA903 header extract\n child , Sex ,dob,Ethnic\nC1,2,01/01/2012,wbri\n",
        "Episodes\nChild,Decom,rne,ls,place,dec,rec,Reason Place Change,urn\n"
        "C1,01/04/2024,s,c2,k2,,,,\n",
    )
    assert (report.children_created, report.placements_created) == (1, 1)
    child = Child.objects.get(reference="C1")
    assert (child.sex, child.ethnicity) == ("2", "WBRI")
    assert placements("C1")[0].legal_status == "C2"


def test_children_and_placements_belong_to_the_importing_borough_only(world):
    header = HEADER + "C1,1,01/01/2012,WBRI,,,\n"
    episodes = EPISODES + "C1,01/04/2024,S,V2,N1,K2,PR4,,,,,,\n"
    run(world.borough_a, header, episodes)
    report = run(world.borough_b, header, episodes)

    assert (report.children_created, report.placements_created) == (1, 1)
    assert Child.objects.filter(reference="C1").count() == 2
    assert {p.borough for p in placements("C1")} == {world.borough_a, world.borough_b}


def test_a_known_child_needs_no_header_row(world):
    run(world.borough_a, HEADER + "C1,1,01/01/2012,WBRI,,,\n", EPISODES)
    report = run(world.borough_a, HEADER, EPISODES + "C1,01/04/2024,S,V2,N1,K2,PR4,,,,,,\n")
    assert report.malformed == []
    assert report.placements_created == 1


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        (",01/04/2024,S,V2,N1,K2,PR4,,,,,,", "No CHILD."),
        ("C1,,S,V2,N1,K2,PR4,,,,,,", "No DECOM (the date the episode started)."),
        (
            "C1,01/04/2024,Q,V2,N1,K2,PR4,,,,,,",
            "Unknown RNE “Q”: expected one of S, L, P, B, T, U.",
        ),
        (
            "C1,01/04/2024,SP,V2,N1,K2,PR4,,,,,,",
            "Unknown RNE “SP”: expected one of S, L, P, B, T, U.",
        ),
        ("C1,01/04/2024,S,V2,N1,K2,PR4,soon,,,,,", "Unreadable DEC “soon”."),
    ],
)
def test_a_bad_episode_row_is_reported_and_the_rest_imported(world, row, reason):
    report = run(
        world.borough_a,
        HEADER + "C1,1,01/01/2012,WBRI,,,\n",
        EPISODES + row + "\n" + "C1,01/05/2024,S,V2,N1,K2,PR4,,,,,,\n",
    )
    assert report.malformed == [("episodes", 2, reason)]
    assert report.placements_created == 1


def test_a_repeated_child_in_the_header_file_is_reported(world):
    report = run(
        world.borough_a, HEADER + "C1,1,01/01/2012,WBRI,,,\nC1,2,01/01/2013,WBRI,,,\n", EPISODES
    )
    assert report.malformed == [
        ("header", 3, "CHILD C1 appears again (first on line 2); this row is ignored.")
    ]
    assert Child.objects.get(reference="C1").sex == "1"


def test_a_file_without_the_columns_is_refused_and_nothing_saved(world):
    with pytest.raises(DomainError) as error:
        run(world.borough_a, HEADER + "C1,1,01/01/2012,WBRI,,,\n", "CHILD,PLACE\nC1,K2\n")
    assert error.value.field == "episodes"
    assert not Child.objects.exists()


def test_one_summary_event_is_audited(world, services):
    import_samples()
    (event,) = AuditEvent.objects.filter(action="placement.ssda903_import")
    assert event.actor_label == "import ssda903"
    assert event.organisation == world.borough_a
    assert event.detail["placements_created"] == 6
    assert event.detail["files"] == {
        "header": "ssda903_header.csv",
        "episodes": "ssda903_episodes.csv",
    }
    assert event.detail["malformed"][0] == {
        "file": "header",
        "line": 6,
        "reason": "Unreadable DOB “not known”.",
    }


def test_the_command_prints_progress_on_long_files(world, monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(ssda903, "PROGRESS_EVERY", 2)
    header = tmp_path / "header.csv"
    episodes = tmp_path / "episodes.csv"
    header.write_text(HEADER + "".join(f"C{i},1,01/01/2012,WBRI,,,\n" for i in range(5)))
    episodes.write_text(
        EPISODES + "".join(f"C{i},01/04/2024,S,V2,N1,K2,PR4,,,,,,\n" for i in range(5))
    )
    call_command("import_ssda903", "--borough", "borough-a", str(header), str(episodes))
    out = capsys.readouterr().out
    assert "  header: 4 rows read" in out
    assert "  episodes: 2 rows read" in out
    assert "Placements: 5 created" in out


def test_the_command_refuses_an_unknown_borough_or_file(world, tmp_path):
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
