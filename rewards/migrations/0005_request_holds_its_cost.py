"""A request keeps the effective cost of the reward when it was made: it holds that many of the
child's points while it is pending, and redeeming it charges that cost.

Existing requests get the reward's effective cost now (the child's override if there is one, else
the reward's cost): the only cost known for them. The column is added nullable, filled, then made
non-null, so the migration runs on a populated database.
"""

import django.core.validators
from django.db import migrations, models
from django.db.models import Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce


def fill_costs(apps, schema_editor):
    RewardRequest = apps.get_model("rewards", "RewardRequest")
    RewardOverride = apps.get_model("rewards", "RewardOverride")
    Reward = apps.get_model("rewards", "Reward")
    override = RewardOverride.objects.filter(
        child_id=OuterRef("child_id"), reward_id=OuterRef("reward_id")
    )
    RewardRequest.objects.update(
        cost=Coalesce(
            Subquery(override.values("cost")[:1]),
            Subquery(Reward.objects.filter(pk=OuterRef("reward_id")).values("cost")[:1]),
        ),
        override_applied=Exists(override),
    )


class Migration(migrations.Migration):

    dependencies = [
        ("rewards", "0004_text_without_control_characters"),
    ]

    operations = [
        migrations.AddField(
            model_name="rewardrequest",
            name="cost",
            field=models.PositiveIntegerField(null=True),
        ),
        migrations.AddField(
            model_name="rewardrequest",
            name="override_applied",
            field=models.BooleanField(default=False),
        ),
        migrations.RunPython(fill_costs, migrations.RunPython.noop, elidable=False),
        migrations.AlterField(
            model_name="rewardrequest",
            name="cost",
            field=models.PositiveIntegerField(
                validators=[
                    django.core.validators.MinValueValidator(1),
                    django.core.validators.MaxValueValidator(100000),
                ]
            ),
        ),
        migrations.AddConstraint(
            model_name="rewardrequest",
            constraint=models.CheckConstraint(
                condition=Q(cost__gte=1, cost__lte=100000), name="request_cost_in_range"
            ),
        ),
    ]
