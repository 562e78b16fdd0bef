"""The consortium admin's lots: the list with each lot's service types and evaluation weights, and
the page that sets them (weights totalling 100), through `lot_update`."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from dps.models import AuditEvent, Role
from dps.services import DomainError
from placements.services.lots import lot_update
from providers.models import Lot
from tests.conftest import person
from tests.factories import ConsortiumFactory, LotFactory
from tests.placements import helpers

FORM = {
    "weight_quality": "50",
    "weight_price": "35",
    "weight_needs": "15",
    "service_types": ["fostering", "childrens_home"],
}


@pytest.fixture
def lot(world):
    return LotFactory(
        consortium=world.consortium, name="Residential children's homes", code="homes"
    )


@pytest.fixture
def admin(client, world):
    client.force_login(world.admin)
    return client


def edit_url(lot):
    return reverse("placements:lot_edit", args=[lot.pk])


# --- The list -----------------------------------------------------------------------------


def test_the_list_shows_each_lot_with_its_service_types_and_weights(admin, world, lot):
    Lot.objects.filter(pk=lot.pk).update(service_types=["childrens_home"])
    LotFactory(consortium=world.consortium, name="Independent fostering")
    LotFactory(consortium=ConsortiumFactory(slug="elsewhere"), name="Someone else's lot")

    response = admin.get(reverse("placements:lot_list"))

    assert response.status_code == 200
    text = response.content.decode()
    assert "Residential children&#x27;s homes" in text
    assert "Children&#x27;s home" in text
    assert "Independent fostering" in text
    assert "Any type" in text
    for weight in ("60%", "30%", "10%"):
        assert weight in text
    assert edit_url(lot) in text
    assert "Someone else" not in text


def test_the_navigation_offers_lots_to_consortium_admins_only(client, world):
    client.force_login(world.admin)
    assert reverse("placements:lot_list") in client.get("/").content.decode()
    client.force_login(world.officer_a)
    assert reverse("placements:lot_list") not in client.get("/").content.decode()


# --- Editing ------------------------------------------------------------------------------


def test_the_edit_page_shows_the_current_settings(admin, lot):
    Lot.objects.filter(pk=lot.pk).update(service_types=["fostering"])

    response = admin.get(edit_url(lot))

    assert response.status_code == 200
    text = response.content.decode()
    assert 'name="weight_quality" value="60"' in text
    assert 'value="fostering"' in text
    assert "Fostering service" in text


def test_the_admin_sets_the_weights_and_service_types(admin, world, lot):
    response = admin.post(edit_url(lot), FORM)

    assert response.status_code == 302
    assert response["Location"] == reverse("placements:lot_list")
    lot.refresh_from_db()
    assert lot.evaluation_weights == {"quality": 50, "price": 35, "needs_fit": 15, "proximity": 0}
    assert lot.service_types == ["childrens_home", "fostering"]  # in the types' own order
    event = AuditEvent.objects.get(action="lot.updated")
    assert event.actor_user == world.admin
    assert event.detail["from"]["weight_quality"] == 60
    assert event.detail["to"]["service_types"] == ["childrens_home", "fostering"]
    assert event.detail["changed"] == [
        "service_types",
        "weight_needs",
        "weight_price",
        "weight_quality",
    ]


def test_no_service_type_ticked_means_any_type(admin, lot):
    Lot.objects.filter(pk=lot.pk).update(service_types=["fostering"])

    response = admin.post(edit_url(lot), {**FORM, "service_types": []})

    assert response.status_code == 302
    lot.refresh_from_db()
    assert lot.service_types == []


def test_weights_that_do_not_total_100_are_refused_clearly(admin, lot):
    response = admin.post(edit_url(lot), {**FORM, "weight_needs": "5"})

    assert response.status_code == 400
    text = response.content.decode()
    assert "The weights must total 100. They total 90." in text
    assert "govuk-error-summary" in text
    assert 'href="#id_weight_quality"' in text
    assert 'value="5"' in text  # what was typed is kept
    lot.refresh_from_db()
    assert lot.evaluation_weights == {"quality": 60, "price": 30, "needs_fit": 10, "proximity": 0}
    assert not AuditEvent.objects.filter(action="lot.updated").exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("weight_quality", "sixty", "Enter the quality weight as a whole number from 0 to 100."),
        ("weight_price", "-1", "Enter the price weight as a whole number from 0 to 100."),
        ("weight_needs", "101", "Enter the needs fit weight as a whole number from 0 to 100."),
        ("weight_needs", "", "Enter the needs fit weight."),
        ("service_types", ["spaceship"], "Choose the service types from the list."),
    ],
)
def test_bad_input_is_a_form_error_beside_its_field(admin, lot, field, value, message):
    response = admin.post(edit_url(lot), {**FORM, field: value})

    assert response.status_code == 400
    text = response.content.decode()
    assert message in text
    assert f'href="#id_{field}' in text
    lot.refresh_from_db()
    assert lot.weight_quality == 60


def test_the_weights_cannot_change_while_a_request_on_the_lot_is_open(admin, world):
    lot, _ = helpers.market(world)
    helpers.published(world, lot)

    page = admin.get(edit_url(lot)).content.decode()
    response = admin.post(edit_url(lot), FORM)

    assert "cannot change while a request on this lot is open" in page
    assert response.status_code == 400
    assert "A request on this lot is open for bids" in response.content.decode()
    lot.refresh_from_db()
    assert lot.weight_quality == 60
    # The service types may still change.
    same_weights = {**FORM, "weight_quality": "60", "weight_price": "30", "weight_needs": "10"}
    assert admin.post(edit_url(lot), same_weights).status_code == 302
    lot.refresh_from_db()
    assert lot.service_types == ["childrens_home", "fostering"]


def test_saving_the_same_settings_changes_and_audits_nothing(admin, lot):
    same = {"weight_quality": "60", "weight_price": "30", "weight_needs": "10"}

    response = admin.post(edit_url(lot), same)

    assert response.status_code == 302
    assert not AuditEvent.objects.filter(action="lot.updated").exists()


# --- Who may ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona", ["commissioner_a", "officer_a", "provider_admin_a", "bidder_b", "officer_b"]
)
def test_everyone_but_the_consortium_admin_is_refused(client, world, lot, persona):
    client.force_login(getattr(world, persona))

    assert client.get(reverse("placements:lot_list")).status_code == 403
    assert client.get(edit_url(lot)).status_code == 403
    assert client.post(edit_url(lot), FORM).status_code == 403
    lot.refresh_from_db()
    assert lot.weight_quality == 60


def test_signed_out_visitors_are_sent_to_sign_in(client, lot):
    response = client.get(edit_url(lot))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_another_consortiums_admin_gets_not_found(client, world, lot):
    other = ConsortiumFactory(slug="other-consortium", name="Other Consortium")
    client.force_login(person("admin@other.test", other, Role.CONSORTIUM_ADMIN, admin=True))

    assert client.get(edit_url(lot)).status_code == 404
    assert client.post(edit_url(lot), FORM).status_code == 404
    assert "Residential children" not in client.get(reverse("placements:lot_list")).content.decode()
    lot.refresh_from_db()
    assert lot.weight_quality == 60


def test_the_service_refuses_anyone_but_an_admin_of_the_lots_consortium(world, lot):
    other = ConsortiumFactory(slug="other-consortium")
    outsider = person("admin@other.test", other, Role.CONSORTIUM_ADMIN, admin=True)
    weights = {"weight_quality": 50, "weight_price": 40, "weight_needs": 10}

    for user in (world.officer_a, world.provider_admin_a, outsider):
        with pytest.raises(PermissionDenied):
            lot_update(actor=helpers.actor_of(user), lot=lot, **weights)
    with pytest.raises(PermissionDenied):
        lot_update(actor=None, lot=lot, **weights)

    lot_update(actor=helpers.actor_of(world.admin), lot=lot, **weights)
    lot.refresh_from_db()
    assert lot.weight_price == 40


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"weight_quality": True}, "weight_quality"),
        ({"weight_quality": "60"}, "weight_quality"),
        ({"service_types": "fostering"}, "service_types"),
        ({"name": "Renamed"}, "name"),
        ({"weight_quality": 70}, "weights"),
    ],
)
def test_the_service_refuses_bad_values_with_the_field(world, lot, fields, field):
    with pytest.raises(DomainError) as refused:
        lot_update(actor=helpers.actor_of(world.admin), lot=lot, **fields)

    assert refused.value.field == field
