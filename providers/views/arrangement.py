"""Pages of the arrangement part (consortium admin): the arrangement's legal basis and
settings, the versions of its conditions of membership, and an open framework's openings."""

from django.contrib import messages
from django.shortcuts import redirect

from dps.decorators import actor_required
from dps.models import Role
from dps.pages import paginate, render_form, submit
from dps.tenancy import get_or_404

from ..forms.arrangement import ArrangementForm, ConditionsForm, OpeningForm
from ..models.arrangement import Arrangement
from ..selectors.arrangement import (
    arrangement_visible_to,
    arrangement_warnings,
    conditions_in_force,
    conditions_versions,
    openings_of,
    reopening_due_by,
)
from ..services.arrangement import arrangement_save, conditions_publish, opening_save

CONSORTIUM_ADMIN = {Role.CONSORTIUM_ADMIN}


@actor_required(roles=CONSORTIUM_ADMIN)
def arrangement_settings(request):
    actor = request.actor
    arrangement = arrangement_visible_to(actor)
    form = ArrangementForm(request.POST or None, initial=ArrangementForm.initial_for(arrangement))
    if request.method == "POST" and form.is_valid() and submit(form, arrangement_save, actor=actor):
        messages.success(request, "The arrangement has been saved.")
        return redirect("providers:arrangement")
    return render_form(
        request,
        "providers/arrangement/settings.html",
        form,
        {
            "arrangement": arrangement,
            "warnings": arrangement_warnings(arrangement),
            "conditions": conditions_in_force(arrangement),
        },
    )


@actor_required(roles=CONSORTIUM_ADMIN)
def conditions(request):
    actor = request.actor
    arrangement = arrangement_visible_to(actor)
    form = ConditionsForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        version = submit(form, conditions_publish, form.service_data(), actor=actor)
        if version:
            messages.success(request, f"Version {version.number} of the conditions is published.")
            return redirect("providers:conditions")
    return render_form(
        request,
        "providers/arrangement/conditions.html",
        form,
        {
            "arrangement": arrangement,
            "versions": paginate(request, conditions_versions(arrangement)),
            "in_force": conditions_in_force(arrangement),
        },
    )


def _open_framework(actor):
    arrangement = arrangement_visible_to(actor)
    return (
        arrangement
        if arrangement and arrangement.basis == Arrangement.Basis.OPEN_FRAMEWORK
        else None
    )


@actor_required(roles=CONSORTIUM_ADMIN)
def openings(request):
    actor = request.actor
    arrangement = _open_framework(actor)
    form = OpeningForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and submit(form, opening_save, actor=actor):
        messages.success(request, "The opening has been added.")
        return redirect("providers:openings")
    return render_form(
        request,
        "providers/arrangement/openings.html",
        form,
        {
            "arrangement": arrangement,
            "openings": paginate(request, openings_of(arrangement)),
            "due_by": reopening_due_by(arrangement) if arrangement else None,
        },
    )


@actor_required(roles=CONSORTIUM_ADMIN)
def opening_edit(request, pk):
    actor = request.actor
    opening = get_or_404(openings_of(_open_framework(actor)), pk=pk)
    form = OpeningForm(request.POST or None, initial=OpeningForm.initial_for(opening))
    saved = request.method == "POST" and form.is_valid()
    if saved and submit(form, opening_save, actor=actor, opening=opening):
        messages.success(request, "The opening has been changed.")
        return redirect("providers:openings")
    return render_form(
        request, "providers/arrangement/opening_edit.html", form, {"opening": opening}
    )
