"""The Individual Placement Agreement: a PDF whose text names the parties, the child's reference,
the fee and its breakdown, the needs and outcomes agreed, the terms and the award, and that
loads nothing from the network while it is drawn.

The text is read back with a PDF reader, so the tests fail if it were drawn as shapes or its
fonts carried no Unicode map."""

import io
from decimal import Decimal

import pytest
from django.utils import timezone
from pypdf import PdfReader

from placements.models import Placement
from placements.services import award as award_services
from placements.services import requests as request_services
from placements.services.ipa import ipa_html, ipa_render
from providers.models import ProviderProfile
from tests.placements import helpers


def pdf_text(data):
    """The text a PDF reader extracts, page after page."""
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def words(text):
    return " ".join(text.split())


# --- The agreement ----------------------------------------------------------------------


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def placement(world):
    """Alpha Care's bid of £3,000 (£2,600 core + 10 extra staffing hours at £400, meeting one
    need) ranks below Bravo Care's and is chosen with a reason."""
    lot, services = helpers.market(world)
    services["a"].ofsted_urn = "SC123456"
    services["a"].save()
    ProviderProfile.objects.create(
        organisation=world.provider_a,
        legal_name="Alpha Care Services Ltd",
        address="1 High Street\nNorthbridge",
        postcode="NB1 1AA",
        contact_name="Pat Lee",
        contact_email="office@alpha.test",
        contact_phone="020 7946 0000",
    )
    placement_request = helpers.published(world, lot)
    helpers.bid(
        placement_request,
        world.bidder_a,
        services["a"],
        "2600",
        extra_staffing_hours=10,
        extra_staffing_cost=400,
        volume_discount="5% off a second placement in the same home.",
        needs_met={"emotional_health": "Weekly sessions with our in-house therapist."},
    )
    helpers.bid(placement_request, world.bidder_b, services["b"], "2500")
    helpers.close(placement_request)
    officer = helpers.actor_of(world.officer_a)
    request_services.request_shortlist_confirm(actor=officer, placement_request=placement_request)
    bid = placement_request.bids.get(provider=world.provider_a)
    assert bid.rank == 2
    return award_services.award(
        actor=officer,
        placement_request=placement_request,
        bid=bid,
        reason="Her therapist is nearby.",
    )


def test_the_ipa_is_a_pdf_whose_text_names_the_provider_and_the_fee(world):
    _request, placement = helpers.awarded(world)

    pdf = ipa_render(placement)

    assert pdf.startswith(b"%PDF-")
    text = words(pdf_text(pdf))
    assert "Individual Placement Agreement" in text
    assert "Alpha Care" in text
    assert "£3,000.00" in text
    assert placement.weekly_fee == Decimal("3000.00")


def test_the_ipa_sets_out_parties_child_reference_fee_breakdown_and_award(world, placement):
    text = words(pdf_text(ipa_render(placement)))

    # The parties, and the service with its Ofsted URN
    assert "Alpha Borough" in text
    assert "Alpha Care Services Ltd" in text
    assert "Alpha House" in text
    assert "SC123456" in text
    # The child, by the borough's reference only
    assert "Child reference AB-1234" in text
    # The placement: lot, dates, and the fee with its breakdown and the discount note
    assert "Residential homes" in text
    assert placement.start_date.strftime("%-d %B %Y") in text
    assert placement.planned_end_date.strftime("%-d %B %Y") in text
    assert "£2,600.00" in text
    assert "10 hours a week" in text
    assert "£400.00" in text
    assert "£3,000.00" in text
    assert "5% off a second placement in the same home." in text
    # Terms, the award and both signature blocks
    for clause in ("DPS terms", "invoices weekly in arrears", "28 days' written notice"):
        assert clause in text
    assert "Safeguarding" in text
    assert f"{world.officer_a.full_name}, Alpha Borough" in text
    assert "Ranked 2" in text
    assert "Her therapist is nearby." in text
    assert "For Alpha Borough" in text
    assert "For Alpha Care" in text


def test_the_ipa_lists_each_need_with_how_the_provider_meets_it_and_the_outcomes(world, placement):
    text = words(pdf_text(ipa_render(placement)))

    assert "Be Healthy" in text
    assert "Emotional and mental health" in text
    assert "3 – intensive support" in text
    assert "Weekly sessions with our in-house therapist." in text
    assert "Outcome for be_healthy" in text
    assert "Outcome for be_safe" in text


def test_the_ipa_never_names_the_childs_story_or_free_text(world, placement):
    html = ipa_html(placement)

    assert helpers.STORY not in html
    assert helpers.STRENGTHS not in html
    assert "Detail about" not in html


def test_the_ipa_loads_nothing_from_the_network(world, placement, monkeypatch):
    import weasyprint

    fetched = []
    real = weasyprint.HTML

    def spy(*args, **kwargs):
        fetcher = kwargs["url_fetcher"]
        assert kwargs["base_url"] is None

        def recording(url, *a, **kw):
            fetched.append(url)
            return fetcher(url, *a, **kw)

        return real(*args, **{**kwargs, "url_fetcher": recording})

    monkeypatch.setattr(weasyprint, "HTML", spy)

    ipa_render(placement)

    assert fetched == []
    assert "http" not in ipa_html(placement).replace("http-equiv", "")


def test_the_awarded_placement_stores_its_ipa_once(world, placement):
    first = award_services.ipa_ensure(placement)
    placement.refresh_from_db()
    name = placement.ipa_pdf.name

    again = award_services.ipa_ensure(placement)

    assert first == again
    assert name.endswith(".pdf")
    assert "£3,000.00" in words(pdf_text(again))


def test_a_placement_made_outside_a_competition_still_has_an_agreement(world):
    """A placement recorded without a request or bid (e.g. one made before the DPS)."""
    _lot, services = helpers.market(world)
    placement = Placement.objects.create(
        borough=world.borough_a,
        provider=world.provider_b,
        service=services["b"],
        child_reference="AB-0001",
        weekly_fee=Decimal("4100"),
        start_date=timezone.localdate(),
    )

    text = words(pdf_text(ipa_render(placement)))

    assert "Bravo Care" in text
    assert "£4,100.00" in text
    assert "Child reference AB-0001" in text
    assert "Needs and agreed outcomes" not in text
