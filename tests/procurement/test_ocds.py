"""The OCDS open data: public release packages (paginated, filtered by date), records compiled
with ocdsmerge, the bulk file, no child data anywhere, and zero errors from libcoveocds.

The fixture is a dynamic market (Northern Placements Market, GBP 663,540 threshold, fees exempt
from VAT) with:
- its UK14 establishment (1 March 2026) and a UK15 modification (1 April 2026);
- a competition awarded above the threshold: GBP 15,000 a week for 52 weeks = GBP 780,000, with
  its UK6 (2 May 2026) and UK7 (1 June 2026) published;
- a user-choice direct award below it, with no notice: GBP 3,000 x 52 = GBP 156,000, awarded
  10 May 2026;
- a UK6 still due (never published, so never a release);
and a second consortium's open framework with an opening's UK4 (15 March 2026).
"""

import gzip
import io
import json
import zipfile
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import requests
from django.core.cache import cache
from django.test import Client
from libcoveocds.api import ocds_json_output
from libcoveocds.config import LibCoveOCDSConfig
from ocdskit.combine import merge

from placements.models import Child, Placement
from procurement.models import Notice
from procurement.ocds import packages
from procurement.ocds.releases import arrangement_ocid, request_ocid
from procurement.ocds.schema import EXTENSIONS, SCHEMA_DIR, release_schema
from providers.models import Arrangement, ConditionsVersion, Opening, ProviderProfile
from tests.factories import ConsortiumFactory
from tests.placements.helpers import draft, market

K = Notice.Kind

# Unique strings in every field that holds something of a child.
CHILD_MARKERS = {
    "child_reference": "MARKER-CHILDREF-71",
    "child": "MARKER-CHILD-72",
    "request_reference": "MARKER-REQREF-73",
    "story": "MARKER-STORY-74",
    "strengths": "MARKER-STRENGTHS-75",
    "child_views": "MARKER-VIEWS-76",
    "need_detail": "MARKER-NEED-77",
    "outcome": "MARKER-OUTCOME-78",
    "education": "MARKER-EDUCATION-79",
    "contact": "MARKER-CONTACT-80",
    "award_reason": "MARKER-AWARDREASON-81",
    "user_choice": "MARKER-USERCHOICE-82",
    "home_district": "QZ9Q",
    "ethnicity": "MARKER-ETHNICITY-83",
    "religion": "MARKER-RELIGION-84",
    "language": "MARKER-LANGUAGE-85",
    "destination": "MARKER-DESTINATION-86",
}


def at(day, hour=9):
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def publish(notice, day, fts_id=""):
    notice.status = Notice.Status.PUBLISHED
    notice.published_at = at(day)
    notice.fts_notice_id = fts_id
    notice.save()
    return notice


@pytest.fixture
def ocds(world):
    consortium = world.consortium
    arrangement = Arrangement.objects.create(
        consortium=consortium,
        basis=Arrangement.Basis.DYNAMIC_MARKET,
        title="Northern Placements Market",
        description="Residential and fostering placements for children in care.",
        starts_on=date(2026, 3, 1),
        ends_on=date(2030, 2, 28),
    )
    conditions = ConditionsVersion.objects.create(
        arrangement=arrangement,
        number=2,
        text="Registered with Ofsted; rated good or better.",
        in_force_from=at(date(2026, 4, 1)),
        reason="Ofsted's report cards replace single-word judgements.",
    )
    ProviderProfile.objects.create(
        organisation=world.provider_a,
        legal_name="Alpha Care Limited",
        companies_house_number="01234567",
        address="1 High Street",
        postcode="NB1 1AA",
        contact_name="Ann Alpha",
        contact_email="ann@provider-a.test",
        contact_phone="0100",
    )
    lot, services = market(world)
    lot.description = "Children's homes"
    lot.save()
    request = draft(
        world,
        lot,
        reference=CHILD_MARKERS["request_reference"],
        story=CHILD_MARKERS["story"],
        strengths=CHILD_MARKERS["strengths"],
        child_views=CHILD_MARKERS["child_views"],
        ethnicity=CHILD_MARKERS["ethnicity"],
        religion=CHILD_MARKERS["religion"],
        language=CHILD_MARKERS["language"],
        education_needs=CHILD_MARKERS["education"],
        contact_arrangements=CHILD_MARKERS["contact"],
    )
    request.need_details = {
        **request.need_details,
        "emotional_health": CHILD_MARKERS["need_detail"],
    }
    request.outcomes = dict.fromkeys(request.outcomes, CHILD_MARKERS["outcome"])
    request.home_district = CHILD_MARKERS["home_district"]
    request.save()
    child = Child.objects.create(
        borough=world.borough_a, reference=CHILD_MARKERS["child"], date_of_birth=date(2012, 1, 1)
    )
    common = {
        "borough": world.borough_a,
        "lot": lot,
        "child": child,
        "child_reference": CHILD_MARKERS["child_reference"],
        "destination": CHILD_MARKERS["destination"],
    }
    above = Placement.objects.create(
        request=request,
        provider=world.provider_a,
        service=services["a"],
        weekly_fee=Decimal("15000"),
        start_date=date(2026, 6, 1),
        planned_end_date=date(2027, 5, 31),  # 364 days: 52 weeks
        award_reason=CHILD_MARKERS["award_reason"],
        **common,
    )
    below = Placement.objects.create(
        provider=world.provider_b,
        service=services["b"],
        weekly_fee=Decimal("3000"),
        start_date=date(2026, 5, 18),
        planned_end_date=date(2027, 5, 17),
        user_choice_grounds=CHILD_MARKERS["user_choice"],
        **common,
    )
    Placement.objects.filter(pk=above.pk).update(awarded_at=at(date(2026, 4, 30)))
    Placement.objects.filter(pk=below.pk).update(awarded_at=at(date(2026, 5, 10)))
    above.refresh_from_db()
    below.refresh_from_db()

    def notice(kind, **subject):
        return Notice.objects.create(
            consortium=subject.pop("consortium", consortium),
            kind=kind,
            event="test",
            due_on=date(2026, 6, 30),
            **subject,
        )

    uk14 = publish(notice(K.UK14), date(2026, 3, 1), "010001-2026")
    uk15 = publish(notice(K.UK15, conditions=conditions), date(2026, 4, 1), "020002-2026")
    uk6 = publish(notice(K.UK6, placement=above), date(2026, 5, 2), "030003-2026")
    uk7 = publish(notice(K.UK7, placement=above), date(2026, 6, 1), "040004-2026")
    notice(K.UK6, placement=below)  # due, never published: no release

    other = ConsortiumFactory(slug="other-consortium", name="Southern Consortium")
    framework = Arrangement.objects.create(
        consortium=other,
        basis=Arrangement.Basis.OPEN_FRAMEWORK,
        title="Southern Open Framework",
        starts_on=date(2026, 4, 1),
        ends_on=date(2034, 3, 31),
    )
    opening = Opening.objects.create(
        arrangement=framework,
        opens_on=date(2026, 3, 15),
        closes_on=date(2026, 4, 15),
        awards_on=date(2026, 5, 1),
    )
    uk4 = publish(notice(K.UK4, consortium=other, opening=opening), date(2026, 3, 15))
    return {
        "request": request,
        "above": above,
        "below": below,
        "uk14": uk14,
        "uk15": uk15,
        "uk6": uk6,
        "uk7": uk7,
        "uk4": uk4,
        "other": other,
    }


def get_json(path, **params):
    response = Client().get(path, params)
    assert response.status_code == 200, response.content[:500]
    return response.json()


def all_releases():
    return get_json("/ocds/releases.json")["releases"]


def test_the_releases_are_public_in_order_of_date(ocds):
    package = get_json("/ocds/releases.json")

    assert package["version"] == "1.1"
    assert package["extensions"] == list(EXTENSIONS)
    assert package["license"].startswith("https://www.nationalarchives.gov.uk/")
    assert package["publishedDate"] == "2026-06-01T09:00:00Z"
    assert [(r["id"], r["tag"]) for r in package["releases"]] == [
        ("010001-2026", ["tender"]),  # UK14, 1 March
        (f"notice-{ocds['uk4'].pk}", ["tender"]),  # UK4, 15 March
        ("020002-2026", ["tenderAmendment"]),  # UK15, 1 April
        ("030003-2026", ["award"]),  # UK6, 2 May
        (f"award-{ocds['below'].pk}", ["award", "contract"]),  # no notice, 10 May
        ("040004-2026", ["contract"]),  # UK7, 1 June
    ]


def test_an_award_above_the_threshold_is_valued_and_linked_to_the_market(ocds, world):
    uk6 = next(r for r in all_releases() if r["id"] == "030003-2026")

    assert (
        uk6["ocid"]
        == request_ocid(ocds["request"].pk)
        == f"ocds-000000-request-{ocds['request'].pk}"
    )
    assert uk6["relatedProcesses"] == [
        {
            "id": "arrangement",
            "relationship": ["framework"],
            "title": "Northern Placements Market",
            "scheme": "ocid",
            "identifier": arrangement_ocid(world.consortium.pk),
        }
    ]
    award = uk6["awards"][0]
    # 364 days = 52 weeks at GBP 15,000, no VAT: GBP 780,000 >= GBP 663,540.
    assert award["value"] == {"amount": 780000.0, "currency": "GBP", "amountGross": 780000.0}
    assert award["aboveThreshold"] is True
    assert award["documents"][0]["noticeType"] == "UK6"
    assert (
        award["documents"][0]["url"] == "https://www.find-tender.service.gov.uk/Notice/030003-2026"
    )
    supplier = next(p for p in uk6["parties"] if p["roles"] == ["supplier"])
    assert supplier["id"] == "GB-COH-01234567"
    assert supplier["identifier"] == {
        "scheme": "GB-COH",
        "id": "01234567",
        "legalName": "Alpha Care Limited",
    }
    assert award["suppliers"] == [{"id": "GB-COH-01234567", "name": "Alpha Care"}]
    assert uk6["buyer"] == {"id": f"org-{world.borough_a.pk}", "name": "Alpha Borough"}
    assert uk6["tender"]["specialRegime"] == ["lightTouch"]
    assert uk6["tender"]["procurementMethod"] == "selective"
    assert uk6["tender"]["competitive"] is True
    assert "contracts" not in uk6


def test_an_award_without_a_notice_is_an_award_and_contract_release(ocds):
    below = ocds["below"]
    release = next(r for r in all_releases() if r["id"] == f"award-{below.pk}")

    assert release["ocid"] == f"ocds-000000-placement-{below.pk}"
    # GBP 3,000 x 52 weeks = GBP 156,000: below the threshold.
    assert release["awards"][0]["value"]["amount"] == 156000.0
    assert release["awards"][0]["aboveThreshold"] is False
    assert release["contracts"][0]["awardID"] == release["awards"][0]["id"]
    assert release["tender"]["procurementMethod"] == "limited"
    assert release["tender"]["competitive"] is False
    # Provider B gave no Companies House number.
    assert release["awards"][0]["suppliers"][0]["id"] == f"org-{below.provider_id}"


def test_only_awards_through_the_dps_or_from_its_providers_are_published(ocds, world):
    spot = Placement.objects.create(
        borough=world.borough_a,
        source=Placement.Source.SPOT,
        spot_provider_name="A home off the DPS",
        weekly_fee=Decimal("4000"),
        start_date=date(2026, 5, 1),
    )
    returned = Placement.objects.create(
        borough=world.borough_a,
        source=Placement.Source.SSDA903,
        provider=world.provider_a,
        weekly_fee=Decimal("4000"),
        start_date=date(2026, 5, 1),
    )

    ids = {r["id"] for r in all_releases()}

    assert f"award-{ocds['below'].pk}" in ids
    assert f"award-{spot.pk}" not in ids
    assert f"award-{returned.pk}" not in ids
    # The above-threshold award is published through its UK6 and UK7 only.
    assert f"award-{ocds['above'].pk}" not in ids


def test_the_arrangement_releases_use_the_techniques_and_uk_extensions(ocds, world):
    releases = {r["id"]: r for r in all_releases()}

    uk14 = releases["010001-2026"]
    assert uk14["ocid"] == arrangement_ocid(world.consortium.pk)
    assert uk14["tender"]["techniques"] == {"hasDynamicPurchasingSystem": True}
    assert uk14["tender"]["documents"][0]["noticeType"] == "UK14"
    uk15 = releases["020002-2026"]
    assert uk15["tender"]["amendments"][0]["id"] == "conditions-2"
    uk4 = releases[f"notice-{ocds['uk4'].pk}"]
    framework = uk4["tender"]["techniques"]["frameworkAgreement"]
    assert framework["isOpenFrameworkScheme"] is True
    assert framework["openFrameworkSchemeEndDate"] == "2034-03-31T00:00:00Z"
    assert uk4["tender"]["tenderPeriod"] == {
        "startDate": "2026-03-15T00:00:00Z",
        "endDate": "2026-04-15T00:00:00Z",
    }


def test_pages_link_to_the_next_and_previous(ocds, monkeypatch):
    monkeypatch.setattr(packages, "PAGE_SIZE", 4)

    first = get_json("/ocds/releases.json")
    second = get_json("/ocds/releases.json", page=2)

    assert len(first["releases"]) == 4
    assert first["links"] == {"next": "http://testserver/ocds/releases.json?page=2"}
    assert [r["id"] for r in second["releases"]] == [
        f"award-{ocds['below'].pk}",
        "040004-2026",
    ]
    assert second["links"] == {"prev": "http://testserver/ocds/releases.json?page=1"}


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = "http://testserver"


def test_the_widest_dates_are_accepted(ocds):
    package = get_json("/ocds/releases.json", since="0001-01-01", until="9999-12-31")

    assert len(package["releases"]) == 6


def test_the_date_filter_keeps_the_days_given(ocds):
    package = get_json("/ocds/releases.json", since="2026-04-01", until="2026-05-10")

    assert [r["id"] for r in package["releases"]] == [
        "020002-2026",
        "030003-2026",
        f"award-{ocds['below'].pk}",
    ]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"since": "2026-13-01"}, "since"),
        ({"until": "yesterday"}, "until"),
        ({"since": "2026-05-01", "until": "2026-04-01"}, "until"),
        ({"page": "0"}, "page"),
        ({"page": "x"}, "page"),
    ],
)
def test_a_bad_query_is_a_400_naming_the_field(params, field, db):
    response = Client().get("/ocds/releases.json", params)

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert field in response.json()["errors"]
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("path", ["/ocds/releases.json", "/ocds/releases.jsonl.gz"])
def test_open_data_may_be_kept_a_few_minutes_where_pages_may_not(path, ocds):
    response = Client().get(path)

    assert response.status_code == 200
    assert sorted(response["Cache-Control"].split(", ")) == ["max-age=300", "public"]
    assert "no-store" in Client().get("/accounts/login/")["Cache-Control"]


def test_a_record_compiles_the_releases_of_its_process(ocds):
    ocid = request_ocid(ocds["request"].pk)

    package = get_json(f"/ocds/records/{ocid}.json")

    record = package["records"][0]
    assert record["ocid"] == ocid
    assert [r["id"] for r in record["releases"]] == ["030003-2026", "040004-2026"]
    compiled = record["compiledRelease"]
    assert compiled["tag"] == ["compiled"]
    assert compiled["id"] == f"{ocid}-2026-06-01T09:00:00Z"
    assert [a["id"] for a in compiled["awards"]] == [f"award-{ocds['above'].pk}"]
    assert compiled["awards"][0]["documents"][0]["noticeType"] == "UK6"
    assert compiled["contracts"][0]["documents"][0]["noticeType"] == "UK7"


def test_ocdskit_compiles_the_bulk_file_as_the_records_are(ocds):
    """Control: ocdskit, merging every release package of the bulk file, compiles each process
    as the record endpoint does."""
    compiled = {
        release["ocid"]: release for release in merge(bulk_packages(), schema=release_schema())
    }

    assert len(compiled) == 4
    for ocid, release in compiled.items():
        record = get_json(f"/ocds/records/{ocid}.json")["records"][0]
        assert record["compiledRelease"] == release


def test_the_arrangement_has_its_own_record(ocds, world):
    ocid = arrangement_ocid(world.consortium.pk)

    record = get_json(f"/ocds/records/{ocid}.json")["records"][0]

    assert [r["id"] for r in record["releases"]] == ["010001-2026", "020002-2026"]
    assert record["compiledRelease"]["tender"]["amendments"][0]["id"] == "conditions-2"


@pytest.mark.parametrize(
    "ocid",
    [
        "ocds-000000-request-999999",
        "ocds-zzzzzz-dps-1",
        "nonsense",
        "ocds-000000-dps-x",
        "ocds-000000-dps-99999999999999999999999999",
    ],
)
def test_an_unknown_record_is_a_404(ocid, ocds):
    assert Client().get(f"/ocds/records/{ocid}.json").status_code == 404


def bulk_packages():
    response = Client().get("/ocds/releases.jsonl.gz")
    assert response.status_code == 200
    assert response.streaming
    data = gzip.decompress(b"".join(response.streaming_content)).decode()
    return [json.loads(line) for line in data.splitlines()]


def test_the_bulk_file_holds_every_release(ocds, monkeypatch):
    monkeypatch.setattr(packages, "BULK_PACKAGE_SIZE", 4)

    lines = bulk_packages()

    assert [len(p["releases"]) for p in lines] == [4, 2]
    assert [r["id"] for p in lines for r in p["releases"]] == [r["id"] for r in all_releases()]


def test_no_child_data_is_published(ocds, world):
    ocids = {r["ocid"] for r in all_releases()}
    output = [json.dumps(get_json("/ocds/releases.json"))]
    output += [json.dumps(get_json(f"/ocds/records/{ocid}.json")) for ocid in ocids]
    output += [json.dumps(p) for p in bulk_packages()]
    text = "\n".join(output)

    assert len(ocids) == 4
    for field, marker in CHILD_MARKERS.items():
        assert marker not in text, field


def test_a_page_costs_the_same_queries_whatever_its_size(ocds, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        get_json("/ocds/releases.json")


def test_anonymous_callers_are_throttled_per_address(db, settings):
    cache.clear()
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"client": "2/minute"},
    }
    client = Client()

    answers = [client.get("/ocds/releases.json").status_code for _ in range(3)]

    assert answers == [200, 200, 429]
    cache.clear()


def test_the_page_for_people_is_public(db):
    response = Client().get("/ocds/")

    assert response.status_code == 200
    assert b"/ocds/releases.json" in response.content
    assert b"/ocds/releases.jsonl.gz" in response.content


# --- Validation with libcoveocds, without the network --------------------------------------

STANDARD = "https://standard.open-contracting.org/schema/1__1__5/"


@pytest.fixture
def offline_ocds_schemas(monkeypatch):
    """Serve the release schema and the extensions from procurement/ocds/schema/ to libcoveocds
    (which fetches every extension listed in a package), and refuse every other address."""
    import ocdsextensionregistry.extension_version
    import ocdsextensionregistry.util

    files = {}
    for url, folder in EXTENSIONS.items():
        # ocdsextensionregistry reads an extension on GitHub from its repository's archive.
        owner, repository, ref = url.removeprefix("https://raw.githubusercontent.com/").split("/")[
            :3
        ]
        archive = io.BytesIO()
        with zipfile.ZipFile(archive, "w") as extension:
            extension.writestr(f"{repository}-{ref}/", "")
            root = SCHEMA_DIR / "extensions" / folder
            for path in sorted(root.rglob("*.*")):
                name = path.relative_to(root).as_posix()
                extension.writestr(f"{repository}-{ref}/{name}", path.read_bytes())
        files[f"https://github.com/{owner}/{repository}/archive/{ref}.zip"] = archive.getvalue()
    # No versioned release is published, so its schema is never applied; libcoveocds loads it
    # (from the standard, and by its address from the record package schema).
    versioned = json.dumps({"$schema": "http://json-schema.org/draft-04/schema#", "type": "object"})
    files[f"{STANDARD}versioned-release-validation-schema.json"] = versioned.encode()
    asked = []

    def send(self, request, **kwargs):
        asked.append(request.url)
        response = requests.Response()
        response.url = request.url
        response.request = request
        response.status_code, response.reason = (
            (200, "OK") if request.url in files else (404, "Not Found")
        )
        response._content = files.get(request.url, b"")
        response.encoding = "utf-8"
        return response

    monkeypatch.setattr(requests.adapters.HTTPAdapter, "send", send)
    session = requests.Session()
    monkeypatch.setattr(ocdsextensionregistry.util, "session", session)
    monkeypatch.setattr(ocdsextensionregistry.extension_version, "session", session)

    standard = io.BytesIO()
    with zipfile.ZipFile(standard, "w") as archive:
        archive.writestr("standard-1__1__5/", "")
        for name in ("release-schema", "release-package-schema", "record-package-schema"):
            path = Path(SCHEMA_DIR / f"{name}.json")
            archive.writestr(f"standard-1__1__5/schema/{name}.json", path.read_bytes())
        for name, codes in closed_codelists().items():
            rows = "".join(f"{code}\n" for code in codes)
            archive.writestr(f"standard-1__1__5/schema/codelists/{name}", f"Code\n{rows}")
        archive.writestr(
            "standard-1__1__5/schema/versioned-release-validation-schema.json", versioned
        )
    config = LibCoveOCDSConfig()
    config.config["context"] = "api"
    config.config["standard_zip"] = standard.getvalue()
    return config, asked


def closed_codelists():
    """The closed codelists of the release schema, from the codes its enums list (libcoveocds
    reads the standard's codelists; the open ones are not shipped, so their codes are reported
    as additional, which is no error)."""
    found = {}

    def walk(node):
        if isinstance(node, dict):
            if node.get("openCodelist") is False and "codelist" in node:
                enum = node.get("enum") or node.get("items", {}).get("enum", [])
                found[node["codelist"]] = [code for code in enum if code is not None]
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(json.loads((SCHEMA_DIR / "release-schema.json").read_text()))
    return found


def validate(package, config, tmp_path):
    return ocds_json_output(
        output_dir=str(tmp_path),
        schema_version="1.1",
        json_data=package,
        lib_cove_ocds_config=config,
    )


def test_the_release_package_validates_with_zero_errors(ocds, offline_ocds_schemas, tmp_path):
    config, asked = offline_ocds_schemas
    package = get_json("/ocds/releases.json")

    result = validate(package, config, tmp_path)

    assert result["validation_errors"] == []
    assert result["extensions"]["invalid_extension"] == {}
    assert result["extensions"]["is_extended_schema"] is True
    assert result["additional_fields"] == []
    assert all(url.startswith(("https://github.com/", STANDARD)) for url in asked)


def test_the_validation_applies_the_extensions(ocds, offline_ocds_schemas, tmp_path):
    """Control: a field of the United Kingdom extension with the wrong type is an error."""
    config, _ = offline_ocds_schemas
    package = get_json("/ocds/releases.json")
    award = next(r for r in package["releases"] if r["id"] == "030003-2026")["awards"][0]
    award["aboveThreshold"] = "yes"

    result = validate(package, config, tmp_path)

    assert len(result["validation_errors"]) == 1
    assert "aboveThreshold" in json.dumps(result["validation_errors"])


def test_the_record_package_validates_with_zero_errors(ocds, offline_ocds_schemas, tmp_path):
    config, _ = offline_ocds_schemas
    package = get_json(f"/ocds/records/{request_ocid(ocds['request'].pk)}.json")

    result = validate(package, config, tmp_path)

    assert result["validation_errors"] == []
    assert result["extensions"]["invalid_extension"] == {}
