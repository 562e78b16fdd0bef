"""The demo consortium's notices: its arrangement (a dynamic market, unless the providers'
demo set one up already), the notices its data owes, and one recorded as published.

Idempotent: the arrangement is created once, the notices are synced only while the
consortium has none (the placement history the monitoring demo adds after this one gets its
notices from the daily run, so seeding again changes nothing), and a notice is published only
while none is."""

from datetime import date

from django.db import transaction
from django.utils import timezone

from dps.demo import CONSORTIUM
from dps.models import Membership, Organisation, Role
from dps.tenancy import Actor
from providers.models import Arrangement

from .models import Notice
from .services.notices import notice_publish, notices_sync


@transaction.atomic
def seed(stdout):
    consortium = Organisation.objects.filter(slug=CONSORTIUM[0]).first()
    if consortium is None:
        return
    Arrangement.objects.get_or_create(
        consortium=consortium,
        defaults={
            "basis": Arrangement.Basis.DYNAMIC_MARKET,
            "title": "South Thames Children's Placements Dynamic Market",
            "description": "Residential and foster placements for looked-after children.",
            "starts_on": date(2025, 4, 1),
            "ends_on": date(2033, 3, 31),
        },
    )
    if Notice.objects.filter(consortium=consortium).exists():
        stdout.write("  notices already recorded")
        return
    created = notices_sync(consortium=consortium, today=timezone.localdate())
    stdout.write(f"  {len(created)} notices owed recorded")
    first = Notice.objects.filter(consortium=consortium).order_by("due_on", "id").first()
    admin = (
        Membership.objects.filter(organisation=consortium, role=Role.CONSORTIUM_ADMIN)
        .select_related("user", "organisation")
        .first()
    )
    if first is None or admin is None:
        return
    notice_publish(actor=Actor.for_membership(admin), notice=first, fts_notice_id="004217-2025")
    stdout.write(f"  {first.get_kind_display()} recorded as published")
