"""The reward assignment (`Child.rewards`) and `RewardOverride` move to the rewards app.

State only: the tables `children_child_rewards` and `children_rewardoverride` stay as they are,
with their rows; `rewards.0003_take_reward_assignment_and_overrides` adopts them.
"""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('children', '0002_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(model_name='child', name='rewards'),
                migrations.DeleteModel(name='RewardOverride'),
            ],
            database_operations=[],
        ),
    ]
