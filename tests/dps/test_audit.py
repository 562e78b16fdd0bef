import pytest
from django.db import connection
from django.urls import reverse

from dps.models import AuditEvent
from dps.services.audit import audit_record
from dps.tenancy import Actor, audit_events_visible_to, get_actor


def test_an_event_records_who_what_which_object_and_from_where(world, rf):
    request = rf.get("/", REMOTE_ADDR="203.0.113.9")
    request.user = world.officer_a
    actor = get_actor(request)
    event = audit_record(actor=actor, action="thing.view", obj=world.borough_a, detail={"a": 1})
    assert event.actor_user == world.officer_a
    assert event.organisation == world.borough_a
    assert event.object_type == "dps.Organisation"
    assert event.object_id == str(world.borough_a.pk)
    assert event.ip_address == "203.0.113.9"
    assert event.at is not None


def test_the_audit_log_cannot_be_changed_or_deleted(world):
    event = audit_record(user=world.officer_a, action="thing.view")
    event.action = "something.else"
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        AuditEvent.objects.filter(pk=event.pk).update(action="x")
    with pytest.raises(TypeError):
        AuditEvent.objects.all().delete()


@pytest.mark.django_db(transaction=True)
def test_postgresql_itself_refuses_to_change_an_audit_event(world):
    if connection.vendor != "postgresql":
        pytest.skip("the database trigger exists on PostgreSQL only")
    from django.db import DatabaseError

    event = audit_record(user=world.officer_a, action="thing.view")
    with pytest.raises(DatabaseError), connection.cursor() as cursor:
        cursor.execute("UPDATE dps_auditevent SET action = 'x' WHERE id = %s", [event.pk])


def test_signing_in_and_failing_to_sign_in_are_audited(world, client):
    client.post(reverse("account_login"), {"login": world.bidder_a.email, "password": "wrong"})
    assert AuditEvent.objects.filter(
        action="auth.login_failed", actor_label__startswith=world.bidder_a.email
    ).exists()
    client.post(
        reverse("account_login"),
        {"login": world.bidder_a.email, "password": "correct-horse-battery"},
    )
    assert AuditEvent.objects.filter(action="auth.login", actor_user=world.bidder_a).exists()


def test_only_consortium_admins_see_audit_events_and_only_of_their_consortium(world):
    from tests.factories import BoroughFactory, ConsortiumFactory

    other_borough = BoroughFactory(consortium=ConsortiumFactory())
    mine = audit_record(user=world.officer_a, action="a")
    audit_record(label="someone", action="b")

    other = AuditEvent.objects.create(actor_label="x", action="c", organisation=other_borough)
    visible = audit_events_visible_to(Actor.for_membership(world.admin.membership))
    assert mine in visible
    assert other not in visible
    assert not audit_events_visible_to(Actor.for_membership(world.commissioner_a.membership))


def test_the_audit_page_searches_by_action_and_person(world, client):
    audit_record(user=world.officer_a, action="request.view_story")
    audit_record(user=world.officer_b, action="request.publish")
    client.force_login(world.admin)
    body = client.get(reverse("audit_log"), {"action": "request.view"}).content.decode()
    assert "request.view_story" in body
    assert "request.publish" not in body
    body = client.get(reverse("audit_log"), {"actor": "officer@b"}).content.decode()
    assert "request.publish" in body
    assert "request.view_story" not in body


def test_a_bad_search_value_gets_a_form_error_not_a_server_error(world, client):
    client.force_login(world.admin)
    response = client.get(reverse("audit_log"), {"ip_address": "not-an-ip", "since": "yesterday"})
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()


def test_a_system_action_belongs_to_the_organisation_of_its_object(world):
    from dps.models import ApiClient

    client = ApiClient.objects.create(
        organisation=world.borough_a, name="x", prefix="abc123", key_hash="0" * 64
    )
    event = audit_record(action="sweep.did_something", obj=client)
    assert event.actor_label == "system"
    assert event.organisation == world.borough_a
    explicit = audit_record(action="sweep.other", organisation=world.provider_a)
    assert explicit.organisation == world.provider_a
