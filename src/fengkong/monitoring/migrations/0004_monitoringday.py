"""MonitoringDay: the days whose monitoring is complete, with the policy version and edges they used.

Until now a completed CycleRun said so; the night's record moves to the `cycle` app (0005 and
cycle.0001), so monitoring keeps its own. Every done run becomes a monitored day.
"""

import django.utils.timezone
from django.db import migrations, models


def copy_done_runs(apps, schema_editor):
    CycleRun = apps.get_model("monitoring", "CycleRun")
    MonitoringDay = apps.get_model("monitoring", "MonitoringDay")
    MonitoringDay.objects.bulk_create([
        MonitoringDay(as_of=run.as_of, policy_version=run.policy_version, edges=run.edges,
                      completed_at=run.finished_at or run.heartbeat_at)
        for run in CycleRun.objects.filter(status="done")], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0003_utilisation_label")]

    operations = [
        migrations.CreateModel(
            name="MonitoringDay",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("as_of", models.DateField(unique=True, verbose_name="as of")),
                ("policy_version", models.PositiveIntegerField(default=0, verbose_name="policy version")),
                ("edges", models.JSONField(default=list, verbose_name="report bucket edges")),
                ("completed_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="completed")),
            ],
            options={"verbose_name": "monitored day", "verbose_name_plural": "monitored days",
                     "ordering": ["-as_of"]},
        ),
        migrations.RunPython(copy_done_runs, migrations.RunPython.noop),
    ]
