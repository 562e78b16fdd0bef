"""What the API answers matches its OpenAPI document for data the fuzz's empty tenants never
hold: a bid before its request closes (no rank, no scores yet), questions whose asker is not
yet said, and a service's rating corrections."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from schemathesis.specs.openapi.checks import response_schema_conformance

from placements.services import questions as question_services
from providers.models import RatingProposal
from tests.factories import make_api_client
from tests.placements.helpers import actor_of, bid, market, published

schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """As in test_schema_fuzz.py: the app must not close the test's database connection."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def open_request(world):
    lot, services = market(world)
    placement_request = published(world, lot)
    bid(placement_request, world.bidder_a, services["a"], "3000")
    question_services.question_ask(
        actor=actor_of(world.bidder_a), placement_request=placement_request, text="Any pets?"
    )
    RatingProposal.objects.create(service=services["a"], rating="good", note="Report.")
    return placement_request, services


def call(path, method, organisation, **path_parameters):
    """Call one operation with a key of the organisation; fail unless the answer (a 200)
    conforms to the document."""
    _client, key = make_api_client(organisation, can_write=True)
    case = schema[path][method].Case(path_parameters=path_parameters or None)
    response = case.call(headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200, response.text
    case.validate_response(response, checks=[response_schema_conformance])
    return response.json()


def test_a_bid_before_closing_has_a_null_rank_as_documented(world, open_request):
    body = call("/api/v1/bids/", "GET", world.provider_a)

    assert [row["rank"] for row in body["results"]] == [None]


def test_questions_whose_asker_is_not_yet_said_conform(world, open_request):
    placement_request, _ = open_request

    body = call("/api/v1/requests/{id}/questions/", "GET", world.borough_a, id=placement_request.pk)

    assert body["results"][0]["provider"] is None


def test_rating_corrections_conform(world, open_request):
    _, services = open_request

    body = call(
        "/api/v1/services/{id}/rating-proposals/", "GET", world.provider_a, id=services["a"].pk
    )

    assert body["results"][0]["status"] == "pending"
