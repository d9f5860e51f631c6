"""`rewards.0005_request_holds_its_cost` on a populated database: every existing request gets the
reward's effective cost (the child's override if there is one, else the reward's cost), nothing
is lost, and the column is then required.

The test migrates the rewards app back to 0004, fills the tables through the models of that state
(the current ones have the new column), then migrates forward, as a deployment would.
"""

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from children.selectors import available_points

BEFORE = ("rewards", "0004_text_without_control_characters")
AFTER = ("rewards", "0005_request_holds_its_cost")
FAMILIES = 20
STATUSES = ("pending", "redeemed", "cancelled", "reversed")


def migrate(target: tuple[str, str]):
    """Migrate to `target` and return the models of that state."""
    executor = MigrationExecutor(connection)
    executor.migrate([target])
    executor.loader.build_graph()
    return executor.loader.project_state([target]).apps


@pytest.fixture
def before_holds(transactional_db):
    apps = migrate(BEFORE)
    yield apps
    # Every app forward again (households and later apps were unapplied with the rewards app).
    call_command("migrate", verbosity=0)


def populate(apps) -> dict[int, tuple[int, bool]]:
    """Families with rewards, per-child costs and requests of every status; returns each
    request's expected (cost, override_applied)."""
    User = apps.get_model("auth", "User")
    Child = apps.get_model("children", "Child")
    Reward = apps.get_model("rewards", "Reward")
    RewardOverride = apps.get_model("rewards", "RewardOverride")
    RewardRequest = apps.get_model("rewards", "RewardRequest")
    expected = {}
    for family in range(FAMILIES):
        user = User.objects.create(username=f"parent{family}")
        kids = [
            Child.objects.create(owner=user, name=f"Kid {family}-{n}", points=100) for n in range(2)
        ]
        rewards = [
            Reward.objects.create(owner=user, name=f"Reward {family}-{n}", cost=10 * (n + 1))
            for n in range(3)
        ]
        # The first child pays 7 for the second reward.
        RewardOverride.objects.create(child=kids[0], reward=rewards[1], cost=7)
        for kid in kids:
            kid.rewards.set(rewards)
            for index, reward in enumerate(rewards):
                for status in STATUSES if index else ("pending",):
                    request = RewardRequest.objects.create(child=kid, reward=reward, status=status)
                    overridden = kid == kids[0] and reward == rewards[1]
                    expected[request.pk] = (7, True) if overridden else (reward.cost, False)
    return expected


def test_existing_requests_get_their_effective_cost(before_holds):
    expected = populate(before_holds)
    assert len(expected) == FAMILIES * 2 * (1 + 2 * len(STATUSES))

    apps = migrate(AFTER)

    RewardRequest = apps.get_model("rewards", "RewardRequest")
    found = {
        pk: (cost, overridden)
        for pk, cost, overridden in RewardRequest.objects.values_list(
            "pk", "cost", "override_applied"
        )
    }
    assert found == expected
    Child = apps.get_model("children", "Child")
    first = Child.objects.get(name="Kid 0-0")
    second = Child.objects.get(name="Kid 0-1")
    # Pending: 10 (reward 0) + 7 (reward 1, overridden) + 30 (reward 2); and 10 + 20 + 30.
    assert available_points(first) == 100 - 47
    assert available_points(second) == 100 - 60


def test_after_the_migration_a_request_needs_its_cost(before_holds):
    migrate(AFTER)

    # NOT NULL is checked at once (the foreign keys only at commit, on PostgreSQL).
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO rewards_rewardrequest (child_id, reward_id, status, created_at, "
            "override_applied) VALUES (1, 1, 'pending', CURRENT_TIMESTAMP, FALSE)"
        )
