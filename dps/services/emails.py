"""The email outbox. An email is stored in the caller's transaction and sent by a task after
commit; if the broker or the SMTP server is down, the periodic sweep sends it later."""

import logging
import smtplib
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template import engines
from django.utils import timezone

from ..models import OutboundEmail
from . import DomainError

log = logging.getLogger(__name__)
Status = OutboundEmail.Status

# A send that has been "sending" this long died with its worker; it is tried again.
STALE_CLAIM = timedelta(minutes=10)
# Errors worth retrying: the server or the network, not a malformed message.
TRANSIENT_ERRORS = (smtplib.SMTPException, OSError)


def backoff(attempts):
    """Minutes to wait after the nth failed attempt: 1, 2, 4, 8, 16, ..."""
    return timedelta(minutes=2 ** max(attempts - 1, 0))


ERASED = "(Erased once sent: it held a secret link.)"


def email_queue(
    *, to, subject, body_text, body_html="", organisation=None, dedupe_key=None, sensitive=False
) -> OutboundEmail:
    """Store an email and send it once the surrounding transaction commits. A `sensitive`
    email's body (a password-reset or invitation link) is erased once it has been sent."""
    fields = {
        "to": to,
        "subject": subject[:255],
        "body_text": body_text,
        "body_html": body_html,
        "organisation": organisation,
        "sensitive": sensitive,
    }
    if dedupe_key:
        existing = OutboundEmail.objects.filter(dedupe_key=dedupe_key).first()
        if existing:
            return existing
        try:
            with transaction.atomic():
                email = OutboundEmail.objects.create(dedupe_key=dedupe_key, **fields)
        except IntegrityError:
            return OutboundEmail.objects.get(dedupe_key=dedupe_key)
    else:
        email = OutboundEmail.objects.create(**fields)
    transaction.on_commit(lambda: enqueue_send(email.pk))
    return email


def email_queue_template(
    *, to, template, context, organisation=None, dedupe_key=None, sensitive=False
):
    """Render templates/<template>_subject.txt, _body.txt and (if present) _body.html."""
    context = {"site_url": settings.SITE_URL, "service_name": settings.SERVICE_NAME, **context}
    text = engines["text"]
    subject = " ".join(text.get_template(f"{template}_subject.txt").render(context).split())
    body = text.get_template(f"{template}_body.txt").render(context)
    return email_queue(
        to=to,
        subject=subject,
        body_text=body,
        organisation=organisation,
        dedupe_key=dedupe_key,
        sensitive=sensitive,
    )


def enqueue_send(email_id):
    """Hand the email to a worker. A broker that is down is not an error: the sweep retries."""
    from ..tasks import email_send_task

    try:
        email_send_task.apply_async((email_id,), retry=False)
    except Exception:
        log.warning("Could not queue email %s; the sweep will send it.", email_id, exc_info=True)


def email_send(*, email_id, connection=None):
    """Send one queued email, at most once at a time. Safe to call twice: only the caller
    that claims the row sends it."""
    now = timezone.now()
    claimed = OutboundEmail.objects.filter(
        pk=email_id, status=Status.QUEUED, next_attempt_at__lte=now
    ).update(status=Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    if not claimed:
        return False
    email = OutboundEmail.objects.get(pk=email_id)
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email.to],
        connection=connection,
    )
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
    try:
        message.send()
    except TRANSIENT_ERRORS as exc:
        gave_up = email.attempts >= settings.EMAIL_MAX_ATTEMPTS
        OutboundEmail.objects.filter(pk=email_id).update(
            status=Status.FAILED if gave_up else Status.QUEUED,
            next_attempt_at=timezone.now() + backoff(email.attempts),
            last_error=f"{type(exc).__name__}: {exc}"[:2000],
            claimed_at=None,
        )
        log.warning("Email %s attempt %s failed: %s", email_id, email.attempts, exc)
        return False
    sent = {"status": Status.SENT, "sent_at": timezone.now(), "last_error": "", "claimed_at": None}
    if email.sensitive:
        sent.update(body_text=ERASED, body_html="")
    OutboundEmail.objects.filter(pk=email_id).update(**sent)
    return True


def emails_sweep():
    """Release stale claims and queue every due email. Returns how many were queued."""
    now = timezone.now()
    OutboundEmail.objects.filter(status=Status.SENDING, claimed_at__lt=now - STALE_CLAIM).update(
        status=Status.QUEUED, claimed_at=None
    )
    ids = list(
        OutboundEmail.objects.filter(status=Status.QUEUED, next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:1000]
    )
    for pk in ids:
        enqueue_send(pk)
    return len(ids)


@transaction.atomic
def email_retry(*, email, actor, request=None):
    """An admin sends a failed email again, now."""
    from .audit import audit_record

    updated = OutboundEmail.objects.filter(pk=email.pk, status=Status.FAILED).update(
        status=Status.QUEUED, next_attempt_at=timezone.now(), attempts=0
    )
    if not updated:
        raise DomainError("Only a failed email can be retried.")
    audit_record(actor=actor, action="email.retry", obj=email, request=request)
    transaction.on_commit(lambda: enqueue_send(email.pk))
