"""The mini-competition of issue 4, end to end in a real browser. An officer posts a request,
and both providers receive the alert email. Both bid, and the deadline passes. The officer
opens the shortlist, records the young person's view of each offer, and awards the
second-ranked bid with a reason. Both sides download the IPA, whose text names the provider
and the fee. Every page on the way is checked with axe-core."""

import io
import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from pypdf import PdfReader

from dps.models import OutboundEmail
from placements.models import Bid, Placement, PlacementRequest
from placements.services.closing import requests_close_due
from providers.needs import DOMAINS, INDICATOR_CODES
from tests.browser.conftest import UI
from tests.placements import helpers

pytestmark = pytest.mark.browser


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def tab(chromium, live_server):
    """Another person's browser, beside the `ui` fixture's."""
    contexts = []

    def open_tab():
        context = chromium.new_context(
            base_url=live_server.url, locale="en-GB", viewport={"width": 1280, "height": 900}
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return UI(page, live_server.url)

    yield open_tab
    for context in contexts:
        context.close()


def field(ui, name):
    return ui.page.locator(f"[name='{name}']")


def post_request(ui, lot, *, location=None, invited=("Alpha Care", "Bravo Care")):
    """Fill in and publish a request; `location`, when given, fills in its location wishes."""
    ui.visit("/requests/new/")
    field(ui, "lot").select_option(label=lot.name)
    field(ui, "reference").fill("NB-7781")
    ui.page.get_by_label("Planned move", exact=True).check()
    field(ui, "date_needed").fill((timezone.localdate() + timedelta(days=14)).strftime("%d/%m/%Y"))
    field(ui, "duration_weeks").fill("52")
    field(ui, "strengths").fill(helpers.STRENGTHS)
    field(ui, "age").fill("14")
    field(ui, "gender").select_option("female")
    field(ui, "ethnicity").fill("White British")
    field(ui, "language").fill("English")
    field(ui, "legal_status").select_option("s31")
    for code in INDICATOR_CODES:
        field(ui, f"need_{code}").select_option(str(helpers.NEEDS[code]))
        field(ui, f"need_detail_{code}").fill(helpers.DETAILS[code])
    for domain, _ in DOMAINS[:2]:
        field(ui, f"outcome_{domain}").fill(f"Outcome for {domain}")
    field(ui, "story").fill(helpers.STORY)
    if location:
        location(ui)
    ui.submit("Save draft")
    placement_request = PlacementRequest.objects.get(reference="NB-7781")
    assert placement_request.status == PlacementRequest.Status.DRAFT

    ui.follow("Publish", role="button")
    ui.submit("Publish and invite providers")
    placement_request.refresh_from_db()
    assert placement_request.status == PlacementRequest.Status.OPEN
    for name in invited:
        assert name in ui.page.content()
    return placement_request


def alert_path(email_address):
    email = OutboundEmail.objects.filter(
        to=email_address, subject__startswith="New placement request"
    ).get()
    link = re.search(r"https?://\S+?(/opportunities/\d+/)", email.body_text)
    assert link, email.body_text
    return link.group(1)


def bid(ui, user, service, fee):
    ui.sign_in(user)
    ui.visit(alert_path(user.email))
    assert "14" in ui.page.content()
    assert helpers.STORY not in ui.page.content()  # released only once shortlisted
    ui.follow("Make a bid", role="button")
    ui.page.get_by_label(service.name).check()
    field(ui, "core_weekly_fee").fill(fee)
    field(ui, "start_date").fill((timezone.localdate() + timedelta(days=14)).strftime("%d/%m/%Y"))
    for code in INDICATOR_CODES:
        field(ui, f"need_{code}").fill("Our staff are trained for this.")
    ui.submit("Submit bid")
    assert Bid.objects.filter(provider=service.provider, status="submitted").exists()


def pdf_text(content):
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def download(ui, link_name):
    with ui.page.expect_download() as info:
        ui.page.get_by_role("button", name=link_name).click()
    return open(info.value.path(), "rb").read()


def test_an_officer_posts_providers_bid_and_the_second_ranked_is_awarded(ui, tab, world, media):
    lot, services = helpers.market(world)
    ui.sign_in(world.officer_a)
    placement_request = post_request(ui, lot)

    # Both providers are alerted by email, and bid from the link in it.
    provider_a, provider_b = tab(), tab()
    bid(provider_a, world.bidder_a, services["a"], "3000")
    bid(provider_b, world.bidder_b, services["b"], "2500")

    # Before the deadline the officer sees no bid.
    ui.visit(f"/requests/{placement_request.pk}/")
    assert "3,000" not in ui.page.content()
    assert "2,500" not in ui.page.content()

    # The deadline passes and the worker closes the request.
    PlacementRequest.objects.filter(pk=placement_request.pk).update(
        bid_deadline=timezone.now() - timedelta(seconds=settings.CLOSE_GRACE_SECONDS + 1)
    )
    assert requests_close_due() == 1

    ui.visit(f"/requests/{placement_request.pk}/")
    ui.follow("See the evaluation and shortlist")
    ranks = [t.inner_text() for t in ui.page.locator(".govuk-summary-card__title").all()]
    assert ranks[:2] == ["Rank 1: Alpha Care", "Rank 2: Bravo Care"]
    ui.submit("Confirm the shortlist")

    for card, view in (("Alpha Care", "Too far from school."), ("Bravo Care", "Likes it.")):
        form = ui.page.locator(".govuk-summary-card", has_text=f": {card}")
        form.get_by_label("The young person's view of this offer").fill(view)
        with ui.page.expect_navigation():
            form.get_by_role("button", name="Record the view").click()
        ui.check()
    assert Bid.objects.filter(young_person_view="Likes it.").exists()

    ui.follow("Award to Bravo Care instead of the top-ranked offer")
    ui.submit("Award the placement")  # no reason: refused beside the field
    assert "Say why" in ui.page.content()
    ui.page.get_by_label(re.compile("Why this offer")).fill(
        "The young person prefers it: it keeps her at her school."
    )
    ui.submit("Award the placement")
    placement = Placement.objects.get(request=placement_request)
    assert placement.provider == world.provider_b
    assert ui.path == f"/placements/{placement.pk}/"

    text = pdf_text(download(ui, "Download the Individual Placement Agreement (PDF)"))
    assert "Bravo Care" in text
    assert "£2,500.00" in text

    # The winner downloads the same agreement from its own placement page.
    provider_b.visit(f"/placements/{placement.pk}/")
    assert "Bravo Care" in pdf_text(
        download(provider_b, "Download the Individual Placement Agreement (PDF)")
    )
