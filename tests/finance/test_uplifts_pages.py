"""The uplift pages and API, through the test client: opening a round, asking, deciding,
the evidence, the dashboard's panel, and the API's idempotent request."""

import json
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dps.models import AuditEvent
from finance.models import UpliftRequest, UpliftRound
from placements.models import Fee
from tests.factories import scheduled_placement
from tests.finance.uplift_helpers import a_lot, a_round, a_service, placements_at

TODAY = date(2026, 3, 2)
EFFECTIVE = date(2026, 4, 6)


@pytest.fixture
def frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def scene(world, frozen):
    lot = a_lot(world)
    round_ = a_round(world, [lot], effective=EFFECTIVE)
    service = a_service(world.provider_a, "Oak House")
    ours = placements_at(
        world, provider=world.provider_a, borough=world.borough_a, lot=lot, service=service, count=2
    )
    theirs = scheduled_placement(
        borough=world.borough_b,
        provider=world.provider_a,
        start=date(2025, 9, 1),
        weekly_fee=800,
        lot=lot,
        service=service,
        child_reference="BRAVO-CHILD",
    )
    return round_, service, ours, theirs


def signed_in(client, user):
    client.force_login(user)
    return client


def test_the_admin_opens_a_round_on_its_page(client, world, frozen):
    lot = a_lot(world, "Residential")
    signed_in(client, world.admin)

    response = client.post(
        reverse("finance:uplift_round_open"),
        {
            "name": "2026/27 uplift",
            "percent": "3.5",
            "effective_date_day": "6",
            "effective_date_month": "4",
            "effective_date_year": "2026",
            "requests_close_day": "20",
            "requests_close_month": "3",
            "requests_close_year": "2026",
            "lots": [lot.pk],
            "decided_by": "borough",
        },
    )

    round_ = UpliftRound.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("finance:uplift_round", args=[round_.pk])
    assert round_.percent == Decimal("3.50")
    page = client.get(response["Location"]).content.decode()
    assert "2026/27 uplift" in page
    assert "Residential" in page


def test_a_round_with_a_closing_date_past_is_shown_back_with_the_error(client, world, frozen):
    lot = a_lot(world)
    signed_in(client, world.admin)

    response = client.post(
        reverse("finance:uplift_round_open"),
        {
            "name": "Late",
            "percent": "3",
            "effective_date_day": "6",
            "effective_date_month": "4",
            "effective_date_year": "2026",
            "requests_close_day": "1",
            "requests_close_month": "3",
            "requests_close_year": "2026",
            "lots": [lot.pk],
            "decided_by": "borough",
        },
    )

    assert response.status_code == 400
    assert "The closing date for requests cannot be in the past." in response.content.decode()
    assert not UpliftRound.objects.exists()


def test_a_provider_asks_on_its_page_and_each_borough_gets_its_request(client, world, scene):
    round_, service, ours, _theirs = scene
    signed_in(client, world.bidder_a)
    url = reverse("finance:uplift_request_new", args=[round_.pk])

    form = client.get(url).content.decode()
    assert ours[0].child_reference in form
    assert "BRAVO-CHILD: Bravo Borough, Oak House, £800.00 a week" in form

    response = client.post(
        url,
        {
            "services": [service.pk],
            "reason": "Pay rose.",
            "evidence": SimpleUploadedFile("c.pdf", b"%PDF-1.4 costs", "application/pdf"),
        },
    )

    assert response.status_code == 302
    assert UpliftRequest.objects.filter(round=round_).count() == 2
    request = UpliftRequest.objects.get(borough=world.borough_a)
    # One file, shared by the two boroughs' requests.
    assert UpliftRequest.objects.get(borough=world.borough_b).evidence.name == request.evidence.name
    page = client.get(reverse("finance:uplift_request", args=[request.pk])).content.decode()
    assert "£1,040.00" in page  # £1,000 asked up 4%
    download = client.get(reverse("finance:uplift_evidence", args=[request.pk]))
    assert download.content == b"%PDF-1.4 costs"
    assert download["Content-Type"] == "application/pdf"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert AuditEvent.objects.filter(action="uplift.evidence_downloaded", object_id=str(request.pk))


def test_a_request_with_nothing_chosen_is_shown_back_with_the_error(client, world, scene):
    round_, *_ = scene
    signed_in(client, world.bidder_a)

    response = client.post(
        reverse("finance:uplift_request_new", args=[round_.pk]), {"reason": "Pay rose."}
    )

    assert response.status_code == 400
    assert "Choose the services or the placements the uplift is for." in response.content.decode()


def test_a_closed_round_sends_the_provider_back_to_the_round(client, world, scene):
    round_, *_ = scene

    with time_machine.travel(date(2026, 3, 21), tick=False):
        signed_in(client, world.bidder_a)
        response = client.get(reverse("finance:uplift_request_new", args=[round_.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("finance:uplift_round", args=[round_.pk])


def asked(world, scene, client):
    round_, service, *_ = scene
    signed_in(client, world.bidder_a)
    client.post(
        reverse("finance:uplift_request_new", args=[round_.pk]),
        {"services": [service.pk], "reason": "Pay rose."},
    )
    client.logout()
    return UpliftRequest.objects.get(borough=world.borough_a)


def test_the_borough_agrees_in_part_on_its_page(client, world, scene):
    request = asked(world, scene, client)
    _round, _service, ours, _theirs = scene
    signed_in(client, world.commissioner_a)
    url = reverse("finance:uplift_decide", args=[request.pk])

    refused = client.post(url, {"decision": "agree_in_part", "agreed_percent": "2"})
    assert refused.status_code == 400
    assert "Give the reason for your decision." in refused.content.decode()

    response = client.post(
        url,
        {
            "decision": "agree_in_part",
            "agreed_percent": "2",
            "placements": [ours[0].pk],
            "reason": "Our budget allows 2%.",
        },
    )

    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Agreed in part" in page
    assert "£1,020.00" in page
    assert "Not agreed" in page
    assert Fee.objects.get(placement=ours[0], kind=Fee.Kind.UPLIFT).weekly_fee == Decimal("1020")


def test_the_provider_cannot_decide_its_own_request(client, world, scene):
    request = asked(world, scene, client)
    signed_in(client, world.bidder_a)

    response = client.post(
        reverse("finance:uplift_decide", args=[request.pk]), {"decision": "agree"}
    )

    assert response.status_code == 403
    request.refresh_from_db()
    assert request.status == UpliftRequest.Status.REQUESTED


def test_the_dashboard_shows_the_rounds_cost(client, world, scene):
    asked(world, scene, client)
    signed_in(client, world.admin)

    page = client.get(reverse("monitoring:dashboard")).content.decode()

    assert "Uplift rounds" in page
    # £40.00 + £40.04 + £32.00 a week asked (4% of £1,000, £1,001 and £800).
    assert "£112.04" in page


# --- The API --------------------------------------------------------------------------------


def post_json(client, url, data, **extra):
    return client.post(url, json.dumps(data), content_type="application/json", **extra)


def test_the_api_asks_once_and_a_retry_gets_the_same_requests(client, world, scene):
    round_, _service, ours, _theirs = scene
    signed_in(client, world.bidder_a)
    url = reverse("api:finance:uplift-requests")
    data = {"round": round_.pk, "placements": [p.pk for p in ours], "reason": "Pay rose."}

    first = post_json(client, url, data)
    again = post_json(client, url, data)
    other = post_json(client, url, {**data, "reason": "Something else."})

    assert first.status_code == 201
    assert again.status_code == 200
    assert [r["id"] for r in again.json()] == [r["id"] for r in first.json()]
    assert other.status_code == 400
    assert len(first.json()[0]["lines"]) == 2
    assert UpliftRequest.objects.count() == 1


def test_the_api_takes_evidence_to_ask_for_more_than_the_round(client, world, scene):
    round_, _service, ours, _theirs = scene
    signed_in(client, world.bidder_a)
    url = reverse("api:finance:uplift-requests")
    data = {"round": round_.pk, "placements": [ours[0].pk], "reason": "Agency staff."}

    without = post_json(client, url, {**data, "percent": "6"})
    response = client.post(
        url,
        {
            **data,
            "percent": "6",
            "evidence": SimpleUploadedFile("c.pdf", b"%PDF-1.4 costs", "application/pdf"),
        },
    )

    assert without.status_code == 400
    assert response.status_code == 201, response.content
    assert response.json()[0]["evidence"] is True
    assert response.json()[0]["lines"][0]["fee_asked"] == "1060.00"


def test_the_api_honours_an_idempotency_key(client, world, scene):
    round_, _service, ours, _theirs = scene
    signed_in(client, world.bidder_a)
    url = reverse("api:finance:uplift-requests")
    data = {"round": round_.pk, "placements": [ours[0].pk], "reason": "Pay rose."}

    first = post_json(client, url, data, HTTP_IDEMPOTENCY_KEY="k-1")
    again = post_json(client, url, data, HTTP_IDEMPOTENCY_KEY="k-1")

    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"


def test_the_api_lists_reads_and_decides_in_the_callers_tenancy(client, world, scene):
    request = asked(world, scene, client)
    signed_in(client, world.commissioner_a)

    listed = client.get(reverse("api:finance:uplift-requests")).json()
    detail = client.get(reverse("api:finance:uplift-request", args=[request.pk])).json()
    decided = post_json(
        client,
        reverse("api:finance:uplift-request-decide", args=[request.pk]),
        {"decision": "refuse", "reason": "No budget."},
    )
    again = post_json(
        client,
        reverse("api:finance:uplift-request-decide", args=[request.pk]),
        {"decision": "agree"},
    )

    assert [r["id"] for r in listed["results"]] == [request.pk]
    assert {line["fee_asked"] for line in detail["lines"]} == {"1040.00", "1041.04"}
    assert decided.status_code == 200
    assert decided.json()["status"] == "refused"
    assert again.status_code == 400
    rounds = client.get(reverse("api:finance:uplift-rounds")).json()["results"]
    assert [r["name"] for r in rounds] == ["2026/27 uplift"]
