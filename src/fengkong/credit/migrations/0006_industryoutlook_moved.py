"""The industry outlooks moved to the industry app (industry 0001), which keeps their table: only Django's
state changes here, no data moves."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('credit', '0005_check_functional_amount'),
        ('industry', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.DeleteModel(
                name='IndustryOutlook',
            ),
        ]),
    ]
