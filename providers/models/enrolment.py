"""Applying to join a lot, the consortium's decision, and the enrolment that follows."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from dps.state import Action, StateMachine


class DeclarationQuestion(models.Model):
    """A yes/no question every application answers. The failing answer either blocks
    submission or flags the application for review, as the question says."""

    class OnFail(models.TextChoices):
        BLOCK = "block", "Blocks submission"
        REVIEW = "review", "Flags the application for review"

    consortium = models.ForeignKey(
        "dps.Organisation", on_delete=models.PROTECT, related_name="declaration_questions"
    )
    text = models.CharField(max_length=500)
    guidance = models.TextField(blank=True)
    failing_answer = models.BooleanField(help_text="The answer that fails the question.")
    on_fail = models.CharField(max_length=10, choices=OnFail.choices, default=OnFail.REVIEW)
    is_active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self):
        return self.text


class Application(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        MORE_INFO = "more_info", "More information requested"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    provider = models.ForeignKey(
        "dps.Organisation", on_delete=models.PROTECT, related_name="applications"
    )
    lot = models.ForeignKey("providers.Lot", on_delete=models.PROTECT, related_name="applications")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    flagged_for_review = models.BooleanField(default=False)
    supporting_statement = models.TextField(blank=True)
    documents = models.ManyToManyField("providers.Document", blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    # The conditions of membership in force when it was (last) submitted: it is judged by them.
    conditions = models.ForeignKey(
        "providers.ConditionsVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applications",
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "lot"],
                condition=Q(status__in=["draft", "submitted", "more_info"]),
                name="application_one_open_per_lot",
            )
        ]

    def __str__(self):
        return f"{self.provider} – {self.lot} ({self.get_status_display()})"


AppStatus = Application.Status
APPLICATION_VERBS = {
    AppStatus.SUBMITTED: "submitted",
    AppStatus.MORE_INFO: "sent back for more information",
    AppStatus.APPROVED: "approved",
    AppStatus.REJECTED: "rejected",
}
# An application's allowed changes of status: submitted (again, after more information was
# asked for), then decided once.
APPLICATION_STATES = StateMachine(
    AppStatus,
    {
        AppStatus.DRAFT: {AppStatus.SUBMITTED},
        AppStatus.SUBMITTED: {AppStatus.MORE_INFO, AppStatus.APPROVED, AppStatus.REJECTED},
        AppStatus.MORE_INFO: {AppStatus.SUBMITTED},
    },
    actions={
        "edit": Action(
            sources={AppStatus.DRAFT, AppStatus.MORE_INFO},
            refused=lambda status: (
                f"This application is {status.label.lower()}, so it can no longer be changed."
            ),
        ),
        "submit": Action(AppStatus.SUBMITTED),
        "approve": Action(AppStatus.APPROVED),
        "more_info": Action(AppStatus.MORE_INFO),
        "reject": Action(AppStatus.REJECTED),
    },
    refused=lambda old, new: (
        f"This application is {old.label.lower()}, so it cannot be {APPLICATION_VERBS[new]}."
    ),
    owner="provider_id",
)
# Not decided yet: a provider has one of these per lot at most.
OPEN_STATUSES = tuple(status for status in AppStatus if APPLICATION_STATES.targets(status))


class ApplicationAnswer(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(DeclarationQuestion, on_delete=models.PROTECT, related_name="+")
    answer = models.BooleanField()
    detail = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["application", "question"], name="answer_unique")
        ]

    def __str__(self):
        return f"{self.question}: {'yes' if self.answer else 'no'}"

    @property
    def fails(self):
        return self.answer == self.question.failing_answer


class ApplicationTransition(models.Model):
    """Each change of an application's status: dated, attributed, with its reason."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="transitions"
    )
    from_status = models.CharField(max_length=12, choices=Application.Status.choices)
    to_status = models.CharField(max_length=12, choices=Application.Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.application}: {self.from_status} → {self.to_status}"


class Enrolment(models.Model):
    """A provider's place on a lot, from the approval of its application."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        SUSPENDED = "suspended", "Suspended"
        REMOVED = "removed", "Removed"

    class Cause(models.TextChoices):
        DECISION = "decision", "Consortium decision"
        DOCUMENT_EXPIRED = "document_expired", "Mandatory document expired"
        EXCLUSION = "exclusion", "Supplier excluded"

    provider = models.ForeignKey(
        "dps.Organisation", on_delete=models.PROTECT, related_name="enrolments"
    )
    lot = models.ForeignKey("providers.Lot", on_delete=models.PROTECT, related_name="enrolments")
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    # Why it is suspended: a suspension for an expired document ends when the document is
    # renewed; one the consortium decided ends only by its decision.
    suspension_cause = models.CharField(max_length=20, choices=Cause.choices, blank=True)
    status_reason = models.TextField(blank=True)
    status_changed_at = models.DateTimeField(auto_now_add=True)
    enrolled_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["lot__position", "provider__name"]
        constraints = [models.UniqueConstraint(fields=["provider", "lot"], name="enrolment_unique")]

    def __str__(self):
        return f"{self.provider} on {self.lot} ({self.get_status_display()})"


EnrolStatus = Enrolment.Status
ENROLMENT_VERBS = {
    EnrolStatus.ACTIVE: "reinstated",
    EnrolStatus.SUSPENDED: "suspended",
    EnrolStatus.REMOVED: "removed",
}
# An enrolment's allowed changes of status. Removal is final.
ENROLMENT_STATES = StateMachine(
    EnrolStatus,
    {
        EnrolStatus.ACTIVE: {EnrolStatus.SUSPENDED, EnrolStatus.REMOVED},
        EnrolStatus.SUSPENDED: {EnrolStatus.ACTIVE, EnrolStatus.REMOVED},
    },
    actions={
        "suspend": Action(EnrolStatus.SUSPENDED),
        "reinstate": Action(EnrolStatus.ACTIVE),
        "remove": Action(EnrolStatus.REMOVED),
    },
    refused=lambda old, new: (
        f"This enrolment is {old.label.lower()}, so it cannot be {ENROLMENT_VERBS[new]}."
    ),
    owner="provider_id",
)
