import re

import pytest
from django.core import mail
from django.urls import reverse

from dps.models import AuditEvent, Invitation, Membership, OutboundEmail, Role, User
from dps.services import DomainError
from dps.services.emails import email_send
from dps.services.people import invitation_accept, invitation_create, membership_deactivate
from dps.tenancy import Actor

STRONG = "a-long-and-unusual-passphrase"


def actor(user):
    return Actor.for_membership(user.membership)


def test_an_org_admin_invites_someone_who_is_emailed_a_link(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        invitation = invitation_create(
            actor=actor(world.commissioner_a),
            email="New.Person@Example.org",
            role=Role.COMMISSIONER,
        )
    assert invitation.email == "new.person@example.org"
    email = OutboundEmail.objects.get(to="new.person@example.org")
    assert email.organisation == world.borough_a
    assert f"/invitations/{invitation.token}/" in email.body_text
    assert AuditEvent.objects.filter(action="invitation.create").exists()


def test_a_member_who_is_not_an_admin_cannot_invite(world):
    with pytest.raises(DomainError):
        invitation_create(
            actor=actor(world.officer_a), email="x@example.org", role=Role.COMMISSIONER
        )


def test_a_role_of_another_kind_of_organisation_is_refused(world):
    with pytest.raises(DomainError) as exc:
        invitation_create(
            actor=actor(world.commissioner_a), email="x@example.org", role=Role.BIDDER
        )
    assert exc.value.field == "role"


def test_someone_already_in_another_organisation_cannot_be_invited(world):
    with pytest.raises(DomainError):
        invitation_create(
            actor=actor(world.commissioner_a), email=world.officer_b.email, role=Role.COMMISSIONER
        )


def test_a_new_invitation_replaces_the_pending_one(world):
    first = invitation_create(
        actor=actor(world.commissioner_a), email="x@example.org", role=Role.COMMISSIONER
    )
    second = invitation_create(
        actor=actor(world.commissioner_a), email="x@example.org", role=Role.PLACEMENT_OFFICER
    )
    first.refresh_from_db()
    assert first.revoked_at is not None
    assert second.is_pending


def test_accepting_creates_a_verified_member_and_the_link_works_once(world):
    invitation = invitation_create(
        actor=actor(world.commissioner_a), email="x@example.org", role=Role.PLACEMENT_OFFICER
    )
    user = invitation_accept(token=invitation.token, full_name="Sam Jones", password=STRONG)
    assert user.check_password(STRONG)
    assert user.membership.organisation == world.borough_a
    assert user.membership.role == Role.PLACEMENT_OFFICER
    assert user.emailaddress_set.get().verified
    with pytest.raises(DomainError):
        invitation_accept(token=invitation.token, full_name="Sam Jones", password=STRONG)


def test_deactivating_a_member_ends_their_access(world, client):
    client.force_login(world.officer_a)
    assert client.get("/").status_code == 200
    membership = world.officer_a.membership
    membership_deactivate(actor=actor(world.commissioner_a), membership=membership)
    membership.refresh_from_db()
    assert not membership.is_active
    assert not User.objects.get(pk=world.officer_a.pk).is_active
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert AuditEvent.objects.filter(action="membership.deactivate").exists()


def test_an_admin_cannot_deactivate_a_member_of_another_organisation(world):
    with pytest.raises(DomainError):
        membership_deactivate(
            actor=actor(world.commissioner_a), membership=world.officer_b.membership
        )
    assert Membership.objects.get(pk=world.officer_b.membership.pk).is_active


# --- pages -----------------------------------------------------------------------------


def test_the_users_page_invites_by_email_and_shows_a_clear_error_for_bad_input(world, client):
    client.force_login(world.commissioner_a)
    response = client.post(reverse("org_users"), {"email": "not-an-email", "role": "commissioner"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "There is a problem" in body
    assert 'value="not-an-email"' in body  # what the user typed is kept

    response = client.post(
        reverse("org_users"), {"email": "new@example.org", "role": "placement_officer"}
    )
    assert response.status_code == 302
    assert Invitation.objects.filter(email="new@example.org", organisation=world.borough_a).exists()


def test_the_users_page_is_for_admins_only(world, client):
    client.force_login(world.officer_a)
    assert client.get(reverse("org_users")).status_code == 403


def test_the_users_page_lists_only_the_admins_own_organisation(world, client):
    client.force_login(world.commissioner_a)
    body = client.get(reverse("org_users")).content.decode()
    assert world.officer_a.email in body
    assert world.officer_b.email not in body


def test_accepting_an_invitation_through_the_page_signs_the_person_in(
    world, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        invitation = invitation_create(
            actor=actor(world.provider_admin_a), email="new@provider-a.test", role=Role.BIDDER
        )
    email = OutboundEmail.objects.get(to="new@provider-a.test")
    email_send(email_id=email.pk)
    path = re.search(r"/invitations/[^/\s]+/", mail.outbox[0].body).group(0)
    assert path == reverse("invitation_accept", args=[invitation.token])

    weak = client.post(path, {"full_name": "Kim", "password1": "12345678", "password2": "12345678"})
    assert weak.status_code == 400
    assert "too short" in weak.content.decode()

    response = client.post(path, {"full_name": "Kim", "password1": STRONG, "password2": STRONG})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert client.get(path).status_code == 404


def test_an_admin_deactivates_through_the_page_and_cannot_deactivate_themselves(world, client):
    client.force_login(world.commissioner_a)
    own = world.commissioner_a.membership
    client.post(reverse("membership_deactivate", args=[own.pk]))
    assert Membership.objects.get(pk=own.pk).is_active

    target = world.officer_a.membership
    response = client.post(reverse("membership_deactivate", args=[target.pk]))
    assert response.status_code == 302
    assert not Membership.objects.get(pk=target.pk).is_active
    client.post(reverse("membership_reactivate", args=[target.pk]))
    assert Membership.objects.get(pk=target.pk).is_active
