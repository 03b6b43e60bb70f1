"""A credit check's order reference is unique per customer, no longer in the whole table: replaying a
reference that another portfolio's customer was checked with must answer as if it had never been checked
(issue 20), so it becomes a new check of the caller's customer instead of a conflict naming the other one."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("credit", "0002_assessment_trigger_guarantee"),
    ]

    operations = [
        migrations.AlterField(
            model_name="creditcheck",
            name="reference",
            field=models.CharField(db_index=True, max_length=80, verbose_name="order reference"),
        ),
        migrations.AddConstraint(
            model_name="creditcheck",
            constraint=models.UniqueConstraint(fields=("customer", "reference"), name="check_reference_per_customer"),
        ),
    ]
