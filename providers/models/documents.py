"""Accreditation documents: uploaded files with an expiry date, kept outside the web root."""

from django.conf import settings
from django.db import models


class DocumentType(models.TextChoices):
    PUBLIC_LIABILITY = "public_liability", "Public liability insurance"
    EMPLOYERS_LIABILITY = "employers_liability", "Employer's liability insurance"
    PROFESSIONAL_INDEMNITY = "professional_indemnity", "Professional indemnity insurance"
    SAFEGUARDING_POLICY = "safeguarding_policy", "Safeguarding policy"
    FINANCIAL_STANDING = "financial_standing", "Financial standing (accounts)"
    DPS_TERMS = "dps_terms", "Signed DPS terms"
    OFSTED_REPORT = "ofsted_report", "Ofsted report"
    OTHER = "other", "Other"


# Without a current one of each of these, a provider's enrolments are suspended.
MANDATORY_TYPES = {
    DocumentType.PUBLIC_LIABILITY,
    DocumentType.EMPLOYERS_LIABILITY,
    DocumentType.PROFESSIONAL_INDEMNITY,
    DocumentType.SAFEGUARDING_POLICY,
    DocumentType.FINANCIAL_STANDING,
    DocumentType.DPS_TERMS,
}
# These lapse: each needs an expiry date.
EXPIRING_TYPES = {
    DocumentType.PUBLIC_LIABILITY,
    DocumentType.EMPLOYERS_LIABILITY,
    DocumentType.PROFESSIONAL_INDEMNITY,
    DocumentType.FINANCIAL_STANDING,
    DocumentType.DPS_TERMS,
}


def document_path(instance, filename):
    # The stored name says nothing about the provider or the file; the original name is a field.
    # Its extension is the one of the kind the content was found to be, never the uploaded name's.
    import uuid

    from ..uploads import extension_for

    extension = extension_for(instance.content_type)
    return f"documents/{instance.provider_id}/{uuid.uuid4().hex}{extension}"


class Document(models.Model):
    provider = models.ForeignKey(
        "dps.Organisation", on_delete=models.PROTECT, related_name="documents"
    )
    document_type = models.CharField(max_length=30, choices=DocumentType.choices)
    file = models.FileField(upload_to=document_path, max_length=200)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    issued_on = models.DateField(null=True, blank=True)
    expires_on = models.DateField(null=True, blank=True, db_index=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    # A renewal supersedes the document it replaces; only the newest of a type is current.
    superseded_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["document_type", "-uploaded_at"]
        indexes = [models.Index(fields=["provider", "document_type"])]

    def __str__(self):
        return f"{self.get_document_type_display()} ({self.original_name})"

    @property
    def is_mandatory(self):
        return self.document_type in MANDATORY_TYPES
