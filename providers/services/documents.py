"""Writes of the documents part: uploading (and so renewing) an accreditation document,
recording each download, and the daily sweep that reminds providers before a mandatory
document expires, suspends their enrolments when it does, and reinstates them once renewed."""

import logging
import posixpath
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import dateformat, timezone

from dps.models import Membership, Organisation, OutboundEmail, Role
from dps.services import DomainError
from dps.services.audit import audit_record
from dps.services.emails import email_queue_template
from dps.storage import files_removed_on_failure
from dps.tenancy import Actor

from ..access import may_upload_documents
from ..models import MANDATORY_TYPES, Document, DocumentType, Enrolment
from ..models.documents import EXPIRING_TYPES
from ..uploads import document_content_type
from . import quality
from .enrolment import enrolment_reinstate_after_documents, enrolment_suspend_for_documents

log = logging.getLogger(__name__)

# Days before a mandatory document's expiry on which its provider is reminded.
REMINDER_DAYS = (30, 7)
SWEEP_LABEL = "system (document expiry sweep)"


def _original_name(name):
    base = posixpath.basename((name or "").replace("\\", "/")).strip()
    return (base or "document")[:255]


def _check_dates(document_type, issued_on, expires_on, today):
    label = DocumentType(document_type).label
    if issued_on > today:
        raise DomainError("The issue date must be today or in the past.", field="issued_on")
    if expires_on is None:
        if document_type in EXPIRING_TYPES:
            raise DomainError(
                f"Enter the expiry date: {label.lower()} expires.", field="expires_on"
            )
        return
    if expires_on <= issued_on:
        raise DomainError("The expiry date must be after the issue date.", field="expires_on")
    if expires_on <= today:
        raise DomainError(
            "This document has expired. Upload one that is still current.", field="expires_on"
        )


def document_upload(
    *,
    actor: Actor | None,
    document_type: str,
    file: File | None,
    issued_on: date | None = None,
    expires_on: date | None = None,
) -> Document:
    """Store a provider's document, checked by its content. It becomes the current one of
    its type, superseding the one before; a renewal reinstates enrolments that were
    suspended because that document had expired."""
    if not may_upload_documents(actor):
        raise PermissionDenied("Only a provider's admin can upload documents.")
    if document_type not in DocumentType.values:
        raise DomainError("Choose the type of document.", field="document_type")
    if file is None:
        raise DomainError("Select a file to upload.", field="file")
    today = timezone.localdate()
    if issued_on is None:
        raise DomainError("Enter the date the document was issued.", field="issued_on")
    _check_dates(document_type, issued_on, expires_on, today)
    try:
        content_type = document_content_type(file)
    except ValidationError as exc:
        raise DomainError(exc.messages[0], field="file") from exc

    provider = actor.organisation
    document = Document(
        provider=provider,
        document_type=document_type,
        original_name=_original_name(file.name),
        content_type=content_type,
        size=file.size,
        issued_on=issued_on,
        expires_on=expires_on,
        uploaded_by=actor.user,
    )
    with files_removed_on_failure(document, "file"), transaction.atomic():
        # One upload at a time per provider, so two renewals cannot both stay current.
        Organisation.objects.select_for_update().get(pk=provider.pk)
        # Stored under a random name, with the extension of the kind found (document_path).
        document.file.save(document.original_name, file, save=False)
        # uploaded_by is None for an API client's upload.
        document.full_clean(exclude=["uploaded_by"])
        document.save()
        replaced = list(
            Document.objects.filter(
                provider=provider, document_type=document_type, superseded_by__isnull=True
            )
            .exclude(pk=document.pk)
            .values_list("pk", flat=True)
        )
        Document.objects.filter(pk__in=replaced).update(superseded_by=document)
        audit_record(
            actor=actor,
            action="document.uploaded",
            obj=document,
            detail={
                "document_type": document_type,
                "content_type": content_type,
                "size": document.size,
                "issued_on": issued_on.isoformat(),
                "expires_on": expires_on.isoformat() if expires_on else None,
                "supersedes": replaced,
            },
        )
        _reinstate_if_renewed(provider=provider, today=today)
        quality.quality_score_recompute(provider=provider, trigger="documents")
    return document


def document_download_record(*, actor: Actor | None, document: Document) -> None:
    """Every download of a document is audited."""
    audit_record(
        actor=actor,
        action="document.downloaded",
        obj=document,
        detail={"provider": document.provider_id},
    )


# --- The daily sweep ------------------------------------------------------------------------


def _admins(provider):
    return (
        Membership.objects.filter(organisation=provider, is_active=True, user__is_active=True)
        .filter(Q(role=Role.PROVIDER_ADMIN) | Q(is_org_admin=True))
        .select_related("user")
        .order_by("pk")
    )


def _email_admins(provider, template, context, dedupe_key=None):
    """Email each of the provider's admins; with `dedupe_key`, each at most once ever.
    Returns how many emails were queued now."""
    queued = 0
    context = {"provider": provider, "documents_path": reverse("providers:documents"), **context}
    for membership in _admins(provider):
        key = f"{dedupe_key}:{membership.user_id}" if dedupe_key else None
        if key and OutboundEmail.objects.filter(dedupe_key=key).exists():
            continue
        email_queue_template(
            to=membership.user.email,
            template=template,
            context={"recipient": membership.user, **context},
            organisation=provider,
            dedupe_key=key,
        )
        queued += 1
    return queued


def _expired_mandatory(provider, today):
    return Document.objects.filter(
        provider=provider,
        superseded_by__isnull=True,
        document_type__in=MANDATORY_TYPES,
        expires_on__lte=today,
    ).order_by("expires_on", "document_type")


def _reason(expired):
    parts = [
        f"{d.get_document_type_display()} expired on {dateformat.format(d.expires_on, 'j F Y')}"
        for d in expired
    ]
    return "; ".join(parts) + ". Upload a renewed document to be reinstated."


def _each(change, enrolments, **kwargs):
    """Apply an enrolment change (providers.services.enrolment: audited, emailed, and
    recomputing the quality score) to each enrolment; each is a no-op if it no longer
    applies, and one refused by a concurrent change is left for the next run."""
    for enrolment in enrolments:
        try:
            yield change(enrolment=enrolment, **kwargs)
        except DomainError:
            log.warning("Enrolment %s changed meanwhile; left for the next sweep.", enrolment.pk)
            yield False


def _suspend_for_expired(*, provider, today):
    expired = list(_expired_mandatory(provider, today))
    if not expired:
        return 0
    reason = _reason(expired)
    enrolments = Enrolment.objects.filter(
        provider=provider, status=Enrolment.Status.ACTIVE
    ).select_related("lot", "provider")
    if not enrolments:
        return 0
    return sum(_each(enrolment_suspend_for_documents, enrolments, reason=reason))


def _reinstate_if_renewed(*, provider, today):
    """Reinstate the provider's enrolments suspended for expired documents, once none of its
    current mandatory documents has expired."""
    if _expired_mandatory(provider, today).exists():
        return 0
    enrolments = Enrolment.objects.filter(
        provider=provider,
        status=Enrolment.Status.SUSPENDED,
        suspension_cause=Enrolment.Cause.DOCUMENT_EXPIRED,
    ).select_related("lot", "provider")
    if not enrolments:
        return 0
    return sum(_each(enrolment_reinstate_after_documents, enrolments))


def _remind(document, today):
    days_left = (document.expires_on - today).days
    which = min(d for d in REMINDER_DAYS if days_left <= d)
    return _email_admins(
        document.provider,
        "emails/document_reminder",
        {"document": document, "days_left": days_left},
        dedupe_key=f"document:{document.pk}:reminder:{which}",
    )


def documents_expiry_sweep(*, today: date | None = None) -> dict[str, int]:
    """The daily task. For each current mandatory document with an expiry date: remind the
    provider's admins 30 and 7 days before (each once); on the expiry day suspend the
    provider's active enrolments; and reinstate enrolments suspended for documents once the
    documents are renewed. Running it twice has the effect of running it once. A mandatory
    document never uploaded is left to the review of the provider's application."""
    today = today or timezone.localdate()
    counts = {"reminders": 0, "suspended": 0, "reinstated": 0}
    current = Document.objects.filter(
        superseded_by__isnull=True,
        document_type__in=MANDATORY_TYPES,
        expires_on__isnull=False,
    ).select_related("provider")

    expiring = current.filter(
        expires_on__gt=today, expires_on__lte=today + timedelta(days=max(REMINDER_DAYS))
    ).order_by("expires_on", "pk")
    for document in expiring:
        with transaction.atomic():
            counts["reminders"] += _remind(document, today)

    providers_expired = Organisation.objects.filter(
        pk__in=current.filter(expires_on__lte=today).values("provider")
    )
    for provider in providers_expired.order_by("pk"):
        with transaction.atomic():
            suspended = _suspend_for_expired(provider=provider, today=today)
        counts["suspended"] += suspended

    providers_suspended = Organisation.objects.filter(
        pk__in=Enrolment.objects.filter(
            status=Enrolment.Status.SUSPENDED,
            suspension_cause=Enrolment.Cause.DOCUMENT_EXPIRED,
        ).values("provider")
    )
    for provider in providers_suspended.order_by("pk"):
        with transaction.atomic():
            reinstated = _reinstate_if_renewed(provider=provider, today=today)
        counts["reinstated"] += reinstated
    return counts
