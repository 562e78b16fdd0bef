"""A service's Ofsted rating feeds the quality score, and so the ranking: its provider cannot set
it. The provider proposes a correction; a consortium admin of a consortium it is enrolled with
confirms it (the rating changes, audited as a verification) or rejects it."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from dps.models import AuditEvent, Organisation, Role
from dps.tenancy import Actor
from providers.models import RatingProposal
from providers.services.ratings import service_rating_verify
from tests.conftest import person
from tests.factories import EnrolmentFactory, LotFactory, ServiceFactory

SERVICES = "/api/v1/services/"
CORRECTION = {"rating": "good", "inspection_date": "2025-02-01", "note": "Report of 1 Feb 2025."}
FORM = {"rating": "good", "inspection_date": "01/02/2025", "note": "Report of 1 Feb 2025."}


@pytest.fixture
def recomputed(monkeypatch):
    calls = []
    monkeypatch.setattr(
        "providers.services.quality.quality_score_recompute",
        lambda *, provider, trigger: calls.append((provider, trigger)),
    )
    return calls


@pytest.fixture
def lodge(world, recomputed):
    """Provider A's "Alpha Lodge", rated Requires improvement, enrolled with the consortium."""
    EnrolmentFactory(provider=world.provider_a, lot=LotFactory(consortium=world.consortium))
    return ServiceFactory(
        provider=world.provider_a, name="Alpha Lodge", ofsted_rating="requires_improvement"
    )


@pytest.fixture
def other_admin(db):
    """The admin of another consortium, which provider A is not enrolled with."""
    other = Organisation.objects.create(kind="consortium", name="Other", slug="other")
    return person("admin@other.test", other, Role.CONSORTIUM_ADMIN, admin=True)


def proposal_for(service, **fields):
    return RatingProposal.objects.create(
        service=service, rating="good", note="Report of 1 Feb 2025.", **fields
    )


def api(client, method, path, key, data=None):
    if data is None:
        return getattr(client, method)(path, HTTP_AUTHORIZATION=key)
    return getattr(client, method)(
        path, data, content_type="application/json", HTTP_AUTHORIZATION=key
    )


# --- The provider cannot set the rating --------------------------------------------------


@pytest.mark.parametrize("method", ["patch", "post"])
def test_the_api_refuses_a_rating_from_the_provider_naming_the_field(
    client, world, api_key_for, lodge, method
):
    key = api_key_for(world.provider_a)
    path = f"{SERVICES}{lodge.pk}/" if method == "patch" else SERVICES
    data = {"ofsted_rating": "outstanding", "inspection_date": "2025-02-01"}
    if method == "post":
        data |= {"service_type": "fostering", "name": "New", "registered_places": 2}
        data |= {"age_min": 0, "age_max": 17, "postcode": "SE1 7PB"}

    response = api(client, method, path, key, data)

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert set(response.json()["errors"]) == {"ofsted_rating", "inspection_date"}
    lodge.refresh_from_db()
    assert lodge.ofsted_rating == "requires_improvement"
    assert world.provider_a.services.count() == 1


def test_the_schema_shows_the_rating_read_only(client, db):
    schemas = client.get("/api/schema/", {"format": "json"}).json()["components"]["schemas"]

    assert "ofsted_rating" in schemas["Service"]["properties"]
    assert "ofsted_rating" not in schemas["PatchedServiceInputRequest"]["properties"]
    assert "ofsted_rating" not in schemas["ServiceInputRequest"]["properties"]


# --- Proposing, confirming, rejecting ----------------------------------------------------


def test_a_provider_proposes_and_the_consortium_admin_confirms(client, world, lodge, recomputed):
    client.force_login(world.provider_admin_a)
    proposed = client.post(reverse("providers:service_rating_propose", args=[lodge.pk]), FORM)
    lodge.refresh_from_db()
    rating_while_waiting = lodge.ofsted_rating
    proposal = RatingProposal.objects.get()
    client.force_login(world.admin)
    queue = client.get(reverse("providers:rating_proposals")).content.decode()

    confirmed = client.post(
        reverse("providers:rating_proposal", args=[proposal.pk]), {"confirm": "1"}
    )

    assert proposed.status_code == 302
    assert rating_while_waiting == "requires_improvement"
    assert "Alpha Lodge" in queue
    assert confirmed.status_code == 302
    lodge.refresh_from_db()
    assert (lodge.ofsted_rating, str(lodge.inspection_date)) == ("good", "2025-02-01")
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decided_by) == ("confirmed", world.admin)
    event = AuditEvent.objects.get(action="service.ofsted_rating")
    assert event.detail["source"] == "verification"
    assert event.detail["old"]["rating"] == "requires_improvement"
    assert event.detail["new"]["rating"] == "good"
    assert event.actor_user == world.admin
    assert recomputed == [(world.provider_a, "service.ofsted_rating")]


def test_the_consortium_admin_rejects_saying_why(client, world, lodge, recomputed):
    proposal = proposal_for(lodge)
    client.force_login(world.admin)
    url = reverse("providers:rating_proposal", args=[proposal.pk])

    no_reason = client.post(url, {"reject": "1", "reason": " "})
    rejected = client.post(url, {"reject": "1", "reason": "Ofsted's site says otherwise."})
    client.force_login(world.provider_admin_a)
    service_page = client.get(reverse("providers:service", args=[lodge.pk])).content.decode()

    assert no_reason.status_code == 400
    assert "Say why the correction is rejected" in no_reason.content.decode()
    assert rejected.status_code == 302
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decision_reason) == (
        "rejected",
        "Ofsted's site says otherwise.",
    )
    lodge.refresh_from_db()
    assert lodge.ofsted_rating == "requires_improvement"
    assert recomputed == []
    assert "Ofsted&#x27;s site says otherwise." in service_page


def test_a_decided_correction_cannot_be_decided_again(client, world, lodge):
    proposal = proposal_for(lodge, status="rejected")
    client.force_login(world.admin)

    response = client.post(
        reverse("providers:rating_proposal", args=[proposal.pk]), {"confirm": "1"}, follow=True
    )

    assert "already rejected" in response.content.decode()
    lodge.refresh_from_db()
    assert lodge.ofsted_rating == "requires_improvement"


def test_the_api_takes_a_proposal_and_lists_it(client, world, api_key_for, lodge):
    key = api_key_for(world.provider_a)
    path = f"{SERVICES}{lodge.pk}/rating-proposals/"

    created = api(client, "post", path, key, CORRECTION)
    again = api(client, "post", path, key, CORRECTION)
    listed = api(client, "get", path, key)

    assert created.status_code == 201, created.content
    assert created.json()["status"] == "pending"
    assert again.status_code == 400
    assert "already waiting" in again.json()["detail"]
    assert [p["id"] for p in listed.json()["results"]] == [created.json()["id"]]
    lodge.refresh_from_db()
    assert lodge.ofsted_rating == "requires_improvement"


def test_a_proposal_without_a_note_or_in_the_future_is_refused_beside_the_field(
    client, world, lodge
):
    client.force_login(world.provider_admin_a)
    url = reverse("providers:service_rating_propose", args=[lodge.pk])

    no_note = client.post(url, {**FORM, "note": ""})
    future = client.post(url, {**FORM, "inspection_date": "01/01/2999"})

    assert no_note.status_code == 400
    assert "Say why the rating on record is wrong" in no_note.content.decode()
    assert future.status_code == 400
    assert "must be today or in the past" in future.content.decode()
    assert not RatingProposal.objects.exists()


# --- Refusals ----------------------------------------------------------------------------


def test_another_provider_can_neither_propose_nor_see_proposals(client, world, api_key_for, lodge):
    proposal_for(lodge)
    key = api_key_for(world.provider_b)
    path = f"{SERVICES}{lodge.pk}/rating-proposals/"
    client.force_login(world.provider_admin_b)

    page = client.post(reverse("providers:service_rating_propose", args=[lodge.pk]), FORM)

    assert page.status_code == 404
    assert api(client, "get", path, key).status_code == 404
    assert api(client, "post", path, key, CORRECTION).status_code == 404
    assert RatingProposal.objects.count() == 1


def test_a_bidder_and_a_read_only_key_cannot_propose(client, world, api_key_for, lodge):
    client.force_login(world.bidder_a)
    page = client.post(reverse("providers:service_rating_propose", args=[lodge.pk]), FORM)
    key = api_key_for(world.provider_a, can_write=False)
    path = f"{SERVICES}{lodge.pk}/rating-proposals/"

    assert page.status_code == 403
    assert api(client, "post", path, key, CORRECTION).status_code == 403
    assert not RatingProposal.objects.exists()


def test_only_the_consortium_admin_overseeing_the_provider_decides(
    client, world, lodge, other_admin
):
    proposal = proposal_for(lodge)
    url = reverse("providers:rating_proposal", args=[proposal.pk])
    answers = {}
    for who in (other_admin, world.provider_admin_a, world.commissioner_a):
        client.force_login(who)
        answers[who.email] = (client.get(url).status_code, client.post(url, {"confirm": "1"}))
    client.force_login(other_admin)
    other_queue = client.get(reverse("providers:rating_proposals")).content.decode()

    assert answers["admin@other.test"][0] == 404
    assert answers["admin@other.test"][1].status_code == 404
    assert answers["admin@provider-a.test"][1].status_code == 403
    assert answers["commissioner@a.test"][1].status_code == 403
    assert "Alpha Lodge" not in other_queue
    proposal.refresh_from_db()
    assert proposal.status == "pending"


def test_anonymous_users_are_sent_to_sign_in(client, world, lodge):
    proposal = proposal_for(lodge)

    for url in (
        reverse("providers:service_rating_propose", args=[lodge.pk]),
        reverse("providers:rating_proposals"),
        reverse("providers:rating_proposal", args=[proposal.pk]),
    ):
        response = client.post(url, {"confirm": "1", **FORM})
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    assert client.get(f"{SERVICES}{lodge.pk}/rating-proposals/").status_code in (401, 403)
    proposal.refresh_from_db()
    assert proposal.status == "pending"


def test_the_verification_refuses_an_admin_of_another_consortium(world, lodge, other_admin):
    actor = Actor.for_membership(other_admin.memberships.get())

    with pytest.raises(PermissionDenied):
        service_rating_verify(actor=actor, service=lodge, rating="outstanding", note="Checked.")

    lodge.refresh_from_db()
    assert lodge.ofsted_rating == "requires_improvement"
