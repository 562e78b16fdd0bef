"""Pages of the documents part: a provider's accreditation documents, uploading one, and
downloading one (only through the access check below: no URL serves MEDIA_ROOT)."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from dps.decorators import actor_required
from dps.forms import GovukFormMixin
from dps.models import Organisation, Role
from dps.pages import paginate, render_form, submit
from dps.tenancy import get_or_404

from ..models import DocumentType
from ..selectors.documents import (
    document_statuses,
    documents_history,
    documents_visible_to,
    providers_overseen_by,
)
from ..services.documents import document_download_record, document_upload
from ..uploads import ALLOWED_DESCRIPTION, document_content_type

Kind = Organisation.Kind
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


def _documents_page(request, provider, *, own):
    statuses = document_statuses(provider)
    history = paginate(request, documents_history(provider))
    context = {
        "provider": provider,
        "statuses": statuses,
        "history": history,
        "own": own,
        "can_upload": own and request.actor.role == Role.PROVIDER_ADMIN,
    }
    return render(request, "providers/documents/list.html", context)


@actor_required(kinds={Kind.PROVIDER})
def documents(request):
    """The provider's own documents: the current one of each type, and the history."""
    return _documents_page(request, request.actor.organisation, own=True)


@actor_required(roles={Role.CONSORTIUM_ADMIN})
def provider_documents(request, pk):
    """A consortium admin's view of the documents of a provider that applied to its DPS."""
    provider = get_or_404(providers_overseen_by(request.actor), pk=pk)
    return _documents_page(request, provider, own=False)


@actor_required(roles={Role.PROVIDER_ADMIN})
def document_upload_view(request):
    initial = {}
    if request.GET.get("type") in DocumentType.values:
        initial["document_type"] = request.GET["type"]
    posted = request.method == "POST"
    form = DocumentUploadForm(
        request.POST if posted else None, request.FILES if posted else None, initial=initial
    )
    if posted and form.is_valid():
        document = submit(form, document_upload, actor=request.actor)
        if document:
            messages.success(
                request,
                f"{document.get_document_type_display()} uploaded: {document.original_name}.",
            )
            return redirect("providers:documents")
    return render_form(request, "providers/documents/upload.html", form)


@require_GET
@actor_required()
def document_download(request, pk):
    """The file, to the provider's users and the consortium admins overseeing it; 404 for
    everyone else. Never cached, never sniffed, always a download."""
    document = get_or_404(documents_visible_to(request.actor).select_related("provider"), pk=pk)
    try:
        with document.file.open("rb") as stored:
            content = stored.read()
    except (FileNotFoundError, ValueError) as exc:
        raise Http404 from exc
    document_download_record(actor=request.actor, document=document)
    response = HttpResponse(content, content_type=document.content_type)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=document.original_name
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response
