"""The email outbox. An email is stored in the caller's transaction and sent by a task after
commit; if the broker or the SMTP server is down, the periodic sweep sends it later."""

import logging
import smtplib
import uuid
from collections.abc import Iterable, Mapping, Sequence
from contextlib import suppress
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import IntegrityError, connections, transaction
from django.db.models import F, Q
from django.template import engines
from django.utils import timezone

from ..models import Organisation, OutboundEmail
from ..models.emails import EMAIL_STATES
from ..tenancy import Actor
from . import DomainError

log = logging.getLogger(__name__)
Status = OutboundEmail.Status

# A claim is a lease that the send renews as it goes: one not renewed for this long died with
# its worker, and the sweep (every 30 seconds, CELERY_BEAT_SCHEDULE) hands the email on again,
# so no email waits more than a minute for a worker that is back.
CLAIM_LEASE = timedelta(seconds=30)
# How often a send renews the lease of the rest of its batch: often enough that the lease still
# covers an email whose sending is slow (EMAIL_TIMEOUT).
CLAIM_RENEWAL = timedelta(seconds=5)
# Errors worth retrying: the server or the network, not a malformed message.
TRANSIENT_ERRORS = (smtplib.SMTPException, OSError)
# Emails one task sends through one SMTP connection: large enough that connecting is a small
# part of the work, small enough that a worker's processes share a fan-out between them.
SEND_BATCH = 50
UNCLAIMED = {"claimed_at": None, "claim_token": ""}


def backoff(attempts: int) -> timedelta:
    """Minutes to wait after the nth failed attempt: 1, 2, 4, 8, 16, ..."""
    return timedelta(minutes=2 ** max(attempts - 1, 0))


ERASED = "(Erased once sent: it held a secret link.)"


def email_queue(
    *,
    to: str,
    subject: str,
    body_text: str,
    body_html: str = "",
    organisation: Organisation | None = None,
    dedupe_key: str | None = None,
    sensitive: bool = False,
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
    *,
    to: str,
    template: str,
    context: Mapping[str, Any],
    organisation: Organisation | None = None,
    dedupe_key: str | None = None,
    sensitive: bool = False,
) -> OutboundEmail:
    """Render templates/<template>_subject.txt, _body.txt and (if present) _body.html."""
    subject, body = _render(_templates(template), context)
    return email_queue(
        to=to,
        subject=subject,
        body_text=body,
        organisation=organisation,
        dedupe_key=dedupe_key,
        sensitive=sensitive,
    )


def email_queue_template_many(
    *, template: str, emails: Iterable[Mapping[str, Any]], sensitive: bool = False
) -> list[OutboundEmail]:
    """The same email to many people, each with its own context: `emails` holds dicts of `to`,
    `context`, and optionally `organisation` and `dedupe_key`. The templates are loaded once,
    each distinct context (the same dict object) rendered once, and the rows stored together
    (see email_queue_many): a borough's dozens of officers get the same words."""
    templates = _templates(template)
    rendered = {}  # id of a context -> (subject, body); the contexts live through the call
    rows = []
    for email in emails:
        key = id(email["context"])
        if key not in rendered:
            rendered[key] = _render(templates, email["context"])
        subject, body = rendered[key]
        rows.append(
            {
                "to": email["to"],
                "subject": subject,
                "body_text": body,
                "organisation": email.get("organisation"),
                "dedupe_key": email.get("dedupe_key"),
                "sensitive": sensitive,
            }
        )
    return email_queue_many(rows)


def _templates(template):
    """The subject and body templates, looked up once for however many emails use them."""
    text = engines["text"]
    return (
        text.get_template(f"{template}_subject.txt"),
        text.get_template(f"{template}_body.txt"),
    )


def _render(templates, context):
    """(subject on one line, body) of an email."""
    context = {"site_url": settings.SITE_URL, "service_name": settings.SERVICE_NAME, **context}
    subject_template, body_template = templates
    return " ".join(subject_template.render(context).split()), body_template.render(context)


def email_queue_many(emails: Sequence[Mapping[str, Any]]) -> list[OutboundEmail]:
    """Store many emails at once, each as email_queue would (`emails` holds its keyword
    arguments), and hand them to the workers in batches after commit. Emails whose dedupe key
    is already stored, or repeated in `emails`, are skipped. One query finds the stored keys and
    one inserts the rest, so a fan-out to a thousand providers costs two queries, not four
    thousand. Returns the emails stored."""
    if not connections[OutboundEmail.objects.db].features.can_return_rows_from_bulk_insert:
        return [email_queue(**email) for email in emails]  # no ids back from a bulk insert
    new = _without_stored_keys(emails)
    try:
        with transaction.atomic():
            created = OutboundEmail.objects.bulk_create(
                [OutboundEmail(**{**email, "subject": email["subject"][:255]}) for email in new]
            )
    except IntegrityError:
        # Another transaction stored one of the keys since we looked: one at a time, then.
        return [email_queue(**email) for email in new]
    ids = [email.pk for email in created]
    transaction.on_commit(lambda: enqueue_send_batches(ids))
    return created


def _without_stored_keys(emails):
    """The emails whose dedupe key (if any) is neither stored nor earlier in the list."""
    keys = [email["dedupe_key"] for email in emails if email.get("dedupe_key")]
    seen = set(
        OutboundEmail.objects.filter(dedupe_key__in=keys).values_list("dedupe_key", flat=True)
    )
    new = []
    for email in emails:
        key = email.get("dedupe_key")
        if key and key in seen:
            continue
        if key:
            seen.add(key)
        new.append(email)
    return new


def enqueue_send(email_id: int) -> None:
    """Hand the email to a worker. A broker that is down is not an error: the sweep retries."""
    from ..tasks import email_send_task

    try:
        email_send_task.apply_async((email_id,), retry=False)
    except Exception:
        log.warning("Could not queue email %s; the sweep will send it.", email_id, exc_info=True)


def enqueue_send_batches(email_ids: Sequence[int]) -> None:
    """Hand the emails to the workers, SEND_BATCH to a task, so that each task sends its batch
    through one SMTP connection. A broker that is down is not an error: the sweep retries."""
    from ..tasks import emails_send_task

    for start in range(0, len(email_ids), SEND_BATCH):
        batch = list(email_ids[start : start + SEND_BATCH])
        try:
            emails_send_task.apply_async((batch,), retry=False)
        except Exception:
            log.warning(
                "Could not queue %s emails; the sweep will send them.", len(batch), exc_info=True
            )


def email_send(
    *, email_id: int, connection: BaseEmailBackend | None = None, claim_token: str | None = None
) -> bool:
    """Send one queued email, at most once at a time. Safe to call twice: only the caller
    that claims the row sends it."""
    return emails_send(email_ids=[email_id], connection=connection, claim_token=claim_token) == 1


def emails_send(
    *,
    email_ids: Iterable[int],
    connection: BaseEmailBackend | None = None,
    claim_token: str | None = None,
) -> int:
    """Send the queued, due emails among `email_ids` through one SMTP connection. Safe to call
    twice, or from two workers at once: only the caller that claims a row sends it. A failed
    email goes back to the queue with backoff; the others are sent. Returns how many were
    sent.

    `claim_token` names the send (a task passes its id): a task redelivered after its worker
    died takes back at once the emails it had claimed and not sent; a sent email stays sent."""
    claim_token = claim_token or uuid.uuid4().hex
    claimed = _claim(email_ids, claim_token)
    if not claimed:
        return 0
    connection = connection or get_connection()
    try:
        opened = connection.open()
    except TRANSIENT_ERRORS as exc:
        for email in claimed:
            _release_for_retry(email, exc)
        return 0
    try:
        return _send_claimed(claimed, connection, claim_token)
    finally:
        if opened:
            _close_quietly(connection)


def _claim(email_ids, token):
    """Mark the queued, due emails among `email_ids`, and those still claimed under `token`, as
    being sent under `token`, and return them. The rows are locked while they are marked, and
    rows another sender has locked are skipped, so two senders given the same ids never both
    claim one; the claim commits before any is sent."""
    now = timezone.now()
    claimable = Q(status=Status.QUEUED, next_attempt_at__lte=now) | Q(
        status=Status.SENDING, claim_token=token
    )
    with transaction.atomic():
        ids = list(
            OutboundEmail.objects.select_for_update(skip_locked=True)
            .filter(claimable, pk__in=email_ids)
            .values_list("pk", flat=True)
        )
        OutboundEmail.objects.filter(pk__in=ids).update(
            status=Status.SENDING, claimed_at=now, claim_token=token, attempts=F("attempts") + 1
        )
    return list(OutboundEmail.objects.filter(pk__in=ids).order_by("pk"))


def _renew(emails, token):
    """Extend the lease on those of `emails` still claimed under `token`, and return them. An
    email the sweep handed on meanwhile (this send was slower than the lease) is left to
    whoever has it now."""
    with transaction.atomic():
        mine = set(
            OutboundEmail.objects.select_for_update()
            .filter(pk__in=[e.pk for e in emails], status=Status.SENDING, claim_token=token)
            .values_list("pk", flat=True)
        )
        OutboundEmail.objects.filter(pk__in=mine).update(claimed_at=timezone.now())
    return [email for email in emails if email.pk in mine]


def _send_claimed(emails, connection, token):
    """Send each claimed email; record each outcome as it happens, so a worker that dies mid-way
    leaves only unsent emails claimed (its redelivered task, or the sweep, sends them)."""
    sent = 0
    pending = list(emails)
    renewed = timezone.now()
    while pending:
        if timezone.now() - renewed > CLAIM_RENEWAL:
            pending, renewed = _renew(pending, token), timezone.now()
            if not pending:
                break
        email = pending.pop(0)
        try:
            _message(email, connection).send()
        except TRANSIENT_ERRORS as exc:
            _release_for_retry(email, exc)
            # A refused message leaves the connection usable, a dropped one does not.
            if down := _reconnect(connection):
                for unsent in pending:
                    _release_for_retry(unsent, down)
                break
            continue
        except Exception as exc:
            # Not the server or the network: trying again would fail again.
            log.exception("Email %s cannot be sent", email.pk)
            _mark_failed(email, exc)
            continue
        _mark_sent(email)
        sent += 1
    return sent


def _message(email, connection):
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email.to],
        connection=connection,
    )
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
    return message


def _mark_sent(email):
    sent = {"status": Status.SENT, "sent_at": timezone.now(), "last_error": "", **UNCLAIMED}
    if email.sensitive:
        sent.update(body_text=ERASED, body_html="")
    OutboundEmail.objects.filter(pk=email.pk).update(**sent)


def _release_for_retry(email, exc):
    """Back to the queue after a backoff, or failed once the last attempt has been made."""
    gave_up = email.attempts >= settings.EMAIL_MAX_ATTEMPTS
    OutboundEmail.objects.filter(pk=email.pk).update(
        status=Status.FAILED if gave_up else Status.QUEUED,
        next_attempt_at=timezone.now() + backoff(email.attempts),
        last_error=f"{type(exc).__name__}: {exc}"[:2000],
        **UNCLAIMED,
    )
    log.warning("Email %s attempt %s failed: %s", email.pk, email.attempts, exc)


def _mark_failed(email, exc):
    OutboundEmail.objects.filter(pk=email.pk).update(
        status=Status.FAILED, last_error=f"{type(exc).__name__}: {exc}"[:2000], **UNCLAIMED
    )


def _reconnect(connection):
    """Start a fresh connection. Returns the error if the server cannot be reached: the rest of
    the batch then waits for its retry rather than each email waiting for a timeout."""
    _close_quietly(connection)
    try:
        connection.open()
    except TRANSIENT_ERRORS as exc:
        return exc
    return None


def _close_quietly(connection):
    with suppress(TRANSIENT_ERRORS):
        connection.close()


def emails_sweep() -> int:
    """Release the claims whose lease ran out (their worker died) and queue every due email.
    Returns how many were queued."""
    now = timezone.now()
    OutboundEmail.objects.filter(status=Status.SENDING, claimed_at__lt=now - CLAIM_LEASE).update(
        status=Status.QUEUED, **UNCLAIMED
    )
    ids = list(
        OutboundEmail.objects.filter(status=Status.QUEUED, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:1000]
    )
    enqueue_send_batches(ids)
    return len(ids)


@transaction.atomic
def email_retry(*, email: OutboundEmail, actor: Actor | None) -> None:
    """An admin sends a failed email again, now."""
    from .audit import audit_record

    retryable = EMAIL_STATES.action_sources("retry")
    updated = OutboundEmail.objects.filter(pk=email.pk, status__in=retryable).update(
        status=Status.QUEUED, next_attempt_at=timezone.now(), attempts=0
    )
    if not updated:
        raise DomainError(EMAIL_STATES.refusal(email.status, action="retry"))
    audit_record(actor=actor, action="email.retry", obj=email)
    transaction.on_commit(lambda: enqueue_send(email.pk))
