"""The consortium admin's lots: each lot's evaluation weights and the service types that serve
it."""

from django.contrib import messages
from django.shortcuts import redirect, render

from dps.decorators import actor_required
from dps.models import Role
from dps.pages import paginate, render_form, submit
from providers.access import get_lot_for_actor
from providers.models import Service

from ..forms.lots import LotForm
from ..selectors.lots import lots_administered_by, open_requests_on
from ..services.lots import lot_update

CONSORTIUM_ADMIN = {Role.CONSORTIUM_ADMIN}
TYPE_LABELS = dict(Service.Type.choices)


def type_labels(lot):
    return [TYPE_LABELS.get(t, t) for t in lot.service_types or []]


@actor_required(roles=CONSORTIUM_ADMIN)
def lot_list(request):
    page = paginate(request, lots_administered_by(request.actor))
    for lot in page:
        lot.type_labels = type_labels(lot)
    return render(request, "placements/lots/list.html", {"page": page})


@actor_required(roles=CONSORTIUM_ADMIN)
def lot_edit(request, pk):
    actor = request.actor
    lot = get_lot_for_actor(actor, pk, write=True)
    form = LotForm(request.POST or None, initial=LotForm.initial_for(lot))
    if request.method == "POST" and form.is_valid():
        saved = submit(form, lot_update, actor=actor, lot=lot)
        if saved:
            messages.success(request, f"The settings of {saved.name} have been saved.")
            return redirect("placements:lot_list")
    return render_form(
        request,
        "placements/lots/edit.html",
        form,
        {
            "lot": lot,
            "type_labels": type_labels(lot),
            "open_requests": open_requests_on(lot).count(),
        },
    )
