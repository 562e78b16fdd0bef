from django.db import migrations, models

CHUNK = 5000


def fill(apps, schema_editor):
    """Each placement made from a request gets the request's total needs score; placements are
    grouped by total, so there is one UPDATE per total (and chunk), not one per placement."""
    Placement = apps.get_model("placements", "Placement")
    by_total = {}
    rows = Placement.objects.filter(request__isnull=False).values_list("pk", "request__needs")
    for pk, needs in rows.iterator(chunk_size=CHUNK):
        total = sum(int(score or 0) for score in (needs or {}).values())
        by_total.setdefault(total, []).append(pk)
    for total, ids in by_total.items():
        for start in range(0, len(ids), CHUNK):
            Placement.objects.filter(pk__in=ids[start : start + CHUNK]).update(needs_total=total)


class Migration(migrations.Migration):
    dependencies = [
        ("placements", "0004_api_list_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="placement",
            name="needs_total",
            field=models.PositiveSmallIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
    ]
