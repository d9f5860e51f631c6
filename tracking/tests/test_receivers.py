"""The receivers: every successful action becomes exactly one event with the right fields, written
in the action's transaction; a refused action records nothing."""

import json
import logging
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models.signals import pre_save
from django.urls import reverse
from django.utils import timezone

from children.models import Child
from children.services import activate_task
from children.signals import task_activated
from kernel.errors import InvalidAction, StateConflict
from rewards.models import RewardRequest
from rewards.services import (
    cancel_request,
    redeem_request,
    redeem_reward,
    request_reward,
    set_override,
)
from rewards.signals import reward_cancelled, reward_redeemed, reward_requested
from testsupport.factories import RewardFactory, RewardRequestFactory, TaskFactory
from tracking.ledger import dead_letter
from tracking.models import TrackingEvent
from tracking.tests.recorded import serialized_row
from tracking.tests.refused_inserts import allow_inserts_sql, refuse_inserts_sql

pytestmark = pytest.mark.django_db


class Rollback(Exception):
    pass


def give_points(child, points: int) -> None:
    """A child that already had points before tracking began (no event for them)."""
    child.points = points
    child.save(update_fields=["points"])


def only_event() -> TrackingEvent:
    events = list(TrackingEvent.objects.all())
    assert len(events) == 1
    return events[0]


def assert_metadata_has(event: TrackingEvent, **expected) -> None:
    missing = {key: value for key, value in expected.items() if event.metadata.get(key) != value}
    assert not missing, f"metadata {event.metadata} lacks {missing}"


def test_activating_a_chore_records_one_event_with_every_field(parent, child, chore):
    started = timezone.now()

    result = activate_task(child=child, task=chore)

    event = only_event()
    assert event.user_id == parent.pk
    assert event.child_id == child.pk
    assert event.entity_type == "task"
    assert event.entity_id == chore.pk
    assert event.action == "activated"
    assert (event.points_before, event.points_after, event.delta) == (0, 10, 10)
    assert started <= event.occurred_at <= event.created_at <= timezone.now()
    assert event.occurred_at.utcoffset() == timedelta(0)
    assert_metadata_has(
        event,
        child_name=child.name,
        entity_name=chore.name,
        actor="guardian",
        default_value=10,
        override_applied=False,
    )
    assert result.child.points == 10
    assert result.extras["tracking_event"] == serialized_row(event.pk)


def test_each_activation_records_its_own_event(child, chore):
    for _ in range(3):
        activate_task(child=child, task=chore)

    events = list(TrackingEvent.objects.order_by("id"))
    assert [(e.points_before, e.points_after, e.delta) for e in events] == [
        (0, 10, 10),
        (10, 20, 10),
        (20, 30, 10),
    ]


def test_penalty_takes_its_points(child, penalty):
    give_points(child, 50)

    activate_task(child=child, task=penalty)

    event = only_event()
    assert event.entity_type == "penalty"
    assert event.entity_id == penalty.pk
    assert (event.points_before, event.points_after, event.delta) == (50, 20, -30)
    assert_metadata_has(event, default_value=30, override_applied=False, entity_name=penalty.name)


def test_penalty_never_takes_points_below_zero_and_records_the_real_change(child, penalty):
    give_points(child, 5)

    result = activate_task(child=child, task=penalty)

    event = only_event()
    assert (event.points_before, event.points_after, event.delta) == (5, 0, -5)
    assert result.child.points == 0


def test_penalty_on_a_child_with_no_points_records_a_zero_delta(child, penalty):
    activate_task(child=child, task=penalty)

    event = only_event()
    assert (event.points_before, event.points_after, event.delta) == (0, 0, 0)


def test_chore_override_is_used_and_recorded(child, chore):
    set_override(child=child, entity=chore, value=25)

    activate_task(child=child, task=chore)

    event = only_event()
    assert (event.points_before, event.points_after, event.delta) == (0, 25, 25)
    assert_metadata_has(event, default_value=10, override_applied=True)


def test_penalty_override_is_used_and_recorded(child, penalty):
    give_points(child, 50)
    set_override(child=child, entity=penalty, value=7)

    activate_task(child=child, task=penalty)

    event = only_event()
    assert (event.points_before, event.points_after, event.delta) == (50, 43, -7)
    assert_metadata_has(event, default_value=30, override_applied=True)


def test_child_requesting_a_reward_records_an_event_without_moving_points(parent, child, reward):
    give_points(child, 50)

    result = request_reward(child=child, reward=reward, by=parent, device_id=2)

    event = only_event()
    assert event.user_id == parent.pk
    assert (event.entity_type, event.entity_id, event.action) == ("reward", reward.pk, "requested")
    assert (event.points_before, event.points_after, event.delta) == (50, 50, 0)
    assert_metadata_has(
        event,
        child_name=child.name,
        entity_name=reward.name,
        actor="child",
        device_id=2,
        default_value=20,
        override_applied=False,
        request_id=result.request.pk,
    )
    assert result.extras["tracking_event"] == serialized_row(event.pk)


def test_redeeming_a_request_records_the_points_it_took(child, reward):
    give_points(child, 50)
    request = request_reward(child=child, reward=reward).request

    result = redeem_request(request=request)

    event = TrackingEvent.objects.get(action="redeemed")
    assert (event.entity_type, event.entity_id) == ("reward", reward.pk)
    assert (event.points_before, event.points_after, event.delta) == (50, 30, -20)
    assert_metadata_has(event, actor="guardian", default_value=20, request_id=request.pk)
    assert result.extras["tracking_event"] == serialized_row(event.pk)
    assert TrackingEvent.objects.count() == 2


def test_redeeming_a_reward_directly_records_no_request(child, reward):
    give_points(child, 50)

    result = redeem_reward(child=child, reward=reward)

    event = only_event()
    assert (event.entity_type, event.entity_id, event.action) == ("reward", reward.pk, "redeemed")
    assert (event.points_before, event.points_after, event.delta) == (50, 30, -20)
    assert event.metadata["request_id"] is None
    assert_metadata_has(event, actor="guardian", default_value=20, override_applied=False)
    assert result.extras["tracking_event"] == serialized_row(event.pk)


def test_reward_cost_override_is_used_and_recorded(child, reward):
    give_points(child, 50)
    set_override(child=child, entity=reward, value=15)

    redeem_reward(child=child, reward=reward)

    event = only_event()
    assert (event.points_before, event.points_after, event.delta) == (50, 35, -15)
    assert_metadata_has(event, default_value=20, override_applied=True)


@pytest.mark.parametrize(("device_id", "actor"), [(None, "guardian"), (4, "child")])
def test_cancelling_a_request_records_who_cancelled_it(child, reward, device_id, actor):
    give_points(child, 50)
    request = request_reward(child=child, reward=reward).request

    result = cancel_request(request=request, device_id=device_id)

    event = TrackingEvent.objects.get(action="cancelled")
    assert (event.entity_type, event.entity_id) == ("reward", reward.pk)
    assert (event.points_before, event.points_after, event.delta) == (50, 50, 0)
    assert_metadata_has(event, actor=actor, request_id=request.pk, default_value=20)
    assert result.extras["tracking_event"] == serialized_row(event.pk)


def test_an_action_rolled_back_by_its_caller_leaves_no_event(child, chore):
    with pytest.raises(Rollback), transaction.atomic():
        activate_task(child=child, task=chore)
        raise Rollback

    assert not TrackingEvent.objects.exists()
    child.refresh_from_db()
    assert child.points == 0


# Each refused action, set up on a child with 10 points and the 20-point `reward` assigned.
def activate_unassigned_chore(child, reward):
    activate_task(child=child, task=TaskFactory(household=child.household))


def request_without_enough_points(child, reward):
    request_reward(child=child, reward=reward)


def request_unassigned_reward(child, reward):
    request_reward(child=child, reward=RewardFactory(household=child.household, cost=1))


def request_twice(child, reward):
    RewardRequestFactory(child=child, reward=reward, status=RewardRequest.Status.PENDING)
    reward.cost = 5
    reward.save()
    request_reward(child=child, reward=reward)


def redeem_without_enough_points(child, reward):
    redeem_request(request=RewardRequestFactory(child=child, reward=reward))


def redeem_directly_without_enough_points(child, reward):
    redeem_reward(child=child, reward=reward)


def redeem_a_redeemed_request(child, reward):
    redeem_request(
        request=RewardRequestFactory(
            child=child, reward=reward, status=RewardRequest.Status.REDEEMED
        )
    )


def cancel_a_cancelled_request(child, reward):
    cancel_request(
        request=RewardRequestFactory(
            child=child, reward=reward, status=RewardRequest.Status.CANCELLED
        )
    )


def cancel_a_redeemed_request(child, reward):
    cancel_request(
        request=RewardRequestFactory(
            child=child, reward=reward, status=RewardRequest.Status.REDEEMED
        )
    )


@pytest.mark.parametrize(
    "refused_action, error",
    [
        (activate_unassigned_chore, InvalidAction),
        (request_unassigned_reward, InvalidAction),
        (request_without_enough_points, StateConflict),
        (request_twice, StateConflict),
        (redeem_without_enough_points, StateConflict),
        (redeem_directly_without_enough_points, StateConflict),
        (redeem_a_redeemed_request, StateConflict),
        (cancel_a_cancelled_request, StateConflict),
        (cancel_a_redeemed_request, StateConflict),
    ],
)
def test_a_refused_action_records_nothing(child, reward, refused_action, error):
    give_points(child, 10)

    with pytest.raises(error):
        refused_action(child, reward)

    assert not TrackingEvent.objects.exists()
    child.refresh_from_db()
    assert child.points == 10


# --- A tracking write that fails ---------------------------------------------------------------
#
# The failure is real: the database refuses the INSERT inside the receiver's savepoint, and the
# action's own transaction must still commit (hence `transaction=True`: nothing is rolled back
# by the test runner, so what is asserted is what really committed).

REFUSE_INSERT_SQL = refuse_inserts_sql("tracking_trackingevent", "tracking insert refused by test")
ALLOW_INSERT_SQL = allow_inserts_sql("tracking_trackingevent")


@dataclass(frozen=True)
class InjectedFailure:
    delta_shift: int  # how much the refused row's delta differs from the true one
    database_says: str  # in the database's error message


def break_delta(sender, instance, **kwargs):
    """Make the row the receiver built violate the database's delta CHECK constraint."""
    instance.delta += 1


@pytest.fixture(params=["check-constraint", "insert-trigger"])
def failing_tracking_insert(request, transactional_db):
    """Make the database refuse every tracking INSERT with an IntegrityError, in one of two ways:
    the row the receiver saves breaks the `delta = after - before` CHECK constraint, or a trigger
    refuses any row."""
    if request.param == "check-constraint":
        pre_save.connect(break_delta, sender=TrackingEvent, dispatch_uid="test-break-delta")
        yield InjectedFailure(delta_shift=1, database_says="event_delta_is_after_minus_before")
        pre_save.disconnect(sender=TrackingEvent, dispatch_uid="test-break-delta")
        return
    with connection.cursor() as cursor:
        for sql in REFUSE_INSERT_SQL[connection.vendor]:
            cursor.execute(sql)
    yield InjectedFailure(delta_shift=0, database_says="tracking insert refused by test")
    with connection.cursor() as cursor:
        for sql in ALLOW_INSERT_SQL[connection.vendor]:
            cursor.execute(sql)


@pytest.fixture
def sent_signals():
    """The keyword arguments of every points signal sent during the test."""
    calls: list[dict] = []

    def keep(sender, signal, **kwargs):
        calls.append(kwargs)

    signals = (task_activated, reward_requested, reward_redeemed, reward_cancelled)
    for signal in signals:
        signal.connect(keep, weak=False, dispatch_uid="test-sent-signals")
    yield calls
    for signal in signals:
        signal.disconnect(dispatch_uid="test-sent-signals")


def logged_event(caplog) -> tuple[dict, logging.LogRecord]:
    records = [
        r
        for r in caplog.records
        if r.name == "tracking.ledger.receivers" and r.levelno == logging.ERROR
    ]
    assert len(records) == 1, [r.getMessage() for r in caplog.records]
    message = records[0].getMessage()
    event, _ = json.JSONDecoder().raw_decode(message[message.index("{") :])
    return event, records[0]


def expected_log_entry(signal_kwargs: dict, delta_shift: int) -> dict:
    event = signal_kwargs["event"]
    before, after = event.points_before, event.points_after
    return {
        "user_id": event.user_id,
        "child_id": event.child_id,
        "entity_type": event.entity_type,
        "entity_id": event.entity_id,
        "action": event.action,
        "points_before": before,
        "points_after": after,
        "delta": after - before + delta_shift,
        "occurred_at": event.occurred_at.isoformat().replace("+00:00", "Z"),
        "metadata": dict(event.metadata),
        "reverses": None,
    }


def activate_chore(client, child, chore, reward):
    return client.post(reverse("child-activate", args=[child.pk]), {"task_id": chore.pk})


def redeem_directly(client, child, chore, reward):
    return client.post(reverse("child-reward-redeem", args=[child.pk]), {"reward_id": reward.pk})


def request_the_reward(client, child, chore, reward):
    return client.post(
        reverse("child-reward-reward-requests", args=[child.pk]), {"reward_id": reward.pk}
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "act, status, points_after",
    [(activate_chore, 200, 60), (redeem_directly, 200, 30), (request_the_reward, 201, 50)],
)
def test_a_failed_tracking_write_keeps_the_action_and_logs_the_whole_event(
    failing_tracking_insert,
    sent_signals,
    caplog,
    log_dir,
    parent_client,
    child,
    chore,
    reward,
    act,
    status,
    points_after,
):
    give_points(child, 50)
    caplog.set_level(logging.ERROR, logger="tracking.ledger.receivers")

    response = act(parent_client, child, chore, reward)

    assert response.status_code == status, response.content
    assert response.json()["tracking_event"] is None
    assert Child.objects.get(pk=child.pk).points == points_after
    assert not TrackingEvent.objects.exists()
    event, record = logged_event(caplog)
    assert isinstance(record.exc_info[1], IntegrityError)
    assert failing_tracking_insert.database_says in str(record.exc_info[1])
    assert event == expected_log_entry(sent_signals[0], failing_tracking_insert.delta_shift)
    assert not list(log_dir.glob("tracking_user_*"))  # no audit line for a row never written
    assert [e for _, e in dead_letter.read()] == [event]


@pytest.mark.django_db(transaction=True)
def test_a_failed_tracking_write_keeps_a_request_and_its_status(
    failing_tracking_insert, caplog, parent_client, child, reward
):
    give_points(child, 50)
    request = RewardRequestFactory(child=child, reward=reward)
    caplog.set_level(logging.ERROR, logger="tracking.ledger.receivers")

    response = parent_client.post(reverse("reward-request-cancel", args=[request.pk]))

    assert response.status_code == 200
    assert response.json()["tracking_event"] is None
    assert RewardRequest.objects.get(pk=request.pk).status == "cancelled"
    assert not TrackingEvent.objects.exists()
    event, _ = logged_event(caplog)
    assert (event["action"], event["metadata"]["request_id"]) == ("cancelled", request.pk)


@pytest.mark.django_db(transaction=True)
def test_tracking_records_again_once_the_database_accepts_rows(child, chore):
    pre_save.connect(break_delta, sender=TrackingEvent, dispatch_uid="test-break-delta")
    try:
        activate_task(child=child, task=chore)
    finally:
        pre_save.disconnect(sender=TrackingEvent, dispatch_uid="test-break-delta")

    result = activate_task(child=child, task=chore)

    event = only_event()
    assert (event.points_before, event.points_after) == (10, 20)
    assert result.extras["tracking_event"]["id"] == event.pk
