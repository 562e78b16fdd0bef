"""The borough's billing settings: its commissioners and finance officers change them (audited),
its placement officers read them, and every value is checked."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied

from dps.models import AuditEvent
from dps.services import DomainError
from dps.tenancy import Actor
from finance.models import BillingSettings, CostCode
from finance.selectors.billing import cost_code
from finance.services.billing import billing_settings_save
from tests.factories import LotFactory


def actor_of(user):
    return Actor.for_membership(user.memberships.get())


def form(**overrides):
    data = {
        "cycle": "weekly",
        "anchor_day": "3",
        "anchor_month": "4",
        "anchor_year": "2026",
        "default_cost_code": "CC-100",
    }
    return {**data, **overrides}


def test_a_finance_officer_saves_the_cycle_the_anchor_and_a_code_per_lot(client, world):
    lot = LotFactory(consortium=world.consortium, name="Residential")
    client.force_login(world.finance_a)

    response = client.post("/finance/billing/", form(**{f"lot_{lot.pk}": "RES/01"}))

    assert response.status_code == 302
    settings = BillingSettings.objects.get(borough=world.borough_a)
    # Any day may be the anchor: Friday 3 April 2026.
    assert (settings.cycle, settings.anchor) == ("weekly", date(2026, 4, 3))
    assert cost_code(world.borough_a.pk, lot) == "RES/01"
    assert cost_code(world.borough_a.pk, None) == "CC-100"
    assert AuditEvent.objects.filter(action="finance.billing_settings.save").count() == 1


def test_a_blank_lot_code_falls_back_to_the_default(world):
    lot = LotFactory(consortium=world.consortium)
    actor = actor_of(world.commissioner_a)
    kwargs = {"actor": actor, "borough": world.borough_a, "cycle": "four_weekly"}
    billing_settings_save(**kwargs, anchor=date(2024, 4, 1), codes={lot.pk: "LOT-9"})

    billing_settings_save(
        **kwargs, anchor=date(2024, 4, 1), default_cost_code="D", codes={lot.pk: ""}
    )

    assert not CostCode.objects.filter(borough=world.borough_a).exists()
    assert cost_code(world.borough_a.pk, lot) == "D"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"cycle": "monthly"}, "Select a valid choice"),
        ({"anchor_day": "31", "anchor_month": "2"}, "must be a real date"),
        ({"anchor_day": ""}, "must include a day"),
        ({"anchor_year": "1999"}, "in 2000 or later"),
        ({"default_cost_code": "=SUM(A1)"}, "A cost code is up to 40"),
    ],
)
def test_bad_settings_are_shown_beside_their_fields(client, world, data, message):
    client.force_login(world.commissioner_a)

    response = client.post("/finance/billing/", form(**data))

    assert response.status_code == 400
    assert message in response.content.decode()
    assert "There is a problem" in response.content.decode()
    assert not BillingSettings.objects.filter(borough=world.borough_a).exists()


def test_a_lot_of_another_consortium_is_refused(world):
    elsewhere = LotFactory(consortium__slug="elsewhere", consortium__name="Elsewhere")

    with pytest.raises(DomainError) as refused:
        billing_settings_save(
            actor=actor_of(world.commissioner_a),
            borough=world.borough_a,
            cycle="weekly",
            anchor=date(2026, 4, 6),
            codes={elsewhere.pk: "X"},
        )

    assert refused.value.field == f"lot_{elsewhere.pk}"


def test_a_placement_officer_reads_but_cannot_change(client, world):
    client.force_login(world.officer_a)

    page = client.get("/finance/billing/")
    response = client.post("/finance/billing/", form())

    assert page.status_code == 200
    assert "Four-weekly" in page.content.decode()
    assert "<form" not in page.content.decode().split("<main")[-1]
    assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        billing_settings_save(
            actor=actor_of(world.officer_a),
            borough=world.borough_a,
            cycle="weekly",
            anchor=date(2026, 4, 6),
        )


def test_no_one_changes_another_boroughs_settings(world):
    with pytest.raises(PermissionDenied):
        billing_settings_save(
            actor=actor_of(world.finance_b),
            borough=world.borough_a,
            cycle="weekly",
            anchor=date(2026, 4, 6),
        )


@pytest.mark.parametrize("who", ["provider_admin_a", "bidder_b", "admin"])
def test_providers_and_the_consortium_have_no_billing_settings(client, world, who):
    client.force_login(getattr(world, who))

    assert client.get("/finance/billing/").status_code == 403
