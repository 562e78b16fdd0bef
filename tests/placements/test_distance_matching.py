"""Distance from home in matching: the child's home on the request (a postcode district, never a
full postcode, or the borough's own area), and the eligibility checks it brings: inside the
borough, outside it, and within the maximum distance. With the hand-worked directory
(tests/geography/directory.py): from district N19's centre, N7 6PA is 0.8 miles (Islington),
SE1 7PB 4.4 miles (Lambeth), ME2 1NF 29.3 miles (Medway), CF10 1AA 131.6 miles (Wales)."""

from decimal import Decimal

import pytest

from dps.services import DomainError
from placements.models import PlacementRequest
from placements.selectors.distance import band_from_home, from_home, miles_from_home
from placements.services import requests as request_services
from placements.services.eligibility import REASON_LABELS, eligibility_check
from placements.services.requests import RequestIncomplete
from tests.geography.directory import ISLINGTON
from tests.placements import helpers
from tests.placements.helpers import actor_of
from tests.placements.test_api_requests import get, patch, payload, post
from tests.placements.test_eligibility import fitting, provider


@pytest.fixture
def lot(world):
    from tests.factories import LotFactory

    world.borough_a.la_code = ISLINGTON
    world.borough_a.save()
    return LotFactory(
        consortium=world.consortium, code="homes", name="Homes", service_types=["childrens_home"]
    )


def located(postcode, **overrides):
    """A fitting service at a postcode (located when created, as a provider's service is)."""
    return fitting(postcode=postcode, local_authority="", **overrides)


def make(lot, slug, *services):
    organisation = provider(lot, slug, *services)
    for service in organisation.services.all():
        helpers.locate(service, service.postcode)
    return organisation


@pytest.fixture
def field(lot, directory):
    return {
        "islington": make(lot, "islington-home", located("N7 6PA")),
        "lambeth": make(lot, "lambeth-home", located("SE1 7PB")),
        "medway": make(lot, "medway-home", located("ME2 1NF")),
        "cardiff": make(lot, "cardiff-home", located("CF10 1AA")),
        # Its postcode is not in the directory: its location is not known.
        "unknown": make(lot, "unknown-home", located("M2 3RT")),
    }


def draft(world, lot, **fields):
    return helpers.draft(world, lot, **fields)


def check(world, lot, **fields):
    placement_request = draft(world, lot, **fields)
    return placement_request, eligibility_check(placement_request)


def slugs(eligibility, field):
    by_pk = {organisation.pk: key for key, organisation in field.items()}
    return {by_pk[pk] for pk in eligibility.eligible}


# --- The child's home on the request ------------------------------------------------------------


def test_the_home_district_is_located_at_its_centre(world, lot, directory):
    placement_request = draft(world, lot, home_district=" n19 ")

    assert placement_request.home_district == "N19"
    assert (placement_request.home_easting, placement_request.home_northing) == (529845, 186835)


def test_a_full_postcode_is_refused_to_keep_the_child_pseudonymised(world, lot, directory):
    with pytest.raises(DomainError, match="full postcode is not recorded") as refused:
        draft(world, lot, home_district="N19 4EB")

    assert refused.value.field == "home_district"
    assert not PlacementRequest.objects.exists()


def test_a_district_not_in_the_directory_is_refused(world, lot, directory):
    with pytest.raises(DomainError, match="M2 is not a postcode district") as refused:
        draft(world, lot, home_district="M2")

    assert refused.value.field == "home_district"


def test_a_district_that_is_not_one_is_refused(world, lot, directory):
    with pytest.raises(DomainError, match="first part of a UK postcode") as refused:
        draft(world, lot, home_district="N19X9")

    assert refused.value.field == "home_district"


def test_without_the_directory_a_district_is_kept_unlocated(world, lot):
    placement_request = draft(world, lot, home_district="N19")

    assert placement_request.home_district == "N19"
    assert placement_request.home_easting is None


def test_the_borough_s_own_area_keeps_nothing_of_the_home(world, lot, directory):
    placement_request = draft(world, lot, home_location="borough", home_district="N19")

    assert placement_request.home_district == ""
    # Islington's centre.
    assert (placement_request.home_easting, placement_request.home_northing) == (531240, 183937)


def test_changing_the_district_locates_the_home_again(world, lot, directory):
    placement_request = draft(world, lot, home_district="N19")

    request_services.request_update(
        actor=actor_of(world.officer_a), placement_request=placement_request, home_district="SE1"
    )

    placement_request.refresh_from_db()
    assert (placement_request.home_easting, placement_request.home_northing) == (532653, 179426)


def test_a_maximum_distance_from_a_home_not_located_cannot_be_published(world, lot, field):
    # Without a home every service would be "too far": the officer is asked to put it right.
    placement_request = draft(world, lot, max_distance_miles=20)

    with pytest.raises(RequestIncomplete) as refused:
        request_services.request_publish(
            actor=actor_of(world.officer_a), placement_request=placement_request
        )

    assert refused.value.field == "home_district"
    assert "cannot be located (no postcode recorded)" in refused.value.problems["home_district"]
    placement_request.refresh_from_db()
    assert placement_request.status == PlacementRequest.Status.DRAFT


def test_inside_the_borough_needs_the_borough_s_code(world, lot, field):
    world.borough_a.la_code = ""
    world.borough_a.save()
    placement_request = draft(world, lot, placement_area="in_borough")

    with pytest.raises(RequestIncomplete) as refused:
        request_services.request_publish(
            actor=actor_of(world.officer_a), placement_request=placement_request
        )

    assert "placement_area" in refused.value.problems


# --- Eligibility ----------------------------------------------------------------------------


def test_with_no_location_wish_every_service_is_eligible(world, lot, field):
    _, eligibility = check(world, lot, home_district="N19")

    assert slugs(eligibility, field) == set(field)


def test_inside_the_borough_invites_only_services_in_it(world, lot, field):
    _, eligibility = check(world, lot, home_district="N19", placement_area="in_borough")

    assert slugs(eligibility, field) == {"islington"}
    # A service whose council is not known is not shown to be inside.
    assert eligibility.reasons == {"in_borough": 4}
    assert REASON_LABELS["in_borough"] == "No service inside the borough"


def test_outside_the_borough_invites_only_services_across_the_boundary(world, lot, field):
    _, eligibility = check(world, lot, home_district="N19", placement_area="out_of_area")

    assert slugs(eligibility, field) == {"lambeth", "medway", "cardiff"}
    assert eligibility.reasons == {"out_of_area": 2}


def test_over_the_maximum_distance_or_not_located_is_too_far(world, lot, field):
    placement_request, eligibility = check(world, lot, home_district="N19", max_distance_miles=20)

    assert slugs(eligibility, field) == {"islington", "lambeth"}
    # Medway (29.3 miles), Cardiff (131.6) and the service with no known location.
    assert eligibility.reasons == {"distance": 3}
    assert "No service within the maximum distance: 3" in eligibility.explain()
    assert "location is not known counts as too far" in eligibility.explain()
    assert ("distance", "raise the maximum distance from home, or remove it") in (
        eligibility.ways_forward
    )
    assert miles_from_home(placement_request, 530710, 185784) == Decimal("0.8")


def test_the_limit_is_the_distance_as_the_dfe_rounds_it(world, lot, field):
    # ME2 1NF is 29.3 miles from N19's centre: within 29.3, not within 29.
    medway = field["medway"].services.get()
    for limit, within in ((29, False), (30, True)):
        placement_request, eligibility = check(
            world, lot, home_district="N19", max_distance_miles=limit
        )
        assert (field["medway"].pk in eligibility.eligible) is within
    assert from_home(placement_request, medway).miles == Decimal("29.3")


def test_the_checks_combine_inside_the_borough_and_near(world, lot, field):
    _, eligibility = check(
        world, lot, home_district="N19", placement_area="out_of_area", max_distance_miles=20
    )

    assert slugs(eligibility, field) == {"lambeth"}
    assert eligibility.reasons == {"out_of_area": 2, "distance": 2}


def test_a_confidential_home_is_measured_from_the_borough_s_centre(world, lot, field):
    # From Islington's centre (531240, 183937): SE1 7PB is 2.6 miles, ME2 1NF 27.7.
    placement_request, eligibility = check(
        world, lot, home_location="borough", max_distance_miles=20
    )

    assert slugs(eligibility, field) == {"islington", "lambeth"}
    lambeth = field["lambeth"].services.get()
    assert from_home(placement_request, lambeth).miles == Decimal("2.6")
    assert band_from_home(placement_request, lambeth) == "Up to 5 miles"


def test_the_eligibility_check_takes_two_queries(world, lot, field, django_assert_num_queries):
    placement_request = draft(
        world, lot, home_district="N19", placement_area="out_of_area", max_distance_miles=20
    )
    placement_request = PlacementRequest.objects.select_related("lot", "borough").get(
        pk=placement_request.pk
    )

    with django_assert_num_queries(2):
        eligibility_check(placement_request)


# --- Pages and the API ----------------------------------------------------------------------


def test_the_request_page_shows_the_home_and_how_many_were_too_far(client, world, lot, field):
    placement_request = draft(world, lot, home_district="N19", max_distance_miles=20)
    request_services.request_publish(
        actor=actor_of(world.officer_a), placement_request=placement_request
    )
    client.force_login(world.officer_a)

    page = client.get(f"/requests/{placement_request.pk}/").content.decode()

    assert "Postcode district N19" in page
    assert "20 miles from home" in page
    assert "No service within the maximum distance" in page
    assert "Where the child may be placed" in page


def test_the_form_refuses_a_full_postcode_beside_the_field(client, world, lot, directory):
    client.force_login(world.officer_a)

    response = client.post(
        "/requests/new/",
        {"urgency": "planned", "home_location": "district", "home_district": "N19 4EB"},
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "the full postcode is not recorded" in page
    assert 'href="#id_home_district"' in page
    assert not PlacementRequest.objects.exists()


def test_the_form_saves_the_location_wishes(client, world, lot, directory):
    client.force_login(world.officer_a)

    response = client.post(
        "/requests/new/",
        {
            "urgency": "planned",
            "home_location": "district",
            "home_district": "n19",
            "max_distance_miles": "20",
            "placement_area": "in_borough",
        },
    )

    assert response.status_code == 302, response.content.decode()
    placement_request = PlacementRequest.objects.get()
    assert placement_request.home_district == "N19"
    assert placement_request.home_easting == 529845
    assert placement_request.max_distance_miles == 20
    assert placement_request.placement_area == "in_borough"


def test_the_api_takes_and_gives_the_location_wishes(client, world, lot, directory, api_key_for):
    key = api_key_for(world.borough_a)
    body = payload(lot, home_district="N19", max_distance_miles=20, placement_area="out_of_area")

    response = post(client, "/requests/", body, key)

    assert response.status_code == 201, response.content
    data = response.json()
    assert data["home_location"] == "district"
    assert data["home_district"] == "N19"
    assert data["home_located"] is True
    assert data["placement_area"] == "out_of_area"
    assert data["max_distance_miles"] == 20
    assert get(client, f"/requests/{data['id']}/", key).json()["home_district"] == "N19"


def test_the_api_refuses_a_full_postcode_with_a_field_error(
    client, world, lot, directory, api_key_for
):
    key = api_key_for(world.borough_a)
    created = post(client, "/requests/", payload(lot), key).json()

    response = patch(client, f"/requests/{created['id']}/", {"home_district": "N19 4EB"}, key)

    assert response.status_code == 400
    assert "full postcode is not recorded" in response.content.decode()
    assert "home_district" in response.json()["errors"]


def test_the_api_says_how_many_were_too_far(client, world, lot, field, api_key_for):
    key = api_key_for(world.borough_a)
    created = post(
        client, "/requests/", payload(lot, home_district="N19", max_distance_miles=20), key
    ).json()

    response = post(client, f"/requests/{created['id']}/publish/", {}, key)

    assert response.status_code == 200, response.content
    assert {"reason": "distance", "label": REASON_LABELS["distance"], "count": 3} in (
        response.json()["not_invited"]
    )


def test_the_publish_page_leads_to_the_maximum_distance_when_all_are_too_far(
    client, world, lot, field
):
    # From SE1's centre the nearest service, SE1 7PB, is 1.3 miles.
    placement_request = draft(world, lot, home_district="SE1", max_distance_miles=1)
    client.force_login(world.officer_a)

    page = client.get(f"/requests/{placement_request.pk}/publish/").content.decode()

    assert "No service within the maximum distance" in page
    assert f"/requests/{placement_request.pk}/edit/#id_max_distance_miles" in page
    assert "Raise the maximum distance from home, or remove it" in page


# --- Tenancy ------------------------------------------------------------------------------------


def test_another_borough_and_another_provider_read_nothing_of_the_home(
    client, world, lot, field, api_key_for
):
    placement_request = draft(world, lot, home_district="N19", max_distance_miles=20)
    request_services.request_publish(
        actor=actor_of(world.officer_a), placement_request=placement_request
    )
    path = f"/requests/{placement_request.pk}/"

    assert get(client, path, api_key_for(world.borough_b)).status_code == 404
    assert get(client, path, api_key_for(world.provider_a)).status_code in (403, 404)
    assert get(client, path).status_code in (401, 403)
    client.force_login(world.officer_b)
    assert client.get(path).status_code == 404
    # Provider B has no invitation: no opportunity, so no band, to read.
    assert get(client, "/opportunities/", api_key_for(world.provider_b)).json()["results"] == []


def test_a_district_sent_for_a_home_not_shared_is_not_kept(world, lot, directory):
    placement_request = draft(world, lot, home_location="borough")

    request_services.request_update(
        actor=actor_of(world.officer_a), placement_request=placement_request, home_district="N19"
    )

    placement_request.refresh_from_db()
    assert placement_request.home_district == ""
    assert (placement_request.home_easting, placement_request.home_northing) == (531240, 183937)
