"""On PostgreSQL the database itself refuses to change or delete an audit event."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION dps_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'The audit log is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER dps_auditevent_append_only
    BEFORE UPDATE OR DELETE ON dps_auditevent
    FOR EACH ROW EXECUTE FUNCTION dps_auditevent_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS dps_auditevent_append_only ON dps_auditevent;
DROP FUNCTION IF EXISTS dps_auditevent_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("dps", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
