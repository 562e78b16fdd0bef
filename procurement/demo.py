"""The demo consortium's notices: those its arrangement (the providers' demo sets up a dynamic
market) and its data owe, with the market's own notices recorded as published when they were
due, as a consortium would have published them, and the rest due or overdue.

Idempotent: the sync adds only notices not yet recorded, and the market's notices are
published only while none of them is."""

from datetime import datetime, time

from django.db import transaction
from django.utils import timezone

from dps.demo import CONSORTIUM
from dps.models import Membership, Organisation, Role
from dps.tenancy import Actor
from providers.selectors.arrangement import arrangement_of

from .models import Notice
from .services.notices import notice_publish, notices_sync

# The dynamic market's notices, with the ids Find a Tender gave them.
PUBLISHED = {
    Notice.Kind.UK13: "004217-2025",
    Notice.Kind.UK14: "012908-2025",
    Notice.Kind.UK15: "061554-2025",
}


@transaction.atomic
def seed(stdout):
    consortium = Organisation.objects.filter(slug=CONSORTIUM[0]).first()
    admin = (
        Membership.objects.filter(organisation=consortium, role=Role.CONSORTIUM_ADMIN)
        .select_related("user", "organisation")
        .first()
    )
    if admin is None or arrangement_of(consortium) is None:
        return
    created = notices_sync(consortium=consortium, today=timezone.localdate())
    stdout.write(f"  {len(created)} notices owed recorded")
    market = Notice.objects.filter(consortium=consortium, kind__in=PUBLISHED)
    if market.filter(status=Notice.Status.PUBLISHED).exists():
        return
    actor = Actor.for_membership(admin)
    for notice in market:
        notice_publish(actor=actor, notice=notice, fts_notice_id=PUBLISHED[notice.kind])
        published_at = timezone.make_aware(datetime.combine(notice.due_on, time(10)))
        Notice.objects.filter(pk=notice.pk).update(published_at=published_at)
    stdout.write(f"  {market.count()} of the market's notices recorded as published")
