"""Step 3 of the move to households: every row has its household (households/0002), so the
column is required and `owner` goes."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("children", "0005_household_field"),
        ("households", "0002_a_household_for_every_user"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="child", name="child_by_owner"),
        migrations.RemoveField(model_name="child", name="owner"),
        migrations.AlterField(
            model_name="child",
            name="household",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="children",
                to="households.household",
            ),
        ),
        migrations.AddIndex(
            model_name="child",
            index=models.Index(fields=["household", "id"], name="child_by_household"),
        ),
        migrations.RemoveIndex(model_name="task", name="task_by_owner"),
        migrations.RemoveField(model_name="task", name="owner"),
        migrations.AlterField(
            model_name="task",
            name="household",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="tasks",
                to="households.household",
            ),
        ),
        migrations.AddIndex(
            model_name="task",
            index=models.Index(fields=["household", "id"], name="task_by_household"),
        ),
    ]
