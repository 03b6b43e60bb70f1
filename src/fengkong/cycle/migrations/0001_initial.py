"""CycleRun moves here from monitoring: the table monitoring_cyclerun is taken over as it is (state only),
renamed cycle_cyclerun, and loses the monitoring-specific columns (now on monitoring.MonitoringDay). The
content type follows, so the permissions already granted (run_cycle, view_cyclerun) stay granted."""

import django.utils.timezone
from django.db import migrations, models


def move_content_type(apps, schema_editor):
    """monitoring.cyclerun's content type becomes cycle.cyclerun; if both exist already, the grants of the
    old permissions move to the new ones of the same codename and the old ones go."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    old = ContentType.objects.filter(app_label="monitoring", model="cyclerun").first()
    if old is None:
        return
    new = ContentType.objects.filter(app_label="cycle", model="cyclerun").first()
    if new is None:
        old.app_label = "cycle"
        old.save(update_fields=["app_label"])
        return
    for permission in Permission.objects.filter(content_type=old):
        target = Permission.objects.filter(content_type=new, codename=permission.codename).first()
        if target is None:
            permission.content_type = new
            permission.save(update_fields=["content_type"])
            continue
        for group in permission.group_set.all():
            group.permissions.add(target)
        for user in permission.user_set.all():
            user.user_permissions.add(target)
        permission.delete()
    old.delete()


class Migration(migrations.Migration):
    initial = True
    dependencies = [("monitoring", "0005_cyclerun_moves_to_cycle"), ("contenttypes", "0002_remove_content_type_name"),
                    ("auth", "0012_alter_user_first_name_max_length")]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.CreateModel(
                name="CycleRun",
                fields=[
                    ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                               verbose_name="ID")),
                    ("as_of", models.DateField(unique=True, verbose_name="as of")),
                    ("status", models.CharField(choices=[("running", "Running"), ("done", "Done"),
                                                         ("failed", "Failed")],
                                                default="running", max_length=10, verbose_name="status")),
                    ("worker", models.CharField(blank=True, max_length=64, verbose_name="worker")),
                    ("started_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="started")),
                    ("heartbeat_at", models.DateTimeField(default=django.utils.timezone.now,
                                                          verbose_name="last progress")),
                    ("finished_at", models.DateTimeField(blank=True, null=True, verbose_name="finished")),
                    ("policy_version", models.PositiveIntegerField(default=0, verbose_name="policy version")),
                    ("edges", models.JSONField(default=list, verbose_name="report bucket edges")),
                    ("steps", models.JSONField(default=list, verbose_name="completed steps")),
                    ("counts", models.JSONField(default=dict, verbose_name="counts")),
                    ("attempts", models.PositiveIntegerField(default=1, verbose_name="attempts")),
                    ("error", models.TextField(blank=True, verbose_name="error")),
                ],
                options={"verbose_name": "risk cycle run", "verbose_name_plural": "risk cycle runs",
                         "ordering": ["-as_of"], "permissions": [("run_cycle", "Can run the daily risk cycle")],
                         "db_table": "monitoring_cyclerun"},
            ),
        ]),
        migrations.AlterModelTable(name="cyclerun", table=None),
        migrations.RemoveField(model_name="cyclerun", name="policy_version"),
        migrations.RemoveField(model_name="cyclerun", name="edges"),
        migrations.RunPython(move_content_type, migrations.RunPython.noop),
    ]
