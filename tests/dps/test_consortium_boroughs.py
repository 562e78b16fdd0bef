import pytest
from django.urls import reverse

from dps.models import AuditEvent, Invitation, Organisation, Role
from dps.services import DomainError
from dps.services.people import borough_create, invitation_create
from dps.tenancy import Actor
from tests.factories import BoroughFactory, ConsortiumFactory


def admin_actor(world):
    return Actor.for_membership(world.admin.membership)


def test_a_consortium_admin_adds_a_borough_to_its_consortium(world):
    borough = borough_create(actor=admin_actor(world), name="  Southfield   Borough ")
    assert borough.name == "Southfield Borough"
    assert borough.kind == Organisation.Kind.BOROUGH
    assert borough.consortium == world.consortium
    assert AuditEvent.objects.filter(action="organisation.create", object_id=str(borough.pk))


def test_a_borough_keeps_its_local_authority_code_and_a_malformed_one_is_refused(world):
    borough = borough_create(actor=admin_actor(world), name="Southfield", la_code=" e09000022 ")
    assert borough.la_code == "E09000022"
    with pytest.raises(DomainError) as exc:
        borough_create(actor=admin_actor(world), name="Northfield", la_code="E07000123")
    assert exc.value.field == "la_code"
    assert not Organisation.objects.filter(name="Northfield").exists()


def test_a_borough_name_is_unique_in_the_consortium(world):
    with pytest.raises(DomainError) as exc:
        borough_create(actor=admin_actor(world), name="alpha borough")
    assert exc.value.field == "name"


def test_a_consortium_admin_invites_a_boroughs_first_admin_but_not_into_another_consortium(world):
    invitation = invitation_create(
        actor=admin_actor(world),
        organisation=world.borough_a,
        email="head@a.test",
        role=Role.COMMISSIONER,
        is_org_admin=True,
    )
    assert invitation.organisation == world.borough_a
    foreign = BoroughFactory(consortium=ConsortiumFactory())
    with pytest.raises(DomainError):
        invitation_create(
            actor=admin_actor(world), organisation=foreign, email="x@y.test", role=Role.COMMISSIONER
        )


def test_a_borough_admin_cannot_invite_into_another_borough(world):
    actor = Actor.for_membership(world.commissioner_a.membership)
    with pytest.raises(DomainError):
        invitation_create(
            actor=actor, organisation=world.borough_b, email="x@y.test", role=Role.COMMISSIONER
        )


def test_the_boroughs_page_adds_a_borough_and_invites_its_admin(world, client):
    client.force_login(world.admin)
    page = client.get(reverse("consortium_boroughs")).content.decode()
    assert "Alpha Borough" in page
    assert client.post(reverse("consortium_boroughs"), {"name": ""}).status_code == 400
    response = client.post(reverse("consortium_boroughs"), {"name": "Southfield"})
    borough = Organisation.objects.get(name="Southfield")
    assert response["Location"] == reverse("borough_invite", args=[borough.pk])
    response = client.post(
        reverse("borough_invite", args=[borough.pk]),
        {"email": "head@southfield.test", "role": Role.COMMISSIONER, "is_org_admin": "on"},
    )
    assert response.status_code == 302
    invitation = Invitation.objects.get(email="head@southfield.test")
    assert invitation.organisation == borough
    assert invitation.is_org_admin


def test_a_borough_of_another_consortium_is_not_found(world, client):
    foreign = BoroughFactory(consortium=ConsortiumFactory())
    client.force_login(world.admin)
    assert client.get(reverse("borough_invite", args=[foreign.pk])).status_code == 404
    assert "Bravo Borough" in client.get(reverse("consortium_boroughs")).content.decode()
    assert foreign.name not in client.get(reverse("consortium_boroughs")).content.decode()
