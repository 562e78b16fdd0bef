"""A placement's life: reviews, fee changes, the ending and spot purchases, recorded by the
borough's placement officers, read by the borough and the provider."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from dps.models import AuditEvent
from dps.services import DomainError
from monitoring.models import PlacementReview
from monitoring.selectors.lifecycle import placement_events
from monitoring.services import lifecycle
from placements.models import Fee, Placement, PlacementRequest
from placements.services import award as award_services
from providers.needs import INDICATOR_CODES
from tests.placements import helpers

TODAY = timezone.localdate()
NEEDS = dict.fromkeys(INDICATOR_CODES, 1)  # total 12; the request's NEEDS total 15
PROGRESS = {
    "be_healthy": {"progress": "improving", "note": "Sees the dentist."},
    "be_safe": {"progress": "no_change", "note": ""},
}


def officer(world):
    return helpers.actor_of(world.officer_a)


@pytest.fixture
def placement(world):
    """Alpha Care's placement of the 14-year-old, started ten days ago."""
    _, placement = helpers.awarded(world)
    return award_services.placement_start(
        actor=officer(world), placement=placement, actual_start_date=TODAY - timedelta(days=10)
    )


def review(world, placement, **overrides):
    fields = {
        "review_date": TODAY,
        "needs": dict(NEEDS),
        "outcomes_progress": PROGRESS,
        "education_status": "attending",
        "attendance_percent": 92,
        "notes": "Settling in well.",
    }
    fields.update(overrides)
    return lifecycle.review_record(actor=officer(world), placement=placement, **fields)


# --- Reviews ------------------------------------------------------------------------------


def test_a_review_is_recorded_with_its_needs_total_and_audited(world, placement):
    made = review(world, placement)

    assert made.needs_total == 12
    assert made.outcomes_progress["be_healthy"] == {
        "progress": "improving",
        "note": "Sees the dentist.",
    }
    assert made.recorded_by == world.officer_a
    assert AuditEvent.objects.filter(action="placement.review_recorded").count() == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"needs": {**NEEDS, "identity": None}}, "needs"),
        ({"needs": {k: v for k, v in NEEDS.items() if k != "identity"}}, "needs"),
        ({"needs": {**NEEDS, "identity": 4}}, "needs"),
        ({"needs": {**NEEDS, "made_up": 1}}, "needs"),
        ({"outcomes_progress": {"be_healthy": PROGRESS["be_healthy"]}}, "outcomes_progress"),
        (
            {"outcomes_progress": {**PROGRESS, "be_safe": {"progress": "great"}}},
            "outcomes_progress",
        ),
        ({"education_status": "eet"}, "education_status"),
        ({"education_status": "nonsense"}, "education_status"),
        ({"attendance_percent": None}, "attendance_percent"),
        ({"attendance_percent": 101}, "attendance_percent"),
        ({"review_date": TODAY + timedelta(days=1)}, "review_date"),
        ({"review_date": TODAY - timedelta(days=11)}, "review_date"),
        ({"review_date": None}, "review_date"),
    ],
)
def test_a_review_with_bad_input_is_refused(world, placement, overrides, field):
    with pytest.raises(DomainError) as refused:
        review(world, placement, **overrides)

    assert refused.value.field == field
    assert not PlacementReview.objects.exists()


def test_a_young_person_of_16_is_in_education_employment_or_training(world, placement):
    PlacementRequest.objects.filter(pk=placement.request_id).update(age=16)
    placement.refresh_from_db()

    with pytest.raises(DomainError):
        review(world, placement)
    made = review(world, placement, education_status="neet", attendance_percent=None)

    assert made.education_status == "neet"


def test_only_a_started_placement_is_reviewed(world):
    _, awarded = helpers.awarded(world)

    with pytest.raises(DomainError):
        review(world, awarded)


@pytest.mark.parametrize("persona", ["commissioner_a", "bidder_a", "provider_admin_a", "officer_b"])
def test_only_the_boroughs_officers_record(world, placement, persona):
    actor = helpers.actor_of(getattr(world, persona))

    with pytest.raises(PermissionDenied):
        lifecycle.review_record(
            actor=actor,
            placement=placement,
            review_date=TODAY,
            needs=NEEDS,
            outcomes_progress=PROGRESS,
            education_status="attending",
            attendance_percent=90,
        )
    with pytest.raises(PermissionDenied):
        lifecycle.fee_change_record(
            actor=actor, placement=placement, effective_date=TODAY, weekly_fee=1, reason="x"
        )
    with pytest.raises(PermissionDenied):
        lifecycle.placement_end_record(
            actor=actor, placement=placement, end_date=TODAY, planned=True, reason="E4A"
        )


# --- Fee changes --------------------------------------------------------------------------


def test_the_fee_becomes_the_latest_effective_one_and_history_is_kept(world, placement):
    actor = officer(world)
    lifecycle.fee_change_record(
        actor=actor,
        placement=placement,
        effective_date=TODAY,
        weekly_fee="3300",
        reason="More staff.",
    )
    lifecycle.fee_change_record(
        actor=actor,
        placement=placement,
        effective_date=TODAY - timedelta(days=5),
        weekly_fee="3100",
        reason="Backdated uplift.",
    )
    placement.refresh_from_db()

    assert placement.weekly_fee == Decimal("3300.00")
    assert placement.bid.weekly_fee == Decimal("3000.00")
    assert Fee.objects.filter(placement=placement).exclude(kind=Fee.Kind.AGREED).count() == 2
    event = AuditEvent.objects.filter(action="placement.fee_changed").order_by("id").first()
    assert event.detail["previous_weekly_fee"] == "3000.00"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"effective_date": TODAY - timedelta(days=11)}, "effective_date"),
        ({"weekly_fee": "0"}, "weekly_fee"),
        ({"weekly_fee": "lots"}, "weekly_fee"),
        ({"reason": "  "}, "reason"),
    ],
)
def test_a_bad_fee_change_is_refused(world, placement, overrides, field):
    fields = {"effective_date": TODAY, "weekly_fee": "3300", "reason": "Uplift."} | overrides

    with pytest.raises(DomainError) as refused:
        lifecycle.fee_change_record(actor=officer(world), placement=placement, **fields)

    assert refused.value.field == field
    placement.refresh_from_db()
    assert placement.weekly_fee == Decimal("3000.00")


# --- The ending ---------------------------------------------------------------------------


def test_the_ending_ends_the_placement_and_the_request_stays_placed(world, placement):
    ended = lifecycle.placement_end_record(
        actor=officer(world),
        placement=placement,
        end_date=TODAY,
        planned=False,
        reason="CREQB",
        destination="Another children's home",
    )

    assert ended.status == Placement.Status.ENDED
    assert ended.end_planned is False
    assert ended.end_reason == "CREQB"
    assert ended.request.status == PlacementRequest.Status.PLACED
    assert AuditEvent.objects.filter(action="placement.ended").exists()
    with pytest.raises(DomainError):
        lifecycle.placement_end_record(
            actor=officer(world), placement=ended, end_date=TODAY, planned=True, reason="E4A"
        )


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"end_date": TODAY - timedelta(days=11)}, "end_date"),
        ({"end_date": TODAY + timedelta(days=1)}, "end_date"),
        ({"planned": None}, "planned"),
        ({"reason": "E99"}, "reason"),
    ],
)
def test_a_bad_ending_is_refused(world, placement, overrides, field):
    fields = {"end_date": TODAY, "planned": True, "reason": "E4A"} | overrides

    with pytest.raises(DomainError) as refused:
        lifecycle.placement_end_record(actor=officer(world), placement=placement, **fields)

    assert refused.value.field == field
    placement.refresh_from_db()
    assert placement.status == Placement.Status.STARTED


# --- Spot purchases -----------------------------------------------------------------------


def test_a_spot_purchase_with_a_provider_off_the_dps(world):
    made = lifecycle.spot_placement_create(
        actor=officer(world),
        child_reference="SPOT-1",
        start_date=TODAY - timedelta(days=3),
        weekly_fee="4500",
        spot_provider_name="Faraway Homes Ltd",
    )

    assert made.source == Placement.Source.SPOT
    assert made.status == Placement.Status.STARTED
    assert made.provider is None
    assert made.borough == world.borough_a


def test_a_spot_purchase_with_a_service_on_the_dps_is_the_providers_to_see(world):
    _lot, services = helpers.market(world)
    future = TODAY + timedelta(days=7)

    made = lifecycle.spot_placement_create(
        actor=officer(world),
        child_reference="SPOT-2",
        start_date=future,
        weekly_fee="4100",
        service=services["a"],
    )

    assert made.provider == world.provider_a
    assert made.status == Placement.Status.AWARDED
    assert made.actual_start_date is None


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"child_reference": ""}, "child_reference"),
        ({"spot_provider_name": ""}, "service"),
        ({"weekly_fee": "-5"}, "weekly_fee"),
        ({"start_date": None}, "start_date"),
    ],
)
def test_a_bad_spot_purchase_is_refused(world, overrides, field):
    fields = {
        "child_reference": "SPOT-3",
        "start_date": TODAY,
        "weekly_fee": "4000",
        "spot_provider_name": "Faraway Homes Ltd",
    } | overrides

    with pytest.raises(DomainError) as refused:
        lifecycle.spot_placement_create(actor=officer(world), **fields)

    assert refused.value.field == field
    assert not Placement.objects.exists()


def test_a_service_of_a_provider_not_on_the_dps_is_refused(world):
    from tests.factories import ServiceFactory

    stranger = ServiceFactory()

    with pytest.raises(DomainError) as refused:
        lifecycle.spot_placement_create(
            actor=officer(world),
            child_reference="SPOT-4",
            start_date=TODAY,
            weekly_fee="4000",
            service=stranger,
        )

    assert refused.value.field == "service"


def test_a_commissioner_does_not_record_spot_purchases(world):
    with pytest.raises(PermissionDenied):
        lifecycle.spot_placement_create(
            actor=helpers.actor_of(world.commissioner_a),
            child_reference="SPOT-5",
            start_date=TODAY,
            weekly_fee="4000",
            spot_provider_name="Faraway",
        )


# --- The timeline and the pages -----------------------------------------------------------


def test_the_timeline_tells_the_story_in_order(world, placement):
    review(world, placement)
    lifecycle.fee_change_record(
        actor=officer(world),
        placement=placement,
        effective_date=TODAY,
        weekly_fee="3300",
        reason="Uplift.",
    )
    lifecycle.placement_end_record(
        actor=officer(world), placement=placement, end_date=TODAY, planned=True, reason="E4A"
    )

    events = placement_events(Placement.objects.get(pk=placement.pk))

    assert [e["kind"] for e in events] == ["award", "start", "review", "fee_change", "end"]
    assert events[0]["detail"]["weekly_fee"] == "3000.00"
    assert events[2]["detail"]["needs_change"] == 12 - 15
    assert "-3 against the request's 15" in events[2]["summary"]
    assert events[4]["by"]


@pytest.mark.parametrize("persona", ["officer_a", "commissioner_a", "bidder_a"])
def test_the_borough_and_the_provider_see_the_timeline(client, world, placement, persona):
    review(world, placement, notes="Loves the new school.")
    client.force_login(getattr(world, persona))

    page = client.get(reverse("placements:placement_detail", args=[placement.pk])).content.decode()

    assert "Timeline" in page
    assert "Loves the new school." in page
    assert "Be Healthy: Improving" in page
    links = reverse("monitoring:review_create", args=[placement.pk]) in page
    assert links == (persona == "officer_a")


def review_post(**overrides):
    data = {f"need_{code}": "2" for code in INDICATOR_CODES}
    data.update(
        {
            "review_date": TODAY.strftime("%d/%m/%Y"),
            "progress_be_healthy": "achieved",
            "progress_note_be_healthy": "Fit and well.",
            "progress_be_safe": "improving",
            "education_status": "attending",
            "attendance_percent": "88",
            "notes": "Kept notes.",
        }
    )
    data.update(overrides)
    return data


def test_the_review_page_records_a_review(client, world, placement):
    client.force_login(world.officer_a)
    url = reverse("monitoring:review_create", args=[placement.pk])

    assert client.get(url).status_code == 200
    response = client.post(url, review_post())

    assert response.status_code == 302
    made = PlacementReview.objects.get()
    assert made.needs_total == 24
    assert made.outcomes_progress["be_healthy"]["note"] == "Fit and well."


def test_the_review_page_keeps_the_input_of_a_refused_review(client, world, placement):
    client.force_login(world.officer_a)
    url = reverse("monitoring:review_create", args=[placement.pk])
    data = review_post(need_identity="", attendance_percent="", notes="Keep this text")

    response = client.post(url, data)

    assert response.status_code == 400
    page = response.content.decode()
    assert "Score identity, life story and self-esteem from 0 to 3." in page
    assert "Keep this text" in page
    assert not PlacementReview.objects.exists()
    # A rule of the service (attendance for a child attending school) is shown too.
    response = client.post(url, review_post(attendance_percent="", notes="Again"))
    assert response.status_code == 400
    assert "Enter the school attendance" in response.content.decode()


def test_the_fee_and_end_pages(client, world, placement):
    client.force_login(world.officer_a)
    fee_url = reverse("monitoring:fee_change_create", args=[placement.pk])
    end_url = reverse("monitoring:placement_end", args=[placement.pk])

    bad = client.post(
        fee_url, {"effective_date": "31/02/2025", "weekly_fee": "3300", "reason": "Up"}
    )
    good = client.post(
        fee_url,
        {
            "effective_date": TODAY.strftime("%d/%m/%Y"),
            "weekly_fee": "3300",
            "reason": "Up",
            "kind": "uplift",
        },
    )
    early = client.post(
        end_url,
        {
            "end_date": (TODAY - timedelta(days=30)).strftime("%d/%m/%Y"),
            "planned": "no",
            "reason": "CHILD",
            "destination": "Kept destination",
        },
    )
    ended = client.post(
        end_url, {"end_date": TODAY.strftime("%d/%m/%Y"), "planned": "no", "reason": "CHILD"}
    )

    assert bad.status_code == 400
    assert good.status_code == 302
    assert early.status_code == 400
    assert "Kept destination" in early.content.decode()
    assert "cannot end before it started" in early.content.decode()
    assert ended.status_code == 302
    placement.refresh_from_db()
    assert (placement.weekly_fee, placement.status, placement.end_planned) == (
        Decimal("3300.00"),
        "ended",
        False,
    )


def test_the_spot_page(client, world):
    client.force_login(world.officer_a)
    url = reverse("monitoring:spot_create")

    assert client.get(url).status_code == 200
    missing = client.post(
        url,
        {
            "child_reference": "SPOT-P",
            "start_date": TODAY.strftime("%d/%m/%Y"),
            "weekly_fee": "4000",
        },
    )
    made = client.post(
        url,
        {
            "child_reference": "SPOT-P",
            "start_date": TODAY.strftime("%d/%m/%Y"),
            "weekly_fee": "4000",
            "spot_provider_name": "Faraway Homes Ltd",
        },
    )

    assert missing.status_code == 400
    assert "SPOT-P" in missing.content.decode()
    assert made.status_code == 302
    placement = Placement.objects.get(child_reference="SPOT-P")
    page = client.get(reverse("placements:placement_detail", args=[placement.pk])).content.decode()
    assert "Faraway Homes Ltd" in page
    assert "Spot purchase recorded" in page
    # A spot purchase has no Individual Placement Agreement.
    ipa_url = reverse("placements:placement_ipa", args=[placement.pk])
    assert ipa_url not in page
    assert client.get(ipa_url).status_code == 404
    assert client.get(f"/api/v1/placements/{placement.pk}/ipa/").status_code == 404


@pytest.mark.parametrize("persona", ["commissioner_a", "bidder_a", "officer_b", "admin"])
def test_others_cannot_use_the_recording_pages(client, world, placement, persona):
    client.force_login(getattr(world, persona))

    for name in ("review_create", "fee_change_create", "placement_end"):
        url = reverse(f"monitoring:{name}", args=[placement.pk])
        assert client.get(url).status_code in (403, 404), name
    if persona != "officer_b":  # borough B's officers record their own spot purchases
        assert client.get(reverse("monitoring:spot_create")).status_code == 403


def test_a_user_choice_direct_award_is_recorded_with_its_grounds(world):
    grounds = "The young person chose to stay near her school with carers she knows."
    made = lifecycle.spot_placement_create(
        actor=officer(world),
        child_reference="SPOT-UC",
        start_date=TODAY,
        weekly_fee="14000",
        spot_provider_name="Faraway Homes Ltd",
        user_choice=True,
        user_choice_grounds=f"  {grounds} ",
    )
    assert made.user_choice_grounds == grounds

    with pytest.raises(DomainError) as refused:
        lifecycle.spot_placement_create(
            actor=officer(world),
            child_reference="SPOT-UC2",
            start_date=TODAY,
            weekly_fee="14000",
            spot_provider_name="Faraway Homes Ltd",
            user_choice=True,
            user_choice_grounds=" ",
        )
    assert refused.value.field == "user_choice_grounds"
    # Grounds without the choice ticked are not kept.
    plain = lifecycle.spot_placement_create(
        actor=officer(world),
        child_reference="SPOT-UC3",
        start_date=TODAY,
        weekly_fee="14000",
        spot_provider_name="Faraway Homes Ltd",
        user_choice_grounds="Typed, then the box unticked.",
    )
    assert plain.user_choice_grounds == ""


def test_the_spot_page_records_a_user_choice_shown_on_the_placement(client, world):
    client.force_login(world.officer_a)
    made = client.post(
        reverse("monitoring:spot_create"),
        {
            "child_reference": "SPOT-UCP",
            "start_date": TODAY.strftime("%d/%m/%Y"),
            "weekly_fee": "4000",
            "spot_provider_name": "Faraway Homes Ltd",
            "user_choice": "on",
            "user_choice_grounds": "The family chose the home near his grandmother.",
        },
    )
    assert made.status_code == 302
    page = client.get(made["Location"]).content.decode()
    assert "Direct award chosen by the child or family" in page
    assert "near his grandmother" in page
