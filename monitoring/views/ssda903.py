"""A borough's SSDA903 returns: the list with the upload form, a return's page (progress while a
worker checks or imports it, its problems or issues, the decision, what the import did), and
the CSV downloads of its issues and unmatched URNs. Who may see which return: monitoring.access."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Min
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render

from dps.csv_export import csv_download
from dps.decorators import actor_required
from dps.pages import paginate, submit
from dps.services import DomainError

from ..access import get_ssda903_return_for_actor, may_see_ssda903, ssda903_returns_visible_to
from ..forms.ssda903 import Ssda903UploadForm
from ..services.ssda903 import (
    RUNNING,
    actions_for,
    may_upload,
    ssda903_return_create,
    ssda903_return_discard,
    ssda903_return_import,
)

FIRST_ISSUES = 50
FIRST_URNS = 10


def _borough_user(request):
    if not may_see_ssda903(request.actor):
        raise PermissionDenied("SSDA903 returns are the borough's commissioners' and officers'.")
    return request.actor


@actor_required()
def ssda903_return_list(request):
    actor = _borough_user(request)
    form = Ssda903UploadForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    if request.method == "POST":
        if not may_upload(actor):
            raise PermissionDenied
        if form.is_valid():
            created = submit(form, ssda903_return_create, actor=actor)
            if created is not None:
                messages.success(request, "The return is uploaded and being checked.")
                return redirect("monitoring:ssda903_return_detail", pk=created.pk)
    returns = ssda903_returns_visible_to(actor)
    return render(
        request,
        "monitoring/ssda903/list.html",
        {"form": form, "page": paginate(request, returns)},
        status=400 if form.is_bound and form.errors else 200,
    )


@actor_required()
def ssda903_return_detail(request, pk):
    actor = _borough_user(request)
    found = get_ssda903_return_for_actor(actor, pk)
    issues = found.issues.all()
    summary = list(
        issues.values("code")
        .annotate(count=Count("id"), message=Min("message"))
        .order_by("-count", "code")
    )
    report = {k: v for k, v in found.report.items() if k != "derived"}
    unmatched = report.get("unmatched_urns", [])
    percent = round(100 * found.progress_done / found.progress_total) if found.progress_total else 0
    return render(
        request,
        "monitoring/ssda903/detail.html",
        {
            "ret": found,
            "running": found.status in RUNNING,
            "percent": percent,
            "summary": summary,
            "first_issues": issues.order_by("id")[:FIRST_ISSUES],
            "first_issues_count": min(found.issues_total, FIRST_ISSUES),
            "report": report,
            "validation": report.get("validation", {}),
            "unmatched_first": unmatched[:FIRST_URNS],
            "unmatched_count": len(unmatched),
            "actions": actions_for(found) if may_upload(actor) else {},
        },
    )


@actor_required()
def ssda903_return_issues_csv(request, pk):
    actor = _borough_user(request)
    found = get_ssda903_return_for_actor(actor, pk)
    response, writer = csv_download(f"ssda903-{found.year_ending}-issues-{found.pk}.csv")
    writer.writerow(["file", "line", "child", "code", "message", "fields"])
    for issue in found.issues.order_by("id").iterator():
        writer.writerow(
            [issue.file, issue.line, issue.child, issue.code, issue.message, issue.fields]
        )
    return response


@actor_required()
def ssda903_return_unmatched_csv(request, pk):
    actor = _borough_user(request)
    found = get_ssda903_return_for_actor(actor, pk)
    response, writer = csv_download(f"ssda903-{found.year_ending}-unmatched-urns-{found.pk}.csv")
    writer.writerow(["urn"])
    for urn in found.report.get("unmatched_urns", []):
        writer.writerow([urn])
    return response


def _decide(request, pk, service, done):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    actor = _borough_user(request)
    found = get_ssda903_return_for_actor(actor, pk, write=True)
    try:
        service(actor=actor, ssda903_return=found)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("monitoring:ssda903_return_detail", pk=found.pk)


@actor_required()
def ssda903_return_import_view(request, pk):
    return _decide(request, pk, ssda903_return_import, "The valid children are being imported.")


@actor_required()
def ssda903_return_discard_view(request, pk):
    return _decide(request, pk, ssda903_return_discard, "The return will not be imported.")
