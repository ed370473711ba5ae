"""Make the audit table append-only in the database itself.

UPDATE is refused on both backends. DELETE is refused on PostgreSQL; on SQLite the ORM refuses it
(test runs flush SQLite tables with DELETE, PostgreSQL with TRUNCATE, which row triggers do not see).
"""

from django.db import migrations


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            """
            CREATE OR REPLACE FUNCTION harmonie_audit_append_only() RETURNS trigger AS $$
            BEGIN
              RAISE EXCEPTION 'core_auditentry is append-only (% refused)', TG_OP;
            END;
            $$ LANGUAGE plpgsql;
            """,
            params=None,
        )
        schema_editor.execute(
            "CREATE TRIGGER core_auditentry_append_only BEFORE UPDATE OR DELETE ON core_auditentry "
            "FOR EACH ROW EXECUTE FUNCTION harmonie_audit_append_only();"
        )
    elif vendor == "sqlite":
        schema_editor.execute(
            "CREATE TRIGGER core_auditentry_no_update BEFORE UPDATE ON core_auditentry "
            "BEGIN SELECT RAISE(ABORT, 'core_auditentry is append-only (UPDATE refused)'); END;"
        )


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS core_auditentry_append_only ON core_auditentry;")
        schema_editor.execute("DROP FUNCTION IF EXISTS harmonie_audit_append_only();")
    elif vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS core_auditentry_no_update;")


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
