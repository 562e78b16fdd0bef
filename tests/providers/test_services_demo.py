"""The demo services meet needs, have specialisms and vacancy figures, some out of date; the
sample Ofsted CSV imports into them."""

import io
from pathlib import Path

import pytest
from django.core.management import call_command

from providers.models import Service

SAMPLE = Path(__file__).resolve().parents[2] / "docs" / "samples" / "ofsted_sample.csv"


# Seeded once for the module (tests/demo_data.py); a test that seeds again checks that
# nothing changes.
pytestmark = pytest.mark.usefixtures("demo")


def test_demo_services_have_needs_specialisms_and_some_stale_vacancies(db):
    call_command("seed_demo", stdout=io.StringIO())  # again

    services = list(Service.objects.all())
    assert len(services) == 24
    assert all(s.needs_met and s.specialisms for s in services)
    stale = [s for s in services if s.vacancies_stale]
    assert 0 < len(stale) < len(services)


def test_the_sample_csv_imports_into_the_demo_services_once(db):
    first, second = io.StringIO(), io.StringIO()

    call_command("import_ofsted", str(SAMPLE), stdout=first)
    call_command("import_ofsted", str(SAMPLE), stdout=second)

    assert "Rows read: 8" in first.getvalue()
    assert "Unmatched URNs: 1\n  SC999901" in first.getvalue()
    assert "Malformed rows: 1\n  line 9: Unknown rating “Excellent”." in first.getvalue()
    assert Service.objects.get(ofsted_urn="SC100001").ofsted_rating == "outstanding"
    assert "Services updated: 0" in second.getvalue()


def test_without_the_directory_demo_services_keep_their_postcodes_and_areas(db):
    services = list(Service.objects.all())

    assert all(s.postcode and s.postcode_district for s in services)
    assert {s.location_unknown for s in services} == {"not_loaded"}
    assert {s.local_authority for s in services} == {
        "Northbridge",
        "Eastmoor",
        "Westvale",
        "Kent",
        "Surrey",
    }
