"""The receiver of the domain's points signals: the ledger's row (with its message) and the
domain's own message (`task_activated`, ...), whose stream messages are written together at the
end (`tracking.live.store.one_write_per_action`: one round trip on PostgreSQL, not one per
message), asking once whether a paired device reads the child's channel."""

import logging
from typing import Any

from tracking.ledger.receivers import record_event
from tracking.live.channels import (
    on_points_action,
    one_device_check_per_child,
    reads_for_a_child_action,
)
from tracking.live.store import one_write_per_action

logger = logging.getLogger(__name__)


def on_points_changed(sender: type, *, child: Any, **payload: Any) -> dict[str, Any]:
    """The ledger's answer (`{"tracking_event": ...}`) for the action's API response. Its
    refusal (`HistoryUnavailable`, a reversal whose row could not be written) propagates and
    nothing is stored; a failure of the domain's message is logged and never fails the action,
    as if it were a receiver of its own (`kernel.announce`)."""
    with one_write_per_action(), one_device_check_per_child():
        recorded = record_event(
            sender, child=child, **payload, reads=reads_for_a_child_action(child)
        )
        try:
            on_points_action(sender, child=child, **payload)
        except Exception:
            logger.exception("the live message of %s was not stored", sender.__name__)
    return recorded
