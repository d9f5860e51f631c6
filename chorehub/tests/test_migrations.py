"""Migrations that reshape data are safe on a populated database.

- The move of the reward assignment and `RewardOverride` to the rewards app: the tables keep
  their rows (nothing copied), every count is equal, the history still verifies, and the
  override's content type (its staff permissions) follows the model.
- Households (issue 14): every user becomes the owner of a household holding all that the user
  owned (users who own nothing get one too); counts are equal and the history still verifies.

Each test fills the database with `seed_demo` and `seed_demo --events` (which write through the
current code, so on the current layout), migrates back to the layout before the change (its
reverse carrying the rows back), then migrates forward, as a deployment would.
"""

from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection

BEFORE_THE_MOVE = [("children", "0002_initial"), ("rewards", "0002_corrections")]
BEFORE_HOUSEHOLDS = [
    ("children", "0004_names_without_control_characters"),
    ("rewards", "0005_request_holds_its_cost"),
    ("households", "zero"),
]
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


def seed() -> None:
    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo", "--events", "3000", "--no-progress", stdout=StringIO())


@pytest.fixture
def layout_before_the_move(transactional_db, fast_password_hasher):
    seed()
    migrate(*BEFORE_HOUSEHOLDS)
    migrate(*BEFORE_THE_MOVE)
    yield
    call_command("migrate", verbosity=0)


@pytest.fixture
def layout_before_households(transactional_db, fast_password_hasher):
    seed()
    migrate(*BEFORE_HOUSEHOLDS)
    yield
    call_command("migrate", verbosity=0)


def verify_tracking_holds() -> None:
    out = StringIO()
    call_command("verify_tracking", "--no-progress", stdout=out)
    assert "All chains hold." in out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_a_populated_database_migrates_to_the_new_layout_with_every_row(layout_before_the_move):
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
    verify_tracking_holds()
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


def owners_before() -> dict[str, dict[int, int]]:
    """Each child's, task's and reward's owner, as the layout before households stores it."""
    owners = {}
    with connection.cursor() as cursor:
        for table in ("children_child", "children_task", "rewards_reward"):
            cursor.execute(f"SELECT id, owner_id FROM {table}")
            owners[table] = dict(cursor.fetchall())
    return owners


@pytest.mark.django_db(transaction=True)
def test_every_user_becomes_the_owner_of_a_household_holding_what_they_owned(
    layout_before_households,
):
    User = apps.get_model("auth", "User")
    User.objects.create_user(username="owns-nothing")
    before = row_counts()
    owners = owners_before()
    assert before["children_child"] > 3 and before["tracking_trackingevent"] > 3000

    call_command("migrate", verbosity=0)

    assert row_counts() == before
    Membership = apps.get_model("households", "Membership")
    household_of = dict(Membership.objects.values_list("user_id", "household_id"))
    assert set(household_of) == set(User.objects.values_list("pk", flat=True))
    assert set(Membership.objects.values_list("role", flat=True)) == {"owner"}
    assert len(set(household_of.values())) == User.objects.count()
    for table, model in (
        ("children_child", apps.get_model("children", "Child")),
        ("children_task", apps.get_model("children", "Task")),
        ("rewards_reward", apps.get_model("rewards", "Reward")),
    ):
        now = dict(model.objects.values_list("pk", "household_id"))
        assert now == {pk: household_of[owner] for pk, owner in owners[table].items()}
    verify_tracking_holds()
