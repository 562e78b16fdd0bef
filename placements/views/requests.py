"""The borough's pages of a placement request: the list, the form (a draft may be incomplete),
the detail with its timeline, invitations and questions, and each action on it.

Placement officers write; the borough's commissioners read. Bids are sealed: these pages read
bids only through `bids_visible_to`, which returns none before the request closes."""

from functools import partial

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from dps.decorators import actor_required
from dps.models import AuditEvent, Organisation
from dps.pages import paginate, render_form, submit
from dps.services import DomainError
from providers.models import Lot
from providers.needs import DOMAINS, INDICATORS

from ..access import BOROUGH_WRITERS_ONLY, get_question_for_actor, get_request_for_actor
from ..forms.requests import (
    AnswerForm,
    CancelForm,
    NoSuitableOfferForm,
    PublishForm,
    ReopenForm,
    RequestFilterForm,
    RequestForm,
    mark_errors,
    need_field,
)
from ..models import Bid, PlacementRequest
from ..models.requests import REQUEST_STATES
from ..selectors.bids import bids_visible_to
from ..selectors.distance import home_unknown
from ..selectors.questions import questions_visible_to
from ..selectors.requests import requests_visible_to, responses_shown_to_borough
from ..services import questions as question_services
from ..services import requests as request_services
from ..services.eligibility import REASONS, eligibility_check
from ..services.requests import NoEligibleProvider, RequestIncomplete, default_deadline

BOROUGH = {Organisation.Kind.BOROUGH}
Status = PlacementRequest.Status


def _posted(request):
    """The form data of a POST (even an empty one), or None."""
    return request.POST if request.method == "POST" else None


def _lots(actor, placement_request=None):
    query = Q(is_active=True)
    if placement_request is not None and placement_request.lot_id:
        query |= Q(pk=placement_request.lot_id)
    return Lot.objects.filter(query, consortium_id=actor.organisation.consortium_id)


def _when(value):
    return date_format(timezone.localtime(value), "j F Y \\a\\t H:i")


# --- The list -----------------------------------------------------------------------------


@actor_required(kinds=BOROUGH)
def request_list(request):
    actor = request.actor
    form = RequestFilterForm(request.GET or None)
    queryset = requests_visible_to(actor)
    if form.is_valid() and form.cleaned_data["status"]:
        queryset = queryset.filter(status=form.cleaned_data["status"])
    return render(
        request,
        "placements/requests/list.html",
        {
            "filter": form,
            "page": paginate(request, queryset),
            "can_write": actor.is_borough_writer,
        },
    )


# --- The form -----------------------------------------------------------------------------


@actor_required(kinds=BOROUGH)
def request_create(request):
    actor = request.actor
    if not actor.is_borough_writer:
        # Commissioners read; only placement officers change requests.
        raise PermissionDenied(BOROUGH_WRITERS_ONLY)
    form = RequestForm(
        _posted(request),
        lots=_lots(actor),
        initial={"urgency": "planned", "home_location": "district", "placement_area": "any"},
    )
    if request.method == "POST" and form.is_valid():
        placement_request = submit(
            form,
            request_services.request_create,
            form.request_data(),
            actor=actor,
        )
        if placement_request is not None:
            messages.success(request, "Draft saved. Publish it from this page when it is complete.")
            return redirect("placements:request_detail", pk=placement_request.pk)
    return render_form(request, "placements/requests/form.html", form, {"placement_request": None})


@actor_required(kinds=BOROUGH)
def request_edit(request, pk):
    actor = request.actor
    placement_request = get_request_for_actor(actor, pk, write=True)
    if not REQUEST_STATES.allows(placement_request, "edit"):
        messages.error(request, REQUEST_STATES.refusal(placement_request.status, action="edit"))
        return redirect("placements:request_detail", pk=pk)
    form = RequestForm(
        _posted(request),
        lots=_lots(actor, placement_request),
        placement_request=placement_request,
        initial=RequestForm.values_for(placement_request),
    )
    if request.method == "POST" and form.is_valid():
        version = placement_request.terms_version
        updated = submit(
            form,
            partial(request_services.request_update, placement_request=placement_request),
            form.request_data(),
            actor=actor,
        )
        if updated is not None:
            if updated.terms_version != version:
                messages.success(
                    request,
                    "Changes saved. The terms changed: providers that have bid are asked to "
                    "re-confirm their bids.",
                )
            else:
                messages.success(request, "Changes saved.")
            if REQUEST_STATES.allows(updated, "publish") and request.POST.get("then") == "publish":
                # On to the confirmation, which says who would be invited before publishing.
                return redirect("placements:request_publish", pk=pk)
            return redirect("placements:request_detail", pk=pk)
    return render_form(
        request, "placements/requests/form.html", form, {"placement_request": placement_request}
    )


# --- The detail ---------------------------------------------------------------------------


def _needs_rows(placement_request):
    needs = placement_request.needs or {}
    details = placement_request.need_details or {}
    return [
        (
            domain_label,
            [
                (label, needs.get(code), details.get(code, ""))
                for code, label, d in INDICATORS
                if d == domain
            ],
        )
        for domain, domain_label in DOMAINS
    ]


def _outcome_rows(placement_request):
    outcomes = placement_request.outcomes or {}
    return [(label, outcomes[code]) for code, label in DOMAINS if outcomes.get(code)]


def _ineligible_rows(placement_request):
    counts = placement_request.ineligible_counts or {}
    return [(label, counts[code]) for code, label in REASONS if counts.get(code)]


def _story_views(placement_request):
    return (
        AuditEvent.objects.filter(
            action="request.story_viewed",
            object_type=PlacementRequest._meta.label,
            object_id=str(placement_request.pk),
        )
        .select_related("organisation")
        .order_by("-at", "-id")[:50]
    )


def detail_context(actor, placement_request):
    """Everything the detail page shows. No bid and no count of bids while sealed."""
    pr = placement_request
    can_write = actor.is_borough_writer
    status = pr.status
    available = REQUEST_STATES.available(pr) if can_write else set()
    questions = list(questions_visible_to(actor, pr).order_by("asked_at", "id"))
    question_open = status == Status.OPEN and pr.bid_deadline and timezone.now() < pr.bid_deadline
    answer_forms = []
    if can_write and question_open:
        answer_forms = {q.pk: AnswerForm(prefix=f"question-{q.pk}") for q in questions}
    bids = bids_visible_to(actor).filter(request=pr)  # empty until the request closes
    return {
        "placement_request": pr,
        "can_write": can_write,
        "home_unknown": home_unknown(pr),
        "needs_rows": _needs_rows(pr),
        "outcome_rows": _outcome_rows(pr),
        "transitions": pr.transitions.select_related("actor").order_by("at", "id"),
        "invitations": pr.invitations.select_related("provider").order_by("provider__name"),
        "responses_shown": responses_shown_to_borough(pr),
        "ineligible_rows": _ineligible_rows(pr),
        "questions": [(q, answer_forms.get(q.pk) if answer_forms else None) for q in questions],
        "question_open": question_open,
        "bids_unsealed": pr.bids_unsealed,
        "valid_bids": bids.filter(status=Bid.Status.SUBMITTED).count()
        if pr.bids_unsealed
        else None,
        "story_views": _story_views(pr) if status != Status.DRAFT else [],
        "placement": getattr(pr, "placement", None)
        if status in (Status.AWARDED, Status.PLACED)
        else None,
        "actions": {
            "edit": "edit" in available,
            "publish": "publish" in available,
            "cancel": "cancel" in available,
            "reopen": "reopen" in available,
            "no_offer": "no_offer" in available,
            "shortlist": pr.bids_unsealed,
        },
    }


@actor_required(kinds=BOROUGH)
def request_detail(request, pk):
    placement_request = get_request_for_actor(request.actor, pk)
    return render(
        request,
        "placements/requests/detail.html",
        detail_context(request.actor, placement_request),
    )


# --- Publishing ---------------------------------------------------------------------------


# Where on the request's form each way forward is changed.
WAY_FORWARD_FIELDS = {
    "no_service": "id_lot",
    "area": "id_areas",
    "in_borough": "id_placement_area_0",
    "out_of_area": "id_placement_area_0",
    "distance": "id_max_distance_miles",
    "vacancy": "id_allow_no_vacancy",
}


def _ways_forward(placement_request, eligibility):
    """(what to change, the form field to change it at) for a request nobody would get."""
    edit = reverse("placements:request_edit", args=[placement_request.pk])
    ways = []
    for code, text in eligibility.ways_forward:
        field = WAY_FORWARD_FIELDS.get(code)
        if code == "needs":
            field = f"id_{need_field(eligibility.need_rows[0][0])}" if eligibility.need_rows else ""
        ways.append((text, f"{edit}#{field}" if field else edit))
    return ways


def _publish_page(request, placement_request, form):
    """The confirmation: who would be invited, and why each other provider on the lot would
    not be (per reason, and per need)."""
    preview = eligibility_check(placement_request) if placement_request.lot_id else None
    deadline = placement_request.bid_deadline
    return render_form(
        request,
        "placements/requests/publish.html",
        form,
        {
            "placement_request": placement_request,
            "preview": preview,
            "not_invited": sum(preview.reasons.values()) if preview else 0,
            "ways_forward": _ways_forward(placement_request, preview) if preview else [],
            "deadline": deadline,
            "default_deadline": None
            if deadline
            else default_deadline(placement_request.urgency, timezone.now()),
        },
    )


@actor_required(kinds=BOROUGH)
def request_publish(request, pk):
    """A confirmation page; publishing an incomplete draft shows the form with every problem
    beside its field, and one nobody would be invited to asks for a deliberate confirmation."""
    actor = request.actor
    placement_request = get_request_for_actor(actor, pk, write=True)
    if not REQUEST_STATES.allows(placement_request, "publish"):
        messages.error(request, REQUEST_STATES.refusal(placement_request.status, action="publish"))
        return redirect("placements:request_detail", pk=pk)
    form = PublishForm(_posted(request))
    if request.method != "POST" or not form.is_valid():
        return _publish_page(request, placement_request, form)
    try:
        eligibility = request_services.request_publish(
            actor=actor,
            placement_request=placement_request,
            confirm_no_eligible=form.cleaned_data["confirm_no_eligible"],
        )
    except RequestIncomplete as exc:
        form = RequestForm(
            RequestForm.values_for(placement_request),
            lots=_lots(actor, placement_request),
            placement_request=placement_request,
        )
        form.is_valid()
        form.add_problems(exc.problems)
        return render_form(
            request,
            "placements/requests/form.html",
            form,
            {"placement_request": placement_request, "publishing": True},
        )
    except NoEligibleProvider as exc:
        form.add_error("confirm_no_eligible", exc.message)
        mark_errors(form)
        return _publish_page(request, placement_request, form)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("placements:request_detail", pk=pk)
    placement_request.refresh_from_db()
    closes = f"Bids close on {_when(placement_request.bid_deadline)}."
    invited = len(eligibility.eligible)
    if invited:
        messages.success(
            request,
            f"Published. {invited} provider{'s were' if invited != 1 else ' was'} invited and "
            f"emailed. {closes}",
        )
    else:
        messages.warning(
            request,
            f"Published, as you confirmed, but no provider was invited. {closes} Change the "
            "request's terms while it is open to invite the providers they make eligible.",
        )
    return redirect("placements:request_detail", pk=pk)


# --- Cancelling, no suitable offer, re-opening --------------------------------------------


def _action_page(request, pk, *, form_class, template, action, refused, service, done):
    """A page with a form that moves the request on, while the request's state machine allows
    the `action`; `service` takes the form's data."""
    actor = request.actor
    placement_request = get_request_for_actor(actor, pk, write=True)
    if not REQUEST_STATES.allows(placement_request, action):
        messages.error(request, refused)
        return redirect("placements:request_detail", pk=pk)
    form = form_class(_posted(request))
    if request.method == "POST" and form.is_valid():
        result = submit(
            form,
            partial(service, placement_request=placement_request),
            form.service_data(),
            actor=actor,
        )
        if result is not None:
            messages.success(request, done)
            return redirect("placements:request_detail", pk=pk)
    return render_form(request, template, form, {"placement_request": placement_request})


@actor_required(kinds=BOROUGH)
def request_cancel(request, pk):
    return _action_page(
        request,
        pk,
        form_class=CancelForm,
        template="placements/requests/cancel.html",
        action="cancel",
        refused="This request can no longer be cancelled.",
        service=request_services.request_cancel,
        done="The request has been cancelled. Providers that bid have been told.",
    )


@actor_required(kinds=BOROUGH)
def request_no_offer(request, pk):
    return _action_page(
        request,
        pk,
        form_class=NoSuitableOfferForm,
        template="placements/requests/no_offer.html",
        action="no_offer",
        refused="Only a closed or shortlisted request can end with no suitable offer.",
        service=request_services.request_no_suitable_offer,
        done="The request ended with no suitable offer. You can re-open it with a new deadline.",
    )


@actor_required(kinds=BOROUGH)
def request_reopen(request, pk):
    return _action_page(
        request,
        pk,
        form_class=ReopenForm,
        template="placements/requests/reopen.html",
        action="reopen",
        refused="Only a request with no suitable offer can be re-opened.",
        service=request_services.request_reopen,
        done="The request is open again. Eligible providers have been invited to bid.",
    )


# --- Questions ----------------------------------------------------------------------------


@actor_required(kinds=BOROUGH)
def question_answer(request, pk, qpk):
    actor = request.actor
    placement_request = get_request_for_actor(actor, pk)
    question = get_question_for_actor(actor, qpk, write=True, placement_request=placement_request)
    form = AnswerForm(
        _posted(request),
        prefix=f"question-{question.pk}",
        initial={"answer": question.answer, "shared": question.shared},
    )
    if request.method == "POST" and form.is_valid():
        answered = submit(
            form,
            question_services.question_answer,
            {"answer": form.cleaned_data["answer"], "shared": form.cleaned_data["shared"]},
            actor=actor,
            question=question,
        )
        if answered is not None:
            messages.success(
                request,
                "Answer sent to every invited provider."
                if answered.shared
                else "Answer sent to the provider that asked.",
            )
            return redirect("placements:request_detail", pk=pk)
    return render_form(
        request,
        "placements/requests/answer.html",
        form,
        {"placement_request": placement_request, "question": question},
    )
