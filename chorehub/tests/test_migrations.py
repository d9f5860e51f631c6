"""The move of the reward assignment and `RewardOverride` to the rewards app is safe on a populated
database: the tables keep their rows (nothing copied), every count is equal, the history still
verifies, and the override's content type (its staff permissions) follows the model.

The test fills the database with `seed_demo` and `seed_demo --events`, migrates back to the layout
before the move (the move is state-only, so the rows stay), then migrates forward, as a deployment
would. (It seeds first because `seed_demo` writes through today's models: since
`rewards.0005_request_holds_its_cost` a request has a column the old layout lacks.)
"""

from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection

BEFORE_THE_MOVE = [("children", "0002_initial"), ("rewards", "0002_corrections")]
TABLES = [
    "auth_user",
    "children_child",
    "children_task",
    "children_child_tasks",
    "children_child_rewards",
    "children_taskoverride",
    "children_rewardoverride",
    "rewards_reward",
    "rewards_rewardrequest",
    "tracking_trackingevent",
]


def row_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        counts = {}
        for table in TABLES:
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


def migrate(*targets: tuple[str, str]) -> None:
    for app_label, name in targets:
        call_command("migrate", app_label, name, verbosity=0)


@pytest.fixture
def layout_before_the_move(transactional_db, fast_password_hasher):
    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo", "--events", "3000", "--no-progress", stdout=StringIO())
    migrate(*BEFORE_THE_MOVE)
    yield
    call_command("migrate", verbosity=0)


@pytest.mark.django_db(transaction=True)
def test_a_populated_database_migrates_to_the_new_layout_with_every_row(
    layout_before_the_move, fast_password_hasher
):
    # What the old layout's post_migrate made: the override's content type in `children`.
    ContentType.objects.clear_cache()
    assert not ContentType.objects.filter(app_label="rewards", model="rewardoverride").exists()
    old_type, _ = ContentType.objects.get_or_create(app_label="children", model="rewardoverride")
    permission, _ = Permission.objects.get_or_create(
        content_type=old_type,
        codename="delete_rewardoverride",
        defaults={"name": "Can delete reward override"},
    )
    with connection.cursor() as cursor:  # a per-child cost, as the old layout stored it
        cursor.execute(
            "INSERT INTO children_rewardoverride (child_id, reward_id, cost) "
            "SELECT c.id, r.id, 7 FROM children_child c JOIN rewards_reward r "
            "ON r.owner_id = c.owner_id WHERE c.name = 'Alice' AND r.name = 'Ice cream'"
        )
    before = row_counts()
    assert before["children_child_rewards"] > 0 and before["children_rewardoverride"] == 1
    assert before["tracking_trackingevent"] > 3000

    call_command("migrate", verbosity=0)

    assert row_counts() == before
    out = StringIO()
    call_command("verify_tracking", "--no-progress", stdout=out)
    assert "All chains hold." in out.getvalue()
    RewardOverride = apps.get_model("rewards", "RewardOverride")
    assert RewardOverride.objects.get().cost == 7
    alice = apps.get_model("children", "Child").objects.filter(name="Alice").first()
    assert sorted(alice.rewards.values_list("name", flat=True)) == [
        "Ice cream",
        "Movie night",
        "Screen time",
    ]
    permission.refresh_from_db()
    assert (permission.content_type.app_label, permission.content_type.model) == (
        "rewards",
        "rewardoverride",
    )
    ContentType.objects.clear_cache()
    assert ContentType.objects.get_for_model(RewardOverride).pk == old_type.pk
