"""seed_demo with the ONS Postcode Directory loaded (as `make run` loads it): the demo services
are located at their real postcodes and each request's home at its district's centre. Only the
rows the demo uses are loaded here, as the real directory has them; without the directory the
demo still works (tests/providers/test_demo.py)."""

import io

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from dps.models import Organisation
from geography.models import District, LocalAuthority, Postcode
from placements.demo import HOME_DISTRICTS
from placements.models import PlacementRequest
from providers.demo import AREA_POSTCODES, FURTHER_POSTCODES
from providers.models import Service

POSTCODES = [
    ("B12NR", 406308, 286859, "E08000025"),
    ("B153DX", 405329, 285602, "E08000025"),
    ("BS33LL", 358150, 171210, "E06000023"),
    ("BS57AQ", 361726, 173848, "E06000023"),
    ("LS124JW", 426801, 432853, "E08000035"),
    ("LS84BR", 432196, 436262, "E08000035"),
    ("M146LA", 385192, 394434, "E08000003"),
    ("M89LG", 384116, 401405, "E08000003"),
    ("NE46UQ", 422900, 564300, "E08000021"),
    ("NE62UY", 427705, 564799, "E08000021"),
    ("NG31AF", 457704, 340616, "E06000018"),
    ("NG72RD", 454555, 338416, "E06000018"),
    ("CT11PD", 615387, 157851, "E07000106"),
    ("CT162HR", 631048, 142985, "E07000108"),
    ("E126AR", 542264, 185530, "E09000025"),
    ("E130BE", 540607, 182957, "E09000025"),
    ("E153PA", 538809, 184042, "E09000025"),
    ("E63QL", 542674, 182718, "E09000025"),
    ("E70QR", 540598, 185159, "E09000025"),
    ("EC1V3QU", 531943, 182553, "E09000019"),
    ("GU11EP", 499949, 150293, "E07000209"),
    ("GU214PN", 499276, 158824, "E07000217"),
    ("GU97JN", 484189, 147208, "E07000216"),
    ("KT227HU", 515994, 157007, "E07000210"),
    ("ME145PA", 577165, 155930, "E07000110"),
    ("ME22HL", 572902, 168715, "E06000035"),
    ("N18QF", 531996, 183765, "E09000019"),
    ("N193DF", 529810, 186876, "E09000019"),
    ("N51QJ", 531931, 185595, "E09000019"),
    ("N79RR", 530556, 185616, "E09000019"),
    ("RH14AS", 528523, 150282, "E07000211"),
    ("SW65TJ", 525067, 176936, "E09000013"),
    ("TN248RG", 601962, 142825, "E07000105"),
    ("W120LH", 522235, 180460, "E09000013"),
    ("W148SB", 524290, 178866, "E09000013"),
    ("W69JH", 522901, 178517, "E09000013"),
]
DISTRICTS = [
    ("E12", 542275, 185567, 729, "E09000025"),
    ("E13", 540625, 182986, 962, "E09000025"),
    ("E15", 538817, 184043, 1482, "E09000025"),
    ("E6", 542670, 182701, 2002, "E09000025"),
    ("N1", 531993, 183789, 3501, "E09000019"),
    ("N19", 529845, 186835, 1142, "E09000019"),
    ("N5", 531922, 185591, 809, "E09000019"),
    ("N7", 530569, 185588, 1624, "E09000019"),
    ("SW6", 525073, 176922, 2664, "E09000013"),
    ("W12", 522231, 180423, 1720, "E09000013"),
    ("W14", 524275, 178904, 1315, "E09000013"),
    ("W6", 522899, 178541, 1593, "E09000013"),
]
AUTHORITIES = [
    ("E06000018", "Nottingham", "E06000018", 455929, 340738),
    ("E06000023", "Bristol, City of", "E06000023", 359285, 173674),
    ("E06000035", "Medway", "E06000035", 576757, 167751),
    ("E07000105", "Ashford", "E10000016", 598598, 141139),
    ("E07000106", "Canterbury", "E10000016", 615343, 161649),
    ("E07000108", "Dover", "E10000016", 631911, 148923),
    ("E07000110", "Maidstone", "E10000016", 577613, 153202),
    ("E07000209", "Guildford", "E10000030", 499436, 150888),
    ("E07000210", "Mole Valley", "E10000030", 516738, 152258),
    ("E07000211", "Reigate and Banstead", "E10000030", 526510, 151588),
    ("E07000216", "Waverley", "E10000030", 492359, 142008),
    ("E07000217", "Woking", "E10000030", 500443, 158754),
    ("E08000003", "Manchester", "E08000003", 384786, 396112),
    ("E08000021", "Newcastle upon Tyne", "E08000021", 423587, 565904),
    ("E08000025", "Birmingham", "E08000025", 407890, 286974),
    ("E08000035", "Leeds", "E08000035", 429732, 435520),
    ("E09000013", "Hammersmith and Fulham", "E09000013", 523920, 178524),
    ("E09000019", "Islington", "E09000019", 531240, 183937),
    ("E09000025", "Newham", "E09000025", 540932, 183321),
    ("E10000016", "Kent", "E10000016", 590554, 154678),
    ("E10000030", "Surrey", "E10000030", 508369, 156429),
]


@pytest.fixture(scope="module")
def located_demo(django_db_setup, django_db_blocker, tmp_path_factory):
    media = override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("demo-media"))
    with django_db_blocker.unblock(), media:
        seeded = transaction.atomic()
        seeded.__enter__()
        try:
            LocalAuthority.objects.bulk_create(
                LocalAuthority(code=c, name=n, upper_tier_id=u, easting=e, northing=no)
                for c, n, u, e, no in AUTHORITIES
            )
            District.objects.bulk_create(
                District(code=c, easting=e, northing=n, postcodes=p, upper_tier=u)
                for c, e, n, p, u in DISTRICTS
            )
            Postcode.objects.bulk_create(
                Postcode(code=c, easting=e, northing=n, lad=lad) for c, e, n, lad in POSTCODES
            )
            call_command("seed_demo", stdout=io.StringIO())
            yield
        finally:
            transaction.set_rollback(True)
            seeded.__exit__(None, None, None)


pytestmark = pytest.mark.usefixtures("located_demo")


def test_the_rows_here_are_the_demo_s_postcodes():
    areas = [*AREA_POSTCODES.values(), *FURTHER_POSTCODES.values()]
    demo = {p.replace(" ", "") for postcodes in areas for p in postcodes}
    assert demo == {code for code, *_ in POSTCODES}
    homes = {d for districts in HOME_DISTRICTS.values() for d in districts}
    assert homes == {code for code, *_ in DISTRICTS}


def test_the_demo_boroughs_are_real_councils(db):
    codes = dict(Organisation.objects.filter(kind="borough").values_list("slug", "la_code"))
    assert codes == {"northbridge": "E09000019", "eastmoor": "E09000025", "westvale": "E09000013"}


def test_every_demo_service_is_located_at_its_postcode(db):
    services = list(Service.objects.all())

    assert services
    assert all(s.easting and s.northing and not s.location_unknown for s in services)
    areas = {s.local_authority for s in services}
    assert {"Islington", "Newham", "Hammersmith and Fulham", "Kent", "Surrey"} <= areas
    assert {"Birmingham", "Manchester", "Leeds", "Newcastle upon Tyne", "Nottingham"} <= areas
    councils = {s.council for s in services}
    assert {"E09000019", "E10000016", "E10000030", "E08000025", "E06000023"} <= councils


def test_every_demo_request_s_home_is_a_district_of_its_borough(db):
    requests = list(PlacementRequest.objects.select_related("borough"))

    assert requests
    for request in requests:
        assert request.home_district in HOME_DISTRICTS[request.borough.slug]
        assert request.home_easting
        assert request.home_northing
