"""Exclusions: an excluded supplier is removed at once (its enrolments suspended, its
invitations and bids on competitions not yet awarded withdrawn), cannot bid and is left out of
eligibility; an excludable one only when the admin removes it; lifting lets it apply again."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from dps.models import AuditEvent, Role
from dps.services import DomainError
from placements.models import Bid, ProviderInvitation
from placements.services.eligibility import eligibility_check
from placements.services.exclusions import exclusion_lift, exclusion_record, exclusion_remove
from providers.models import Application, Enrolment, Exclusion
from providers.services.enrolment import application_start, enrolment_reinstate
from tests.conftest import person
from tests.factories import ConsortiumFactory
from tests.placements.helpers import actor_of, awarded, bid, market, published


def record(world, kind="excluded", **extra):
    fields = {
        "provider": world.provider_a,
        "kind": kind,
        "ground": "Sch. 6 para 1: corruption",
        "found_on": timezone.localdate(),
        "reason": "Convicted of bribery.",
        "source": "debarment_list",
    }
    fields.update(extra)
    return exclusion_record(actor=actor_of(world.admin), **fields)


@pytest.fixture
def running(world):
    """A lot with both providers enrolled and an open request both were invited to, with
    provider A's bid on it."""
    lot, services = market(world)
    placement_request = published(world, lot)
    bid(placement_request, world.bidder_a, services["a"], "3000")
    return lot, services, placement_request


def test_an_excluded_supplier_is_removed_at_once(world, running):
    lot, _, placement_request = running

    exclusion = record(world)

    enrolment = Enrolment.objects.get(provider=world.provider_a, lot=lot)
    assert (enrolment.status, enrolment.suspension_cause) == ("suspended", "exclusion")
    invitation = ProviderInvitation.objects.get(
        request=placement_request, provider=world.provider_a
    )
    assert invitation.withdrawn_at is not None
    assert Bid.objects.get(request=placement_request, provider=world.provider_a).status == (
        "withdrawn"
    )
    # Provider B is untouched.
    assert Enrolment.objects.get(provider=world.provider_b, lot=lot).status == "active"
    assert exclusion.removed
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"exclusion.record", "exclusion.remove", "invitation.withdrawn", "bid.withdrawn"} <= (
        actions
    )
    assert "enrolment.suspend" in actions


def test_an_excluded_supplier_cannot_bid(world, running):
    _, services, placement_request = running
    record(world)
    with pytest.raises(DomainError, match="excluded from this consortium's arrangement"):
        bid(placement_request, world.bidder_a, services["a"], "2900")


def test_eligibility_leaves_an_excluded_supplier_out(world, running):
    _, _, placement_request = running
    record(world)
    result = eligibility_check(placement_request)
    assert world.provider_a.pk not in result.eligible
    assert result.reason_of[world.provider_a.pk] == "not_active"
    assert world.provider_b.pk in result.eligible


def test_an_excludable_supplier_stays_until_the_admin_removes_it(world, running):
    lot, _, placement_request = running
    exclusion = record(world, kind="excludable", ground="Sch. 7 para 12: poor performance")

    assert Enrolment.objects.get(provider=world.provider_a, lot=lot).status == "active"
    assert not exclusion.removed
    with pytest.raises(DomainError, match="Give the reason"):
        exclusion_remove(actor=actor_of(world.admin), exclusion=exclusion, reason="")

    exclusion_remove(actor=actor_of(world.admin), exclusion=exclusion, reason="Repeated failures.")

    assert Enrolment.objects.get(provider=world.provider_a, lot=lot).status == "suspended"
    assert Bid.objects.get(request=placement_request, provider=world.provider_a).status == (
        "withdrawn"
    )


def test_an_excludable_supplier_can_be_removed_at_once(world, running):
    lot, _, _ = running
    record(world, kind="excludable", remove=True)
    assert Enrolment.objects.get(provider=world.provider_a, lot=lot).status == "suspended"


def test_an_awarded_competition_is_left_alone(world):
    placement_request, placement = awarded(world)
    record(world)
    assert Bid.objects.get(pk=placement.bid_id).status == "submitted"
    assert (
        ProviderInvitation.objects.get(
            request=placement_request, provider=world.provider_a
        ).withdrawn_at
        is None
    )


def test_lifting_lets_the_supplier_apply_again_without_re_enrolling_it(world, running):
    lot, _, _ = running
    exclusion = record(world)
    provider = actor_of(world.provider_admin_a)
    with pytest.raises(DomainError, match="excluded"):
        application_start(actor=provider, lot=lot)
    with pytest.raises(DomainError, match="once the exclusion is lifted"):
        enrolment_reinstate(
            actor=actor_of(world.admin),
            enrolment=Enrolment.objects.get(provider=world.provider_a, lot=lot),
            reason="x",
        )

    exclusion_lift(
        actor=actor_of(world.admin),
        exclusion=exclusion,
        lifted_on=timezone.localdate(),
        reason="Self-cleaning shown.",
    )

    assert Enrolment.objects.get(provider=world.provider_a, lot=lot).status == "suspended"
    application = application_start(actor=provider, lot=lot)
    assert Application.objects.get(pk=application.pk).status == "draft"


def test_one_exclusion_in_force_at_a_time_and_no_future_dates(world):
    record(world)
    with pytest.raises(DomainError, match="already has an exclusion in force"):
        record(world)
    with pytest.raises(DomainError, match="future"):
        record(world, provider=world.provider_b, found_on=timezone.localdate() + timedelta(days=2))


@pytest.mark.parametrize("who", ["commissioner_a", "officer_a", "provider_admin_a"])
def test_only_a_consortium_admin_records_one(world, who):
    with pytest.raises(DomainError):
        exclusion_record(
            actor=actor_of(getattr(world, who)),
            provider=world.provider_b,
            kind="excluded",
            ground="x",
            found_on=timezone.localdate(),
            reason="x",
        )
    assert not Exclusion.objects.exists()


def test_another_consortiums_admin_cannot_remove_or_lift_it(world):
    exclusion = record(world, kind="excludable")
    other = person("admin@other.test", ConsortiumFactory(slug="other"), Role.CONSORTIUM_ADMIN)
    with pytest.raises(DomainError):
        exclusion_remove(actor=actor_of(other), exclusion=exclusion, reason="x")
    with pytest.raises(DomainError):
        exclusion_lift(
            actor=actor_of(other), exclusion=exclusion, lifted_on=timezone.localdate(), reason="x"
        )


# --- Pages -----------------------------------------------------------------------------------


def form_data(world, **extra):
    today = timezone.localdate()
    data = {
        "provider": world.provider_a.pk,
        "kind": "excluded",
        "ground": "Sch. 6 para 1",
        "source": "assessment",
        "found_on_day": today.day,
        "found_on_month": today.month,
        "found_on_year": today.year,
        "reason": "Convicted.",
    }
    data.update(extra)
    return data


def test_the_admin_records_an_exclusion_on_the_page(client, world, running):
    client.force_login(world.admin)
    response = client.post(reverse("placements:exclusions"), form_data(world))
    assert response.status_code == 302
    assert Exclusion.objects.get().removed
    refused = client.post(reverse("placements:exclusions"), form_data(world))
    assert refused.status_code == 400
    assert "already has an exclusion in force" in refused.content.decode()


def test_the_admin_removes_and_lifts_on_the_detail_page(client, world, running):
    exclusion = record(world, kind="excludable")
    client.force_login(world.admin)
    url = reverse("placements:exclusion_detail", args=[exclusion.pk])
    assert client.post(url, {"action": "remove", "remove-reason": ""}).status_code == 400
    assert client.post(url, {"action": "remove", "remove-reason": "Failures."}).status_code == 302
    today = timezone.localdate()
    lifted = client.post(
        url,
        {
            "action": "lift",
            "lift-lifted_on_day": today.day,
            "lift-lifted_on_month": today.month,
            "lift-lifted_on_year": today.year,
            "lift-reason": "Self-cleaning.",
        },
    )
    assert lifted.status_code == 302
    exclusion.refresh_from_db()
    assert exclusion.removed
    assert exclusion.lifted_on == today


@pytest.mark.parametrize("who", ["commissioner_a", "officer_b", "provider_admin_a", "bidder_b"])
def test_the_pages_refuse_boroughs_and_providers(client, world, who):
    exclusion = record(world, kind="excludable")
    client.force_login(getattr(world, who))
    assert client.get(reverse("placements:exclusions")).status_code == 403
    url = reverse("placements:exclusion_detail", args=[exclusion.pk])
    assert client.post(url, {"action": "remove", "remove-reason": "x"}).status_code == 403
    exclusion.refresh_from_db()
    assert not exclusion.removed


def test_another_consortiums_admin_gets_404(client, world):
    exclusion = record(world, kind="excludable")
    other = person("admin@other.test", ConsortiumFactory(slug="other"), Role.CONSORTIUM_ADMIN)
    client.force_login(other)
    url = reverse("placements:exclusion_detail", args=[exclusion.pk])
    assert client.get(url).status_code == 404
    # Every provider may be chosen (any may apply to any consortium); the list is its own.
    assert list(client.get(reverse("placements:exclusions")).context["page"]) == []


def test_anonymous_users_are_sent_to_sign_in(client, world):
    assert client.get(reverse("placements:exclusions")).status_code == 302
