"""Pages of the directory part: boroughs and consortium admins browse the providers enrolled
on their consortium's lots, and look at one provider."""

from django.shortcuts import render
from django.utils import timezone

from dps.decorators import actor_required
from dps.models import Organisation
from dps.pages import paginate
from dps.tenancy import get_or_404

from ..selectors.directory import (
    DirectoryFilter,
    directory_consortium,
    directory_providers,
    directory_score,
    directory_services,
)
from ..selectors.quality import mandatory_documents_status, score_breakdown

Kind = Organisation.Kind
PAGE_SIZE = 25


@actor_required(kinds={Kind.BOROUGH, Kind.CONSORTIUM})
def directory(request):
    actor = request.actor
    providers = DirectoryFilter(
        request.GET or None, queryset=directory_providers(actor), actor=actor
    )
    page = paginate(request, providers.qs, PAGE_SIZE)
    context = {"filter": providers, "page": page, "consortium": directory_consortium(actor)}
    status = 400 if providers.form.errors else 200
    return render(request, "providers/directory/list.html", context, status=status)


@actor_required(kinds={Kind.BOROUGH, Kind.CONSORTIUM})
def directory_provider(request, pk):
    actor = request.actor
    provider = get_or_404(directory_providers(actor), pk=pk)
    score = directory_score(provider, directory_consortium(actor))
    context = {
        "provider": provider,
        "services": directory_services(provider),
        "score": score,
        "breakdown": score_breakdown(score) if score else [],
        "documents": mandatory_documents_status(provider, today=timezone.localdate()),
    }
    return render(request, "providers/directory/provider.html", context)
