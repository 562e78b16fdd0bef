"""The invoices' API: a provider's system sends an invoice (idempotent by its number and by
the Idempotency-Key header), reads each line's match, and the borough's finance officer
approves, queries and rejects lines over the same services."""

import json
from datetime import date

import pytest
import time_machine
from django.urls import reverse

from finance.models import Invoice, InvoiceLine
from tests.finance.invoice_helpers import NOW, YEAR_END, placement_of

Match = InvoiceLine.Match


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def placements(world):
    return {
        "one": placement_of(world, "C-ONE"),
        "two": placement_of(world, "C-TWO", fee="1000", changes=[(date(2026, 4, 15), "1400")]),
    }


def body(world, placements, number="API-1", amount="4800.00"):
    return {
        "borough": world.borough_a.pk,
        "period_start": YEAR_END.start.isoformat(),
        "number": number,
        "lines": [
            {"placement": placements["one"].pk, "days": 28, "amount": "2800.00"},
            {"placement": placements["two"].pk, "days": 28, "amount": amount},
        ],
    }


def post(client, url, data, **extra):
    return client.post(url, json.dumps(data), content_type="application/json", **extra)


def test_a_providers_system_sends_an_invoice_and_reads_each_lines_match(
    client, world, placements, api_key_for
):
    auth = api_key_for(world.provider_a)

    created = post(
        client, reverse("api:finance:invoices"), body(world, placements), HTTP_AUTHORIZATION=auth
    )
    again = post(
        client, reverse("api:finance:invoices"), body(world, placements), HTTP_AUTHORIZATION=auth
    )
    other = post(
        client,
        reverse("api:finance:invoices"),
        body(world, placements, amount="4700.00"),
        HTTP_AUTHORIZATION=auth,
    )
    read = client.get(
        reverse("api:finance:invoice", args=[created.json()["id"]]), HTTP_AUTHORIZATION=auth
    )

    assert created.status_code == 201, created.content
    assert again.status_code == 200
    assert again.json()["id"] == created.json()["id"]
    assert other.status_code == 400
    assert other.json()["errors"] == {"number": ["Invoice number API-1 is already used."]}
    lines = read.json()["lines"]
    assert [(line["match"], line["expected_amount"], line["difference"]) for line in lines] == [
        ("matched", "2800.00", "0.00"),
        ("over", "4685.71", "114.29"),
    ]
    assert read.json()["source"] == "api"
    assert read.json()["period_label"] == "30 Mar to 26 Apr 2026"
    assert Invoice.objects.count() == 1


def test_the_idempotency_key_replays_the_first_answer(client, world, placements, api_key_for):
    auth = api_key_for(world.provider_a)
    url = reverse("api:finance:invoices")

    first = post(
        client, url, body(world, placements), HTTP_AUTHORIZATION=auth, HTTP_IDEMPOTENCY_KEY="k-1"
    )
    second = post(
        client, url, body(world, placements), HTTP_AUTHORIZATION=auth, HTTP_IDEMPOTENCY_KEY="k-1"
    )

    assert first.status_code == second.status_code == 201
    assert second["Idempotent-Replayed"] == "true"
    assert Invoice.objects.count() == 1


def test_bad_lines_are_400_with_each_line_named(client, world, placements, api_key_for):
    theirs = placement_of(world, "C-B", provider=world.provider_b)
    data = body(world, placements)
    data["lines"][1]["placement"] = theirs.pk
    data["lines"][0]["days"] = 40

    response = post(
        client,
        reverse("api:finance:invoices"),
        data,
        HTTP_AUTHORIZATION=api_key_for(world.provider_a),
    )

    assert response.status_code == 400
    assert response.json()["errors"]["lines"] == [
        "Line 1: days must be a whole number from 0 to 28.",
        f"Line 2: placement {theirs.pk} is not one of yours with this borough.",
    ]


def test_a_borough_cannot_send_an_invoice(client, world, placements, api_key_for):
    response = post(
        client,
        reverse("api:finance:invoices"),
        body(world, placements),
        HTTP_AUTHORIZATION=api_key_for(world.borough_a),
    )

    assert response.status_code == 403


def test_the_finance_officer_approves_queries_and_rejects_over_the_api(client, world, placements):
    client.force_login(world.bidder_a)
    invoice = post(client, reverse("api:finance:invoices"), body(world, placements)).json()
    one, two = (line["id"] for line in invoice["lines"])
    client.force_login(world.finance_a)

    approved = post(
        client, reverse("api:finance:invoice-line-approve", args=[invoice["id"], one]), {}
    )
    no_reason = post(
        client, reverse("api:finance:invoice-line-query", args=[invoice["id"], two]), {}
    )
    queried = post(
        client,
        reverse("api:finance:invoice-line-query", args=[invoice["id"], two]),
        {"reason": "The uplift was £1,400."},
    )
    rejected = post(
        client,
        reverse("api:finance:invoice-line-reject", args=[invoice["id"], two]),
        {"reason": "Over the schedule."},
    )
    twice = post(client, reverse("api:finance:invoice-line-approve", args=[invoice["id"], one]), {})

    assert approved.status_code == 200
    assert no_reason.status_code == 400
    assert "reason" in no_reason.json()["errors"]
    assert queried.json()["lines"][1]["status"] == "queried"
    assert rejected.json()["lines"][1]["reason"] == "Over the schedule."
    assert rejected.json()["status"] == "decided"
    assert twice.status_code == 400
    assert twice.json()["detail"] == "This line has already been decided."


def test_a_provider_cannot_decide_its_own_lines(client, world, placements):
    client.force_login(world.bidder_a)
    invoice = post(client, reverse("api:finance:invoices"), body(world, placements)).json()

    response = post(
        client,
        reverse(
            "api:finance:invoice-line-approve", args=[invoice["id"], invoice["lines"][0]["id"]]
        ),
        {},
    )

    assert response.status_code == 403
