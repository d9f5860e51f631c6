"""Reward actions racing the deletion of their child (or of their request, with its reward): a 404
with nothing changed, never a 500. See children/tests/test_deletion_races.py for how the race is
made deterministic; the last test runs the real race, in threads, on PostgreSQL."""

import threading
from collections.abc import Callable

import pytest
from django.db import connection
from django.urls import reverse
from django_eventstream.models import Event as StoredEvent
from rest_framework.generics import GenericAPIView

from children.models import Child
from children.services import CHILD_GONE
from children.tests.test_deletion_races import (
    answer_kind,
    delete_child_from_another_connection,
    print_counts,
)
from conftest import client_for
from kernel.errors import NotFound
from rewards import services
from rewards.models import Reward, RewardOverride, RewardRequest
from rewards.services import REQUEST_GONE
from testsupport.factories import ChildFactory, RewardFactory, RewardRequestFactory
from tracking.models import TrackingEvent

ROUNDS = 30


@pytest.fixture
def rich_child(parent, reward):
    """A child with 50 points and the 20-point `reward` assigned."""
    child = ChildFactory(owner=parent, points=50)
    child.rewards.add(reward)
    return child


@pytest.fixture
def pending(rich_child, reward):
    return RewardRequestFactory(child=rich_child, reward=reward)


@pytest.fixture
def lost_after_lookup(
    monkeypatch, settings, tmp_path
) -> Callable[[Callable[[object], None]], None]:
    """`lost_after_lookup(lose)`: every view's lookup finds its object, then `lose(found)` runs
    (and commits) before the view goes on."""
    settings.CHOREHUB_LOG_DIR = tmp_path / "logs"  # the deletion commits: its audit log goes here
    find = GenericAPIView.get_object

    def install(lose: Callable[[object], None]) -> None:
        def find_then_lose(view: GenericAPIView):
            found = find(view)
            lose(found)
            return found

        monkeypatch.setattr(GenericAPIView, "get_object", find_then_lose)

    return install


def lose_the_child(found: Child | RewardRequest) -> None:
    delete_child_from_another_connection(found.pk if isinstance(found, Child) else found.child_id)


def lose_the_reward(found: RewardRequest) -> None:
    """Delete the request's reward (and with it the request), as `DELETE /api/rewards/{id}/`
    does, from another connection."""
    errors: list[BaseException] = []

    def delete() -> None:
        try:
            Reward.objects.get(pk=found.reward_id).delete()
        except BaseException as error:  # re-raised in the test's thread below
            errors.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=delete)
    thread.start()
    thread.join(timeout=60)
    assert not thread.is_alive() and not errors, errors


def nothing_recorded_for(child: Child) -> bool:
    return not TrackingEvent.objects.filter(child_id=child.pk).exists() and not (
        StoredEvent.objects.exclude(type__in=["", "child_deleted"]).exists()
    )


CHILD_ROUTES = {
    "request a reward": ("post", "child-reward-reward-requests", lambda r: {"reward_id": r.pk}),
    "redeem a reward": ("post", "child-reward-redeem", lambda r: {"reward_id": r.pk}),
    "assign rewards": ("put", "child-rewards", lambda r: {"reward_ids": [r.pk]}),
    "set an override": (
        "put",
        "child-overrides",
        lambda r: {"entity_type": "reward", "entity_id": r.pk, "value": 3},
    ),
}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("name", CHILD_ROUTES)
def test_a_reward_action_on_a_child_deleted_after_its_lookup_is_a_404_that_changes_nothing(
    name, lost_after_lookup, parent_client, rich_child, reward
):
    method, route, body = CHILD_ROUTES[name]
    lost_after_lookup(lose_the_child)
    parent_client.raise_request_exception = False  # before the fix: a 500, not an exception here

    response = getattr(parent_client, method)(
        reverse(route, args=[rich_child.pk]), body(reward), format="json"
    )

    assert response.status_code == 404, response.content
    assert response.json() == {"detail": CHILD_GONE.format(child_id=rich_child.pk)}
    assert not RewardRequest.objects.filter(child_id=rich_child.pk).exists()
    assert not RewardOverride.objects.filter(child_id=rich_child.pk).exists()
    assert not Child.rewards.through.objects.filter(child_id=rich_child.pk).exists()
    assert nothing_recorded_for(rich_child)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("action", ["redeem", "cancel"])
def test_redeeming_or_cancelling_a_request_whose_child_was_deleted_after_its_lookup_is_a_404(
    action, lost_after_lookup, parent_client, rich_child, pending
):
    lost_after_lookup(lose_the_child)
    parent_client.raise_request_exception = False

    response = parent_client.post(reverse(f"reward-request-{action}", args=[pending.pk]))

    assert response.status_code == 404, response.content
    assert response.json() == {"detail": CHILD_GONE.format(child_id=rich_child.pk)}
    assert nothing_recorded_for(rich_child)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("action", ["redeem", "cancel"])
def test_redeeming_or_cancelling_a_request_deleted_with_its_reward_after_its_lookup_is_a_404(
    action, lost_after_lookup, parent_client, rich_child, pending
):
    lost_after_lookup(lose_the_reward)
    parent_client.raise_request_exception = False

    response = parent_client.post(reverse(f"reward-request-{action}", args=[pending.pk]))

    assert response.status_code == 404, response.content
    assert response.json() == {"detail": REQUEST_GONE.format(request_id=pending.pk)}
    assert Child.objects.get(pk=rich_child.pk).points == 50
    assert not TrackingEvent.objects.filter(child_id=rich_child.pk).exists()


SERVICE_CALLS: dict[str, Callable[[Child, Reward, RewardRequest], object]] = {
    "request_reward": lambda child, reward, request: services.request_reward(
        child=child, reward=reward
    ),
    "redeem_reward": lambda child, reward, request: services.redeem_reward(
        child=child, reward=reward
    ),
    "redeem_request": lambda child, reward, request: services.redeem_request(request=request),
    "cancel_request": lambda child, reward, request: services.cancel_request(request=request),
    "assign_rewards": lambda child, reward, request: services.assign_rewards(
        child=child, rewards=[reward]
    ),
    "set_reward_override": lambda child, reward, request: services.set_reward_override(
        child=child, reward=reward, cost=3
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("name", SERVICE_CALLS)
def test_a_reward_service_given_a_child_whose_row_is_gone_raises_not_found_and_writes_nothing(
    name, rich_child, reward, pending
):
    stale_child = Child.objects.get(pk=rich_child.pk)
    stale_request = RewardRequest.objects.get(pk=pending.pk)
    Child.objects.get(pk=rich_child.pk).delete()
    tracking_events, stream_events = TrackingEvent.objects.count(), StoredEvent.objects.count()

    with pytest.raises(NotFound) as raised:
        SERVICE_CALLS[name](stale_child, reward, stale_request)

    assert raised.value.message == CHILD_GONE.format(child_id=rich_child.pk)
    assert (TrackingEvent.objects.count(), StoredEvent.objects.count()) == (
        tracking_events,
        stream_events,
    )
    assert not RewardRequest.objects.filter(child_id=rich_child.pk).exists()
    assert not RewardOverride.objects.filter(child_id=rich_child.pk).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("redeem_or_cancel", [services.redeem_request, services.cancel_request])
def test_redeeming_or_cancelling_a_request_whose_row_is_gone_raises_not_found(
    redeem_or_cancel, rich_child, reward, pending
):
    stale_request = RewardRequest.objects.get(pk=pending.pk)
    Reward.objects.get(pk=reward.pk).delete()

    with pytest.raises(NotFound) as raised:
        redeem_or_cancel(request=stale_request)

    assert raised.value.message == REQUEST_GONE.format(request_id=pending.pk)
    assert Child.objects.get(pk=rich_child.pk).points == 50
    assert not TrackingEvent.objects.filter(child_id=rich_child.pk).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_reward_requests_racing_the_deletion_of_their_child_answer_201_or_404_never_500(
    concurrently, parent
):
    """The deletion locks the child too: a request that commits first is deleted with the child,
    instead of failing the deletion's foreign keys at commit."""
    statuses = []
    for _ in range(ROUNDS):
        child = ChildFactory(owner=parent, points=50)
        reward = RewardFactory(owner=parent, cost=20)
        child.rewards.add(reward)
        asking, deleting = client_for(parent), client_for(parent)
        asking.raise_request_exception = deleting.raise_request_exception = False

        def run(index: int, child=child, reward=reward, asking=asking, deleting=deleting):
            if index == 0:
                return asking.post(
                    reverse("child-reward-reward-requests", args=[child.pk]),
                    {"reward_id": reward.pk},
                    format="json",
                )
            return deleting.delete(reverse("child-detail", args=[child.pk]))

        outcomes = concurrently(2, run)

        assert [kind for kind, _ in outcomes] == ["ok", "ok"], outcomes
        asked, deleted = outcomes[0][1], outcomes[1][1]
        assert deleted.status_code == 204, deleted.content
        assert asked.status_code in (201, 404), (asked.status_code, asked.content)
        if asked.status_code == 201:
            event = asked.json()["tracking_event"]
            assert TrackingEvent.objects.filter(pk=event["id"], child_id=child.pk).exists()
        assert not RewardRequest.objects.filter(child_id=child.pk).exists()
        statuses.append(answer_kind(asked, child))

    print_counts("reward request vs delete", statuses)
