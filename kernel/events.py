"""The one event of the domain: what an action did to a child's points.

Built once, where points move (`children.services.move_points`), sent with the domain's signals,
and taken as is by every receiver (the ledger, the audit log, the event stream). Its fields are the
contract's; nobody rebuilds them from loose keyword arguments.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any


def iso_z(moment: datetime) -> str:
    """UTC ISO 8601 with a `Z`, as the contract writes every time: with its microseconds, but for a
    time on a whole second, which has none (`isoformat`'s reading, and DRF's)."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True, kw_only=True)
class PointsChanged:
    """One action on a child's points: a chore, a penalty, a reward requested, redeemed or
    cancelled, an adjustment or a reversal. Requests and cancellations move 0 points."""

    user_id: int | None  # the parent who owns the child
    child_id: int
    child_name: str
    child_age: int | None
    entity_type: str  # task | penalty | reward | adjustment
    entity_id: int | None  # None for an adjustment
    action: str  # activated | requested | redeemed | cancelled | adjusted | reversed
    points_before: int
    points_after: int
    occurred_at: datetime  # aware, UTC
    # child_name, entity_name, actor, default_value, override_applied, value; request_id for
    # reward actions; reason for adjustments and reversals; reverses for reversals.
    metadata: Mapping[str, Any]

    def __post_init__(self) -> None:
        object.__setattr__(self, "metadata", MappingProxyType(dict(self.metadata)))

    @property
    def delta(self) -> int:
        return self.points_after - self.points_before

    @property
    def reverses(self) -> int | None:
        """On a reversal, the id of the event it undoes."""
        return self.metadata.get("reverses")
