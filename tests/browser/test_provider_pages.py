"""The providers app's other pages (those the journey in test_provider_journey.py does not
reach), as their users reach them, each checked with axe-core."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from providers.models import Enrolment, Service
from providers.services.quality import quality_score_recompute
from tests.factories import (
    ApplicationFactory,
    DeclarationQuestionFactory,
    DocumentFactory,
    EnrolmentFactory,
    LotFactory,
    ServiceFactory,
)

pytestmark = pytest.mark.browser

OFSTED_SAMPLE = Path(settings.BASE_DIR) / "docs" / "samples" / "ofsted_sample.csv"


@pytest.fixture
def providers(world, settings, tmp_path):
    """Alpha Care enrolled on one lot with a draft application to another, two services, a
    document and a quality score; Bravo Care enrolled too, with a service in Westvale."""
    settings.MEDIA_ROOT = tmp_path / "media"
    homes = LotFactory(consortium=world.consortium, name="Children's homes")
    fostering = LotFactory(consortium=world.consortium, name="Fostering")
    EnrolmentFactory(provider=world.provider_a, lot=homes)
    EnrolmentFactory(provider=world.provider_b, lot=homes)
    ApplicationFactory(provider=world.provider_a, lot=fostering, status="draft")
    today = timezone.localdate()
    DocumentFactory(
        provider=world.provider_a,
        issued_on=today - timedelta(days=300),
        expires_on=today + timedelta(days=20),
    )
    ServiceFactory(
        provider=world.provider_a,
        name="Seaview",
        ofsted_urn="SC100002",
        ofsted_rating="requires_improvement",
        local_authority="Eastmoor",
        needs_met={"emotional_health": 2},
    )
    ServiceFactory(provider=world.provider_a, name="Hillside", registered_places=3)
    ServiceFactory(
        provider=world.provider_b, name="Bravo House", local_authority="Westvale", vacancies=1
    )
    quality_score_recompute(provider=world.provider_a, trigger="test")
    quality_score_recompute(provider=world.provider_b, trigger="test")
    return {"homes": homes, "fostering": fostering}


def main_text(ui):
    return ui.page.inner_text("main")


def test_a_provider_admin_keeps_services_vacancies_and_documents_and_reads_its_score(
    ui, world, providers
):
    ui.sign_in(world.provider_admin_a)

    ui.visit("/applications/")
    assert ui.heading() == "Your applications and enrolments"
    enrolments = ui.page.locator("table", has_text="Enrolments")
    assert "Children's homes" in enrolments.inner_text()
    ui.follow("Fostering")
    assert ui.heading() == "Application to Fostering"
    assert "Draft" in ui.page.locator("main .govuk-tag").first.inner_text()

    ui.visit("/documents/")
    assert ui.heading() == "Accreditation documents"
    assert "certificate.pdf" in main_text(ui)
    ui.visit("/documents/upload/")
    ui.submit("Upload document")
    summary = ui.page.locator(".govuk-error-summary").inner_text()
    assert "Choose the type of document." in summary
    assert "Select a file to upload." in summary

    ui.visit("/services/")
    assert ui.heading() == "Services"
    ui.follow("Seaview")
    ui.follow("Change details", role="button")
    assert ui.heading() == "Change Seaview"
    ui.fill("Oldest age accepted", "3")
    ui.fill("Youngest age accepted", "9")
    ui.submit("Save changes")
    assert (
        "The oldest age must not be below the youngest."
        in ui.page.locator(".govuk-error-summary").inner_text()
    )
    ui.fill("Oldest age accepted", "17")
    ui.fill("Name", "Seaview House")
    ui.submit("Save changes")
    assert "Seaview House has been updated." in main_text(ui)
    ui.follow("Deactivate", role="button")
    assert ui.heading() == "Deactivate Seaview House?"
    ui.submit("Deactivate service")
    assert "Seaview House has been deactivated." in main_text(ui)
    ui.submit("Reactivate")
    assert "Seaview House has been reactivated." in main_text(ui)

    ui.visit("/vacancies/")
    assert ui.heading() == "Vacancies"
    ui.fill("Vacancies at Hillside", "9")
    ui.submit("Save vacancies")
    assert (
        "cannot exceed its 3 registered places"
        in ui.page.locator(".govuk-error-summary").inner_text()
    )
    ui.fill("Vacancies at Hillside", "2")
    ui.submit("Save vacancies")
    assert "Vacancies saved." in main_text(ui)
    assert Service.objects.get(name="Hillside").vacancies == 2

    ui.visit("/quality/")
    assert ui.heading() == "Your quality score"
    assert "Test Consortium" in main_text(ui)
    ui.follow("See your score history")
    assert ui.heading() == "Quality score history"
    with ui.page.expect_navigation():
        ui.page.locator("main table a").first.click()
    ui.check()
    assert ui.heading().startswith("Quality score: ")
    assert "How the score is made up" in main_text(ui)


def test_a_consortium_admin_works_enrolments_declarations_weights_and_the_ofsted_import(
    ui, world, providers
):
    ui.sign_in(world.admin)

    ui.visit("/consortium/enrolments/")
    assert ui.heading() == "Enrolments"
    ui.page.get_by_label("Status", exact=True).select_option(label="Active")
    ui.submit("Filter")
    ui.follow("Alpha Care")
    assert ui.heading() == "Alpha Care"
    ui.page.get_by_label("Suspend", exact=True).check()
    ui.submit("Confirm")
    assert "There is a problem" in ui.page.locator(".govuk-error-summary").inner_text()
    ui.page.get_by_label("Suspend", exact=True).check()
    ui.fill("Reason", "Complaint under investigation.")
    ui.submit("Confirm")
    assert "Alpha Care was suspended on Children's homes." in main_text(ui)
    assert Enrolment.objects.get(provider=world.provider_a).status == "suspended"

    ui.visit("/consortium/applications/?status=draft")
    assert ui.heading() == "Applications"
    assert "Alpha Care" in main_text(ui)

    ui.visit(f"/consortium/providers/{world.provider_a.pk}/documents/")
    assert ui.heading() == "Accreditation documents"

    DeclarationQuestionFactory(consortium=world.consortium, text="Any fines?")
    ui.visit("/consortium/declarations/")
    assert "Any fines?" in main_text(ui)
    ui.submit("Add the question")
    assert "There is a problem" in ui.page.locator(".govuk-error-summary").inner_text()
    ui.fill("Question", "Any safeguarding enforcement action in the last 3 years?")
    ui.page.get_by_role("group", name="Which answer fails the question?").get_by_label(
        "Yes"
    ).check()
    ui.page.get_by_label("Blocks submission").check()
    ui.submit("Add the question")
    assert "The question has been added." in main_text(ui)
    ui.follow("Any fines?")
    assert ui.heading() == "Change a question"
    ui.fill("Question", "Any fines in the last 5 years?")
    ui.submit("Save")
    assert "The question has been changed." in main_text(ui)

    ui.visit("/quality/weights/")
    assert ui.heading() == "Quality weights"
    ui.fill("Inspection (%)", "50")
    ui.fill("Outcomes (%)", "30")
    ui.fill("Compliance (%)", "30")
    ui.fill("Responsiveness (%)", "10")
    ui.submit("Save weights")
    assert (
        "The weights must total 100. They total 120."
        in ui.page.locator(".govuk-error-summary").inner_text()
    )
    ui.fill("Outcomes (%)", "10")
    ui.submit("Save weights")
    assert "The quality weights have been saved." in main_text(ui)

    ui.visit("/ofsted-import/")
    assert ui.heading() == "Ofsted import"
    ui.page.get_by_label("Ofsted's CSV of children's social care providers").set_input_files(
        str(OFSTED_SAMPLE)
    )
    ui.submit("Import")
    report = main_text(ui)
    assert "1 service updated" in report
    assert "URNs matching no service" in report
    assert Service.objects.get(ofsted_urn="SC100002").ofsted_rating == "good"


def test_a_borough_filters_and_sorts_the_provider_directory(ui, world, providers):
    ui.sign_in(world.officer_a)

    ui.visit("/directory/")
    assert ui.heading() == "Providers"
    table = ui.page.locator("main table")
    assert "Alpha Care" in table.inner_text()
    assert "Bravo Care" in table.inner_text()

    ui.page.get_by_label("Area (local authority)").select_option(label="Westvale")
    ui.submit("Apply filters")
    assert "Bravo Care" in table.inner_text()
    assert "Alpha Care" not in table.inner_text()

    ui.follow("Clear filters")
    ui.page.get_by_label("Lot", exact=True).select_option(label=str(providers["homes"]))
    ui.page.get_by_label("Service type").select_option(label="Children's home")
    ui.page.get_by_label("Need met").select_option(label="Emotional and mental health")
    ui.page.get_by_label("At a score of at least").select_option("2")
    ui.page.get_by_label("Ofsted rating").select_option(label="Requires improvement")
    ui.page.get_by_label("Sort by").select_option(label="Name, A to Z")
    ui.submit("Apply filters")
    assert "Alpha Care" in table.inner_text()
    assert "Bravo Care" not in table.inner_text()

    ui.page.get_by_label("Only providers with a vacancy").check()
    ui.submit("Apply filters")
    assert "No providers match." in table.inner_text()

    ui.visit("/directory/?need_score=9")
    assert "There is a problem" in ui.page.locator(".govuk-error-summary").inner_text()
