"""Pages of the services part: a provider's services, its vacancies, the Ofsted import, and
corrections of a service's Ofsted rating (the provider proposes, the consortium decides)."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from dps.decorators import actor_required
from dps.models import Organisation, Role
from dps.pages import paginate, render_form, submit
from dps.services import DomainError
from geography.selectors import Unknown

from ..access import get_rating_proposal_for_actor, get_service_for_actor, may_manage_services
from ..forms.services import (
    OfstedImportForm,
    RatingProposalForm,
    RatingRejectForm,
    ServiceForm,
    VacanciesForm,
)
from ..models import RatingProposal, Specialism
from ..models.services import RATING_PROPOSAL_STATES
from ..needs import DOMAINS, INDICATORS
from ..selectors.services import (
    rating_proposals_visible_to,
    services_for_vacancies,
    services_visible_to,
)
from ..services.ofsted import ofsted_import
from ..services.ratings import (
    rating_proposal_confirm,
    rating_proposal_create,
    rating_proposal_reject,
)
from ..services.services import (
    service_create,
    service_set_active,
    service_update,
    vacancies_update,
)

PROVIDER = {Organisation.Kind.PROVIDER}
MANAGERS = {Role.PROVIDER_ADMIN}


def _needs_by_domain(service):
    """(domain label, [(indicator label, max score)]) for the needs the service meets."""
    met = service.needs_met or {}
    groups = []
    for domain, domain_label in DOMAINS:
        rows = [(label, met.get(code)) for code, label, d in INDICATORS if d == domain]
        groups.append((domain_label, rows))
    return groups


@actor_required(kinds=PROVIDER)
def service_list(request):
    actor = request.actor
    services = services_visible_to(actor).order_by("-is_active", "name")
    return render(
        request,
        "providers/services/list.html",
        {"page": paginate(request, services), "can_manage": may_manage_services(actor)},
    )


def location_problem(service):
    """What the provider is told when its service cannot be located, or ""."""
    if not service.postcode:
        return (
            "Add the service's full postcode: without it, boroughs see the distance to it from "
            "its postcode district's centre, or as unknown."
        )
    if not service.location_unknown:
        return ""
    reason = Unknown(service.location_unknown)
    if reason == Unknown.NOT_LOADED:
        return (
            "The distance to this service cannot be worked out yet: the ONS Postcode Directory "
            "is not loaded. It will be located once the directory is loaded."
        )
    return (
        f"We could not locate {service.postcode}: {reason.label.lower()}. Boroughs see the "
        "distance to this service as unknown, so it can be left out of requests that set a "
        "maximum distance. Check the postcode and correct it."
    )


@actor_required(kinds=PROVIDER)
def service_detail(request, pk):
    actor = request.actor
    service = get_service_for_actor(actor, pk)
    return render(
        request,
        "providers/services/detail.html",
        {
            "service": service,
            "needs": _needs_by_domain(service),
            "specialism_labels": [
                Specialism(s).label for s in service.specialisms if s in Specialism.values
            ],
            "can_manage": may_manage_services(actor),
            "location_problem": location_problem(service),
            "rating_proposals": rating_proposals_visible_to(actor).filter(service=service)[:5],
        },
    )


@actor_required(kinds=PROVIDER, roles=MANAGERS)
def service_create_view(request):
    form = ServiceForm(request.POST or None, initial={"genders": "any"})
    if request.method == "POST" and form.is_valid():
        service = submit(form, service_create, form.service_data(), actor=request.actor)
        if service:
            messages.success(request, f"{service.name} has been added.")
            return redirect("providers:service", pk=service.pk)
    return render_form(request, "providers/services/form.html", form, {"service": None})


@actor_required(kinds=PROVIDER, roles=MANAGERS)
def service_edit(request, pk):
    service = get_service_for_actor(request.actor, pk, write=True)
    form = ServiceForm(
        request.POST or None,
        initial=ServiceForm.initial_for(service),
        postcode_required=bool(service.postcode),
    )
    if request.method == "POST" and form.is_valid():
        updated = submit(
            form, service_update, form.service_data(), actor=request.actor, service=service
        )
        if updated:
            messages.success(request, f"{updated.name} has been updated.")
            return redirect("providers:service", pk=updated.pk)
    return render_form(request, "providers/services/form.html", form, {"service": service})


@actor_required(kinds=PROVIDER, roles=MANAGERS)
def service_deactivate(request, pk):
    service = get_service_for_actor(request.actor, pk, write=True)
    if request.method == "POST":
        try:
            service_set_active(actor=request.actor, service=service, active=False)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"{service.name} has been deactivated.")
        return redirect("providers:service", pk=service.pk)
    return render(request, "providers/services/deactivate.html", {"service": service})


@require_POST
@actor_required(kinds=PROVIDER, roles=MANAGERS)
def service_reactivate(request, pk):
    service = get_service_for_actor(request.actor, pk, write=True)
    try:
        service_set_active(actor=request.actor, service=service, active=True)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{service.name} has been reactivated.")
    return redirect("providers:service", pk=service.pk)


@actor_required(kinds=PROVIDER)
def vacancies(request):
    """One number per active service, saved together. Every figure sent counts as confirmed
    today, changed or not."""
    actor = request.actor
    can_manage = may_manage_services(actor)
    if request.method == "POST" and not can_manage:
        raise PermissionDenied
    services = services_for_vacancies(actor)
    form = VacanciesForm(request.POST if request.method == "POST" else None, services=services)
    if request.method == "POST" and form.is_valid() and form.services:
        saved = submit(form, vacancies_update, {"vacancies": form.vacancies()}, actor=actor)
        if saved is not None:
            messages.success(request, "Vacancies saved.")
            return redirect("providers:vacancies")
    return render_form(
        request,
        "providers/services/vacancies.html",
        form,
        {"can_manage": can_manage, "stale_days": settings.VACANCY_STALE_DAYS},
    )


@actor_required(roles={Role.CONSORTIUM_ADMIN})
def ofsted_import_view(request):
    form = OfstedImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        report = submit(
            form,
            ofsted_import,
            {"file": upload},
            actor=request.actor,
            source=upload.name,
        )
        if report is not None:
            form = OfstedImportForm()
    return render_form(request, "providers/services/ofsted_import.html", form, {"report": report})


# --- Corrections of a service's Ofsted rating ------------------------------------------------


@actor_required(kinds=PROVIDER, roles=MANAGERS)
def rating_propose(request, pk):
    service = get_service_for_actor(request.actor, pk)
    form = RatingProposalForm(
        request.POST or None,
        initial={"rating": service.ofsted_rating, "inspection_date": service.inspection_date},
    )
    if request.method == "POST" and form.is_valid():
        proposal = submit(form, rating_proposal_create, actor=request.actor, service=service)
        if proposal:
            messages.success(request, "Your correction has been sent to the consortium to confirm.")
            return redirect("providers:service", pk=service.pk)
    return render_form(
        request, "providers/services/rating_propose.html", form, {"service": service}
    )


@actor_required(roles={Role.CONSORTIUM_ADMIN})
def rating_proposals(request):
    """The consortium admin's queue: corrections waiting, oldest first, then those decided."""
    proposals = rating_proposals_visible_to(request.actor)
    Status = RatingProposal.Status
    return render(
        request,
        "providers/services/rating_proposals.html",
        {
            "waiting": proposals.filter(status=Status.PENDING).order_by("proposed_at", "id"),
            "page": paginate(
                request, proposals.exclude(status=Status.PENDING).order_by("-decided_at", "-id")
            ),
        },
    )


@actor_required(roles={Role.CONSORTIUM_ADMIN})
def rating_proposal_decide(request, pk):
    """One correction, beside the rating on record: confirm it, or reject it saying why."""
    actor = request.actor
    proposal = get_rating_proposal_for_actor(actor, pk, write=request.method == "POST")
    service = proposal.service
    if request.method == "POST" and "confirm" in request.POST:
        try:
            rating_proposal_confirm(actor=actor, proposal=proposal)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("providers:rating_proposal", pk=proposal.pk)
        messages.success(
            request, f"{service.name}'s rating is now {proposal.get_rating_display()}."
        )
        return redirect("providers:rating_proposals")
    form = RatingRejectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        rejected = submit(form, rating_proposal_reject, actor=actor, proposal=proposal)
        if rejected:
            messages.success(request, f"The correction of {service.name}'s rating is rejected.")
            return redirect("providers:rating_proposals")
    return render_form(
        request,
        "providers/services/rating_proposal.html",
        form,
        {"proposal": proposal, "actions": RATING_PROPOSAL_STATES.available(proposal)},
    )
