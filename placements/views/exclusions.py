"""Pages of the exclusions part (consortium admin): the consortium's exclusions, recording one,
and removing an excludable supplier or lifting an exclusion."""

from django.contrib import messages
from django.shortcuts import redirect

from dps.decorators import actor_required
from dps.models import Organisation, Role
from dps.pages import paginate, render_form, submit
from dps.tenancy import get_or_404
from providers.selectors.arrangement import exclusions_visible_to

from ..forms.exclusions import ExclusionForm, ExclusionLiftForm, ExclusionRemoveForm
from ..services.exclusions import exclusion_lift, exclusion_record, exclusion_remove

CONSORTIUM_ADMIN = {Role.CONSORTIUM_ADMIN}


@actor_required(roles=CONSORTIUM_ADMIN)
def exclusions(request):
    actor = request.actor
    providers = Organisation.objects.filter(kind=Organisation.Kind.PROVIDER).order_by("name")
    form = ExclusionForm(request.POST or None, providers=providers)
    if request.method == "POST" and form.is_valid():
        exclusion = submit(form, exclusion_record, actor=actor)
        if exclusion:
            verb = "removed from the arrangement" if exclusion.removed else "recorded as excludable"
            messages.success(request, f"{exclusion.provider.name} was {verb}.")
            return redirect("placements:exclusions")
    return render_form(
        request,
        "placements/exclusions/list.html",
        form,
        {"page": paginate(request, exclusions_visible_to(actor))},
    )


@actor_required(roles=CONSORTIUM_ADMIN)
def exclusion_detail(request, pk):
    actor = request.actor
    exclusion = get_or_404(exclusions_visible_to(actor), pk=pk)
    action = request.POST.get("action") if request.method == "POST" else None
    remove_form = ExclusionRemoveForm(request.POST if action == "remove" else None, prefix="remove")
    lift_form = ExclusionLiftForm(request.POST if action == "lift" else None, prefix="lift")
    form = remove_form if action == "remove" else lift_form
    if action in ("remove", "lift") and form.is_valid():
        if action == "remove":
            done = submit(form, exclusion_remove, actor=actor, exclusion=exclusion)
            message = f"{exclusion.provider.name} was removed from the arrangement."
        else:
            done = submit(form, exclusion_lift, actor=actor, exclusion=exclusion)
            message = f"The exclusion of {exclusion.provider.name} was lifted."
        if done:
            messages.success(request, message)
            return redirect("placements:exclusions")
    return render_form(
        request,
        "placements/exclusions/detail.html",
        form,
        {"exclusion": exclusion, "remove_form": remove_form, "lift_form": lift_form},
    )
