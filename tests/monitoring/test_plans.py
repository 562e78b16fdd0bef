"""Corrective action plans: the lifecycle, who sees which, emails, the punitive route, the
pages and the API."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from dps.models import OutboundEmail
from dps.services import DomainError
from monitoring.models import CorrectiveActionPlan
from monitoring.models.plans import PlanEntry
from monitoring.selectors import plans as selectors
from monitoring.services import plans as services
from providers.models import Enrolment
from tests.factories import ProviderFactory
from tests.monitoring.helpers_m4 import actor_of, enrolled


def later(days=30):
    return timezone.localdate() + timedelta(days=days)


def opened(world, user=None, provider=None, **extra):
    enrolled(world)
    data = {
        "reason": "Too many unplanned endings.",
        "review_date": later(),
        "actions": [{"description": "Review matching", "owner": "Manager", "due_date": later(7)}],
        **extra,
    }
    return services.plan_open(
        actor=actor_of(user or world.commissioner_a),
        provider=provider or world.provider_a,
        **data,
    )


def test_opening_a_plan_emails_the_provider(world):
    plan = opened(world)

    assert plan.borough == world.borough_a
    assert plan.actions.count() == 1
    email = OutboundEmail.objects.get(to="admin@provider-a.test")
    assert "corrective action plan" in email.subject.lower()
    assert f"/monitoring/plans/{plan.pk}/" in email.body_text


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"reason": " "}, "reason"),
        ({"review_date": timezone.localdate() - timedelta(1)}, "review_date"),
        ({"actions": [{"description": "x", "owner": "", "due_date": later()}]}, "owner"),
        ({"kpi": "x" * 61}, "kpi"),
    ],
)
def test_opening_refuses_bad_input(world, change, field):
    with pytest.raises(DomainError) as exc:
        opened(world, **change)

    assert exc.value.field == field
    assert not CorrectiveActionPlan.objects.exists()


def test_a_plan_is_for_an_enrolled_provider(world):
    with pytest.raises(DomainError) as exc:
        opened(world, provider=ProviderFactory())

    assert exc.value.field == "provider"


@pytest.mark.parametrize("persona", ["officer_a", "provider_admin_a"])
def test_only_commissioners_and_the_admin_open_plans(world, persona):
    with pytest.raises(PermissionDenied):
        opened(world, user=getattr(world, persona))


def test_a_plan_is_reviewed_and_closed_when_every_action_is_done(world):
    plan = opened(world)
    actor = actor_of(world.commissioner_a)
    extra = services.action_add(
        actor=actor, plan=plan, description="Train staff", owner="Deputy", due_date=later(14)
    )
    services.plan_review(actor=actor, plan=plan, note="Some progress.", next_review_date=later(60))

    with pytest.raises(DomainError) as exc:
        services.plan_close(actor=actor, plan=plan, closing_note="Done.")
    assert exc.value.field == "closing_note"
    with pytest.raises(DomainError) as exc:
        services.action_update(actor=actor, action=extra, status="done", review_note="")
    assert exc.value.field == "review_note"
    for action in plan.actions.all():
        services.action_update(actor=actor, action=action, status="done", review_note="Seen.")
    services.plan_close(actor=actor, plan=plan, closing_note="All done.")

    plan.refresh_from_db()
    assert plan.status == "closed"
    assert plan.review_date == later(60)
    assert PlanEntry.objects.filter(plan=plan, kind="review").count() == 1
    assert OutboundEmail.objects.filter(subject__icontains="is closed").count() == 1
    with pytest.raises(DomainError):
        services.action_add(actor=actor, plan=plan, description="x", owner="y", due_date=later())


def test_a_plan_closes_with_open_actions_only_when_asked(world):
    plan = opened(world, user=world.admin)

    services.plan_close(
        actor=actor_of(world.admin),
        plan=plan,
        closing_note="Provider left the market.",
        close_with_open_actions=True,
    )

    plan.refresh_from_db()
    assert plan.status == "closed"


def test_overdue_actions_are_counted(world):
    plan = opened(world)
    plan.actions.update(due_date=timezone.localdate() - timedelta(1))

    row = selectors.plans_visible_to(actor_of(world.admin)).get(pk=plan.pk)

    assert (row.open_actions, row.overdue_actions) == (1, 1)


def test_the_provider_sees_only_its_own_plans(world):
    mine = opened(world)
    services.plan_open(
        actor=actor_of(world.admin),
        provider=world.provider_b,
        reason="Late documents.",
        review_date=later(),
    )

    assert list(selectors.plans_visible_to(actor_of(world.bidder_a))) == [mine]
    assert selectors.plans_visible_to(actor_of(world.commissioner_b)).count() == 2
    assert not selectors.plans_visible_to(actor_of(world.officer_a)).exists()


def test_the_admin_suspends_the_enrolment_from_a_plan(world):
    plan = opened(world)
    enrolment = Enrolment.objects.get(provider=world.provider_a)

    with pytest.raises(PermissionDenied):
        services.plan_suspend(
            actor=actor_of(world.commissioner_a), plan=plan, enrolment=enrolment, reason="x"
        )
    services.plan_suspend(
        actor=actor_of(world.admin), plan=plan, enrolment=enrolment, reason="No progress."
    )

    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.SUSPENDED
    assert enrolment.status_reason == f"Corrective action plan {plan.pk}: No progress."
    entry = PlanEntry.objects.get(plan=plan, kind="suspension")
    assert entry.enrolment == enrolment
    with pytest.raises(DomainError):
        services.plan_suspend(
            actor=actor_of(world.admin), plan=plan, enrolment=enrolment, reason="Again."
        )


# --- Pages --------------------------------------------------------------------------------


def test_the_commissioner_opens_a_plan_from_a_breach_link(client, world):
    enrolled(world)
    client.force_login(world.commissioner_a)

    form = client.get(f"/monitoring/plans/new/?provider={world.provider_a.pk}&kpi=spend")
    assert form.status_code == 200
    bad = client.post("/monitoring/plans/new/", {"provider": world.provider_a.pk})
    assert bad.status_code == 400
    response = client.post(
        "/monitoring/plans/new/",
        {
            "provider": world.provider_a.pk,
            "reason": "Costs rising.",
            "review_date": later().strftime("%d/%m/%Y"),
            "description": "Explain the costs",
            "owner": "Finance lead",
            "due_date": later(10).strftime("%d/%m/%Y"),
        },
    )
    assert response.status_code == 302
    plan = CorrectiveActionPlan.objects.get()
    page = client.get(f"/monitoring/plans/{plan.pk}/").content.decode()
    assert "Explain the costs" in page
    assert "Finance lead" in page


def test_the_provider_reads_its_plan_and_cannot_change_it(client, world):
    plan = opened(world)
    client.force_login(world.provider_admin_a)

    assert "Review matching" in client.get(f"/monitoring/plans/{plan.pk}/").content.decode()
    assert client.post(f"/monitoring/plans/{plan.pk}/close/", {}).status_code == 403
    client.force_login(world.provider_admin_b)
    assert client.get(f"/monitoring/plans/{plan.pk}/").status_code == 404


def test_the_suspension_is_shown_on_the_plan(client, world):
    plan = opened(world)
    enrolment = Enrolment.objects.get(provider=world.provider_a)
    client.force_login(world.admin)

    response = client.post(
        f"/monitoring/plans/{plan.pk}/suspend/",
        {"enrolment": enrolment.pk, "reason": "No progress."},
    )

    assert response.status_code == 302
    page = client.get(f"/monitoring/plans/{plan.pk}/").content.decode()
    assert f"Corrective action plan {plan.pk}: No progress." in page


# --- API ----------------------------------------------------------------------------------


def test_the_api_opens_adds_to_and_closes_a_plan(client, world, api_key_for):
    enrolled(world)
    client.force_login(world.commissioner_a)

    bad = client.post(
        "/api/v1/corrective-action-plans/",
        {"provider": world.provider_a.pk, "reason": "", "review_date": "2025-01-01"},
        content_type="application/json",
    )
    assert bad.status_code == 400
    created = client.post(
        "/api/v1/corrective-action-plans/",
        {
            "provider": world.provider_a.pk,
            "reason": "Attendance low.",
            "review_date": later().isoformat(),
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    added = client.post(
        f"/api/v1/corrective-action-plans/{pk}/actions/",
        {"description": "Plan tutoring", "owner": "Head", "due_date": later(5).isoformat()},
        content_type="application/json",
    )
    assert added.status_code == 201
    refused = client.post(
        f"/api/v1/corrective-action-plans/{pk}/close/",
        {"closing_note": "Done."},
        content_type="application/json",
    )
    assert refused.status_code == 400
    closed = client.post(
        f"/api/v1/corrective-action-plans/{pk}/close/",
        {"closing_note": "Stopped.", "close_with_open_actions": True},
        content_type="application/json",
    )
    assert closed.json()["status"] == "closed"

    own = client.get(
        "/api/v1/corrective-action-plans/", headers={"Authorization": api_key_for(world.provider_a)}
    ).json()
    assert [row["id"] for row in own["results"]] == [pk]
    other = client.get(
        f"/api/v1/corrective-action-plans/{pk}/",
        headers={"Authorization": api_key_for(world.provider_b)},
    )
    assert other.status_code == 404
