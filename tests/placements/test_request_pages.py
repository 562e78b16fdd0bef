"""The borough's request pages: drafting, publishing with every problem named, changing an open
request, cancelling, ending with no suitable offer, re-opening, answering questions, who may do
what, and bids sealed on every page while the request is open."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from placements.forms.requests import RequestForm
from placements.models import Bid, PlacementRequest, Question
from placements.services import questions as question_services
from tests.factories import EnrolmentFactory, ProviderFactory, ServiceFactory
from tests.placements import helpers

Status = PlacementRequest.Status


def url(name, *args):
    return reverse(f"placements:{name}", args=args)


@pytest.fixture
def officer(client, world):
    client.force_login(world.officer_a)
    return client


def text(response):
    return response.content.decode()


# --- Drafting -----------------------------------------------------------------------------


def test_an_officer_saves_an_incomplete_draft(officer, world):
    lot, _ = helpers.market(world)

    response = officer.post(
        url("request_create"),
        {"reference": "AB-77", "urgency": "planned", "strengths": "Loves drawing.", "lot": lot.pk},
    )

    placement_request = PlacementRequest.objects.get(reference="AB-77")
    assert response.status_code == 302
    assert response["Location"] == url("request_detail", placement_request.pk)
    assert placement_request.status == Status.DRAFT
    assert placement_request.borough == world.borough_a
    assert placement_request.strengths == "Loves drawing."
    assert placement_request.age is None
    assert placement_request.needs == {}


def test_the_form_puts_strengths_before_the_rest_of_the_child(officer, world):
    page = text(officer.get(url("request_create")))

    order = [
        page.index('id="id_reference"'),
        page.index('id="id_strengths"'),
        page.index('id="id_age"'),
        page.index('id="id_need_physical_health"'),
        page.index('id="id_outcome_be_healthy"'),
        page.index('id="id_story"'),
        page.index('id="id_areas"'),
        page.index('id="id_bid_deadline_date"'),
    ]
    assert order == sorted(order)


def test_a_draft_with_errors_keeps_everything_typed(officer, world):
    lot, _ = helpers.market(world)

    response = officer.post(
        url("request_create"),
        {
            "lot": lot.pk,
            "reference": "AB-78",
            "urgency": "planned",
            "strengths": "Kind to younger children.",
            "age": "fourteen",
            "need_identity": "2",
            "need_detail_identity": "Wants to know her life story.",
            "bid_deadline_date": "01/02/2030",
        },
    )

    page = text(response)
    assert response.status_code == 400
    assert "Enter the age as a whole number." in page
    assert "Enter the time bids close, like 17:00." in page
    assert "Kind to younger children." in page
    assert 'value="fourteen"' in page
    assert "Wants to know her life story." in page
    assert '<option value="2" selected>' in page
    assert not PlacementRequest.objects.filter(reference="AB-78").exists()


def test_the_bid_deadline_is_saved_in_local_time(officer, world):
    lot, _ = helpers.market(world)
    placement_request = helpers.draft(world, lot)
    values = RequestForm.values_for(placement_request)
    values.update(bid_deadline_date="01/07/2031", bid_deadline_time="17:30")

    response = officer.post(url("request_edit", placement_request.pk), values)

    assert response.status_code == 302
    placement_request.refresh_from_db()
    local = timezone.localtime(placement_request.bid_deadline)
    assert (local.year, local.month, local.day, local.hour, local.minute) == (2031, 7, 1, 17, 30)


# --- Publishing ---------------------------------------------------------------------------


def test_publishing_an_incomplete_draft_names_every_problem_beside_its_field(officer, world):
    placement_request = helpers.request_services.request_create(
        actor=helpers.actor_of(world.officer_a),
        reference="AB-79",
        needs={"physical_health": 2},
    )

    response = officer.post(url("request_publish", placement_request.pk))

    page = text(response)
    assert response.status_code == 400
    expected = {
        "id_lot": "Choose the lot.",
        "id_strengths": "Describe the child's strengths and interests.",
        "id_age": "Enter the child's age.",
        "id_gender": "Choose the child's gender.",
        "id_ethnicity": "Enter the child's ethnicity.",
        "id_language": "Enter the child's first language.",
        "id_legal_status": "Choose the child's legal status.",
        "id_date_needed": "Enter the date the placement is needed.",
        "id_duration_weeks": "Enter the expected duration in weeks.",
        "id_story": "Describe why the placement is needed now and the child's journey.",
        "id_need_emotional_health": "Score “Emotional and mental health” from 0 to 3.",
        "id_need_identity": "Score “Identity, life story and self-esteem” from 0 to 3.",
        "id_need_detail_physical_health": "Give a line of detail for “Physical health” (scored 2).",
        "id_outcome_be_healthy": "Describe the desired outcomes for at least one domain.",
    }
    start = page.index("govuk-error-summary")
    summary = page[start : page.index("</ul>", start)]
    for field_id, message in expected.items():
        assert f'<a href="#{field_id}">{escape(message)}</a>' in summary, message
        assert f'id="{field_id}-error"' in page, field_id
    # The physical health need is scored, so it is not listed as unscored.
    assert "Score “Physical health”" not in page
    assert summary.count("<li>") == len(expected) + 9  # 11 needs unscored in all
    placement_request.refresh_from_db()
    assert placement_request.status == Status.DRAFT


def test_publishing_a_complete_draft_invites_the_eligible_providers(officer, world):
    lot, _ = helpers.market(world)
    too_old = ProviderFactory(name="Charlie Homes")
    EnrolmentFactory(provider=too_old, lot=lot)
    ServiceFactory(provider=too_old, age_min=16, age_max=17)
    placement_request = helpers.draft(world, lot)

    confirm = officer.get(url("request_publish", placement_request.pk))
    response = officer.post(url("request_publish", placement_request.pk))

    assert confirm.status_code == 200
    assert "Publish and invite providers" in text(confirm)
    assert response.status_code == 302
    placement_request.refresh_from_db()
    assert placement_request.status == Status.OPEN
    page = text(officer.get(url("request_detail", placement_request.pk)))
    assert "2 providers were invited and emailed" in page
    invited = page[page.index("Providers invited") : page.index("not invited")]
    assert "Alpha Care" in invited
    assert "Bravo Care" in invited
    assert "Charlie Homes" not in page
    assert "No service for the child&#x27;s age" in page
    assert "Draft → Open for bids" in page


def test_a_request_can_be_published_only_once(officer, world):
    lot, _ = helpers.market(world)
    placement_request = helpers.published(world, lot)

    response = officer.post(url("request_publish", placement_request.pk), follow=True)

    assert "Only a draft can be published." in text(response)
    assert placement_request.transitions.filter(to_status=Status.OPEN).count() == 1


# --- Changing an open request -------------------------------------------------------------


def test_changing_an_open_requests_terms_asks_bidders_to_reconfirm(officer, world):
    lot, services = helpers.market(world)
    placement_request = helpers.published(world, lot)
    bid = helpers.bid(placement_request, world.bidder_a, services["a"], "3000")

    edit = officer.get(url("request_edit", placement_request.pk))
    values = RequestForm.values_for(placement_request)
    values["duration_weeks"] = "26"
    response = officer.post(url("request_edit", placement_request.pk), values, follow=True)

    assert "asks every provider that has bid to re-confirm" in text(edit)
    assert "providers that have bid are asked to re-confirm" in text(response)
    placement_request.refresh_from_db()
    assert placement_request.terms_version == 2
    assert placement_request.duration_weeks == 26
    bid.refresh_from_db()
    assert bid.needs_reconfirmation


def test_an_open_request_cannot_lose_what_publishing_needs(officer, world):
    lot, _ = helpers.market(world)
    placement_request = helpers.published(world, lot)
    values = RequestForm.values_for(placement_request)
    values["story"] = ""

    response = officer.post(url("request_edit", placement_request.pk), values)

    assert response.status_code == 400
    assert escape("Describe why the placement is needed now and the child's journey.") in text(
        response
    )
    placement_request.refresh_from_db()
    assert placement_request.story == helpers.STORY


def test_a_closed_request_cannot_be_changed(officer, world):
    placement_request, _ = helpers.closed_with_bids(world)

    response = officer.post(url("request_edit", placement_request.pk), {"reference": "X"})

    assert response.status_code == 302
    placement_request.refresh_from_db()
    assert placement_request.reference == "AB-1234"


# --- Cancelling, no suitable offer, re-opening --------------------------------------------


def test_cancelling_for_another_reason_needs_the_detail(officer, world):
    lot, _ = helpers.market(world)
    placement_request = helpers.published(world, lot)

    page = text(officer.get(url("request_cancel", placement_request.pk)))
    refused = officer.post(url("request_cancel", placement_request.pk), {"reason": "other"})

    for label in ("No longer needed", "Placed in-house", "Placed elsewhere", "Other"):
        assert label in page
    assert refused.status_code == 400
    assert 'id="id_detail-error"' in text(refused)
    assert "Say why the request is cancelled." in text(refused)
    placement_request.refresh_from_db()
    assert placement_request.status == Status.OPEN


def test_cancelling_with_a_reason_records_it_in_the_history(officer, world):
    lot, _ = helpers.market(world)
    placement_request = helpers.published(world, lot)

    response = officer.post(
        url("request_cancel", placement_request.pk),
        {"reason": "placed_in_house", "detail": "A foster carer in the borough."},
        follow=True,
    )

    placement_request.refresh_from_db()
    assert placement_request.status == Status.CANCELLED
    assert placement_request.cancel_reason == "placed_in_house"
    page = text(response)
    assert "Open for bids → Cancelled" in page
    assert "Placed in-house: A foster carer in the borough." in page
    assert "Cancel the request" not in page


def test_cancelling_without_a_reason_is_refused(officer, world):
    lot, _ = helpers.market(world)
    placement_request = helpers.draft(world, lot)

    response = officer.post(url("request_cancel", placement_request.pk), {})

    assert response.status_code == 400
    assert "Choose why the request is cancelled." in text(response)


def test_an_officer_ends_a_closed_request_with_no_suitable_offer(officer, world):
    placement_request, _ = helpers.closed_with_bids(world)

    refused = officer.post(url("request_no_offer", placement_request.pk), {"reason": " "})
    response = officer.post(
        url("request_no_offer", placement_request.pk),
        {"reason": "Neither home is near her school."},
    )

    assert refused.status_code == 400
    assert "Say why none of the offers is suitable." in text(refused)
    assert response.status_code == 302
    placement_request.refresh_from_db()
    assert placement_request.status == Status.NO_SUITABLE_OFFER
    assert placement_request.status_reason == "Neither home is near her school."


def test_a_request_with_no_suitable_offer_is_reopened_with_a_new_deadline(officer, world):
    lot, _ = helpers.market(world)
    placement_request = helpers.close(helpers.published(world, lot))  # no bids
    assert placement_request.status == Status.NO_SUITABLE_OFFER
    detail = text(officer.get(url("request_detail", placement_request.pk)))
    tomorrow = timezone.localdate() + timedelta(days=1)

    too_soon = officer.post(
        url("request_reopen", placement_request.pk),
        {"bid_deadline_date": "01/01/2020", "bid_deadline_time": "12:00"},
    )
    response = officer.post(
        url("request_reopen", placement_request.pk),
        {"bid_deadline_date": tomorrow.strftime("%d/%m/%Y"), "bid_deadline_time": "12:00"},
    )

    assert "Re-open with a new deadline" in detail
    assert too_soon.status_code == 400
    assert 'id="id_bid_deadline_date-error"' in text(too_soon)
    assert response.status_code == 302
    placement_request.refresh_from_db()
    assert placement_request.status == Status.OPEN
    assert timezone.localtime(placement_request.bid_deadline).date() == tomorrow
    assert timezone.localtime(placement_request.bid_deadline).hour == 12


def test_only_a_request_with_no_suitable_offer_can_be_reopened(officer, world):
    lot, _ = helpers.market(world)
    placement_request = helpers.published(world, lot)
    deadline = placement_request.bid_deadline

    response = officer.post(
        url("request_reopen", placement_request.pk),
        {"bid_deadline_date": "01/01/2031", "bid_deadline_time": "12:00"},
    )

    assert response.status_code == 302
    placement_request.refresh_from_db()
    assert placement_request.bid_deadline == deadline


# --- Questions ----------------------------------------------------------------------------


def test_an_officer_answers_a_question_and_shares_it(officer, world):
    lot, _ = helpers.market(world)
    placement_request = helpers.published(world, lot)
    question = question_services.question_ask(
        actor=helpers.actor_of(world.bidder_a),
        placement_request=placement_request,
        text="Does she have a bike?",
    )
    prefix = f"question-{question.pk}"

    page = text(officer.get(url("request_detail", placement_request.pk)))
    empty = officer.post(url("question_answer", placement_request.pk, question.pk), {})
    response = officer.post(
        url("question_answer", placement_request.pk, question.pk),
        {f"{prefix}-answer": "Yes, a red one.", f"{prefix}-shared": "on"},
    )

    assert "Does she have a bike?" in page
    assert f'name="{prefix}-answer"' in page
    assert empty.status_code == 400
    assert "Enter your answer." in text(empty)
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.answer == "Yes, a red one."
    assert question.shared


def test_questions_cannot_be_answered_once_bids_close(officer, world):
    lot, services = helpers.market(world)
    placement_request = helpers.published(world, lot)
    helpers.bid(placement_request, world.bidder_a, services["a"], "3000")
    question = question_services.question_ask(
        actor=helpers.actor_of(world.bidder_a), placement_request=placement_request, text="Pets?"
    )
    helpers.close(placement_request)

    response = officer.post(
        url("question_answer", placement_request.pk, question.pk),
        {f"question-{question.pk}-answer": "No pets."},
    )

    assert response.status_code == 400
    assert "only while bids are open" in text(response)
    assert Question.objects.get(pk=question.pk).answer == ""


# --- The list -----------------------------------------------------------------------------


def test_the_list_filters_by_status_and_offers_officers_a_new_request(officer, world):
    lot, _ = helpers.market(world)
    helpers.draft(world, lot, reference="AB-DRAFT")
    helpers.published(world, lot, reference="AB-OPEN")

    everything = text(officer.get(url("request_list")))
    open_only = text(officer.get(url("request_list") + "?status=open"))

    assert "AB-DRAFT" in everything
    assert "AB-OPEN" in everything
    assert "Post a request" in everything
    assert "AB-OPEN" in open_only
    assert "AB-DRAFT" not in open_only


def test_the_list_shows_only_the_boroughs_own_requests(client, world):
    lot, _ = helpers.market(world)
    helpers.published(world, lot, reference="AB-SECRET")
    client.force_login(world.officer_b)

    page = text(client.get(url("request_list")))

    assert "AB-SECRET" not in page


# --- Who may do what ----------------------------------------------------------------------


def test_a_commissioner_reads_requests_but_changes_nothing(client, world):
    lot, _ = helpers.market(world)
    draft = helpers.draft(world, lot, reference="AB-READ")
    client.force_login(world.commissioner_a)

    listing = text(client.get(url("request_list")))
    detail = client.get(url("request_detail", draft.pk))

    assert "AB-READ" in listing
    assert "Post a request" not in listing
    assert detail.status_code == 200
    assert "Publish" not in text(detail)
    assert "Cancel the request" not in text(detail)
    assert client.get(url("request_create")).status_code == 403
    assert client.post(url("request_create"), {"reference": "X"}).status_code == 403
    assert client.get(url("request_edit", draft.pk)).status_code == 403
    assert client.post(url("request_publish", draft.pk)).status_code == 403
    assert client.post(url("request_cancel", draft.pk), {"reason": "other"}).status_code == 403
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT
    assert not PlacementRequest.objects.filter(reference="X").exists()


@pytest.mark.parametrize("persona", ["bidder_a", "provider_admin_b"])
def test_providers_are_refused_the_borough_pages(client, world, persona):
    lot, _ = helpers.market(world)
    placement_request = helpers.published(world, lot)
    client.force_login(getattr(world, persona))

    assert client.get(url("request_list")).status_code == 403
    assert client.get(url("request_detail", placement_request.pk)).status_code == 403


def test_another_boroughs_request_is_not_found(client, world):
    lot, _ = helpers.market(world)
    placement_request = helpers.draft(world, lot)
    client.force_login(world.officer_b)

    assert client.get(url("request_detail", placement_request.pk)).status_code == 404
    assert client.post(url("request_publish", placement_request.pk)).status_code == 404
    placement_request.refresh_from_db()
    assert placement_request.status == Status.DRAFT


def test_anonymous_visitors_are_sent_to_sign_in(client, world):
    response = client.get(url("request_list"))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


# --- Sealed bids --------------------------------------------------------------------------

FEES = ("3456.78", "2345.67")


def fee_strings():
    strings = []
    for fee in FEES:
        pounds, pence = fee.split(".")
        strings += [fee, f"{int(pounds):,}.{pence}"]
    return strings


def test_no_borough_page_shows_a_bid_or_their_number_while_the_request_is_open(client, world):
    lot, services = helpers.market(world)
    placement_request = helpers.published(world, lot)
    helpers.bid(placement_request, world.bidder_a, services["a"], FEES[0])
    helpers.bid(placement_request, world.bidder_b, services["b"], FEES[1])
    assert Bid.objects.filter(request=placement_request).count() == 2
    pk = placement_request.pk
    pages = [
        url("request_list"),
        url("request_list") + "?status=open",
        url("request_detail", pk),
        url("request_edit", pk),
        url("request_cancel", pk),
        url("shortlist", pk),
        url("award", pk),
        url("placement_list"),
    ]
    for persona in ("officer_a", "commissioner_a"):
        client.force_login(getattr(world, persona))
        for path in pages:
            response = client.get(path, follow=True)
            page = text(response)
            assert response.status_code in (200, 403), (persona, path)
            for fee in fee_strings():
                assert fee not in page, (persona, path, fee)
            assert "valid bid" not in page, (persona, path)
            assert "2 bids" not in page, (persona, path)
            assert "Bravo House" not in page, (persona, path)

    # The positive control: once closed, the same pages show them.
    helpers.close(placement_request)
    client.force_login(world.officer_a)
    assert "2 valid bids" in text(client.get(url("request_detail", pk)))
    assert "3,456.78" in text(client.get(url("shortlist", pk)))
