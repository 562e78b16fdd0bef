"""The providers journey of issue 3, end to end in a real browser: a provider registers,
confirms its email, uploads its documents, adds a service and applies to a lot; the consortium
admin approves it; a borough finds it in the directory with its quality score. Every page on
the way is checked with axe-core."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from dps.models import OutboundEmail
from providers.models import MANDATORY_TYPES, DocumentType
from tests.factories import DeclarationQuestionFactory, LotFactory

pytestmark = pytest.mark.browser

EMAIL = "owner@harbour.test"
PASSWORD = "a-long-unusual-passphrase-42"
MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path


def register(ui):
    ui.visit("/register/")
    assert ui.heading() == "Register your organisation"
    ui.fill("Organisation's legal name", "Harbour House Care Ltd")
    ui.fill("Companies House number", "01234567")
    ui.fill("Registered address", "1 Quay Street\nEastmoor")
    ui.fill("Postcode", "em1 2ab")
    ui.fill("Contact's name", "Hana Harbour")
    ui.fill("Contact's email address", "office@harbour.test")
    ui.fill("Contact's phone number", "020 7946 0000")
    ui.fill("Your full name", "Hana Harbour")
    ui.fill("Your email address", EMAIL)
    ui.fill("Create a password", PASSWORD)
    ui.fill("Confirm the password", PASSWORD)
    ui.submit("Register")
    assert ui.heading() == "Check your email"


def confirm_email(ui):
    email = OutboundEmail.objects.filter(to=EMAIL).latest("pk")
    link = re.search(r"https?://\S+?(/accounts/confirm-email/\S+)", email.body_text)
    assert link, email.body_text
    ui.visit(link.group(1))
    button = ui.page.get_by_role("button", name="Confirm")
    if button.count():  # allauth asks for a press unless it confirms on GET
        ui.submit("Confirm")


def sign_in(ui):
    ui.visit("/accounts/login/")
    ui.fill("Email address", EMAIL)
    ui.fill("Password", PASSWORD)
    ui.submit("Sign in")
    assert ui.heading() == "Provider dashboard"


def sign_out(ui):
    menu = ui.page.get_by_role("navigation", name="Menu")
    with ui.page.expect_navigation():
        menu.get_by_role("button", name="Sign out").click()
    ui.check()


def upload_mandatory_documents(ui, tmp_path):
    today = timezone.localdate()
    pdf = tmp_path / "evidence.pdf"
    pdf.write_bytes(MINIMAL_PDF)
    for document_type in sorted(MANDATORY_TYPES):
        label = DocumentType(document_type).label
        ui.visit("/documents/upload/")
        assert ui.heading() == "Upload a document"
        ui.page.get_by_label("Type of document", exact=True).select_option(label=label)
        ui.fill("Issue date", (today - timedelta(days=30)).isoformat())
        ui.fill("Expiry date", (today + timedelta(days=365)).isoformat())
        ui.page.get_by_label("File", exact=True).set_input_files(str(pdf))
        ui.submit("Upload document")
        assert ui.heading() == "Accreditation documents"
        assert f"{label} uploaded: evidence.pdf." in ui.page.inner_text("main")
    current = ui.page.locator("table", has_text="Current documents")
    assert "Not uploaded" not in current.inner_text()


def add_service(ui):
    ui.visit("/services/")
    ui.follow("Add a service", role="button")
    assert ui.heading() == "Add a service"
    ui.page.get_by_label("Children's home", exact=True).check()
    ui.fill("Name", "Harbour House")
    ui.fill("Ofsted URN", "SC100001")
    ui.fill("Registered places", "4")
    ui.fill("Youngest age accepted", "8")
    ui.fill("Oldest age accepted", "17")
    ui.page.get_by_role("group", name="Children accepted").get_by_label("Any").check()
    ui.fill("Postcode", "E12 6ET")
    ui.submit("Add service")
    assert ui.heading() == "Harbour House"
    assert "Harbour House has been added." in ui.page.inner_text("main")


def apply_to_lot(ui, lot, questions):
    ui.visit("/applications/")
    assert ui.heading() == "Your applications and enrolments"
    ui.follow("Apply to a lot", role="button")
    ui.page.get_by_label("Lot", exact=True).select_option(label=str(lot))
    ui.submit("Start the application")
    assert ui.heading() == f"Application to {lot.name}"
    assert f"Your application to {lot} has been started." in ui.page.inner_text("main")

    for question in questions:
        ui.page.get_by_role("group", name=question.text).get_by_label("No", exact=True).check()
    ui.fill("Supporting statement", "Twenty years of small, settled homes by the sea.")
    evidence = ui.page.get_by_role("group", name="Evidence documents")
    evidence.get_by_label(re.compile("^Safeguarding policy")).check()
    evidence.get_by_label(re.compile("^Public liability insurance")).check()
    ui.submit("Submit the application")
    assert "Your application has been submitted." in ui.page.inner_text("main")
    assert "Submitted" in ui.page.locator("main .govuk-tag").first.inner_text()


def test_a_provider_registers_applies_and_is_approved_into_a_boroughs_directory(ui, world, media):
    lot = LotFactory(consortium=world.consortium, name="Children's homes")
    questions = [
        DeclarationQuestionFactory(
            consortium=world.consortium,
            text="Any safeguarding enforcement action in the last 3 years?",
            failing_answer=True,
            on_fail="block",
            position=1,
        ),
        DeclarationQuestionFactory(
            consortium=world.consortium,
            text="Any insolvency proceedings in the last 5 years?",
            failing_answer=True,
            on_fail="review",
            position=2,
        ),
    ]

    # The provider registers, confirms its address and signs in.
    register(ui)
    confirm_email(ui)
    sign_in(ui)

    # It uploads its mandatory documents, adds a service and applies to the lot.
    upload_mandatory_documents(ui, media)
    add_service(ui)
    apply_to_lot(ui, lot, questions)
    sign_out(ui)

    # The consortium admin approves it from the review queue, with a reason.
    ui.sign_in(world.admin)
    ui.visit("/consortium/applications/")
    assert ui.heading() == "Applications to review"
    ui.follow("Harbour House Care Ltd")
    assert ui.heading() == "Harbour House Care Ltd"
    main = ui.page.inner_text("main")
    assert "Any safeguarding enforcement action in the last 3 years?" in main
    assert "evidence.pdf" in main
    ui.page.get_by_label("Approve: enrol the provider on the lot").check()
    ui.fill("Reason", "Evidence complete; declarations clear.")
    ui.submit("Record the decision")
    assert "The application from Harbour House Care Ltd was approved." in ui.page.inner_text("main")
    decision = OutboundEmail.objects.filter(to=EMAIL).latest("pk")
    assert "Evidence complete" in decision.body_text
    sign_out(ui)

    # A borough's officer finds it in the directory with a score, and its breakdown.
    ui.sign_in(world.officer_a)
    ui.visit("/directory/")
    assert ui.heading() == "Providers"
    row = ui.page.locator("tr", has_text="Harbour House Care Ltd")
    score = row.locator("td").last.inner_text().strip()
    assert re.fullmatch(r"\d{1,3}\.\d{2}", score), score
    ui.follow("Harbour House Care Ltd")
    assert ui.heading() == "Harbour House Care Ltd"
    main = ui.page.inner_text("main")
    assert "Children's homes" in main
    assert "out of 100" in main
    breakdown = ui.page.locator("table", has_text="How the score is made up")
    for part in ("Inspection", "Outcomes", "Compliance", "Responsiveness"):
        assert part in breakdown.inner_text()
    assert "Harbour House" in ui.page.locator("table", has_text="Services").inner_text()
