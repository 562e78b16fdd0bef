"""The provider compliance KPIs against small hand-computed data sets."""

from decimal import Decimal

import pytest

from providers.models import Enrolment
from tests.factories import EnrolmentFactory, LotFactory, ServiceFactory
from tests.monitoring.kpi_data import (
    Q1,
    Q2,
    Q3_2023,
    at,
    document,
    rating_change,
    values,
    visit,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def enrolled(world):
    """Provider A enrolled on two lots of the consortium (active, and suspended); provider B on
    one; all since 2023. Two enrolments must not count provider A twice."""
    first, second = LotFactory(consortium=world.consortium), LotFactory(consortium=world.consortium)
    EnrolmentFactory(provider=world.provider_a, lot=first)
    EnrolmentFactory(provider=world.provider_a, lot=second, status="suspended")
    EnrolmentFactory(provider=world.provider_b, lot=first)
    Enrolment.objects.update(enrolled_at=at("2023-01-01"))


def test_documents_current(world, enrolled):
    a = world.provider_a
    # The six mandatory types, at the end of Q1 (31 March) and at today (15 June, in Q2):
    document(a, "public_liability", "2024-01-10", "2024-12-31")  # Q1 yes, Q2 yes
    document(a, "public_liability", "2024-02-10", "2025-01-31")  # the same type again: once
    document(a, "employers_liability", "2024-01-10", "2024-02-15")  # expired: no, no
    document(a, "professional_indemnity", "2024-05-01", "2025-04-30")  # Q1 not yet; Q2 yes
    document(a, "safeguarding_policy", "2024-01-10")  # no expiry: yes, yes
    document(a, "financial_standing", "2024-01-10", "2024-03-31")  # expired on Q1's end: no, no
    document(a, "dps_terms", "2024-04-10")  # uploaded after Q1: no; Q2 yes
    document(a, "ofsted_report", "2024-01-10")  # not mandatory
    # Q3 2023 (30 September 2023): nothing uploaded yet: 0 / 6 = 0%, not null (the
    # denominator is the six types). Q1: PL, SG = 2 / 6 (a document is expired on its expiry
    # date, as everywhere else). Q2: PL, PI, SG, DPS = 4 / 6.
    assert values("documents_current", "provider", [Q3_2023, Q1, Q2], a.pk) == [
        Decimal("0.0000"),
        Decimal("33.3333"),
        Decimal("66.6667"),
    ]
    # Provider B, enrolled with no documents: 0%.
    assert values("documents_current", "provider", [Q1], world.provider_b.pk) == [Decimal("0.0000")]


def test_documents_current_needs_an_enrolment(world):
    # A provider with documents but no active or suspended enrolment has no figure at all.
    document(world.provider_a, "public_liability", "2024-01-10", "2024-12-31")
    assert values("documents_current", "provider", [Q1], world.provider_a.pk) == []


def test_visits_on_time(world):
    s1 = ServiceFactory(provider=world.provider_a)
    s2 = ServiceFactory(provider=world.provider_a)
    s3 = ServiceFactory(provider=world.provider_b)
    visit(world, s1, "2024-02-10", "completed", "2024-02-10")  # on the due date: on time
    visit(world, s1, "2024-03-01", "completed", "2024-03-05")  # late
    visit(world, s2, "2024-03-31", "scheduled")  # due on Q1's last day, not done: not on time
    visit(world, s2, "2024-03-15", "cancelled")  # cancelled: not counted
    visit(world, s3, "2024-01-20", "completed", "2024-01-19")  # early: on time
    visit(world, s1, "2024-05-01", "completed", "2024-04-28")  # Q2, on time
    visit(world, s1, "2024-06-20", "scheduled")  # due after today (15 June): not yet counted
    # Provider A: Q3 2023 no visits due: null; Q1 1 of 3 = 33.3333%; Q2 1 of 1.
    assert values("visits_on_time", "provider", [Q3_2023, Q1, Q2], world.provider_a.pk) == [
        None,
        Decimal("33.3333"),
        Decimal("100.0000"),
    ]
    # By service, Q1: S1 1 of 2 = 50%; S2 0 of 1 = 0%, not null.
    assert values("visits_on_time", "service", [Q1], s1.pk) == [Decimal("50.0000")]
    assert values("visits_on_time", "service", [Q1], s2.pk) == [Decimal("0.0000")]
    # The consortium, Q1: (1 + 1) / (3 + 1) = 50%.
    assert values("visits_on_time", "consortium", [Q1], world.consortium.pk) == [Decimal("50.0000")]


def test_ofsted_downgrades(world, enrolled):
    s1 = ServiceFactory(provider=world.provider_a)
    s2 = ServiceFactory(provider=world.provider_a)
    s3 = ServiceFactory(provider=world.provider_b)
    rating_change(s1, "2024-02-01", "good", "requires_improvement")  # 75 -> 40: down
    rating_change(s1, "2024-03-01", "requires_improvement", "good")  # up: not counted
    rating_change(s2, "2024-03-31", "outstanding", "inadequate")  # 100 -> 0: down, Q1's last day
    rating_change(s2, "2024-04-01", "inadequate", "inadequate")  # unchanged: not counted
    rating_change(s1, "2024-05-01", "good", "inadequate")  # Q2: down
    rating_change(s3, "2024-02-10", "outstanding", "good")  # provider B: down
    # Provider A: Q3 2023 none: 0 (a count of an enrolled provider, not null); Q1 2; Q2 1.
    assert values("ofsted_downgrades", "provider", [Q3_2023, Q1, Q2], world.provider_a.pk) == [
        Decimal("0.0000"),
        Decimal("2.0000"),
        Decimal("1.0000"),
    ]
    # Provider B, Q1: 1 (A's downgrades are not B's).
    assert values("ofsted_downgrades", "provider", [Q1, Q2], world.provider_b.pk) == [
        Decimal("1.0000"),
        Decimal("0.0000"),
    ]


def test_ofsted_downgrades_count_only_graded_ratings(world, enrolled):
    # Good -> not yet inspected (a re-registered service): no grade of fewer points: 0.
    service = ServiceFactory(provider=world.provider_a)
    rating_change(service, "2024-02-01", "good", "not_yet_inspected")
    assert values("ofsted_downgrades", "provider", [Q1], world.provider_a.pk) == [Decimal("0.0000")]
