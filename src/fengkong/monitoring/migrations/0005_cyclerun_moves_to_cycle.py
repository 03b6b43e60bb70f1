"""The night's record (CycleRun) belongs to the `cycle` app from now on: it leaves monitoring's state here
and cycle.0001 takes over the same table (then renames it). No data moves."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0004_monitoringday")]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(name="CycleRun")]),
    ]
