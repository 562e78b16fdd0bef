"""The notices owed on Find a Tender: the consortium admin drafts, exports and records them as
published; the commissioners of the consortium's boroughs read them. Who may: procurement
access and selectors.notices."""

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from dps.decorators import actor_required
from dps.pages import paginate, render_form, submit
from dps.services import DomainError

from ..access import get_notice_for_actor
from ..forms.notices import NoticeFilterForm, NoticePublishForm
from ..selectors.notices import (
    SUBJECT_RELATED,
    is_overdue,
    may_read_notices,
    may_write_notices,
    notice_fields,
    notice_subject,
    notices_visible_to,
)
from ..services.notices import NOTICE_STATES, notice_draft, notice_publish


def _readable(actor):
    if not may_read_notices(actor):
        raise PermissionDenied("Notices are for the consortium admin and commissioners.")


@actor_required()
def notice_list(request):
    actor = request.actor
    _readable(actor)
    notices = notices_visible_to(actor).select_related(*SUBJECT_RELATED)
    filters = NoticeFilterForm(request.GET or None)
    if filters.is_valid():
        for name in ("status", "kind"):
            if value := filters.cleaned_data[name]:
                notices = notices.filter(**{name: value})
    today = timezone.localdate()
    page = paginate(request, notices)
    for notice in page:
        notice.overdue = is_overdue(notice, today)
        notice.subject = notice_subject(notice)
    return render(
        request,
        "procurement/notices/list.html",
        {"page": page, "filters": filters, "can_write": may_write_notices(actor)},
    )


@actor_required()
def notice_detail(request, pk):
    actor = request.actor
    _readable(actor)
    notice = get_notice_for_actor(actor, pk)
    can_write = may_write_notices(actor)
    return render(
        request,
        "procurement/notices/detail.html",
        {
            "notice": notice,
            "subject": notice_subject(notice),
            "overdue": is_overdue(notice, timezone.localdate()),
            "fields_json": json.dumps(notice.fields, indent=2) if notice.fields else "",
            "can_draft": can_write and NOTICE_STATES.allows(notice, "draft"),
            "can_publish": can_write and NOTICE_STATES.allows(notice, "publish"),
        },
    )


@require_POST
@actor_required()
def notice_draft_view(request, pk):
    actor = request.actor
    _readable(actor)
    notice = get_notice_for_actor(actor, pk, write=True)
    try:
        notice_draft(actor=actor, notice=notice)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "The notice is drafted from the placement's data.")
    return redirect("procurement:notice_detail", pk=pk)


@actor_required()
def notice_export(request, pk):
    """The notice's fields as structured JSON, for Find a Tender (its XML reception schema for
    Procurement Act notices is not public). A notice not yet drafted exports its fields as
    they would be drafted now."""
    actor = request.actor
    _readable(actor)
    notice = get_notice_for_actor(actor, pk)
    document = {
        "format": "find-a-tender-notice-fields",
        "noticeType": notice.kind,
        "status": notice.status,
        "dueOn": notice.due_on.isoformat(),
        "findATenderNoticeId": notice.fts_notice_id,
        "fields": notice.fields or notice_fields(notice),
    }
    response = HttpResponse(
        json.dumps(document, indent=2), content_type="application/json; charset=utf-8"
    )
    name = f"find-a-tender-{notice.kind.lower()}-{notice.pk}.json"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@actor_required()
def notice_publish_view(request, pk):
    actor = request.actor
    _readable(actor)
    notice = get_notice_for_actor(actor, pk, write=True)
    if not NOTICE_STATES.allows(notice, "publish"):
        raise PermissionDenied("This notice is already published.")
    form = NoticePublishForm(request.POST if request.method == "POST" else None)
    published = (
        submit(form, notice_publish, actor=actor, notice=notice)
        if request.method == "POST" and form.is_valid()
        else None
    )
    if published is not None:
        messages.success(request, "The notice is recorded as published.")
        return redirect("procurement:notice_detail", pk=pk)
    return render_form(request, "procurement/notices/publish.html", form, {"notice": notice})
