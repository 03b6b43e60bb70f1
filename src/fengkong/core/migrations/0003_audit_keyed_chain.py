"""The keyed audit chain: each event names its signing key and scheme; the events written before stay
scheme 1 (verified with their own function, never re-signed) and are sealed by one keyed event.

On SQLite, adding a NOT NULL column rebuilds the table, which drops its triggers: the append-only
triggers of 0002 are put back here."""

import importlib

from django.db import migrations, models

from fengkong.core.audit import seal_unkeyed_chain

APPEND_ONLY = importlib.import_module("fengkong.core.migrations.0002_audit_append_only")


def restore_sqlite_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for sql in APPEND_ONLY.SQLITE_REVERSE:
        schema_editor.execute(sql.replace("DROP TRIGGER", "DROP TRIGGER IF EXISTS"))
    for sql in APPEND_ONLY.SQLITE:
        schema_editor.execute(sql)


def seal(apps, schema_editor):
    seal_unkeyed_chain(apps.get_model("core", "AuditEvent"))


class Migration(migrations.Migration):
    dependencies = [("core", "0002_audit_append_only")]
    operations = [
        migrations.AddField(
            model_name="auditevent", name="key_id",
            field=models.CharField(blank=True, default="", max_length=16, verbose_name="signing key"),
        ),
        migrations.AddField(
            model_name="auditevent", name="scheme",
            field=models.PositiveSmallIntegerField(default=1, verbose_name="signature scheme"),
            preserve_default=False,
        ),
        migrations.RunPython(restore_sqlite_triggers, migrations.RunPython.noop),
        migrations.RunPython(seal, migrations.RunPython.noop),
    ]
