"""The demo data has placement requests in every state, with bids, made through the services; and
seeding again changes nothing."""

import io

import pytest
from django.core.management import call_command
from pypdf import PdfReader

from dps.models import AuditEvent, OutboundEmail, User
from placements.demo import logins
from placements.models import (
    Bid,
    Evaluation,
    Placement,
    PlacementRequest,
    ProviderInvitation,
    RequestTransition,
)
from providers.models import Lot

Status = PlacementRequest.Status
# Seeded once for the module (tests/demo_data.py); each test reads it.
pytestmark = pytest.mark.usefixtures("demo")


def seed():
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def state():
    """Everything the placements demo makes, to compare two seedings."""
    return {
        "requests": list(
            PlacementRequest.objects.order_by("pk").values_list(
                "pk", "borough__slug", "reference", "status", "bid_deadline", "terms_version"
            )
        ),
        "bids": list(
            Bid.objects.order_by("pk").values_list(
                "pk", "request_id", "provider__name", "status", "weekly_fee", "rank"
            )
        ),
        "placements": list(
            Placement.objects.order_by("pk").values_list("pk", "status", "ipa_pdf", "weekly_fee")
        ),
        "lots": list(Lot.objects.order_by("pk").values_list("code", "service_types")),
        "counts": [
            m.objects.count()
            for m in (
                ProviderInvitation,
                RequestTransition,
                Evaluation,
                OutboundEmail,
                AuditEvent,
                User,
            )
        ],
    }


def test_the_demo_has_requests_in_every_state_with_bids(db, demo):
    output = demo

    northbridge = PlacementRequest.objects.filter(borough__slug="northbridge")
    assert set(northbridge.values_list("status", flat=True)) == set(Status.values)
    assert PlacementRequest.objects.filter(borough__slug="eastmoor").count() >= 3
    for status in (Status.OPEN, Status.CLOSED, Status.SHORTLISTED, Status.AWARDED, Status.PLACED):
        placement_request = northbridge.filter(status=status).first()
        assert placement_request.bids.filter(status=Bid.Status.SUBMITTED).exists(), status
        assert placement_request.invitations.exists(), status
    assert "placement requests in every state" in output


def test_requests_past_their_deadline_were_closed_and_evaluated_after_their_bids(db):
    closed = PlacementRequest.objects.filter(closed_at__isnull=False)
    assert closed.exists()
    for placement_request in closed:
        assert placement_request.bid_deadline <= placement_request.closed_at
        for bid in placement_request.bids.all():
            assert bid.submitted_at <= placement_request.bid_deadline
    evaluated = PlacementRequest.objects.get(reference="NB-24104")
    assert evaluated.status == Status.CLOSED
    assert evaluated.evaluation.valid_bids == 2
    assert sorted(evaluated.bids.values_list("rank", flat=True)) == [1, 2]


def test_the_shortlisted_request_has_the_young_persons_view(db):
    shortlisted = PlacementRequest.objects.get(borough__slug="northbridge", status="shortlisted")
    assert all(bid.young_person_view for bid in shortlisted.bids.all())


def test_the_awarded_and_placed_requests_have_placements_and_ipas(db):
    awarded = Placement.objects.get(request__reference="NB-24106")
    assert awarded.status == Placement.Status.AWARDED
    assert awarded.bid.rank == 2  # chosen over the top-ranked bid, with a reason
    assert awarded.award_reason
    with awarded.ipa_pdf.open("rb") as stored:
        reader = PdfReader(stored)
        text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert awarded.provider.name in text
    assert f"£{awarded.weekly_fee:,.2f}" in text
    placed = Placement.objects.get(request__reference="NB-24107")
    assert placed.status == Placement.Status.STARTED
    assert placed.request.status == Status.PLACED
    assert placed.ipa_pdf


def test_cancelled_and_no_suitable_offer_have_their_reasons(db):
    cancelled = PlacementRequest.objects.get(reference="NB-24108")
    assert cancelled.status == Status.CANCELLED
    assert cancelled.cancel_reason == PlacementRequest.CancelReason.PLACED_IN_HOUSE
    by_officer = PlacementRequest.objects.get(reference="NB-24109")
    assert by_officer.status == Status.NO_SUITABLE_OFFER
    assert by_officer.bids.count() == 2
    assert "speech and language therapy" in by_officer.status_reason
    no_bids = PlacementRequest.objects.get(reference="EM-3104")
    assert no_bids.status == Status.NO_SUITABLE_OFFER
    assert no_bids.status_reason == "No valid bid was made."


def test_each_demo_lot_is_served_by_its_service_types(db):
    types = dict(Lot.objects.values_list("code", "service_types"))
    assert types == {
        "childrens-homes": ["childrens_home"],
        "fostering": ["fostering"],
        "supported-16-plus": ["supported_accommodation"],
        "parent-and-child": ["parent_and_child"],
        "send-schools": ["school"],
    }
    assert AuditEvent.objects.filter(action="lot.updated").count() == 5


def test_seeding_twice_changes_nothing(db):
    first = state()
    Lot.objects.filter(code="fostering").update(service_types=["fostering", "parent_and_child"])
    first["lots"] = list(Lot.objects.order_by("pk").values_list("code", "service_types"))

    output = seed()

    assert state() == first
    assert "placement requests already seeded" in output


def test_the_demo_bidders_can_sign_in(db):
    for _role, email in logins():
        user = User.objects.get(email=email)
        assert user.check_password("demo-placements-2026")
        assert user.membership.organisation.placement_bids.exists()
