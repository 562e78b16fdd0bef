"""Pages of the quality part: a provider's own score (with how to raise it) and its history,
and the consortium admin's weights."""

from django.contrib import messages
from django.shortcuts import redirect, render

from dps.decorators import actor_required
from dps.models import Organisation, Role
from dps.pages import paginate, render_form, submit

from ..access import get_quality_score_for_actor
from ..forms.quality import QualityWeightsForm
from ..models import COMPONENTS
from ..selectors.quality import (
    PART_LABELS,
    current_scores,
    quality_weights_of,
    score_breakdown,
    score_guidance,
    score_history,
    score_inputs,
)
from ..services.quality import quality_weights_update

Kind = Organisation.Kind
HISTORY_PAGE_SIZE = 25


def explained(score):
    return {
        "score": score,
        "breakdown": score_breakdown(score),
        "guidance": score_guidance(score),
        "inputs": score_inputs(score),
    }


@actor_required(kinds={Kind.PROVIDER})
def quality_score(request):
    provider = request.actor.organisation
    scores = [explained(score) for score in current_scores(provider)]
    return render(request, "providers/quality/score.html", {"scores": scores})


@actor_required(kinds={Kind.PROVIDER})
def quality_history(request):
    page = paginate(request, score_history(request.actor.organisation), HISTORY_PAGE_SIZE)
    return render(request, "providers/quality/history.html", {"page": page})


@actor_required(kinds={Kind.PROVIDER})
def quality_snapshot(request, pk):
    score = get_quality_score_for_actor(request.actor, pk)
    return render(request, "providers/quality/snapshot.html", explained(score))


@actor_required(roles={Role.CONSORTIUM_ADMIN})
def quality_weights(request):
    actor = request.actor
    weights = quality_weights_of(actor.organisation)
    form = QualityWeightsForm(request.POST or None, initial=weights.as_dict())
    if request.method == "POST" and form.is_valid():
        saved = submit(form, quality_weights_update, actor=actor)
        if saved:
            messages.success(
                request,
                "The quality weights have been saved. Every enrolled provider's score is being "
                "recomputed with them.",
            )
            return redirect("providers:quality_weights")
    rows = [(PART_LABELS[name], getattr(weights, name)) for name in COMPONENTS]
    return render_form(
        request, "providers/quality/weights.html", form, {"weights": weights, "rows": rows}
    )
