"""Pages of the directory part: boroughs and consortium admins browse the providers enrolled
on their consortium's lots, and look at one provider."""

from django.shortcuts import render
from django.utils import timezone

from dps.decorators import actor_required
from dps.models import Organisation
from dps.pages import paginate
from dps.tenancy import get_or_404

from ..access import may_see_service_location
from ..selectors.directory import (
    DirectoryFilter,
    directory_consortium,
    directory_providers,
    directory_score,
    directory_services,
    distance_bands,
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
    services = list(directory_services(provider))
    # A borough sees how far each service is from its own area; the consortium its postcode.
    distances = distance_bands(actor, services)
    for service in services:
        service.distance = distances.get(service.pk)
        service.show_postcode = may_see_service_location(actor, service)
    context = {
        "provider": provider,
        "services": services,
        "show_distance": actor.is_borough,
        "show_postcode": any(service.show_postcode for service in services),
        "score": score,
        "breakdown": score_breakdown(score) if score else [],
        "documents": mandatory_documents_status(provider, today=timezone.localdate()),
    }
    return render(request, "providers/directory/provider.html", context)
