"""Loading the ONS Postcode Directory: from an ONSPD CSV (which gives termination dates) and
from the package, once per release. The centres below are worked by hand from the rows."""

import zipfile
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from geography.loading import load_postcodes, package_files
from geography.models import Dataset, District, LocalAuthority, Postcode
from geography.selectors import Unknown, locate, locate_council, locate_district

# An ONSPD extract: its real column names, a terminated postcode (doterm 201906), one without
# a grid reference, and postcodes in a London borough, a county's district and Wales.
ONSPD = """pcd,pcds,doterm,oseast1m,osnrth1m,oslaua,ctry
N19 4EB,N19 4EB,,530372,186867,E09000019,E92000001
N19 5AA,N19 5AA,,530002,187001,E09000019,E92000001
N19 9ZX,N19 9ZX,201906,540000,190000,E09000019,E92000001
N7  6PA,N7 6PA,,530710,185784,E09000019,E92000001
TN240AA,TN24 0AA,,603054,140551,E07000105,E92000001
AB113AG,AB11 3AG,,,,S12000033,S92000003
CF101AA,CF10 1AA,,318284,176230,W06000015,W92000004
"""


@pytest.fixture
def onspd(tmp_path):
    path = tmp_path / "ONSPD_NOV_2026_UK.csv"
    path.write_text(ONSPD)
    return path


def load(path, **options):
    out = StringIO()
    call_command("load_postcodes", onspd=path, stdout=out, **options)
    return out.getvalue()


def test_it_loads_every_postcode_with_its_termination_date(db, onspd):
    output = load(onspd)
    assert Postcode.objects.count() == 7
    assert "Loaded 7 postcodes." in output
    terminated = Postcode.objects.get(code="N199ZX")
    assert (terminated.terminated.year, terminated.terminated.month) == (2019, 6)
    assert Postcode.objects.get(code="N76PA").lad == "E09000019"
    assert Postcode.objects.get(code="AB113AG").easting is None
    assert Dataset.objects.get().version == "file ONSPD_NOV_2026_UK.csv"


def test_a_terminated_postcode_is_never_located(db, onspd):
    load(onspd)
    assert locate("N19 9ZX").unknown == Unknown.TERMINATED
    assert locate("AB11 3AG").unknown == Unknown.NO_GRID
    assert locate("N19 4EB").grid == (530372, 186867)


def test_centres_are_of_live_postcodes_only(db, onspd):
    load(onspd)
    # District N19: N19 4EB and N19 5AA; N19 9ZX is terminated and left out.
    # ((530372 + 530002) / 2, (186867 + 187001) / 2) = (530187, 186934)
    n19 = District.objects.get(code="N19")
    assert (n19.easting, n19.northing, n19.postcodes, n19.upper_tier) == (
        530187,
        186934,
        2,
        "E09000019",
    )
    assert locate_district("N19").grid == (530187, 186934)
    # Islington: N19 4EB, N19 5AA and N7 6PA.
    # easting (530372 + 530002 + 530710) / 3 = 1591084 / 3 = 530361.3 -> 530361
    # northing (186867 + 187001 + 185784) / 3 = 559652 / 3 = 186550.7 -> 186551
    islington = LocalAuthority.objects.get(code="E09000019")
    assert (islington.easting, islington.northing, islington.postcodes) == (530361, 186551, 3)
    assert locate_council("E09000019").grid == (530361, 186551)


def test_a_county_district_counts_towards_its_county(db, onspd):
    load(onspd)
    # TN24 0AA is in Ashford (E07000105), a district of Kent (E10000016): both centres are it.
    ashford = LocalAuthority.objects.get(code="E07000105")
    kent = LocalAuthority.objects.get(code="E10000016")
    assert ashford.upper_tier_id == "E10000016"
    assert ashford.grid == kent.grid == (603054, 140551)
    assert District.objects.get(code="TN24").upper_tier == "E10000016"
    assert locate("TN24 0AA").council == "E10000016"


def test_outside_england_each_nation_is_one_area(db, onspd):
    load(onspd)
    assert LocalAuthority.objects.get(code="WAL").grid == (318284, 176230)
    assert District.objects.get(code="CF10").upper_tier == "WAL"
    # Scotland's only postcode here has no grid reference: the area has no centre.
    assert LocalAuthority.objects.get(code="SCO").grid is None
    assert not District.objects.filter(code="AB11").exists()


def test_loading_the_same_release_again_does_nothing(db, onspd, django_assert_max_num_queries):
    load(onspd)
    Postcode.objects.filter(code="N76PA").delete()
    with django_assert_max_num_queries(1):
        output = load(onspd)
    assert "already loaded" in output
    assert Postcode.objects.count() == 6


def test_force_loads_it_again(db, onspd):
    load(onspd)
    Postcode.objects.filter(code="N76PA").delete()
    load(onspd, force=True)
    assert Postcode.objects.count() == 7
    assert District.objects.count() == 4  # N19, N7, TN24, CF10


def test_another_release_replaces_the_first(db, onspd, tmp_path):
    load(onspd)
    later = tmp_path / "ONSPD_FEB_2027_UK.csv"
    later.write_text(ONSPD.splitlines()[0] + "\nSE1 7PB,SE1 7PB,,530625,179850,E09000022,E\n")
    load(later)
    assert list(Postcode.objects.values_list("code", flat=True)) == ["SE17PB"]
    assert list(District.objects.values_list("code", flat=True)) == ["SE1"]
    assert Dataset.objects.get().version == "file ONSPD_FEB_2027_UK.csv"


def test_it_reads_the_ons_zip(db, onspd, tmp_path):
    archive = tmp_path / "ONSPD_NOV_2026.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.write(onspd, "Data/ONSPD_NOV_2026_UK.csv")
    load(archive)
    assert Postcode.objects.count() == 7


def test_a_missing_file_is_a_command_error(db, tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        load(tmp_path / "nowhere.csv")
    assert not Postcode.objects.exists()


def test_a_file_without_the_columns_is_a_command_error(db, tmp_path):
    path = tmp_path / "other.csv"
    path.write_text("postcode,x,y\nN19 4EB,1,2\n")
    with pytest.raises(CommandError, match="no pcd7 or pcd or pcds column"):
        load(path)
    assert not Dataset.objects.exists()


def test_a_zip_without_the_uk_csv_is_a_command_error(db, tmp_path):
    archive = tmp_path / "ONSPD.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("readme.txt", "nothing here")
    with pytest.raises(CommandError, match="No ONSPD"):
        load(archive)


def test_the_package_loads_a_letter_at_a_time(db):
    # The Z file is the smallest (Shetland, ZE postcodes, all in Scotland).
    assert [path.name for path in package_files("z")] == ["postcodes_Z.msgpack.br"]
    lines = []
    dataset = load_postcodes(letters="Z", progress=lines.append)
    assert dataset.version.endswith("(letters Z only)")
    assert any("postcodes_Z.msgpack.br" in line for line in lines)
    count = Postcode.objects.count()
    assert count == dataset.rows > 500
    assert all(code.startswith("ZE") for code in Postcode.objects.values_list("code", flat=True))
    assert set(District.objects.values_list("upper_tier", flat=True)) == {"SCO"}
    scotland = LocalAuthority.objects.get(code="SCO")
    assert scotland.postcodes == Postcode.objects.filter(easting__isnull=False).count()
    assert locate("ZE1 0AA").council == "SCO"
    # Loaded: asking again does nothing.
    assert load_postcodes(letters="Z") is None


def test_the_command_loads_the_package(db, monkeypatch):
    from geography import loading

    files = package_files("Z")
    monkeypatch.setattr(loading, "package_files", lambda letters=None: files)
    out = StringIO()
    call_command("load_postcodes", stdout=out)
    output = out.getvalue()
    assert "Loading the ONS Postcode Directory (package " in output
    assert "postcodes_Z.msgpack.br" in output
    assert Postcode.objects.filter(code__startswith="ZE").count() == Postcode.objects.count() > 0
    out = StringIO()
    call_command("load_postcodes", stdout=out)
    assert "is already loaded" in out.getvalue()
    out = StringIO()
    call_command("load_postcodes", verbosity=0, force=True, stdout=out)
    assert out.getvalue() == ""
