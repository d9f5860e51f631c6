"""The rewards app adopts the reward assignment and `RewardOverride` from the children app.

State only for the schema (the tables keep their names and rows, so nothing is copied); the one
data change renames the content type, so that staff permissions on overrides and the admin log
follow the model to its new app.
"""

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models


def content_type_to(app_label_from, app_label_to):
    def move(apps, schema_editor):
        ContentType = apps.get_model('contenttypes', 'ContentType')
        db = schema_editor.connection.alias
        if ContentType.objects.using(db).filter(app_label=app_label_to, model='rewardoverride').exists():
            return
        ContentType.objects.using(db).filter(
            app_label=app_label_from, model='rewardoverride'
        ).update(app_label=app_label_to)

    return move


class Migration(migrations.Migration):

    dependencies = [
        ('children', '0003_rewards_move_to_rewards_app'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('rewards', '0002_corrections'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name='reward',
                    name='assigned_children',
                    field=models.ManyToManyField(blank=True, db_table='children_child_rewards', related_name='rewards', to='children.child'),
                ),
                migrations.CreateModel(
                    name='RewardOverride',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('cost', models.PositiveIntegerField(validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(100000)])),
                        ('child', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='reward_overrides', to='children.child')),
                        ('reward', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='overrides', to='rewards.reward')),
                    ],
                    options={
                        'db_table': 'children_rewardoverride',
                        'ordering': ['id'],
                        'constraints': [
                            models.UniqueConstraint(fields=('child', 'reward'), name='one_reward_override_per_child'),
                            models.CheckConstraint(condition=models.Q(('cost__gte', 1), ('cost__lte', 100000)), name='reward_override_in_range'),
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(
            content_type_to('children', 'rewards'), content_type_to('rewards', 'children')
        ),
    ]
