"""The database, not only the model, refuses to change or delete an access record.

On PostgreSQL a row trigger raises on every UPDATE and DELETE of ``audit_accessrecord``,
whatever code or SQL issues it (a queryset ``update()``/``delete()`` skips the model's
``save()`` and ``delete()``; raw SQL skips Django altogether).

TRUNCATE is deliberately not covered: row triggers do not fire on it, and a statement trigger
on TRUNCATE would break Django's test flush (``flush`` empties every table with one TRUNCATE).
TRUNCATE needs the TRUNCATE privilege or ownership of the table; in production run the
application as a role that does not own the tables, or revoke TRUNCATE on this one
(``REVOKE TRUNCATE ON audit_accessrecord FROM <app role>``).

On SQLite (``make run``, the laptop demo) there is no trigger; the model still refuses.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION audit_accessrecord_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_accessrecord is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_accessrecord_append_only
    BEFORE UPDATE OR DELETE ON audit_accessrecord
    FOR EACH ROW EXECUTE FUNCTION audit_accessrecord_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS audit_accessrecord_append_only ON audit_accessrecord;
DROP FUNCTION IF EXISTS audit_accessrecord_append_only();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_access_record")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
