"""The demo data of providers: services across England meeting needs, with specialisms and
vacancy figures (some out of date) that the sample Ofsted CSV imports into; every provider's
mandatory documents, some close to expiry; declaration questions and providers in every
enrolment state; and every enrolled provider scored, once.

Seeded once for the module (tests/demo_data.py), as seeding is the slowest thing the suite does;
a test that seeds again checks that nothing changes."""

import io
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from providers.demo import PROVIDERS
from providers.models import (
    MANDATORY_TYPES,
    Application,
    Arrangement,
    DeclarationQuestion,
    Document,
    Enrolment,
    ProviderProfile,
    QualityScore,
    Service,
)

SAMPLE = Path(__file__).resolve().parents[2] / "docs" / "samples" / "ofsted_sample.csv"

pytestmark = pytest.mark.usefixtures("demo")


def test_demo_services_have_needs_specialisms_and_some_stale_vacancies(db):
    call_command("seed_demo", stdout=io.StringIO())  # again

    services = list(Service.objects.all())
    assert len(services) == 36
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
        "Birmingham",
        "Manchester",
        "Leeds",
        "Bristol",
        "Newcastle upon Tyne",
        "Nottingham",
    }


def test_every_demo_provider_has_its_mandatory_documents_some_near_expiry(db):
    call_command("seed_demo", stdout=io.StringIO())  # again

    documents = Document.objects.all()
    assert documents.count() == len(PROVIDERS) * len(MANDATORY_TYPES)
    today = timezone.localdate()
    expiries = [d.expires_on - today for d in documents if d.expires_on]
    assert timedelta(days=5) in expiries
    assert timedelta(days=25) in expiries
    assert sum(1 for e in expiries if e <= timedelta(0)) == 1
    for document in documents:
        with document.file.open("rb") as stored:
            assert stored.read().startswith(b"%PDF-")


def test_the_demo_has_every_application_and_enrolment_state_once(db):
    call_command("seed_demo", stdout=io.StringIO())  # again

    assert DeclarationQuestion.objects.count() == 3
    assert set(DeclarationQuestion.objects.values_list("on_fail", flat=True)) == {
        "review",
        "block",
    }
    statuses = set(Application.objects.values_list("status", flat=True))
    assert statuses == set(Application.Status.values)
    assert Application.objects.filter(status="submitted", flagged_for_review=True).exists()
    assert set(Enrolment.objects.values_list("status", flat=True)) == set(Enrolment.Status.values)
    assert Application.objects.count() == 13
    assert ProviderProfile.objects.count() == 12
    more_info = Application.objects.get(status="more_info")
    assert more_info.transitions.last().reason


def test_the_demo_runs_a_dynamic_market_with_two_versions_of_its_conditions(db):
    call_command("seed_demo", stdout=io.StringIO())  # again: nothing doubles

    arrangement = Arrangement.objects.get()
    assert arrangement.basis == "dynamic_market"
    assert (arrangement.starts_on, arrangement.ends_on) == (date(2025, 4, 1), date(2029, 3, 31))
    versions = list(arrangement.conditions.order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    assert versions[1].reason
    submitted = Application.objects.filter(submitted_at__isnull=False)
    assert all(a.conditions == versions[1] for a in submitted)


def test_seeding_scores_every_enrolled_demo_provider_once(db):
    enrolled = set(
        Enrolment.objects.filter(status__in=["active", "suspended"]).values_list(
            "provider", flat=True
        )
    )
    scored = set(QualityScore.objects.values_list("provider", flat=True))
    count = QualityScore.objects.count()

    call_command("seed_demo", stdout=io.StringIO())

    assert scored == enrolled
    assert QualityScore.objects.count() == count
