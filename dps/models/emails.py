"""The email outbox: every email is stored before it is sent, so none is lost."""

from django.db import models
from django.utils import timezone

from ..state import Action, StateMachine


class OutboundEmail(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    to = models.EmailField()
    subject = models.CharField(max_length=255)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    # Which send holds the claim (its task id): a redelivered task takes its own back at once.
    claim_token = models.CharField(max_length=64, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    organisation = models.ForeignKey(
        "dps.Organisation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The recipient's organisation, for scoping who may see the email.",
    )
    sensitive = models.BooleanField(
        default=False, help_text="Holds a secret link (sign-in, invitation): erased once sent."
    )
    # Lets a caller queue "the same" email twice (a task run twice) and get one email.
    dedupe_key = models.CharField(max_length=200, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self):
        return f"{self.subject} → {self.to} ({self.status})"


_Email = OutboundEmail.Status
# Claimed to be sent (again by the same send, when its task is redelivered), then sent, back
# to the queue to be retried, or failed; an admin retries a failed one. Not recorded as
# StatusChange rows: the outbox moves emails by the thousand (see dps.state).
EMAIL_STATES = StateMachine(
    _Email,
    {
        _Email.QUEUED: {_Email.SENDING},
        _Email.SENDING: {_Email.SENDING, _Email.SENT, _Email.QUEUED, _Email.FAILED},
        _Email.FAILED: {_Email.QUEUED},
    },
    actions={
        "retry": Action(
            _Email.QUEUED, sources={_Email.FAILED}, refused="Only a failed email can be retried."
        )
    },
    records=False,
)
