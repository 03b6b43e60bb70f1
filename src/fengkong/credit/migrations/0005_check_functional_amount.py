from decimal import Decimal

from django.db import migrations, models
from django.db.models import F


def existing_checks_in_functional(apps, schema_editor):
    """Checks made before currencies were converted were all in the functional currency."""
    apps.get_model("credit", "CreditCheck").objects.update(functional_amount=F("amount"), fx_rate=Decimal(1))


class Migration(migrations.Migration):
    dependencies = [("credit", "0004_trigger_knockout")]

    operations = [
        migrations.AddField(
            model_name="creditcheck", name="fx_rate",
            field=models.DecimalField(decimal_places=8, default=1, max_digits=20, verbose_name="exchange rate")),
        migrations.AddField(
            model_name="creditcheck", name="functional_amount",
            field=models.DecimalField(decimal_places=2, default=0, max_digits=18,
                                      verbose_name="amount in the functional currency")),
        migrations.RunPython(existing_checks_in_functional, migrations.RunPython.noop),
    ]
