"""Poor performance, the developmental route: a corrective action plan with actions, owners and
due dates, reviewed to closure. (The punitive route is the enrolment's suspension.)"""

from django.conf import settings
from django.db import models

from dps.state import Action, StateMachine


class CorrectiveActionPlan(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    provider = models.ForeignKey(
        "dps.Organisation", on_delete=models.PROTECT, related_name="corrective_plans"
    )
    consortium = models.ForeignKey("dps.Organisation", on_delete=models.PROTECT, related_name="+")
    borough = models.ForeignKey(
        "dps.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kpi = models.CharField(max_length=60, blank=True)
    snapshot = models.ForeignKey(
        "monitoring.KpiSnapshot", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    opened_at = models.DateTimeField(auto_now_add=True)
    review_date = models.DateField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closing_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]

    def __str__(self):
        return f"Corrective action plan {self.pk} for {self.provider}"


class CorrectiveAction(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"

    plan = models.ForeignKey(CorrectiveActionPlan, on_delete=models.CASCADE, related_name="actions")
    description = models.TextField()
    owner = models.CharField(max_length=200, help_text="Who will do it.")
    due_date = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    review_note = models.TextField(blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_date", "id"]

    def __str__(self):
        return self.description[:60]


PlanStatus = CorrectiveActionPlan.Status
PLAN_CLOSED = "This plan is closed, so it cannot be changed."
# A plan is closed once; until then it is changed (actions added and updated, reviews).
PLAN_STATES = StateMachine(
    PlanStatus,
    {PlanStatus.OPEN: {PlanStatus.CLOSED}},
    actions={
        "change": Action(sources={PlanStatus.OPEN}, refused=PLAN_CLOSED),
        "close": Action(PlanStatus.CLOSED, refused=PLAN_CLOSED),
    },
    refused=lambda old, new: PLAN_CLOSED,
    owner="consortium_id",
)
ActionStatus = CorrectiveAction.Status
# An action is marked done, or open again.
CORRECTIVE_ACTION_STATES = StateMachine(
    ActionStatus,
    {ActionStatus.OPEN: {ActionStatus.DONE}, ActionStatus.DONE: {ActionStatus.OPEN}},
    refused=lambda old, new: f"This action is {old.label.lower()} already.",
)


class PlanEntry(models.Model):
    """A dated entry in a plan's history: a review (with the next review date), or the
    suspension of one of the provider's enrolments because of the plan (the punitive route)."""

    class Kind(models.TextChoices):
        REVIEW = "review", "Review"
        SUSPENSION = "suspension", "Suspension"

    plan = models.ForeignKey(CorrectiveActionPlan, on_delete=models.CASCADE, related_name="entries")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    note = models.TextField()
    next_review_date = models.DateField(null=True, blank=True)
    enrolment = models.ForeignKey(
        "providers.Enrolment", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.get_kind_display()} of plan {self.plan_id}"
