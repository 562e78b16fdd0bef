"""Routes of the corrective action plans' pages and API, for tests/test_url_tenancy.py.

The victim is provider A: an open plan for it (its reason is a marker) with one action, opened
by borough A, which places children with provider A. Borough A's commissioner (the owner) and
the consortium admin (who suspends) may read and change it; borough B places nobody with
provider A, so its commissioner is an intruder with the placement officers, provider B, and the
boroughs' and provider B's API keys. (A placing borough that reads but did not open the plan is
tested in tests/monitoring/test_monitoring_access.py.)

Adding or updating an action changes no row that points at an organisation or a user, so
those routes cannot show a change (changes=False); the services' tests cover them."""

from datetime import timedelta

from django.utils import timezone

from monitoring.models import CorrectiveAction, CorrectiveActionPlan
from providers.models import Enrolment
from tests.monitoring.helpers_m4 import enrolled
from tests.test_url_tenancy import PROVIDER_MARKERS, Tenant

REASON = "Alpha plan: unplanned endings too high"
MARKERS = (*PROVIDER_MARKERS, REASON)
INTRUDERS = ("commissioner_b", "officer_a", "officer_b", "provider_admin_b", "bidder_b")


def _later(days=30):
    return timezone.localdate() + timedelta(days=days)


def plan(world):
    found = CorrectiveActionPlan.objects.filter(provider=world.provider_a).first()
    if found:
        return found
    if not Enrolment.objects.filter(provider=world.provider_a).exists():
        enrolled(world, placing=("borough_a",))
    found = CorrectiveActionPlan.objects.create(
        provider=world.provider_a,
        consortium=world.consortium,
        borough=world.borough_a,
        reason=REASON,
        review_date=_later(),
        opened_by=world.admin,
    )
    CorrectiveAction.objects.create(
        plan=found, description="Review the matching", owner="Manager", due_date=_later(10)
    )
    return found


def action(world):
    return plan(world).actions.first()


def creating(world):
    plan(world)


def open_form(world):
    plan(world)
    return {
        "provider": world.provider_a.pk,
        "reason": "Another reason.",
        "review_date": _later().strftime("%d/%m/%Y"),
    }


def add_action(world):
    plan(world)
    return {"description": "Train staff", "owner": "Manager", "due_date": _later(20)}


def _tenant(**kwargs):
    defaults = {
        "victim": "provider_a",
        "owner": "commissioner_a",
        "owner_sees": REASON,
        "markers": MARKERS,
        "intruders": INTRUDERS,
    }
    return Tenant(**{**defaults, **kwargs})


def _form_date(data):
    return {k: v.strftime("%d/%m/%Y") if hasattr(v, "strftime") else v for k, v in data.items()}


def _api_date(data):
    return {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in data.items()}


def api_open(world):
    plan(world)
    return {
        "provider": world.provider_a.pk,
        "reason": "Another reason.",
        "review_date": _later().isoformat(),
        "actions": [{"description": "Train", "owner": "Manager", "due_date": _later().isoformat()}],
    }


ROUTES = {
    "monitoring:plan_list": _tenant(owner_sees="Alpha Care", post=creating),
    "monitoring:plan_open": _tenant(owner_sees="Alpha Care", post=open_form, changes=True),
    "monitoring:plan_detail": _tenant(
        kwargs={"pk": plan}, post=lambda world: _form_date(add_action(world))
    ),
    "monitoring:plan_review": _tenant(
        kwargs={"pk": plan},
        owner_sees="Record a review",
        post=lambda world: {
            "note": "Progress.",
            "next_review_date": _later(60).strftime("%d/%m/%Y"),
        },
        changes=True,
    ),
    "monitoring:plan_action_update": _tenant(
        kwargs={"pk": plan, "action_pk": action},
        owner_sees="Review the matching",
        post={"status": "done", "review_note": "Done."},
    ),
    "monitoring:plan_close": _tenant(
        kwargs={"pk": plan},
        owner_sees="Close the plan",
        post={"closing_note": "Closed early.", "close_with_open_actions": "on"},
        changes=True,
    ),
    "monitoring:plan_suspend": _tenant(
        kwargs={"pk": plan},
        owner="admin",
        owner_sees="Monitoring lot",
        post=lambda world: {
            "enrolment": Enrolment.objects.get(provider=world.provider_a).pk,
            "reason": "No progress.",
        },
        changes=True,
        intruders=(*INTRUDERS, "commissioner_a"),
    ),
    "api:monitoring:corrective-action-plans": _tenant(post=api_open, changes=True),
    "api:monitoring:corrective-action-plan": _tenant(kwargs={"pk": plan}),
    "api:monitoring:corrective-action-plan-actions": _tenant(
        kwargs={"pk": plan}, get=False, post=lambda world: _api_date(add_action(world))
    ),
    "api:monitoring:corrective-action-plan-close": _tenant(
        kwargs={"pk": plan},
        get=False,
        post={"closing_note": "Closed early.", "close_with_open_actions": True},
        changes=True,
    ),
}
