"""Pages of the enrolment part: registering a provider, its applications and enrolments, and
the consortium admin's review queue, enrolments and declaration questions."""

from allauth.account.internal.flows.email_verification import (
    send_verification_email_to_address,
)
from allauth.account.models import EmailAddress
from allauth.core import ratelimit
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from dps.decorators import actor_required
from dps.models import Organisation, Role
from dps.pages import paginate, render_form, submit
from dps.tenancy import request_address

from ..access import (
    get_application_for_actor,
    get_declaration_question_for_actor,
    get_enrolment_for_actor,
)
from ..forms.enrolment import (
    ApplicationForm,
    ApplicationStartForm,
    DecisionForm,
    DeclarationQuestionForm,
    EnrolmentActionForm,
    EnrolmentFilterForm,
    RegistrationForm,
)
from ..models import Application, Document
from ..models.enrolment import APPLICATION_STATES, ENROLMENT_STATES, OPEN_STATUSES
from ..selectors.arrangement import (
    ALWAYS_OPEN,
    application_window,
    arrangement_of,
    arrangement_visible_to,
    conditions_in_force,
    decision_due,
)
from ..selectors.enrolment import (
    applications_visible_to,
    declaration_questions_visible_to,
    enrolments_visible_to,
    questions_for,
    review_queue,
)
from ..selectors.lots import lots_visible_to
from ..services.enrolment import (
    application_approve,
    application_reject,
    application_request_info,
    application_save,
    application_start,
    application_submit,
    declaration_question_save,
    enrolment_reinstate,
    enrolment_remove,
    enrolment_suspend,
    provider_register,
)

Kind = Organisation.Kind
CONSORTIUM_ADMIN = {Role.CONSORTIUM_ADMIN}
PROVIDERS = {Kind.PROVIDER}


def _document_route():
    """The documents part's download page, if it has one."""
    try:
        reverse("providers:document_download", kwargs={"pk": 1})
    except NoReverseMatch:
        return None
    return "providers:document_download"


# --- Registration (public) -----------------------------------------------------------------


def register(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = RegistrationForm(request.POST or None)
    if request.method == "POST":
        # allauth's sign-up rate limit (per address) also covers registering a provider.
        if not ratelimit.consume(request, action="signup"):
            form.is_valid()
            form.add_error(None, "Too many registrations from your network. Try again later.")
            return render(request, "providers/enrolment/register.html", {"form": form}, status=429)
        if form.is_valid():
            user = submit(
                form,
                provider_register,
                form.service_data(),
                address_from=request_address(request),
            )
            if user is not None:
                # allauth's own verification email (through our outbox); until it is
                # followed, signing in is refused (ACCOUNT_EMAIL_VERIFICATION = "mandatory").
                address = EmailAddress.objects.get(user=user, primary=True)
                send_verification_email_to_address(request, address, signup=True)
            if not form.errors:
                # The same answer whether or not the email already had an account.
                return redirect("providers:register_done")
    return render_form(request, "providers/enrolment/register.html", form)


@require_GET
def register_done(request):
    return render(request, "providers/enrolment/register_done.html")


# --- A provider's applications and enrolments ----------------------------------------------


@actor_required(kinds=PROVIDERS)
def applications(request):
    actor = request.actor
    page = paginate(request, applications_visible_to(actor).order_by("-created_at", "-pk"))
    enrolments = enrolments_visible_to(actor)
    return render(
        request,
        "providers/enrolment/applications.html",
        {"page": page, "enrolments": enrolments},
    )


def _lots_open_to(actor):
    taken = applications_visible_to(actor).filter(status__in=OPEN_STATUSES).values("lot")
    enrolled = enrolments_visible_to(actor).values("lot")
    return (
        lots_visible_to(actor)
        .filter(is_active=True)
        .exclude(pk__in=taken)
        .exclude(pk__in=enrolled)
        .select_related("consortium")
    )


@actor_required(kinds=PROVIDERS, admin=True)
def application_new(request):
    actor = request.actor
    form = ApplicationStartForm(request.POST or None, lots=_lots_open_to(actor))
    if request.method == "POST" and form.is_valid():
        application = submit(form, application_start, actor=actor)
        if application:
            messages.success(request, f"Your application to {application.lot} has been started.")
            return redirect("providers:application_detail", pk=application.pk)
    # When each consortium takes applications (an open framework only during an opening).
    consortia = {lot.consortium_id: lot.consortium for lot in form.fields["lot"].queryset}
    windows = [(consortium, application_window(consortium.pk)) for consortium in consortia.values()]
    return render_form(
        request, "providers/enrolment/application_new.html", form, {"windows": windows}
    )


@actor_required(kinds=PROVIDERS)
def application_detail_view(request, pk):
    actor = request.actor
    application = get_application_for_actor(actor, pk, write=request.method == "POST")
    editable = APPLICATION_STATES.allows(application, "edit") and actor.can_administer
    if request.method == "POST" and not editable:
        raise PermissionDenied
    form = None
    if editable:
        form = ApplicationForm(
            request.POST or None,
            application=application,
            questions=questions_for(application.lot),
            documents=Document.objects.filter(
                provider=actor.organisation, superseded_by__isnull=True
            ),
        )
        if request.method == "POST" and form.is_valid():
            data = {
                "answers": form.answers(),
                "supporting_statement": form.cleaned_data["supporting_statement"],
                "documents": form.cleaned_data["documents"],
            }
            saved = submit(form, application_save, data, actor=actor, application=application)
            if saved and request.POST.get("action") == "submit":
                note = form.cleaned_data.get("note", "")
                if submit(
                    form,
                    application_submit,
                    {"note": note},
                    actor=actor,
                    application=application,
                ):
                    messages.success(request, "Your application has been submitted.")
                    return redirect("providers:application_detail", pk=pk)
                messages.info(request, "Your answers have been saved as a draft.")
            elif saved:
                messages.success(request, "Your answers have been saved as a draft.")
                return redirect("providers:application_detail", pk=pk)
    context = {"application": application, "document_route": _document_route()}
    if form is None:
        return render(request, "providers/enrolment/application_detail.html", context)
    return render_form(request, "providers/enrolment/application_detail.html", form, context)


# --- The consortium admin's review queue -----------------------------------------------------


@actor_required(roles=CONSORTIUM_ADMIN)
def review_queue_view(request):
    actor = request.actor
    status = request.GET.get("status", Application.Status.SUBMITTED)
    if status not in Application.Status.values:
        status = Application.Status.SUBMITTED
    arrangement = arrangement_visible_to(actor)
    timed = arrangement is not None and arrangement.basis in ALWAYS_OPEN
    if status == Application.Status.SUBMITTED:
        queryset = review_queue(actor, by_due_date=timed)
    else:
        queryset = applications_visible_to(actor).filter(status=status).order_by("-pk")
    page = paginate(request, queryset)
    today = timezone.localdate()
    for application in page:
        # The decision timer of a dynamic market or legacy DPS.
        application.due_on = (
            decision_due(application, arrangement)
            if status == Application.Status.SUBMITTED
            else None
        )
        application.overdue = application.due_on is not None and application.due_on < today
    return render(
        request,
        "providers/enrolment/review_queue.html",
        {
            "page": page,
            "status": status,
            "statuses": Application.Status.choices,
            "timed": timed and status == Application.Status.SUBMITTED,
            "decision_days": arrangement.decision_days if arrangement else None,
        },
    )


DECISIONS = {
    "approve": (application_approve, "approved"),
    "more_info": (application_request_info, "sent back for more information"),
    "reject": (application_reject, "rejected"),
}


@actor_required(roles=CONSORTIUM_ADMIN)
def application_review(request, pk):
    actor = request.actor
    application = get_application_for_actor(actor, pk, write=request.method == "POST")
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        service, verb = DECISIONS[form.cleaned_data["decision"]]
        done = submit(
            form,
            service,
            {"reason": form.cleaned_data["reason"]},
            actor=actor,
            application=application,
        )
        if done:
            messages.success(request, f"The application from {application.provider} was {verb}.")
            return redirect("providers:review_queue")
    return render_form(
        request,
        "providers/enrolment/application_review.html",
        form,
        {
            "application": application,
            "can_decide": bool(APPLICATION_STATES.available(application) & set(DECISIONS)),
            "document_route": _document_route(),
            "unanswered": questions_for(application.lot).exclude(
                pk__in=[a.question_id for a in application.answers.all()]
            ),
            "conditions_now": conditions_in_force(arrangement_of(actor.organisation)),
        },
    )


# --- Enrolments (consortium admin) ---------------------------------------------------------


@actor_required(roles=CONSORTIUM_ADMIN)
def enrolment_list(request):
    actor = request.actor
    form = EnrolmentFilterForm(request.GET or None, lots=lots_visible_to(actor))
    queryset = enrolments_visible_to(actor)
    if form.is_valid():
        if form.cleaned_data["lot"]:
            queryset = queryset.filter(lot=form.cleaned_data["lot"])
        if form.cleaned_data["status"]:
            queryset = queryset.filter(status=form.cleaned_data["status"])
    return render(
        request,
        "providers/enrolment/enrolment_list.html",
        {"filter": form, "page": paginate(request, queryset)},
    )


ENROLMENT_ACTIONS = {
    "suspend": (enrolment_suspend, "suspended"),
    "reinstate": (enrolment_reinstate, "reinstated"),
    "remove": (enrolment_remove, "removed"),
}


@actor_required(roles=CONSORTIUM_ADMIN)
def enrolment_manage(request, pk):
    actor = request.actor
    enrolment = get_enrolment_for_actor(actor, pk, write=request.method == "POST")
    form = EnrolmentActionForm(request.POST or None, enrolment=enrolment)
    if request.method == "POST" and form.is_valid():
        service, verb = ENROLMENT_ACTIONS[form.cleaned_data["action"]]
        done = submit(
            form,
            service,
            {"reason": form.cleaned_data["reason"]},
            actor=actor,
            enrolment=enrolment,
        )
        if done:
            messages.success(request, f"{enrolment.provider} was {verb} on {enrolment.lot}.")
            return redirect("providers:enrolment_list")
    return render_form(
        request,
        "providers/enrolment/enrolment_manage.html",
        form,
        {"enrolment": enrolment, "final": not ENROLMENT_STATES.available(enrolment)},
    )


# --- Declaration questions (consortium admin) ----------------------------------------------


@actor_required(roles=CONSORTIUM_ADMIN)
def declaration_questions(request):
    actor = request.actor
    form = DeclarationQuestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        question = submit(form, declaration_question_save, actor=actor)
        if question:
            messages.success(request, "The question has been added.")
            return redirect("providers:declaration_questions")
    questions = paginate(request, declaration_questions_visible_to(actor))
    return render_form(
        request,
        "providers/enrolment/declaration_questions.html",
        form,
        {"questions": questions},
    )


@actor_required(roles=CONSORTIUM_ADMIN)
def declaration_question_edit(request, pk):
    actor = request.actor
    question = get_declaration_question_for_actor(actor, pk, write=request.method == "POST")
    form = DeclarationQuestionForm(
        request.POST or None, initial=DeclarationQuestionForm.initial_for(question)
    )
    if request.method == "POST" and form.is_valid():
        saved = submit(form, declaration_question_save, actor=actor, question=question)
        if saved:
            messages.success(request, "The question has been changed.")
            return redirect("providers:declaration_questions")
    return render_form(
        request, "providers/enrolment/declaration_question_edit.html", form, {"question": question}
    )
