"""Writes that refer to a reward (a request, from a device or a guardian; an assignment; an
override) racing `DELETE /api/rewards/{id}/`: whichever locks the reward first wins, and no one
gets a 500. See children/tests/test_task_deletion_races.py for the tasks' side and how each order
is played on purpose; the last test runs the free race, in threads."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import reverse

from children.models import Child
from children.tests.test_deletion_races import print_counts
from conftest import client_for
from devices.tests.conftest import device_client_for, pair
from kernel.errors import InvalidAction
from kernel.referenced import DOES_NOT_EXIST, UNKNOWN_IDS
from rewards import services
from rewards.models import Reward, RewardOverride, RewardRequest
from testsupport.admin_deletion import ADMIN_DELETIONS, admin_deletion
from testsupport.factories import ChildFactory, RewardFactory
from testsupport.races import race_in_order

ROUNDS = 30
DELETE_REWARD = 'DELETE FROM "rewards_reward"'


@dataclass(frozen=True)
class RewardWrite:
    """A write that refers to a reward: how to send it, the row it inserts (its table), what it
    answers when it wins, and its 400 when the reward is gone (as for an id that never
    existed)."""

    send: Callable[[Any, Child, Reward], Any]
    table: str
    created: int
    gone: Callable[[Reward], dict]


def guardian(parent):
    client = client_for(parent)
    client.raise_request_exception = False
    return client


def request_from_a_device(parent, child, reward):
    _, credential = pair(children=[child], by=parent)
    client = device_client_for(credential)
    client.raise_request_exception = False
    return lambda: client.post(
        reverse("kid-reward-requests", args=[child.pk]), {"reward_id": reward.pk}, format="json"
    )


def request_from_a_guardian(parent, child, reward):
    client = guardian(parent)
    return lambda: client.post(
        reverse("child-reward-reward-requests", args=[child.pk]),
        {"reward_id": reward.pk},
        format="json",
    )


def assign(parent, child, reward):
    client = guardian(parent)
    return lambda: client.put(
        reverse("child-rewards", args=[child.pk]), {"reward_ids": [reward.pk]}, format="json"
    )


def override(parent, child, reward):
    client = guardian(parent)
    body = {"entity_type": "reward", "entity_id": reward.pk, "value": 3}
    return lambda: client.put(reverse("child-overrides", args=[child.pk]), body, format="json")


def reward_id_gone(reward: Reward) -> dict:
    return {"reward_id": [DOES_NOT_EXIST.format(kind="Reward", id=reward.pk)]}


WRITES = {
    "a device's request": RewardWrite(
        request_from_a_device, "rewards_rewardrequest", 201, reward_id_gone
    ),
    "a guardian's request": RewardWrite(
        request_from_a_guardian, "rewards_rewardrequest", 201, reward_id_gone
    ),
    "an assignment": RewardWrite(
        assign,
        "children_child_rewards",
        200,
        lambda reward: {"reward_ids": [UNKNOWN_IDS.format(kind="reward", ids=reward.pk)]},
    ),
    "an override": RewardWrite(
        override,
        "children_rewardoverride",
        200,
        lambda reward: {"entity_id": [DOES_NOT_EXIST.format(kind="Reward", id=reward.pk)]},
    ),
}


def family(parent, name: str) -> tuple[Child, Reward]:
    """A child with 50 points and a 20-point reward; assigned, but for an assignment (which then
    inserts it)."""
    child = ChildFactory(owner=parent, points=50)
    reward = RewardFactory(owner=parent, cost=20)
    if name != "an assignment":
        child.rewards.add(reward)
    return child, reward


def deletion(parent, reward: Reward):
    client = guardian(parent)
    return lambda: client.delete(reverse("reward-detail", args=[reward.pk]))


def nothing_refers_to(reward: Reward) -> bool:
    return not (
        Reward.objects.filter(pk=reward.pk).exists()
        or RewardRequest.objects.filter(reward_id=reward.pk).exists()
        or RewardOverride.objects.filter(reward_id=reward.pk).exists()
        or Reward.assigned_children.through.objects.filter(reward_id=reward.pk).exists()
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("name", WRITES)
def test_a_reward_deletion_waits_for_a_write_that_refers_to_the_reward_and_then_deletes_its_row(
    name, concurrently, parent
):
    """The write has inserted its row, not committed: the deletion waits for it, then cascades
    to the committed row (it used to delete the reward first and fail the write at COMMIT)."""
    write = WRITES[name]
    child, reward = family(parent, name)

    written, deleted, deletion_waited = race_in_order(
        write.send(parent, child, reward),
        deletion(parent, reward),
        pause_after=f'INSERT INTO "{write.table}"',
    )

    assert written.error is None and deleted.error is None, (written.error, deleted.error)
    assert written.result.status_code == write.created, written.result.content
    assert deleted.result.status_code == 204, deleted.result.content
    assert deletion_waited
    assert nothing_refers_to(reward)
    assert Child.objects.get(pk=child.pk).points == 50  # a request moves none; its hold is gone


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("name", WRITES)
def test_a_write_that_refers_to_a_reward_being_deleted_waits_and_answers_as_for_an_unknown_reward(
    name, concurrently, parent
):
    """The deletion has deleted the row, not committed: the write (its lookup done) waits for it,
    then answers the 400 of a reward that does not exist, with nothing written."""
    write = WRITES[name]
    child, reward = family(parent, name)

    deleted, written, _ = race_in_order(
        deletion(parent, reward), write.send(parent, child, reward), pause_after=DELETE_REWARD
    )

    assert written.error is None and deleted.error is None, (written.error, deleted.error)
    assert deleted.result.status_code == 204, deleted.result.content
    assert written.result.status_code == 400, written.result.content
    assert written.result.json() == write.gone(reward)
    assert nothing_refers_to(reward)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("bulk", [False, True], ids=ADMIN_DELETIONS)
@pytest.mark.parametrize("name", WRITES)
def test_a_reward_deletion_in_the_admin_waits_for_a_write_that_refers_to_the_reward_and_then_deletes_its_row(
    name, bulk, concurrently, parent
):
    """As through the API: the admin's deletion (its page, or "delete selected") waits for the
    write's row and cascades to it. It used to skip the reward's lock, collect the cascade before
    the write committed, and fail the foreign key at COMMIT: a 500."""
    write = WRITES[name]
    child, reward = family(parent, name)

    written, deleted, deletion_waited = race_in_order(
        write.send(parent, child, reward),
        admin_deletion(reward, bulk=bulk),
        pause_after=f'INSERT INTO "{write.table}"',
    )

    assert written.error is None and deleted.error is None, (written.error, deleted.error)
    assert written.result.status_code == write.created, written.result.content
    assert deleted.result.status_code == 302, deleted.result.content[:300]
    assert deletion_waited
    assert nothing_refers_to(reward)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("bulk", [False, True], ids=ADMIN_DELETIONS)
def test_a_request_for_a_reward_being_deleted_in_the_admin_waits_and_answers_as_for_an_unknown_reward(
    bulk, concurrently, parent
):
    write = WRITES["a device's request"]
    child, reward = family(parent, "a device's request")

    deleted, written, _ = race_in_order(
        admin_deletion(reward, bulk=bulk),
        write.send(parent, child, reward),
        pause_after=DELETE_REWARD,
    )

    assert written.error is None and deleted.error is None, (written.error, deleted.error)
    assert deleted.result.status_code == 302, deleted.result.content[:300]
    assert written.result.status_code == 400, written.result.content
    assert written.result.json() == write.gone(reward)
    assert nothing_refers_to(reward)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "refer",
    [
        lambda child, reward: services.request_reward(child=child, reward=reward),
        lambda child, reward: services.set_reward_override(child=child, reward=reward, cost=3),
        lambda child, reward: services.assign_rewards(child=child, rewards=[reward]),
    ],
    ids=["request_reward", "set_reward_override", "assign_rewards"],
)
def test_a_service_given_a_reward_whose_row_is_gone_raises_invalid_action_and_writes_nothing(
    refer, parent, child, reward
):
    Child.objects.filter(pk=child.pk).update(points=50)
    Reward.objects.filter(pk=reward.pk).delete()

    with pytest.raises(InvalidAction):
        refer(child, reward)

    assert nothing_refers_to(reward)


@pytest.mark.django_db
def test_deleting_a_reward_deletes_its_requests_overrides_and_assignments(
    parent_client, child, reward
):
    Child.objects.filter(pk=child.pk).update(points=50)
    services.request_reward(child=child, reward=reward)
    services.set_reward_override(child=child, reward=reward, cost=3)

    response = parent_client.delete(reverse("reward-detail", args=[reward.pk]))

    assert response.status_code == 204
    assert nothing_refers_to(reward)
    assert Child.objects.get(pk=child.pk).points == 50


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("name", ["a device's request", "a guardian's request"])
def test_reward_requests_racing_the_deletion_of_their_reward_answer_201_or_400_never_500(
    name, concurrently, parent
):
    """The free race, as the review ran it over HTTP: `ROUNDS` times, a request and the reward's
    deletion at the same moment."""
    statuses = []
    for _ in range(ROUNDS):
        child, reward = family(parent, name)
        send, delete = WRITES[name].send(parent, child, reward), deletion(parent, reward)

        outcomes = concurrently(2, lambda index, send=send, delete=delete: (send, delete)[index]())

        assert [kind for kind, _ in outcomes] == ["ok", "ok"], outcomes
        asked, deleted = outcomes[0][1], outcomes[1][1]
        assert deleted.status_code == 204, deleted.content
        assert asked.status_code in (201, 400), (asked.status_code, asked.content)
        assert nothing_refers_to(reward)
        statuses.append(str(asked.status_code))

    print_counts(f"{name} vs reward delete", statuses)
