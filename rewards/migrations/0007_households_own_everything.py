"""Step 3 of the move to households: every row has its household (households/0002), so the
column is required and `owner` goes."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("rewards", "0006_household_field"),
        ("households", "0002_a_household_for_every_user"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="reward", name="reward_by_owner"),
        migrations.RemoveField(model_name="reward", name="owner"),
        migrations.AlterField(
            model_name="reward",
            name="household",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="rewards",
                to="households.household",
            ),
        ),
        migrations.AddIndex(
            model_name="reward",
            index=models.Index(fields=["household", "id"], name="reward_by_household"),
        ),
    ]
