"""`seed_demo --events N`: N events across many parents and children, chains that hold, written
in bulk with a progress bar."""

import io
import random
from itertools import pairwise

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from children.models import Child
from demo import bulk_history as bulk_seed
from rewards.models import RewardRequest
from tracking.models import ALLOWED_ACTIONS, TrackingEvent

pytestmark = pytest.mark.django_db


def seed(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("seed_demo", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def verify() -> str:
    out = io.StringIO()
    call_command("verify_tracking", "--no-progress", stdout=out)  # raises on any break
    return out.getvalue()


def seeded_children():
    return Child.objects.filter(household__memberships__user__username__startswith="bulk-")


def test_adds_n_events_across_many_parents_and_children_and_chains_hold():
    out, _ = seed("--events", "600", "--children", "7", "--no-progress")

    seeded = TrackingEvent.objects.filter(user__username__startswith="bulk-")
    assert seeded.count() == 600
    assert seeded_children().count() == 7
    assert seeded.order_by().values("user_id").distinct().count() == 3  # three children each
    assert sorted(seeded.order_by().values_list("child_id", flat=True).distinct()) == sorted(
        seeded_children().values_list("pk", flat=True)
    )
    assert "Added 600 tracking events" in out
    assert "All chains hold." in verify()


def test_each_childs_chain_ends_at_its_points():
    seed("--events", "300", "--children", "3", "--no-progress")

    for child in seeded_children():
        events = list(TrackingEvent.objects.filter(child_id=child.pk).order_by("occurred_at"))
        assert len(events) == 100
        assert events[0].points_before == 0
        assert all(a.points_after == b.points_before for a, b in pairwise(events))
        assert events[-1].points_after == child.points


def test_events_look_like_the_services_own():
    seed("--events", "2000", "--children", "2", "--no-progress")

    events = TrackingEvent.objects.filter(user__username__startswith="bulk-")
    kinds = set(events.values_list("entity_type", "action").distinct())
    assert kinds <= {(t, a) for t, actions in ALLOWED_ACTIONS.items() for a in actions}
    assert {("task", "activated"), ("penalty", "activated"), ("reward", "redeemed")} <= kinds
    assert {("reward", "requested"), ("reward", "cancelled")} <= kinds
    for event in events.order_by("?")[:50]:
        meta = event.metadata
        assert {"child_name", "entity_name", "actor", "default_value", "override_applied"} <= set(
            meta
        )
        assert event.delta == event.points_after - event.points_before
        assert meta["child_name"] == Child.objects.get(pk=event.child_id).name


def test_reward_requests_exist_with_the_status_their_events_say():
    seed("--events", "2000", "--children", "2", "--no-progress")

    requested = TrackingEvent.objects.filter(user__username__startswith="bulk-", action="requested")
    assert requested.exists()
    for event in requested:
        request = RewardRequest.objects.get(pk=event.metadata["request_id"])
        (settled,) = TrackingEvent.objects.filter(
            child_id=event.child_id,
            metadata__request_id=request.pk,
            action__in=["redeemed", "cancelled"],
        )
        assert request.status == settled.action
        assert (request.child_id, request.reward_id) == (event.child_id, event.entity_id)


def test_a_million_events_default_to_a_thousand_children():
    assert bulk_seed.default_children(1_000_000) == 1000
    assert bulk_seed.default_children(10_000_000) == 1000
    assert bulk_seed.default_children(5000) == 5
    assert bulk_seed.default_children(10) == 1


def test_writes_in_batches_not_row_by_row():
    with CaptureQueriesContext(connection) as queries:
        bulk_seed.seed_events(events=5000, children=5, progress=False, rng=random.Random(1))

    # A handful of statements per batch of 2000 rows (more on SQLite, whose statements hold at
    # most 999 parameters, about 80 events): far from one per row.
    assert len(queries) < 5000 / 40
    assert TrackingEvent.objects.count() == 5000


def test_shows_a_progress_bar():
    _, err = seed("--events", "3000", "--children", "3")

    assert "Seeding tracking events" in err
    assert "3.00k/3.00k" in err


def test_running_it_again_adds_more():
    seed("--events", "100", "--children", "2", "--no-progress")
    seed("--events", "100", "--children", "2", "--no-progress")

    assert TrackingEvent.objects.filter(user__username__startswith="bulk-").count() == 200
    assert seeded_children().count() == 4
    assert "All chains hold." in verify()


@pytest.mark.parametrize(
    "args",
    [
        ["--events", "-1"],
        ["--events", "10", "--children", "0"],
        ["--events", "3", "--children", "9"],
    ],
)
def test_bad_sizes_are_refused(args):
    with pytest.raises(CommandError):
        seed(*args, "--no-progress")
