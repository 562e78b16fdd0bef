"""Who a published request goes to: one provider per reason for not inviting it, the counts the
officer reads, and the invitations (with the fitting services) and emails of the eligible."""

import pytest

from dps.models import Membership, OutboundEmail, Role
from placements.models import PlacementRequest, ProviderInvitation
from placements.services import requests as request_services
from placements.services.eligibility import REASON_LABELS, eligibility_check
from providers.models import Enrolment
from providers.needs import INDICATOR_CODES
from tests.factories import (
    EnrolmentFactory,
    LotFactory,
    MembershipFactory,
    ProviderFactory,
    ServiceFactory,
    UserFactory,
)
from tests.placements import helpers
from tests.placements.helpers import actor_of

# The standard child (helpers.complete_fields): 14, female, NEEDS (emotional_health 3,
# education_progress 2, every other need 1), wanted in Northbridge.
AREAS = ["Northbridge"]
ALL_MET = dict.fromkeys(INDICATOR_CODES, 3)


def fitting(**overrides):
    """A service that fits the standard child in every way, with these changes."""
    fields = {
        "service_type": "childrens_home",
        "age_min": 8,
        "age_max": 17,
        "genders": "any",
        "local_authority": "Northbridge",
        "needs_met": dict.fromkeys(INDICATOR_CODES, 3),
        "vacancies": 1,
        "registered_places": 4,
        "is_active": True,
    }
    fields.update(overrides)
    return fields


def provider(lot, slug, *services, enrolment="active"):
    """A provider enrolled on `lot` (with that status), running `services` (dicts of fields),
    with an admin and a bidder at <role>@<slug>.test."""
    organisation = ProviderFactory(slug=slug, name=slug.replace("-", " ").title())
    if enrolment is not None:
        EnrolmentFactory(provider=organisation, lot=lot, status=enrolment)
    for number, fields in enumerate(services):
        ServiceFactory(provider=organisation, name=f"{organisation.name} {number}", **fields)
    for role in (Role.PROVIDER_ADMIN, Role.BIDDER):
        MembershipFactory(
            user=UserFactory(email=f"{role}@{slug}.test"), organisation=organisation, role=role
        )
    return organisation


@pytest.fixture
def lot(world):
    return LotFactory(
        consortium=world.consortium, code="homes", name="Homes", service_types=["childrens_home"]
    )


@pytest.fixture
def field(lot):
    """One provider for each reason, and one that fits."""
    return {
        "fits": provider(lot, "fits", fitting()),
        # Enrolment suspended or removed: whatever its services, it is not invited.
        "suspended": provider(lot, "suspended", fitting(), enrolment="suspended"),
        "removed": provider(lot, "removed", fitting(), enrolment="removed"),
        # Enrolled, but no active service of the lot's type (children's homes).
        "fostering": provider(lot, "fostering", fitting(service_type="fostering")),
        "closed": provider(lot, "closed", fitting(is_active=False)),
        "age": provider(lot, "little-ones", fitting(age_min=0, age_max=10)),
        "gender": provider(lot, "boys-only", fitting(genders="male")),
        "area": provider(lot, "southvale", fitting(local_authority="Southvale")),
        # Emotional health is scored 3; this service meets it only up to 2.
        "needs": provider(lot, "light-touch", fitting(needs_met=dict(ALL_MET, emotional_health=2))),
        "vacancy": provider(lot, "full-house", fitting(vacancies=0)),
        # Not on this lot at all: neither invited nor counted.
        "elsewhere": provider(lot, "elsewhere", fitting(), enrolment=None),
    }


EXPECTED_REASONS = {
    "not_active": 2,
    "no_service": 2,
    "age": 1,
    "gender": 1,
    "area": 1,
    "needs": 1,
    "vacancy": 1,
}


def publish(world, lot, **overrides):
    """Publish the standard child's request (confirmed even if no provider is eligible: these
    tests are about who is counted where)."""
    placement_request = helpers.draft(world, lot, areas=AREAS, **overrides)
    eligibility = request_services.request_publish(
        actor=actor_of(world.officer_a),
        placement_request=placement_request,
        confirm_no_eligible=True,
    )
    placement_request.refresh_from_db()
    return placement_request, eligibility


def invited(placement_request):
    return set(
        ProviderInvitation.objects.filter(request=placement_request).values_list(
            "provider__slug", flat=True
        )
    )


def test_each_provider_not_invited_is_counted_under_its_reason(world, lot, field):
    placement_request, eligibility = publish(world, lot)

    assert eligibility.eligible == {
        field["fits"].pk: list(field["fits"].services.values_list("pk", flat=True))
    }
    assert eligibility.reasons == EXPECTED_REASONS
    assert placement_request.ineligible_counts == EXPECTED_REASONS
    assert invited(placement_request) == {"fits"}
    # The officer reads a count per reason, in the order the checks are made.
    assert eligibility.reason_rows == [
        (REASON_LABELS[code], count) for code, count in EXPECTED_REASONS.items()
    ]


def test_allowing_no_vacancy_invites_the_provider_with_none(world, lot, field):
    placement_request, eligibility = publish(world, lot, allow_no_vacancy=True)

    assert set(eligibility.eligible) == {field["fits"].pk, field["vacancy"].pk}
    assert "vacancy" not in eligibility.reasons
    assert eligibility.reasons == {k: v for k, v in EXPECTED_REASONS.items() if k != "vacancy"}
    assert invited(placement_request) == {"fits", "full-house"}


def test_each_eligible_person_is_emailed_once_and_no_one_else(world, lot, field):
    # An inactive member of the eligible provider is not emailed.
    Membership.objects.filter(user__email="bidder@fits.test").update(is_active=False)
    MembershipFactory(
        user=UserFactory(email="bidder2@fits.test"), organisation=field["fits"], role=Role.BIDDER
    )

    placement_request, _ = publish(world, lot)

    emails = OutboundEmail.objects.order_by("to")
    assert list(emails.values_list("to", flat=True)) == [
        "bidder2@fits.test",
        "provider_admin@fits.test",
    ]
    invitation = ProviderInvitation.objects.get(request=placement_request)
    for email in emails:
        assert email.organisation == field["fits"]
        assert email.subject.startswith("New placement request: bids close")
        assert f"/opportunities/{invitation.pk}/" in email.body_text
        assert "Fits is invited to bid" in email.body_text


def test_the_invitation_lists_only_the_services_that_fit(world, lot):
    organisation = provider(
        lot,
        "many-homes",
        fitting(),
        fitting(),
        fitting(age_max=12),
        fitting(vacancies=0),
        fitting(service_type="fostering"),
    )
    fit = list(organisation.services.order_by("name").values_list("pk", flat=True))[:2]

    placement_request, eligibility = publish(world, lot)

    assert sorted(eligibility.eligible[organisation.pk]) == sorted(fit)
    invitation = ProviderInvitation.objects.get(request=placement_request, provider=organisation)
    assert sorted(invitation.services.values_list("pk", flat=True)) == sorted(fit)


def test_a_provider_is_counted_once_under_the_furthest_check_its_services_reached(world, lot):
    # One home fails on age (the first check), the other gets further and fails on area.
    provider(lot, "two-homes", fitting(age_min=0, age_max=5), fitting(local_authority="Eastwick"))

    _, eligibility = publish(world, lot)

    assert eligibility.eligible == {}
    assert eligibility.reasons == {"area": 1}


def test_a_lot_with_no_service_types_takes_any_type(world):
    lot = LotFactory(consortium=world.consortium, code="any", name="Any", service_types=[])
    fostering = provider(lot, "fostering", fitting(service_type="fostering"))

    _, eligibility = publish(world, lot)

    assert set(eligibility.eligible) == {fostering.pk}


def test_no_areas_means_anywhere_and_areas_match_without_regard_to_case(world, lot):
    southvale = provider(lot, "southvale", fitting(local_authority="Southvale"))
    placement_request = helpers.draft(world, lot, areas=[])
    assert set(eligibility_check(placement_request).eligible) == {southvale.pk}

    placement_request.areas = ["SOUTHVALE ", "Northbridge"]
    assert set(eligibility_check(placement_request).eligible) == {southvale.pk}

    placement_request.areas = ["Northbridge"]
    assert eligibility_check(placement_request).reasons == {"area": 1}


def test_a_need_scored_0_asks_nothing_of_the_service(world, lot):
    met = dict.fromkeys(INDICATOR_CODES, 3)
    del met["identity"]
    partial = provider(lot, "partial", fitting(needs_met=met))
    placement_request = helpers.draft(world, lot)

    assert eligibility_check(placement_request).reasons == {"needs": 1}

    placement_request.needs = dict(helpers.NEEDS, identity=0)
    assert set(eligibility_check(placement_request).eligible) == {partial.pk}


def test_a_service_meeting_a_need_exactly_at_its_score_fits(world, lot):
    # The child's needs as scored, exactly: emotional health 3, education 2, the rest 1.
    exact = provider(lot, "exact", fitting(needs_met=dict(helpers.NEEDS)))

    _, eligibility = publish(world, lot)

    assert set(eligibility.eligible) == {exact.pk}


def test_age_bounds_are_inclusive(world, lot):
    provider(lot, "up-to-14", fitting(age_min=14, age_max=14))

    _, eligibility = publish(world, lot)

    assert len(eligibility.eligible) == 1


def test_a_provider_suspended_after_publishing_is_not_invited_by_a_terms_change(world, lot, field):
    placement_request, _ = publish(world, lot)
    Enrolment.objects.filter(provider=field["vacancy"]).update(status="suspended")

    # Allowing no vacancy would make Full House eligible, but it is suspended now.
    request_services.request_update(
        actor=actor_of(world.officer_a), placement_request=placement_request, allow_no_vacancy=True
    )

    assert invited(placement_request) == {"fits"}


def test_a_terms_change_invites_the_providers_it_makes_eligible_and_only_emails_them(
    world, lot, field
):
    placement_request, _ = publish(world, lot)
    before = set(OutboundEmail.objects.values_list("pk", flat=True))

    request_services.request_update(
        actor=actor_of(world.officer_a), placement_request=placement_request, allow_no_vacancy=True
    )

    assert invited(placement_request) == {"fits", "full-house"}
    new = OutboundEmail.objects.exclude(pk__in=before)
    invitations = new.filter(subject__startswith="New placement request")
    assert sorted(invitations.values_list("to", flat=True)) == [
        "bidder@full-house.test",
        "provider_admin@full-house.test",
    ]
    assert placement_request.status == PlacementRequest.Status.OPEN


def test_a_terms_change_updates_the_counts_the_officer_reads(world, lot, field):
    placement_request, _ = publish(world, lot)

    request_services.request_update(
        actor=actor_of(world.officer_a), placement_request=placement_request, allow_no_vacancy=True
    )

    placement_request.refresh_from_db()
    assert placement_request.ineligible_counts == {
        k: v for k, v in EXPECTED_REASONS.items() if k != "vacancy"
    }
