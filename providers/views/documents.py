"""Pages of the documents part: a provider's accreditation documents, uploading one, and
downloading one (only through the access check below: no URL serves MEDIA_ROOT)."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from dps.decorators import actor_required
from dps.models import Organisation, Role
from dps.pages import paginate, render_form, submit
from dps.tenancy import get_or_404

from ..access import get_document_for_actor, may_upload_documents
from ..forms.documents import DocumentUploadForm
from ..models import DocumentType
from ..selectors.documents import (
    document_statuses,
    documents_history,
    providers_overseen_by,
)
from ..services.documents import document_download_record, document_upload

Kind = Organisation.Kind


def _documents_page(request, provider, *, own):
    statuses = document_statuses(provider)
    history = paginate(request, documents_history(provider))
    context = {
        "provider": provider,
        "statuses": statuses,
        "history": history,
        "own": own,
        "can_upload": own and may_upload_documents(request.actor),
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
    document = get_document_for_actor(request.actor, pk)
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
