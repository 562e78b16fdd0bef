"""The fee changes become rows of each placement's schedule (placements.Fee), after the fee
agreed at award: the bid's fee, or for a spot purchase the fee its first change replaced (in
the audit log), else its fee today."""

from datetime import timedelta

from django.db import migrations


def to_schedule(apps, schema_editor):
    Placement = apps.get_model("placements", "Placement")
    FeeChange = apps.get_model("monitoring", "FeeChange")
    Fee = apps.get_model("placements", "Fee")
    AuditEvent = apps.get_model("dps", "AuditEvent")
    changes = {}
    for change in FeeChange.objects.order_by("effective_date", "id"):
        changes.setdefault(change.placement_id, []).append(change)
    rows = []
    bought = Placement.objects.filter(source__in=["dps", "spot"]).select_related("bid")
    for placement in bought.iterator(chunk_size=2000):
        own = changes.get(placement.pk, [])
        agreed = placement.weekly_fee
        if placement.bid_id:
            agreed = placement.bid.weekly_fee
        elif own:
            event = (
                AuditEvent.objects.filter(
                    action="placement.fee_changed", object_id=str(placement.pk)
                )
                .order_by("id")
                .first()
            )
            previous = (event.detail or {}).get("previous_weekly_fee") if event else None
            agreed = previous or own[0].weekly_fee
        placement_rows = [
            Fee(
                placement_id=placement.pk,
                kind="agreed",
                effective_date=placement.start_date,
                weekly_fee=agreed,
                reason="The fee agreed at award.",
            )
        ]
        placement_rows += [
            Fee(
                placement_id=placement.pk,
                kind="other",
                effective_date=c.effective_date,
                weekly_fee=c.weekly_fee,
                reason=c.reason,
                recorded_by_id=c.recorded_by_id,
            )
            for c in own
        ]
        for row, following in zip(placement_rows, [*placement_rows[1:], None], strict=True):
            row.ends = None if following is None else following.effective_date - timedelta(days=1)
        rows += placement_rows
        if len(rows) >= 5000:
            Fee.objects.bulk_create(rows)
            rows = []
    Fee.objects.bulk_create(rows)


class Migration(migrations.Migration):
    dependencies = [
        ("monitoring", "0007_care_episode_distance_unknown"),
        ("placements", "0012_fee"),
        ("dps", "0007_alter_invitation_role_alter_membership_role"),
    ]

    operations = [
        migrations.RunPython(to_schedule, migrations.RunPython.noop),
        migrations.DeleteModel(name="FeeChange"),
    ]
