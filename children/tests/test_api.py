"""The children API through APIClient, as a frontend calls it (accounts: accounts/tests/)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from children.models import Child, Task, TaskOverride
from children.serializers import DOES_NOT_EXIST, UNKNOWN_IDS, WRONG_KIND
from children.services import not_assigned_message
from kernel.api import (
    BAD_LIMIT,
    BAD_OFFSET,
    DEFAULT_LIMIT,
    MAX_LIMIT,
    UNKNOWN_FIELD,
    UNKNOWN_PARAMETER,
)
from rewards.serializers import VALUE_RANGE
from rewards.views import NO_OVERRIDE
from testsupport.factories import (
    ChildFactory,
    PenaltyFactory,
    RewardFactory,
    TaskFactory,
    household_of,
    owner_of,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]


def child_url(child: Child, action: str | None = None) -> str:
    return reverse(f"child-{action}" if action else "child-detail", args=[child.pk])


# --- Children ------------------------------------------------------------------------------------


def test_children_list_shows_only_the_parents_own_children(parent_client, child, other_parent):
    ChildFactory(owner=other_parent)

    response = parent_client.get(reverse("child-list"))

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert body["next"] is None
    assert body["previous"] is None
    assert [row["id"] for row in body["results"]] == [child.pk]


def test_creating_a_child_starts_it_at_zero_points(parent_client, parent):
    response = parent_client.post(reverse("child-list"), {"name": "Alice", "age": 9})

    assert response.status_code == 201
    body = response.json()
    assert body["name"] == "Alice"
    assert body["age"] == 9
    assert body["points"] == 0
    assert body["task_ids"] == []
    assert body["reward_ids"] == []
    assert owner_of(Child.objects.get(pk=body["id"])) == parent


def test_creating_a_child_without_age_is_accepted(parent_client):
    response = parent_client.post(reverse("child-list"), {"name": "Ben"})

    assert response.status_code == 201
    assert response.json()["age"] is None


def test_creating_a_child_with_points_is_refused(parent_client):
    response = parent_client.post(reverse("child-list"), {"name": "Rich", "points": 1000})

    assert response.status_code == 400
    assert response.json() == {"points": [UNKNOWN_FIELD]}
    assert not Child.objects.exists()


def test_reading_a_child_shows_its_points_and_assignments(parent_client, child, chore, reward):
    response = parent_client.get(child_url(child))

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == child.pk
    assert body["points"] == 0
    assert body["task_ids"] == [chore.pk]
    assert body["reward_ids"] == [reward.pk]


def test_patching_a_childs_name_keeps_its_age(parent_client, child):
    response = parent_client.patch(child_url(child), {"name": "Renamed"})

    assert response.status_code == 200
    saved = Child.objects.get(pk=child.pk)
    assert (saved.name, saved.age) == ("Renamed", child.age)
    assert response.json()["name"] == "Renamed"


def test_putting_a_child_replaces_name_and_age(parent_client, child):
    response = parent_client.put(child_url(child), {"name": "New", "age": 12})

    assert response.status_code == 200
    saved = Child.objects.get(pk=child.pk)
    assert (saved.name, saved.age) == ("New", 12)


def test_patching_a_childs_points_is_refused_and_changes_nothing(parent_client, parent):
    child = ChildFactory(owner=parent, points=5)

    response = parent_client.patch(child_url(child), {"points": 500})

    assert response.status_code == 400
    assert response.json() == {"points": [UNKNOWN_FIELD]}
    assert Child.objects.get(pk=child.pk).points == 5


def test_putting_a_child_with_points_is_refused_even_alongside_valid_fields(parent_client, child):
    response = parent_client.put(child_url(child), {"name": "X", "age": 3, "points": 9})

    assert response.status_code == 400
    assert response.json() == {"points": [UNKNOWN_FIELD]}
    assert Child.objects.get(pk=child.pk).name == child.name


def test_deleting_a_child_removes_it(parent_client, child):
    response = parent_client.delete(child_url(child))

    assert response.status_code == 204
    assert not Child.objects.filter(pk=child.pk).exists()
    assert parent_client.get(child_url(child)).status_code == 404


# --- Tasks ---------------------------------------------------------------------------------------


def test_creating_a_chore_and_a_penalty_names_their_entity_type(parent_client, parent):
    chore = parent_client.post(reverse("task-list"), {"name": "Dishes", "points": 10})
    penalty = parent_client.post(
        reverse("task-list"), {"name": "Shouting", "points": 5, "is_good": False}
    )

    assert (chore.status_code, penalty.status_code) == (201, 201)
    assert chore.json()["is_good"] is True
    assert chore.json()["entity_type"] == "task"
    assert penalty.json()["entity_type"] == "penalty"
    assert Task.objects.filter(household=household_of(parent)).count() == 2


def test_tasks_list_shows_only_the_parents_own_tasks(parent_client, chore, other_parent):
    TaskFactory(owner=other_parent)

    response = parent_client.get(reverse("task-list"))

    assert [row["id"] for row in response.json()["results"]] == [chore.pk]


def test_updating_and_deleting_a_task(parent_client, chore):
    url = reverse("task-detail", args=[chore.pk])

    assert parent_client.patch(url, {"points": 99}).json()["points"] == 99
    assert parent_client.delete(url).status_code == 204
    assert not Task.objects.filter(pk=chore.pk).exists()


def test_a_put_without_is_good_keeps_a_penalty_a_penalty(parent_client, parent):
    penalty = PenaltyFactory(owner=parent)

    response = parent_client.put(
        reverse("task-detail", args=[penalty.pk]), {"name": "Hitting", "points": 20}, format="json"
    )

    assert response.status_code == 200
    assert (response.json()["is_good"], response.json()["entity_type"]) == (False, "penalty")
    penalty.refresh_from_db()
    assert (penalty.name, penalty.points, penalty.is_good) == ("Hitting", 20, False)


# --- Assignments ---------------------------------------------------------------------------------


def test_putting_task_ids_replaces_the_assignment(parent_client, parent, child, chore):
    new_chore, new_penalty = TaskFactory(owner=parent), PenaltyFactory(owner=parent)

    response = parent_client.put(
        child_url(child, "tasks"), {"task_ids": [new_penalty.pk, new_chore.pk]}
    )

    assert response.status_code == 200
    assert response.json() == {"task_ids": sorted([new_chore.pk, new_penalty.pk])}
    assert set(Child.objects.get(pk=child.pk).tasks.all()) == {new_chore, new_penalty}
    assert parent_client.get(child_url(child)).json()["task_ids"] == sorted(
        [new_chore.pk, new_penalty.pk]
    )


def test_putting_an_empty_list_clears_the_assignment(parent_client, child, chore):
    response = parent_client.put(child_url(child, "tasks"), {"task_ids": []})

    assert response.json() == {"task_ids": []}
    assert not Child.objects.get(pk=child.pk).tasks.exists()


def test_putting_reward_ids_replaces_the_assignment(parent_client, parent, child, reward):
    new_reward = RewardFactory(owner=parent)

    response = parent_client.put(child_url(child, "rewards"), {"reward_ids": [new_reward.pk]})

    assert response.status_code == 200
    assert response.json() == {"reward_ids": [new_reward.pk]}
    assert list(Child.objects.get(pk=child.pk).rewards.all()) == [new_reward]


def test_putting_unknown_task_ids_is_refused_and_keeps_the_assignment(parent_client, child, chore):
    response = parent_client.put(child_url(child, "tasks"), {"task_ids": [chore.pk, 999999]})

    assert response.status_code == 400
    assert response.json() == {"task_ids": [UNKNOWN_IDS.format(kind="task", ids="999999")]}
    assert list(Child.objects.get(pk=child.pk).tasks.all()) == [chore]


# --- Overrides -----------------------------------------------------------------------------------


def test_putting_an_override_sets_it_and_lists_it(parent_client, child, chore, reward):
    first = parent_client.put(
        child_url(child, "overrides"), {"entity_type": "task", "entity_id": chore.pk, "value": 25}
    )
    second = parent_client.put(
        child_url(child, "overrides"),
        {"entity_type": "reward", "entity_id": reward.pk, "value": 5},
    )

    assert first.status_code == 200
    assert first.json() == {"entity_type": "task", "entity_id": chore.pk, "value": 25}
    assert second.json() == {"entity_type": "reward", "entity_id": reward.pk, "value": 5}
    listed = parent_client.get(child_url(child, "overrides")).json()
    assert listed["count"] == 2
    assert listed["results"] == [first.json(), second.json()]


def test_putting_an_override_again_replaces_its_value(parent_client, child, penalty):
    body = {"entity_type": "penalty", "entity_id": penalty.pk}
    parent_client.put(child_url(child, "overrides"), {**body, "value": 3})

    response = parent_client.put(child_url(child, "overrides"), {**body, "value": 4})

    assert response.json()["value"] == 4
    assert list(TaskOverride.objects.values_list("points", flat=True)) == [4]


def test_deleting_an_override_by_query_parameters_removes_it(parent_client, child, chore):
    TaskOverride.objects.create(child=child, task=chore, points=3)

    response = parent_client.delete(
        child_url(child, "overrides") + f"?entity_type=task&entity_id={chore.pk}"
    )

    assert response.status_code == 204
    assert not TaskOverride.objects.exists()
    assert parent_client.get(child_url(child, "overrides")).json()["results"] == []


def test_deleting_an_override_by_body_removes_it(parent_client, child, chore):
    TaskOverride.objects.create(child=child, task=chore, points=3)

    response = parent_client.delete(
        child_url(child, "overrides"), {"entity_type": "task", "entity_id": chore.pk}
    )

    assert response.status_code == 204
    assert not TaskOverride.objects.exists()


def test_deleting_a_missing_override_is_a_404(parent_client, child, reward):
    response = parent_client.delete(
        child_url(child, "overrides") + f"?entity_type=reward&entity_id={reward.pk}"
    )

    assert response.status_code == 404
    assert response.json() == {"detail": NO_OVERRIDE.format(entity_type="reward")}


def test_a_task_override_above_the_task_maximum_is_refused(parent_client, child, chore):
    response = parent_client.put(
        child_url(child, "overrides"),
        {"entity_type": "task", "entity_id": chore.pk, "value": 10_001},
    )

    assert response.status_code == 400
    assert response.json() == {"value": [VALUE_RANGE.format(maximum=10_000, entity_type="task")]}
    assert not TaskOverride.objects.exists()


def test_an_override_naming_a_penalty_as_a_task_is_refused(parent_client, child, penalty):
    response = parent_client.put(
        child_url(child, "overrides"),
        {"entity_type": "task", "entity_id": penalty.pk, "value": 5},
    )

    assert response.status_code == 400
    assert response.json() == {
        "entity_type": [
            WRONG_KIND.format(name=penalty.name, id=penalty.pk, actual="penalty", expected="task")
        ]
    }


def test_an_override_on_an_unknown_reward_is_refused(parent_client, child):
    response = parent_client.put(
        child_url(child, "overrides"), {"entity_type": "reward", "entity_id": 999999, "value": 5}
    )

    assert response.status_code == 400
    assert response.json() == {"entity_id": [DOES_NOT_EXIST.format(kind="Reward", id=999999)]}


# --- Activate ------------------------------------------------------------------------------------


def test_activating_a_chore_adds_its_points(parent_client, child, chore):
    response = parent_client.post(child_url(child, "activate"), {"task_id": chore.pk})

    assert response.status_code == 200
    body = response.json()
    assert body["child"]["id"] == child.pk
    assert body["child"]["points"] == 10
    assert "tracking_event" in body
    assert Child.objects.get(pk=child.pk).points == 10


def test_an_action_reads_the_childs_assignments_once_for_its_answer(
    parent_client, child, chore, reward
):
    with CaptureQueriesContext(connection) as queries:
        response = parent_client.post(child_url(child, "activate"), {"task_id": chore.pk})

    body = response.json()["child"]
    assert (body["task_ids"], body["reward_ids"]) == ([chore.pk], [reward.pk])
    # Its service reads the child again under its lock: a prefetch before it would be thrown away.
    reads = [q["sql"] for q in queries.captured_queries if '"children_child_rewards"' in q["sql"]]
    assert len(reads) == 1


def test_activating_a_penalty_floors_points_at_zero(parent_client, parent):
    child = ChildFactory(owner=parent, points=12)
    penalty = PenaltyFactory(owner=parent, points=30)
    child.tasks.add(penalty)

    response = parent_client.post(child_url(child, "activate"), {"task_id": penalty.pk})

    assert response.status_code == 200
    assert response.json()["child"]["points"] == 0


def test_activating_uses_the_childs_override(parent_client, child, chore):
    parent_client.put(
        child_url(child, "overrides"), {"entity_type": "task", "entity_id": chore.pk, "value": 7}
    )

    response = parent_client.post(child_url(child, "activate"), {"task_id": chore.pk})

    assert response.json()["child"]["points"] == 7


def test_activating_an_unassigned_task_is_a_400_naming_task_and_child(parent_client, parent, child):
    task = TaskFactory(owner=parent)

    response = parent_client.post(child_url(child, "activate"), {"task_id": task.pk})

    assert response.status_code == 400
    assert response.json() == {
        "task_id": [not_assigned_message(kind="Task", entity=task, child=child)]
    }
    assert Child.objects.get(pk=child.pk).points == 0


def test_activating_an_unknown_task_is_a_400(parent_client, child):
    response = parent_client.post(child_url(child, "activate"), {"task_id": 999999})

    assert response.status_code == 400
    assert response.json() == {"task_id": [DOES_NOT_EXIST.format(kind="Task", id=999999)]}


# --- Pagination ----------------------------------------------------------------------------------


@pytest.fixture
def many_children(parent):
    def make(count: int) -> None:
        Child.objects.bulk_create(
            Child(household=household_of(parent), name=f"Child {number}") for number in range(count)
        )

    return make


def test_lists_return_50_rows_by_default(parent_client, many_children):
    many_children(DEFAULT_LIMIT + 10)

    body = parent_client.get(reverse("child-list")).json()

    assert DEFAULT_LIMIT == 50
    assert body["count"] == 60
    assert len(body["results"]) == 50
    assert body["next"] is not None
    assert body["previous"] is None


def test_offset_returns_the_rest(parent_client, many_children):
    many_children(60)

    body = parent_client.get(reverse("child-list"), {"limit": 50, "offset": 50}).json()

    assert len(body["results"]) == 10
    assert body["next"] is None
    assert body["previous"] is not None


@pytest.mark.parametrize("limit", ["501", "10000", str(10**30)])
def test_a_limit_above_500_is_clamped_to_500(parent_client, many_children, limit):
    many_children(MAX_LIMIT + 1)

    body = parent_client.get(reverse("child-list"), {"limit": limit}).json()

    assert MAX_LIMIT == 500
    assert body["count"] == 501
    assert len(body["results"]) == 500


@pytest.mark.parametrize("limit", ["0", "-1", "abc", "1.5", "1e3", "9" * 5000])
def test_a_bad_limit_is_a_400_naming_limit(parent_client, child, limit):
    response = parent_client.get(reverse("child-list"), {"limit": limit})

    assert response.status_code == 400
    assert response.json() == {"limit": [BAD_LIMIT]}


@pytest.mark.parametrize("offset", ["-1", "abc", "2.5", str(2**31), str(10**30)])
def test_a_bad_offset_is_a_400_naming_offset(parent_client, child, offset):
    response = parent_client.get(reverse("child-list"), {"offset": offset})

    assert response.status_code == 400
    assert response.json() == {"offset": [BAD_OFFSET]}


def test_an_unknown_query_parameter_on_a_list_is_a_400(parent_client, child):
    response = parent_client.get(reverse("child-list"), {"name": "x"})

    assert response.status_code == 400
    assert response.json() == {"name": [UNKNOWN_PARAMETER.format(allowed="limit, offset")]}
