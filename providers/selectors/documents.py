"""Reads of the documents part: who may see which documents, and each type's status."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from dps.models import Organisation
from dps.tenancy import Actor

from ..models import MANDATORY_TYPES, Application, Document, DocumentType, Enrolment

# A document this close to its expiry is flagged (and its provider reminded).
EXPIRING_WITHIN_DAYS = 30


def providers_overseen_by(actor: Actor | None) -> QuerySet[Organisation]:
    """The providers whose documents a consortium admin may read: those that have applied
    (beyond a draft) to, or are enrolled on, one of its consortium's lots."""
    if actor is None or not actor.is_consortium_admin:
        return Organisation.objects.none()
    consortium = actor.organisation
    applied = Application.objects.filter(
        provider=OuterRef("pk"), lot__consortium=consortium
    ).exclude(status=Application.Status.DRAFT)
    enrolled = Enrolment.objects.filter(provider=OuterRef("pk"), lot__consortium=consortium)
    return Organisation.objects.filter(
        Q(Exists(applied)) | Q(Exists(enrolled)), kind=Organisation.Kind.PROVIDER
    )


def documents_visible_to(actor: Actor | None) -> QuerySet[Document]:
    """A provider's users see its own documents; a consortium admin those of the providers it
    oversees; nobody else any."""
    if actor is None:
        return Document.objects.none()
    if actor.is_provider:
        return Document.objects.filter(provider=actor.organisation)
    if actor.is_consortium_admin:
        return Document.objects.filter(provider__in=providers_overseen_by(actor))
    return Document.objects.none()


def documents_current(provider: Organisation) -> QuerySet[Document]:
    """The provider's current documents: the newest of each type."""
    return Document.objects.filter(provider=provider, superseded_by__isnull=True)


def documents_history(provider: Organisation) -> QuerySet[Document]:
    """The provider's superseded documents, newest first."""
    return (
        Document.objects.filter(provider=provider, superseded_by__isnull=False)
        .select_related("uploaded_by", "superseded_by")
        .order_by("-uploaded_at", "-pk")
    )


@dataclass(frozen=True)
class DocumentStatus:
    """One document type's standing for a provider."""

    document_type: str
    document: Document | None
    state: str  # "current", "expiring", "expired" or "missing"
    days_left: int | None = None

    @property
    def label(self):
        return DocumentType(self.document_type).label

    @property
    def is_mandatory(self):
        return self.document_type in MANDATORY_TYPES

    @property
    def text(self):
        if self.state == "expiring":
            if self.days_left == 1:
                return "Expires tomorrow"
            return f"Expires in {self.days_left} days"
        return {"current": "Current", "expired": "Expired", "missing": "Missing"}[self.state]

    @property
    def tag_class(self):
        return {
            "current": "govuk-tag--green",
            "expiring": "govuk-tag--yellow",
            "expired": "govuk-tag--red",
            "missing": "govuk-tag--red",
        }[self.state]


def document_state(document: Document, today: date) -> tuple[str, int | None]:
    """(state, days left) of a current document on `today`. A document is expired on its
    expiry date."""
    return expiry_state(document.expires_on, today)


def expiry_state(expires_on: date | None, today: date) -> tuple[str, int | None]:
    """(state, days left) of a current document expiring on `expires_on`: the one rule the
    pages, the expiry task and the quality score share."""
    if expires_on is None:
        return "current", None
    days_left = (expires_on - today).days
    if days_left <= 0:
        return "expired", days_left
    if days_left <= EXPIRING_WITHIN_DAYS:
        return "expiring", days_left
    return "current", days_left


def document_statuses(provider: Organisation, today: date | None = None) -> list[DocumentStatus]:
    """A status for each current document of the provider and each mandatory type it has
    none of, in the order of DocumentType."""
    today = today or timezone.localdate()
    current: dict[str, Document] = {}
    for document in documents_current(provider).order_by("document_type", "-uploaded_at"):
        current.setdefault(document.document_type, document)
    result = []
    for document_type in DocumentType.values:
        found = current.get(document_type)
        if found is not None:
            state, days_left = document_state(found, today)
            result.append(DocumentStatus(document_type, found, state, days_left))
        elif document_type in MANDATORY_TYPES:
            result.append(DocumentStatus(document_type, None, "missing"))
    return result
