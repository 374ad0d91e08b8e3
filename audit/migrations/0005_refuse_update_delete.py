"""The database refuses UPDATE and DELETE on audit events (triggers, audit/db.py): on
PostgreSQL a row trigger that raises, on SQLite two RAISE(ABORT) triggers. RunPython rather
than RunSQL because the statements depend on the database vendor."""

from django.db import migrations


def install(apps, schema_editor):
    from audit.db import install_statements

    for sql in install_statements(schema_editor.connection.vendor):
        schema_editor.execute(sql)


def remove(apps, schema_editor):
    from audit.db import remove_statements

    for sql in remove_statements(schema_editor.connection.vendor):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_event_seq_unique")]

    operations = [migrations.RunPython(install, remove)]
