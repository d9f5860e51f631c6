"""The rewards app's bulk paths, for demo data and imports (`demo.bulk_history`): plain
`bulk_create` in batches, sending no signals. Parents' actions go through `rewards.services`."""

from collections.abc import Iterable

from rewards.models import Reward, RewardRequest

BATCH = 2000


def create_rewards(rewards: Iterable[Reward]) -> list[Reward]:
    return Reward.objects.bulk_create(rewards, batch_size=BATCH)


def assign_rewards(pairs: Iterable[tuple[int, int]]) -> None:
    """Assign rewards to children: (child id, reward id) pairs."""
    Through = Reward.assigned_children.through
    Through.objects.bulk_create(
        (Through(child_id=child_id, reward_id=reward_id) for child_id, reward_id in pairs),
        batch_size=BATCH,
    )


def create_requests(requests: list[RewardRequest]) -> list[RewardRequest]:
    """Requests already settled (redeemed or cancelled) in a bulk-written history; their ids are
    set on the objects, for the events' metadata."""
    return RewardRequest.objects.bulk_create(requests, batch_size=BATCH)
