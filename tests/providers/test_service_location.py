"""Where a service is: its provider gives the full postcode; its district, grid reference and
local authority are derived with the ONS Postcode Directory. Only the provider and the
consortium see the postcode; a borough sees the local authority, the district and how far the
service is from the borough's own area, as a band. The grid references and hand-worked
distances are those of tests/geography/directory.py; borough A is Islington (E09000019), whose
centre is (531240, 183937)."""

import pytest
from django.urls import reverse

from dps.tenancy import Actor
from geography.selectors import Unknown
from providers.services.location import service_locate
from providers.services.services import service_create, service_update
from tests.factories import EnrolmentFactory, LotFactory, ServiceFactory

SERVICES = "/api/v1/services/"
NEW = {
    "service_type": "childrens_home",
    "name": "Holloway House",
    "registered_places": 4,
    "age_min": 8,
    "age_max": 17,
}


@pytest.fixture(autouse=True)
def no_recompute(monkeypatch):
    monkeypatch.setattr(
        "providers.services.quality.quality_score_recompute", lambda *, provider, trigger: None
    )


@pytest.fixture
def islington(world):
    world.borough_a.la_code = "E09000019"
    world.borough_a.save()
    return world


def admin_a(world):
    return Actor.for_membership(world.provider_admin_a.memberships.get())


def add(world, postcode, **fields):
    return service_create(actor=admin_a(world), **{**NEW, "postcode": postcode, **fields})


@pytest.fixture
def enrolled(islington, directory):
    """Provider A, enrolled on the consortium's lot, with services in Islington (N7 6PA),
    Medway (ME2 1NF), at a terminated postcode, and an old one with its district only."""
    world = islington
    EnrolmentFactory(provider=world.provider_a, lot=LotFactory(consortium=world.consortium))
    near = add(world, "N7 6PA", name="Near House")
    far = add(world, "ME2 1NF", name="Far House")
    gone = add(world, "N19 9ZX", name="Gone House")
    old = ServiceFactory(provider=world.provider_a, name="Old House", postcode_district="SE1")
    service_locate(old)
    old.save()
    return {"near": near, "far": far, "gone": gone, "old": old}


# --- Deriving the location ------------------------------------------------------------------


def test_a_service_s_district_grid_and_council_come_from_its_postcode(world, directory):
    service = add(world, "n76pa")

    assert (service.postcode, service.postcode_district) == ("N7 6PA", "N7")
    assert (service.easting, service.northing) == (530710, 185784)
    assert (service.council, service.local_authority) == ("E09000019", "Islington")
    assert service.location_unknown == ""


@pytest.mark.parametrize(
    ("postcode", "reason"),
    [
        ("N19 9ZX", Unknown.TERMINATED),
        ("M2 3RT", Unknown.NOT_FOUND),
        ("AB11 3AG", Unknown.NO_GRID),
    ],
)
def test_a_valid_postcode_it_cannot_locate_is_saved_with_the_reason(
    world, directory, postcode, reason
):
    service = add(world, postcode)

    assert service.postcode == postcode
    assert service.location_unknown == reason
    assert (service.easting, service.northing) == (None, None)


def test_the_provider_is_told_why_its_service_cannot_be_located(client, world, directory):
    service = add(world, "N19 9ZX")
    client.force_login(world.provider_admin_a)

    page = client.get(reverse("providers:service", args=[service.pk])).content.decode()

    assert "We could not locate N19 9ZX: postcode no longer in use (terminated)." in page
    assert "Change the postcode" in page


def test_a_located_service_shows_no_warning(client, world, directory):
    service = add(world, "N7 6PA")
    client.force_login(world.provider_admin_a)

    page = client.get(reverse("providers:service", args=[service.pk])).content.decode()

    assert "N7 6PA" in page
    assert "Islington" in page
    assert 'id="location-problem"' not in page


def test_before_the_directory_is_loaded_the_postcode_is_kept_and_the_provider_told(client, world):
    service = add(world, "N7 6PA")
    client.force_login(world.provider_admin_a)

    page = client.get(reverse("providers:service", args=[service.pk])).content.decode()

    assert (service.postcode_district, service.location_unknown) == ("N7", Unknown.NOT_LOADED)
    assert "the ONS Postcode Directory is not loaded" in page


def test_a_new_postcode_locates_the_service_again(world, directory):
    service = add(world, "N7 6PA")

    moved = service_update(actor=admin_a(world), service=service, postcode="ME2 1NF")
    assert (moved.postcode_district, moved.local_authority) == ("ME2", "Medway")
    assert (moved.easting, moved.northing) == (570753, 163482)

    lost = service_update(actor=admin_a(world), service=moved, postcode="M2 3RT")
    assert (lost.postcode_district, lost.local_authority, lost.easting) == ("M2", "", None)
    assert lost.location_unknown == Unknown.NOT_FOUND


def test_an_old_service_with_a_district_only_is_located_at_its_centre(world, directory):
    old = ServiceFactory(provider=world.provider_a, postcode_district="N19")
    service_locate(old)

    assert (old.easting, old.northing, old.council) == (529845, 186835, "E09000019")
    assert old.postcode == ""


def test_an_old_service_asks_for_its_postcode(client, world, directory):
    old = ServiceFactory(provider=world.provider_a, postcode_district="N19")
    client.force_login(world.provider_admin_a)

    page = client.get(reverse("providers:service", args=[old.pk])).content.decode()

    assert "Add the service&#x27;s full postcode" in page


# --- The form and the API refuse what is not a postcode ------------------------------------


def test_the_form_asks_for_the_postcode_not_the_district(client, world):
    client.force_login(world.provider_admin_a)

    page = client.get(reverse("providers:service_create")).content.decode()
    response = client.post(
        reverse("providers:service_create"),
        {**NEW, "genders": "any", "postcode": ""},
    )

    assert 'name="postcode"' in page
    assert 'name="postcode_district"' not in page
    assert 'name="local_authority"' not in page
    assert response.status_code == 400
    assert "Enter the service&#x27;s postcode, like SE1 7PB." in response.content.decode()


@pytest.mark.parametrize(
    ("sent", "field"),
    [
        ({"postcode": "SE1"}, "postcode"),
        ({"postcode": "not one"}, "postcode"),
        ({"postcode": "SE1 7PB", "postcode_district": "SE1"}, "postcode_district"),
        ({"postcode": "SE1 7PB", "local_authority": "Lambeth"}, "local_authority"),
    ],
)
def test_the_api_refuses_a_bad_or_derived_location_naming_the_field(
    client, world, api_key_for, sent, field
):
    response = client.post(
        SERVICES,
        {**NEW, **sent},
        content_type="application/json",
        HTTP_AUTHORIZATION=api_key_for(world.provider_a),
    )

    assert response.status_code == 400, response.content
    assert field in response.content.decode()


def test_the_api_requires_the_postcode_of_a_new_service(client, world, api_key_for):
    response = client.post(
        SERVICES,
        NEW,
        content_type="application/json",
        HTTP_AUTHORIZATION=api_key_for(world.provider_a),
    )

    assert response.status_code == 400
    assert "postcode" in response.content.decode()


# --- Who sees what --------------------------------------------------------------------------


def services_api(client, key):
    response = client.get(SERVICES, HTTP_AUTHORIZATION=key)
    assert response.status_code == 200, response.content
    return {row["name"]: row for row in response.json()["results"]}


def test_the_provider_sees_its_services_postcodes_over_the_api(
    client, world, api_key_for, enrolled
):
    rows = services_api(client, api_key_for(world.provider_a))

    assert rows["Near House"]["postcode"] == "N7 6PA"
    assert rows["Gone House"]["location_unknown"] == "terminated"
    assert rows["Near House"]["distance_band"] is None


def test_a_borough_sees_the_distance_band_never_the_postcode(client, world, api_key_for, enrolled):
    rows = services_api(client, api_key_for(world.borough_a))

    # Islington's centre to N7 6PA: sqrt(530^2 + 1847^2) = 1921.5 m = 1.2 miles.
    assert rows["Near House"]["distance_band"] == "Up to 5 miles"
    # To ME2 1NF: sqrt(39513^2 + 20455^2) = 44493.6 m = 27.6 miles.
    assert rows["Far House"]["distance_band"] == "Over 20, up to 50 miles"
    assert rows["Gone House"]["distance_band"] == "Distance unknown"
    assert rows["Gone House"]["distance_unknown"] == "terminated"
    # SE1's centre (532653, 179426): sqrt(1413^2 + 4511^2) = 4727.1 m = 2.9 miles.
    assert rows["Old House"]["distance_band"] == "Up to 5 miles"
    assert rows["Near House"]["postcode_district"] == "N7"
    assert rows["Near House"]["local_authority"] == "Islington"
    for row in rows.values():
        assert row["postcode"] is None
        assert row["location_unknown"] is None
        assert "easting" not in row
        assert "northing" not in row
    assert "N7 6PA" not in str(rows)


def test_the_consortium_sees_the_postcodes_over_the_api(client, world, api_key_for, enrolled):
    rows = services_api(client, api_key_for(world.consortium))

    assert rows["Far House"]["postcode"] == "ME2 1NF"
    assert rows["Far House"]["distance_band"] is None


def test_another_provider_sees_none_of_the_services(client, world, api_key_for, enrolled):
    assert services_api(client, api_key_for(world.provider_b)) == {}
    response = client.get(
        f"{SERVICES}{enrolled['near'].pk}/", HTTP_AUTHORIZATION=api_key_for(world.provider_b)
    )
    assert response.status_code == 404


def test_the_directory_page_shows_a_borough_the_bands(client, world, enrolled):
    client.force_login(world.officer_a)

    page = client.get(reverse("providers:directory_provider", args=[world.provider_a.pk]))
    text = page.content.decode()

    assert page.status_code == 200
    assert "Distance from your area" in text
    assert "Over 20, up to 50 miles" in text
    assert "Postcode no longer in use (terminated)" in text
    assert "Islington (N7)" in text
    for postcode in ("N7 6PA", "ME2 1NF", "N19 9ZX"):
        assert postcode not in text


def test_the_directory_page_shows_the_consortium_the_postcodes(client, world, enrolled):
    client.force_login(world.admin)

    text = client.get(
        reverse("providers:directory_provider", args=[world.provider_a.pk])
    ).content.decode()

    assert "N7 6PA" in text
    assert "ME2 1NF" in text
    assert "Distance from your area" not in text


def test_the_directory_api_gives_a_borough_the_bands_only(client, world, api_key_for, enrolled):
    url = reverse("api:providers:provider", args=[world.provider_a.pk])

    borough = client.get(url, HTTP_AUTHORIZATION=api_key_for(world.borough_a)).json()
    consortium = client.get(url, HTTP_AUTHORIZATION=api_key_for(world.consortium)).json()

    bands = {s["name"]: s["distance_band"] for s in borough["services"]}
    assert bands["Near House"] == "Up to 5 miles"
    assert all(s["postcode"] is None for s in borough["services"])
    assert "N7 6PA" not in str(borough)
    postcodes = {s["name"]: s["postcode"] for s in consortium["services"]}
    assert postcodes["Near House"] == "N7 6PA"


def test_a_borough_without_a_known_area_sees_the_distance_as_unknown(
    client, world, api_key_for, enrolled
):
    rows = services_api(client, api_key_for(world.borough_b))

    assert {row["distance_band"] for row in rows.values()} == {"Distance unknown"}


def test_an_old_service_is_changed_without_its_postcode_until_one_is_given(client, world):
    old = ServiceFactory(provider=world.provider_a, name="Old", postcode_district="N19")
    client.force_login(world.provider_admin_a)
    url = reverse("providers:service_edit", args=[old.pk])
    form = {**NEW, "genders": "any", "name": "Old House", "postcode": ""}

    kept = client.post(url, form)
    old.refresh_from_db()
    assert kept.status_code == 302
    assert (old.name, old.postcode, old.postcode_district) == ("Old House", "", "N19")

    given = client.post(url, {**form, "postcode": "n19 4eb"})
    old.refresh_from_db()
    assert given.status_code == 302
    assert (old.postcode, old.postcode_district) == ("N19 4EB", "N19")

    # Given once, it cannot be taken away.
    refused = client.post(url, {**form, "postcode": ""})
    assert refused.status_code == 400


def test_services_saved_before_the_directory_are_located_once_it_is_loaded(
    world, django_assert_max_num_queries
):
    from io import StringIO

    from django.core.management import call_command

    from tests.geography.directory import load_directory

    before = add(world, "N7 6PA")
    gone = add(world, "N19 9ZX")
    old = ServiceFactory(provider=world.provider_a, postcode_district="N19")
    assert before.location_unknown == Unknown.NOT_LOADED
    load_directory()

    with django_assert_max_num_queries(8):
        out = StringIO()
        call_command("locate_services", stdout=out)

    assert out.getvalue() == "Services located again: 3\n"
    before.refresh_from_db()
    gone.refresh_from_db()
    old.refresh_from_db()
    assert (before.easting, before.northing, before.local_authority) == (
        530710,
        185784,
        "Islington",
    )
    assert before.location_unknown == ""
    assert gone.location_unknown == Unknown.TERMINATED
    assert (old.easting, old.northing, old.council) == (529845, 186835, "E09000019")
    # Run again, nothing changes.
    out = StringIO()
    call_command("locate_services", stdout=out)
    assert out.getvalue() == "Services located again: 0\n"
