"""Forms of the documents part: uploading a provider's accreditation document."""

from django import forms
from django.conf import settings

from dps.forms import GovukFormMixin

from ..models import DocumentType
from ..uploads import ALLOWED_DESCRIPTION, document_content_type

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d %m %Y", "%d-%m-%Y"]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class DocumentUploadForm(GovukFormMixin, forms.Form):
    document_type = forms.ChoiceField(
        label="Type of document", choices=[("", "Choose a type"), *DocumentType.choices]
    )
    issued_on = forms.DateField(
        label="Issue date",
        input_formats=DATE_FORMATS,
        widget=DateInput,
        help_text="For example, 27/3/2026.",
        error_messages={
            "required": "Enter the date the document was issued.",
            "invalid": "Enter the issue date as a real date, for example 27/3/2026.",
        },
    )
    expires_on = forms.DateField(
        label="Expiry date",
        required=False,
        input_formats=DATE_FORMATS,
        widget=DateInput,
        help_text="Required for insurance certificates, financial standing and the signed DPS "
        "terms.",
        error_messages={
            "invalid": "Enter the expiry date as a real date, for example 27/3/2027.",
        },
    )
    file = forms.FileField(
        label="File",
        error_messages={
            "required": "Select a file to upload.",
            "empty": "The selected file is empty.",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["document_type"].error_messages["required"] = "Choose the type of document."
        limit = settings.DOCUMENT_MAX_BYTES / (1024 * 1024)
        allowed = ALLOWED_DESCRIPTION[0].upper() + ALLOWED_DESCRIPTION[1:]
        self.fields["file"].help_text = f"{allowed}, up to {limit:g} MB."
        self.fields["file"].widget.attrs["aria-describedby"] = "id_file-hint"
        # A hint to the browser's file picker only: the content is what is checked.
        self.fields["file"].widget.attrs["accept"] = ".pdf,.png,.jpg,.jpeg,.docx,.doc"

    def clean_file(self):
        # The content decides, not the name or the type the browser claims.
        file = self.cleaned_data["file"]
        document_content_type(file)
        return file
