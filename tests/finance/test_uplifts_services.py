"""Fee uplift rounds: opening one, providers' requests, decisions that become dated fee rows
on every placement they cover, and what a round costs (worked by hand)."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from dps.models import AuditEvent, OutboundEmail, StatusChange
from dps.periods import YEAR, period_containing
from dps.services import DomainError
from finance.access import uplift_requests_visible_to
from finance.models import UpliftLine, UpliftRequest, UpliftRound
from finance.selectors.uplifts import round_cost
from finance.services.uplifts import uplift_decide, uplift_request_submit, uplift_round_open
from placements.models import Fee, Placement
from placements.selectors.schedule import schedule_of
from placements.services.fees import fees_roll
from tests.factories import scheduled_placement
from tests.finance.uplift_helpers import a_lot, a_round, a_service, actor_of, placements_at

TODAY = date(2026, 3, 2)
EFFECTIVE = date(2026, 4, 6)
Status = UpliftRequest.Status


@pytest.fixture
def frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def setting(world, frozen):
    lot = a_lot(world)
    return lot, a_round(world, [lot], effective=EFFECTIVE)


# --- Opening a round ------------------------------------------------------------------------


def test_the_consortium_admin_opens_a_round_for_its_lots(world, frozen):
    lot = a_lot(world)

    round_ = uplift_round_open(
        actor=actor_of(world.admin),
        name="2026/27 uplift",
        percent="3.5",
        effective_date=EFFECTIVE,
        requests_close=date(2026, 3, 20),
        lots=[lot],
        decided_by=UpliftRound.DecidedBy.BOROUGH,
    )

    assert round_.percent == Decimal("3.50")
    assert list(round_.lots.all()) == [lot]
    assert AuditEvent.objects.filter(action="uplift.round_opened", object_id=str(round_.pk))


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"percent": "0"}, "percent"),
        ({"percent": "100.01"}, "percent"),
        ({"percent": "2.345"}, "percent"),
        ({"percent": "lots"}, "percent"),
        ({"requests_close": date(2026, 3, 1)}, "requests_close"),
        ({"lots": []}, "lots"),
        ({"name": " "}, "name"),
    ],
)
def test_a_round_needs_a_fair_percentage_a_closing_date_ahead_and_lots(
    world, frozen, changes, field
):
    fields = {
        "name": "Uplift",
        "percent": "3",
        "effective_date": EFFECTIVE,
        "requests_close": TODAY,
        "lots": [a_lot(world)],
        **changes,
    }

    with pytest.raises(DomainError) as refused:
        uplift_round_open(actor=actor_of(world.admin), **fields)

    assert refused.value.field == field


def test_a_round_refuses_another_consortiums_lot_and_anyone_but_the_admin(world, frozen):
    from tests.factories import ConsortiumFactory, LotFactory

    other = LotFactory(consortium=ConsortiumFactory(slug="other", name="Other"))
    fields = {"name": "U", "percent": "3", "effective_date": EFFECTIVE, "requests_close": TODAY}

    with pytest.raises(DomainError):
        uplift_round_open(actor=actor_of(world.admin), lots=[other], **fields)
    with pytest.raises(PermissionDenied):
        uplift_round_open(actor=actor_of(world.commissioner_a), lots=[a_lot(world)], **fields)


# --- An uplift on many placements -----------------------------------------------------------


def test_an_uplift_agreed_becomes_a_dated_fee_row_on_each_of_25_placements(world, setting):
    lot, round_ = setting
    homes = a_service(world.provider_a, "Oak House")
    flats = a_service(world.provider_a, "Elm Flats")
    made = []
    for borough, counts in ((world.borough_a, (7, 6)), (world.borough_b, (6, 6))):
        for service, count in zip((homes, flats), counts, strict=True):
            made += placements_at(
                world,
                provider=world.provider_a,
                borough=borough,
                lot=lot,
                service=service,
                count=count,
            )
    assert len(made) == 25
    # Not covered: another provider's, another lot's, one that ended before the date.
    other_lot = scheduled_placement(
        borough=world.borough_a,
        provider=world.provider_a,
        start=date(2025, 9, 1),
        weekly_fee=900,
        lot=a_lot(world, "Fostering"),
        service=homes,
    )
    ended = scheduled_placement(
        borough=world.borough_a,
        provider=world.provider_a,
        start=date(2025, 9, 1),
        end=date(2026, 2, 1),
        weekly_fee=900,
        lot=lot,
        service=homes,
    )

    submitted = uplift_request_submit(
        actor=actor_of(world.bidder_a),
        round=round_,
        reason="Staff pay rose with the National Living Wage.",
        services=[homes, flats],
    )

    assert submitted.created
    assert sorted(r.borough.name for r in submitted.requests) == ["Alpha Borough", "Bravo Borough"]
    covered = set(UpliftLine.objects.values_list("placement_id", flat=True))
    assert covered == {p.pk for p in made}
    assert other_lot.pk not in covered
    assert ended.pk not in covered

    for request, user in zip(
        sorted(submitted.requests, key=lambda r: r.borough.name),
        (world.commissioner_a, world.commissioner_b),
        strict=True,
    ):
        decision = uplift_decide(actor=actor_of(user), request=request, decision="agree")
        assert not decision.skipped

    for placement in made:
        placement.refresh_from_db()
        agreed = (placement.weekly_fee * Decimal("1.04")).quantize(Decimal("0.01"))
        row = Fee.objects.get(placement=placement, kind=Fee.Kind.UPLIFT)
        assert (row.effective_date, row.weekly_fee) == (EFFECTIVE, agreed)
        assert row.reason == "2026/27 uplift: 4.00% uplift"
        assert UpliftLine.objects.get(placement=placement).fee == row
        schedule = schedule_of(placement)
        assert schedule.fee_on(date(2026, 4, 5)) == placement.weekly_fee
        assert schedule.fee_on(EFFECTIVE) == agreed
    # The fee today changes only once the date arrives.
    assert not Placement.objects.filter(pk__in=[p.pk for p in made], weekly_fee__gt=1100)
    with time_machine.travel(EFFECTIVE, tick=False):
        assert fees_roll() == 25
    for placement in made:
        before = placement.weekly_fee
        placement.refresh_from_db()
        assert placement.weekly_fee == (before * Decimal("1.04")).quantize(Decimal("0.01"))


def test_an_uplift_dated_in_the_past_changes_the_fee_today_at_once(world, frozen):
    lot = a_lot(world)
    round_ = a_round(world, [lot], effective=date(2026, 2, 2), closes=TODAY)
    service = a_service(world.provider_a, "Oak House")
    [placement] = placements_at(
        world, provider=world.provider_a, borough=world.borough_a, lot=lot, service=service, count=1
    )
    [request] = uplift_request_submit(
        actor=actor_of(world.bidder_a), round=round_, reason="Costs.", placements=[placement]
    ).requests

    uplift_decide(actor=actor_of(world.commissioner_a), request=request, decision="agree")

    placement.refresh_from_db()
    assert placement.weekly_fee == Decimal("1040.00")


# --- Requests -------------------------------------------------------------------------------


def test_a_closed_round_refuses_requests(world, setting):
    lot, round_ = setting
    service = a_service(world.provider_a, "Oak House")
    [placement] = placements_at(
        world, provider=world.provider_a, borough=world.borough_a, lot=lot, service=service, count=1
    )

    with time_machine.travel(date(2026, 3, 21), tick=False), pytest.raises(DomainError) as refused:
        uplift_request_submit(
            actor=actor_of(world.bidder_a), round=round_, reason="Costs.", placements=[placement]
        )

    assert "closed to requests on 20 March 2026" in refused.value.message


def test_a_placement_is_covered_once_in_a_round_and_a_borough_asked_once(world, setting):
    lot, round_ = setting
    service = a_service(world.provider_a, "Oak House")
    first, second = placements_at(
        world, provider=world.provider_a, borough=world.borough_a, lot=lot, service=service, count=2
    )
    bidder = actor_of(world.bidder_a)
    uplift_request_submit(actor=bidder, round=round_, reason="Costs.", placements=[first])

    with pytest.raises(DomainError, match="already asked"):
        uplift_request_submit(actor=bidder, round=round_, reason="Costs.", placements=[second])
    with pytest.raises(DomainError, match="already asked"):
        uplift_request_submit(actor=bidder, round=round_, reason="Costs.", placements=[first])


def test_asking_again_exactly_as_before_returns_the_request_made(world, setting):
    lot, round_ = setting
    service = a_service(world.provider_a, "Oak House")
    [placement] = placements_at(
        world, provider=world.provider_a, borough=world.borough_a, lot=lot, service=service, count=1
    )
    bidder = actor_of(world.bidder_a)
    first = uplift_request_submit(actor=bidder, round=round_, reason="Costs.", services=[service])

    again = uplift_request_submit(
        actor=bidder, round=round_, reason="Costs.", placements=[placement], replay=True
    )

    assert not again.created
    assert again.requests == first.requests
    with pytest.raises(DomainError):
        uplift_request_submit(
            actor=bidder, round=round_, reason="Other.", placements=[placement], replay=True
        )


def test_a_provider_cannot_ask_for_another_providers_placement(world, setting):
    lot, round_ = setting
    service = a_service(world.provider_b, "Bravo House")
    [theirs] = placements_at(
        world, provider=world.provider_b, borough=world.borough_a, lot=lot, service=service, count=1
    )

    with pytest.raises(DomainError) as refused:
        uplift_request_submit(
            actor=actor_of(world.bidder_a), round=round_, reason="Costs.", placements=[theirs]
        )
    assert refused.value.field == "placements"
    with pytest.raises(DomainError) as refused:
        uplift_request_submit(
            actor=actor_of(world.bidder_a), round=round_, reason="Costs.", services=[service]
        )
    assert refused.value.field == "services"


def test_a_provider_may_ask_for_more_with_evidence_up_to_100_percent(world, setting):
    lot, round_ = setting
    service = a_service(world.provider_a, "Oak House")
    [placement] = placements_at(
        world, provider=world.provider_a, borough=world.borough_a, lot=lot, service=service, count=1
    )
    evidence = SimpleUploadedFile("costs.pdf", b"%PDF-1.4 staff costs", "application/pdf")

    [request] = uplift_request_submit(
        actor=actor_of(world.bidder_a),
        round=round_,
        reason="Agency staff.",
        percent="7.5",
        evidence=evidence,
        placements=[placement],
    ).requests

    assert request.percent == Decimal("7.50")
    assert request.evidence.name.endswith(".pdf")
    line = request.lines.get()
    assert (line.fee_before, line.fee_asked) == (Decimal("1000.00"), Decimal("1075.00"))


def test_asking_for_more_than_the_round_needs_evidence(world, setting):
    lot, round_ = setting
    service = a_service(world.provider_a, "Oak House")
    [placement] = placements_at(
        world, provider=world.provider_a, borough=world.borough_a, lot=lot, service=service, count=1
    )

    with pytest.raises(DomainError) as refused:
        uplift_request_submit(
            actor=actor_of(world.bidder_a),
            round=round_,
            reason="Costs.",
            percent="6",
            placements=[placement],
        )

    assert refused.value.field == "evidence"


def test_evidence_that_is_not_a_document_is_refused(world, setting):
    lot, round_ = setting
    service = a_service(world.provider_a, "Oak House")
    [placement] = placements_at(
        world, provider=world.provider_a, borough=world.borough_a, lot=lot, service=service, count=1
    )

    with pytest.raises(DomainError) as refused:
        uplift_request_submit(
            actor=actor_of(world.bidder_a),
            round=round_,
            reason="Costs.",
            evidence=SimpleUploadedFile("x.pdf", b"<html><script>", "application/pdf"),
            placements=[placement],
        )

    assert refused.value.field == "evidence"
    assert not UpliftRequest.objects.exists()


# --- Decisions ------------------------------------------------------------------------------


@pytest.fixture
def two_placements(world, setting):
    lot, round_ = setting
    service = a_service(world.provider_a, "Oak House")
    short = scheduled_placement(
        borough=world.borough_a,
        provider=world.provider_a,
        start=date(2025, 9, 1),
        planned_end=date(2026, 6, 30),
        weekly_fee=1000,
        lot=lot,
        service=service,
        child_reference="SHORT",
    )
    long = scheduled_placement(
        borough=world.borough_a,
        provider=world.provider_a,
        start=date(2025, 9, 1),
        weekly_fee=700,
        lot=lot,
        service=service,
        child_reference="LONG",
    )
    [request] = uplift_request_submit(
        actor=actor_of(world.bidder_a), round=round_, reason="Costs.", services=[service]
    ).requests
    return round_, request, short, long


def test_the_rounds_cost_worked_by_hand(world, two_placements):
    round_, request, _short, long = two_placements
    requests = uplift_requests_visible_to(actor_of(world.admin))
    # The financial year 2026/27 ends on 31 March 2027. SHORT: 4% of £1,000 is £40 a week,
    # for the 86 days from 6 April to its planned end on 30 June: 40 x 86 / 7 = £491.43.
    # LONG: 4% of £700 is £28 a week, for the 360 days to 31 March: 28 x 360 / 7 = £1,440.
    cost = round_cost(requests, round_)

    assert cost.year_end == period_containing(YEAR, EFFECTIVE).end == date(2027, 3, 31)
    assert cost.requested.weekly == Decimal("68.00")
    assert cost.requested.to_year_end == Decimal("1931.43")
    assert cost.agreed.weekly == 0

    # Agreed in part: 2.5% on LONG only: £17.50 a week, 17.5 x 360 / 7 = £900.
    uplift_decide(
        actor=actor_of(world.commissioner_a),
        request=request,
        decision="agree_in_part",
        agreed_percent="2.5",
        placements=[long.pk],
        reason="Within the budget for this year.",
    )
    cost = round_cost(requests, round_)

    assert cost.requested.weekly == 0
    assert (cost.agreed.weekly, cost.agreed.to_year_end) == (Decimal("17.50"), Decimal("900.00"))
    # A borough sees its own requests' cost; another borough none.
    assert (
        round_cost(uplift_requests_visible_to(actor_of(world.commissioner_b)), round_).agreed.weekly
        == 0
    )


def test_agreeing_in_part_uplifts_only_the_placements_chosen_at_the_lower_percentage(
    world, two_placements
):
    _round, request, short, long = two_placements

    decision = uplift_decide(
        actor=actor_of(world.commissioner_a),
        request=request,
        decision="agree_in_part",
        agreed_percent="2.5",
        placements=[long.pk],
        reason="Within the budget.",
    )

    request.refresh_from_db()
    assert (request.status, request.agreed_percent) == (Status.AGREED_IN_PART, Decimal("2.50"))
    assert [line.placement_id for line in decision.applied] == [long.pk]
    assert Fee.objects.get(placement=long, kind=Fee.Kind.UPLIFT).weekly_fee == Decimal("717.50")
    assert not Fee.objects.filter(placement=short, kind=Fee.Kind.UPLIFT).exists()
    assert StatusChange.objects.filter(object_id=str(request.pk), new_status="agreed_in_part")


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"agreed_percent": "4", "reason": "Why"}, "agreed_percent"),
        ({"agreed_percent": "5", "reason": "Why"}, "agreed_percent"),
        ({"agreed_percent": "2", "reason": ""}, "reason"),
        ({"reason": "Why"}, "agreed_percent"),
    ],
)
def test_agreeing_in_part_needs_less_than_asked_and_a_reason(world, two_placements, fields, field):
    _round, request, *_ = two_placements

    with pytest.raises(DomainError) as refused:
        uplift_decide(
            actor=actor_of(world.commissioner_a),
            request=request,
            decision="agree_in_part",
            **fields,
        )

    assert refused.value.field == field


def test_a_refusal_needs_a_reason_and_changes_no_fee(world, two_placements):
    _round, request, *_ = two_placements
    commissioner = actor_of(world.commissioner_a)
    with pytest.raises(DomainError):
        uplift_decide(actor=commissioner, request=request, decision="refuse")

    uplift_decide(actor=commissioner, request=request, decision="refuse", reason="No budget.")

    request.refresh_from_db()
    assert (request.status, request.decision_reason) == (Status.REFUSED, "No budget.")
    assert not Fee.objects.filter(kind=Fee.Kind.UPLIFT).exists()
    with pytest.raises(DomainError, match="already been decided"):
        uplift_decide(actor=commissioner, request=request, decision="agree")


def test_only_the_requests_borough_decides_a_borough_round(world, two_placements):
    _round, request, *_ = two_placements

    for user in (world.commissioner_b, world.finance_a, world.officer_a, world.admin):
        with pytest.raises(PermissionDenied):
            uplift_decide(actor=actor_of(user), request=request, decision="agree")


def test_the_consortium_decides_a_framework_wide_round(world, two_placements):
    round_, request, *_ = two_placements
    round_.decided_by = UpliftRound.DecidedBy.CONSORTIUM
    round_.save()

    with pytest.raises(PermissionDenied):
        uplift_decide(actor=actor_of(world.commissioner_a), request=request, decision="agree")
    decision = uplift_decide(actor=actor_of(world.admin), request=request, decision="agree")

    assert len(decision.applied) == 2


def test_a_placement_ended_before_the_effective_date_is_skipped_and_said(world, two_placements):
    _round, request, short, long = two_placements
    Placement.objects.filter(pk=short.pk).update(end_date=date(2026, 4, 1), status="ended")

    decision = uplift_decide(
        actor=actor_of(world.commissioner_a), request=request, decision="agree"
    )

    assert [p.pk for p in decision.skipped] == [short.pk]
    assert [line.placement_id for line in decision.applied] == [long.pk]


@pytest.mark.parametrize(
    ("decision", "reason", "words"),
    [("agree", "", "agreed"), ("refuse", "No budget.", "refused")],
)
def test_the_decision_is_emailed_to_the_provider(world, two_placements, decision, reason, words):
    round_, request, *_ = two_placements

    uplift_decide(
        actor=actor_of(world.commissioner_a), request=request, decision=decision, reason=reason
    )

    emails = list(OutboundEmail.objects.all())
    assert {e.to for e in emails} == {"admin@provider-a.test", "bidder@provider-a.test"}
    assert {e.subject for e in emails} == {
        f"Your uplift request in {round_.name}: {words} by Alpha Borough"
    }
    assert all(reason in e.body_text for e in emails)
