"""Bulk demo history for `seed_demo --events N`: new parents with children, chores, penalties
and rewards, and N tracking events whose chains hold (each event starts where the previous one
ended, and each child's points are its last event's `points_after`), written with `bulk_create`
in batches so that a million events take minutes.

Rows are written through each app's documented bulk path (`children.bulk`, `rewards.bulk`,
`tracking.ledger.bulk`), which send no signals: no audit log lines and no stream messages for this
synthetic history. Everything is written in one transaction: all of it, or nothing.
"""

import math
import random
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from tqdm import tqdm

from children import bulk as children_bulk
from children.models import Child, Task
from households.models import Household, Membership, Role
from rewards import bulk as rewards_bulk
from rewards.models import Reward, RewardRequest
from tracking.ledger import bulk as ledger_bulk
from tracking.models import Action, EntityType, TrackingEvent

BATCH = 2000
CHILDREN_PER_PARENT = 3
EVENTS_PER_CHILD = 1000  # the default spread: N // 1000 children (at least 1, at most 1000)
MAX_DEFAULT_CHILDREN = 1000
HISTORY_DAYS = 365
CHORES = [("Make the bed", 5), ("Do the dishes", 10), ("Homework", 15), ("Feed the cat", 5)]
PENALTIES = [("Shouting", 5), ("Hitting", 20)]
REWARDS = [("Ice cream", 30), ("Screen time", 20), ("Movie night", 100)]
NAMES = [
    "Ada", "Ben", "Cleo", "Dan", "Eva", "Finn", "Gia", "Hugo", "Iris", "Jon", "Kim", "Leo",
    "Mia", "Noah", "Olga", "Pia", "Quinn", "Rosa", "Sam", "Tara", "Uma", "Vic", "Wes", "Zoe",
]  # fmt: skip


def default_children(events: int) -> int:
    return max(1, min(MAX_DEFAULT_CHILDREN, events // EVENTS_PER_CHILD))


@dataclass
class SeedReport:
    parents: int = 0
    children: int = 0
    events: int = 0
    requests: int = 0


@dataclass
class Family:
    """One synthetic child and what it can act on."""

    child: Child
    parent_id: int  # the household's owner, who "recorded" this history
    chores: list[Task]
    penalties: list[Task]
    rewards: list[Reward]


@dataclass
class Batch:
    events: list[TrackingEvent] = field(default_factory=list)
    # Events whose metadata needs the id of a request that is not written yet.
    requests: list[tuple[RewardRequest, list[dict]]] = field(default_factory=list)


def seed_events(
    *,
    events: int,
    children: int | None = None,
    progress: bool = True,
    progress_file=None,
    rng: random.Random | None = None,
    now: Callable[[], datetime] = timezone.now,
) -> SeedReport:
    """Add `events` tracking events across `children` new children (default: one per thousand
    events, 1 to 1000) of new parents (three children each), over the last year."""
    if events < 1:
        raise ValueError("events must be at least 1")
    children = children or default_children(events)
    if not 1 <= children <= events:
        raise ValueError("children must be between 1 and the number of events")
    rng = rng or random.Random()
    report = SeedReport()
    end = now()
    start = end - timedelta(days=HISTORY_DAYS)
    with (
        transaction.atomic(),
        tqdm(
            total=events,
            unit=" events",
            unit_scale=True,
            disable=not progress,
            file=progress_file,
            desc="Seeding tracking events",
        ) as bar,
    ):
        families = create_families(children, rng, report)
        batch = Batch()
        per_child, extra = divmod(events, children)
        for index, family in enumerate(families):
            count = per_child + (1 if index < extra else 0)
            for event in child_history(family, count, start, end, rng, batch):
                batch.events.append(event)
                if len(batch.events) >= BATCH:
                    written = flush(batch, report)
                    report.events += written
                    bar.update(written)
        written = flush(batch, report)
        report.events += written
        bar.update(written)
        children_bulk.set_points_from_history(f.child for f in families)
    return report


def create_families(children: int, rng: random.Random, report: SeedReport) -> list[Family]:
    """New parents (unusable passwords: they are demo data, not accounts to sign in to), each
    the owner of a household with chores, penalties and rewards assigned to up to three
    children."""
    User = get_user_model()
    run = secrets.token_hex(3)
    parent_count = math.ceil(children / CHILDREN_PER_PARENT)
    parents = User.objects.bulk_create(
        User(username=f"bulk-{run}-{n:05d}", password=make_password(None))
        for n in range(parent_count)
    )
    households = Household.objects.bulk_create(
        Household(name=f"{parent.username}'s family") for parent in parents
    )
    Membership.objects.bulk_create(
        Membership(user=parent, household=household, role=Role.OWNER)
        for parent, household in zip(parents, households, strict=True)
    )
    parent_of = {
        household.pk: parent.pk for parent, household in zip(parents, households, strict=True)
    }
    tasks = children_bulk.create_tasks(
        Task(household=household, name=name, points=points, is_good=is_good)
        for household in households
        for is_good, items in ((True, CHORES), (False, PENALTIES))
        for name, points in items
    )
    rewards = rewards_bulk.create_rewards(
        Reward(household=household, name=name, cost=cost)
        for household in households
        for name, cost in REWARDS
    )
    tasks_of = {household.pk: [] for household in households}
    rewards_of = {household.pk: [] for household in households}
    for task in tasks:
        tasks_of[task.household_id].append(task)
    for reward in rewards:
        rewards_of[reward.household_id].append(reward)
    kids = children_bulk.create_children(
        Child(
            household=households[n // CHILDREN_PER_PARENT],
            name=rng.choice(NAMES),
            age=rng.randint(3, 14),
        )
        for n in range(children)
    )
    children_bulk.assign_tasks(
        (kid.pk, task.pk) for kid in kids for task in tasks_of[kid.household_id]
    )
    rewards_bulk.assign_rewards(
        (kid.pk, reward.pk) for kid in kids for reward in rewards_of[kid.household_id]
    )
    report.parents, report.children = len(parents), len(kids)
    return [
        Family(
            child=kid,
            parent_id=parent_of[kid.household_id],
            chores=[t for t in tasks_of[kid.household_id] if t.is_good],
            penalties=[t for t in tasks_of[kid.household_id] if not t.is_good],
            rewards=rewards_of[kid.household_id],
        )
        for kid in kids
    ]


def child_history(family: Family, count: int, start: datetime, end: datetime, rng, batch: Batch):
    """`count` events of one child in time order, as the services would have recorded them:
    mostly chores, some penalties (floored at 0), and rewards redeemed directly or requested and
    then redeemed or cancelled."""
    child, user_id = family.child, family.parent_id
    span = (end - start).total_seconds()
    offsets = sorted(rng.random() * span for _ in range(count))
    # Strictly increasing times, so the chain order never depends on the id tie-break.
    times = [start + timedelta(seconds=o, microseconds=i) for i, o in enumerate(offsets)]
    made = 0
    while made < count:
        when = times[made]
        roll = rng.random()
        affordable = [r for r in family.rewards if r.cost <= child.points]
        if roll < 0.15 and affordable and made + 2 <= count:
            reward = rng.choice(affordable)
            redeem = rng.random() < 0.7
            request = RewardRequest(
                child=child,
                reward=reward,
                cost=reward.cost,
                status=RewardRequest.Status.REDEEMED if redeem else RewardRequest.Status.CANCELLED,
                resolved_at=times[made + 1],
            )
            asked = reward_event(child, user_id, reward, Action.REQUESTED, when, 0, actor="child")
            resolution = Action.REDEEMED if redeem else Action.CANCELLED
            settled = reward_event(
                child, user_id, reward, resolution, times[made + 1], reward.cost if redeem else 0
            )
            batch.requests.append((request, [asked.metadata, settled.metadata]))
            yield asked
            yield settled
            made += 2
            continue
        if roll < 0.25 and affordable:
            reward = rng.choice(affordable)
            event = reward_event(child, user_id, reward, Action.REDEEMED, when, reward.cost)
            event.metadata["request_id"] = None
            yield event
        elif roll < 0.40:
            yield task_event(child, user_id, rng.choice(family.penalties), when)
        else:
            yield task_event(child, user_id, rng.choice(family.chores), when)
        made += 1


def task_event(child: Child, user_id: int, task: Task, when: datetime) -> TrackingEvent:
    before = child.points
    child.points = before + task.points if task.is_good else max(0, before - task.points)
    return event_for(
        child,
        user_id=user_id,
        entity_type=EntityType.TASK if task.is_good else EntityType.PENALTY,
        entity=task,
        action=Action.ACTIVATED,
        when=when,
        before=before,
        default_value=task.points,
        actor="guardian",
    )


def reward_event(
    child: Child,
    user_id: int,
    reward: Reward,
    action: str,
    when: datetime,
    cost: int,
    actor: str = "guardian",
) -> TrackingEvent:
    before = child.points
    child.points = before - cost
    return event_for(
        child,
        user_id=user_id,
        entity_type=EntityType.REWARD,
        entity=reward,
        action=action,
        when=when,
        before=before,
        default_value=reward.cost,
        actor=actor,
    )


def event_for(child, *, user_id, entity_type, entity, action, when, before, default_value, actor):
    return TrackingEvent(
        user_id=user_id,
        child_id=child.pk,
        entity_type=entity_type,
        entity_id=entity.pk,
        action=action,
        points_before=before,
        points_after=child.points,
        delta=child.points - before,
        occurred_at=when,
        metadata={
            "child_name": child.name,
            "entity_name": entity.name,
            "actor": actor,
            "default_value": default_value,
            "override_applied": False,
            "value": default_value,
        },
    )


def flush(batch: Batch, report: SeedReport) -> int:
    """Write a batch's requests (for their ids), then its events, and empty it. Returns the
    number of events written."""
    if batch.requests:
        rewards_bulk.create_requests([request for request, _ in batch.requests])
        for request, metadatas in batch.requests:
            for metadata in metadatas:
                metadata["request_id"] = request.pk
        report.requests += len(batch.requests)
    ledger_bulk.append_events(batch.events)
    written = len(batch.events)
    batch.events.clear()
    batch.requests.clear()
    return written
