"""The ledger's receiver of the domain's points signals: each `PointsChanged` becomes one
TrackingEvent row, written in the action's transaction, then (after it commits) one audit log line
and one `tracking_event_created` message on the event stream.

Connected in `TrackingConfig.ready()`. The domain apps do not know it exists.
"""

import json
import logging
from collections.abc import Sequence
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError

from kernel.commit_hooks import after_commit
from kernel.errors import HistoryUnavailable
from kernel.events import PointsChanged
from tracking.ledger import audit_log, dead_letter
from tracking.ledger.announce import announce_row
from tracking.ledger.insert import Read, insert_row
from tracking.ledger.render import render_replayable
from tracking.models import Action, TrackingEvent
from tracking.serializers import TrackingEventSerializer
from tracking.signals import reading_with_row

logger = logging.getLogger(__name__)

NOT_RECORDED = "tracking event not recorded (the action itself succeeded); event: %s"
REVERSAL_NOT_RECORDED = "reversal refused: its tracking event could not be written; event: %s"
HISTORY_NOT_WRITTEN = "The history could not be written; nothing changed. Try again."


def record_event(
    sender: type, *, event: PointsChanged, child: Any = None, reads: Sequence[Read] = (), **_: Any
) -> dict[str, Any]:
    """Record one action. Returns `{"tracking_event": ...}` for the action's API response.

    The insert runs in its own savepoint: if it fails, only the savepoint rolls back, the action
    still commits, and the event is logged at ERROR and kept in the dead-letter spool, from which
    `repair_tracking` writes it later. A reversal is different: it is itself a ledger write, so
    when its row cannot be written it raises HistoryUnavailable and the reversal is refused.
    `reads` go with the row's INSERT (`insert_row`): what its announcement will read, and what
    the receivers of `reading_with_row` ask to read.
    """
    row = TrackingEvent(
        user_id=event.user_id,
        child_id=event.child_id,
        entity_type=event.entity_type,
        entity_id=event.entity_id,
        action=event.action,
        points_before=event.points_before,
        points_after=event.points_after,
        delta=event.delta,
        occurred_at=event.occurred_at,
        metadata=dict(event.metadata),
        reverses=event.reverses,
    )
    try:
        # Field checks only: the database enforces the constraints without an extra query.
        # (`user` is excluded: checking that the owner exists would cost a query per action.)
        row.full_clean(exclude=["user"], validate_unique=False, validate_constraints=False)
        row.read_with_row = {}
        insert_row(row, reads=[*reads, *_listeners_reads(event, child, row.read_with_row)])
    except (ValidationError, DatabaseError) as error:
        replayable = render_replayable(row)
        if event.action == Action.REVERSED:
            logger.exception(REVERSAL_NOT_RECORDED, as_json(replayable))
            raise HistoryUnavailable(HISTORY_NOT_WRITTEN) from error
        logger.exception(NOT_RECORDED, as_json(replayable))
        after_commit(dead_letter.append, replayable)
        return {"tracking_event": None}
    after_commit(audit_log.write_event, row)
    announce_row(row, child=child, household_id=getattr(child, "household_id", None))
    return {"tracking_event": TrackingEventSerializer(row).data}


def _listeners_reads(event: PointsChanged, child: Any, kept: dict[str, list]) -> list[Read]:
    """The reads `reading_with_row`'s receivers ask for, each one's rows to be kept by name."""
    reads: list[Read] = []
    for _, response in reading_with_row.send_robust(sender=TrackingEvent, event=event, child=child):
        # A receiver that failed asks for nothing (`send_robust` logged its error).
        if response and not isinstance(response, Exception):
            reads.extend(
                (statement, partial(kept.__setitem__, name)) for name, statement in response.items()
            )
    return reads


def as_json(replayable: dict[str, Any]) -> str:
    return json.dumps(replayable, cls=DjangoJSONEncoder, sort_keys=True)
