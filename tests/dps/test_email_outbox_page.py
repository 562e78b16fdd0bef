from django.urls import reverse

from dps.models import OutboundEmail
from tests.factories import BoroughFactory, ConsortiumFactory

Status = OutboundEmail.Status


def failed(to, organisation):
    return OutboundEmail.objects.create(
        to=to,
        subject="Alert",
        body_text="x",
        status=Status.FAILED,
        attempts=6,
        last_error="SMTPServerDisconnected: down",
        organisation=organisation,
    )


def test_the_admin_sees_failed_emails_with_their_error_and_retries_one(world, client):
    email = failed("someone@a.test", world.borough_a)
    OutboundEmail.objects.create(to="fine@a.test", subject="Sent", body_text="x", status="sent")
    client.force_login(world.admin)
    body = client.get(reverse("email_outbox")).content.decode()
    assert "someone@a.test" in body
    assert "SMTPServerDisconnected" in body
    assert "fine@a.test" not in body  # the page opens on failed emails

    response = client.post(reverse("email_retry", args=[email.pk]))
    assert response.status_code == 302
    email.refresh_from_db()
    assert email.status == Status.QUEUED


def test_another_consortiums_emails_are_not_shown_or_retried(world, client):
    other = failed("x@other.test", BoroughFactory(consortium=ConsortiumFactory()))
    client.force_login(world.admin)
    assert "x@other.test" not in client.get(reverse("email_outbox")).content.decode()
    assert client.post(reverse("email_retry", args=[other.pk])).status_code == 404
    other.refresh_from_db()
    assert other.status == Status.FAILED


def test_boroughs_and_providers_cannot_see_the_outbox(world, client):
    for user in (world.commissioner_a, world.provider_admin_a):
        client.force_login(user)
        assert client.get(reverse("email_outbox")).status_code == 403


def test_account_emails_belong_to_the_recipients_organisation_and_others_are_not_shown(
    world, client
):
    from allauth.account.adapter import get_adapter

    get_adapter().send_mail(
        "account/email/password_reset_key",
        world.officer_a.email,
        {"user": world.officer_a, "password_reset_url": "http://x/reset/secret/"},
    )
    OutboundEmail.objects.create(to="stranger@example.org", subject="To nobody", body_text="x")
    email = OutboundEmail.objects.get(to=world.officer_a.email)
    assert email.organisation == world.borough_a
    client.force_login(world.admin)
    body = client.get(reverse("email_outbox"), {"status": "queued"}).content.decode()
    assert world.officer_a.email in body
    assert "stranger@example.org" not in body
