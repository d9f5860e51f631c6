"""Listeners of the domain signals: each action becomes one TrackingEvent row, written in the
action's transaction, then (after it commits) one audit log line and one `tracking_event_created`
message on the event stream.

Connected in `TrackingConfig.ready()`. The domain apps do not know these exist.
"""

import json
import logging
from datetime import datetime
from functools import partial
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError, transaction

from children.models import Child
from tracking import audit_log, stream
from tracking.models import TrackingEvent
from tracking.serializers import TrackingEventSerializer

logger = logging.getLogger(__name__)

NOT_RECORDED = "tracking event not recorded (the action itself succeeded); event: %s"


def record_event(
    sender: type,
    *,
    user: AbstractBaseUser,
    child: Child,
    entity: Any,
    entity_type: str,
    action: str,
    points_before: int,
    points_after: int,
    occurred_at: datetime,
    metadata: dict[str, Any],
    **extra: Any,
) -> dict[str, Any]:
    """Record one action. Returns `{"tracking_event": ...}` for the action's API response.

    The insert runs in its own savepoint: if it fails, only the savepoint rolls back, the action
    still commits, and the whole event is logged at ERROR as JSON so it can be replayed.
    """
    event = TrackingEvent(
        user=user,
        child_id=child.pk,
        entity_type=entity_type,
        # Corrections name the entity by id only: it may have been deleted since.
        entity_id=entity.pk if entity is not None else extra.get("entity_id"),
        action=action,
        points_before=points_before,
        points_after=points_after,
        delta=points_after - points_before,
        occurred_at=occurred_at,
        metadata=metadata,
        reverses=metadata.get("reverses"),
    )
    try:
        # Field checks only: the database enforces the constraints without an extra query.
        # (`user` is excluded: checking that the owner exists would cost a query per action.)
        event.full_clean(exclude=["user"], validate_unique=False, validate_constraints=False)
        with transaction.atomic():
            event.save()
    except (ValidationError, DatabaseError):
        logger.exception(NOT_RECORDED, event_json(event))
        return {"tracking_event": None}
    transaction.on_commit(partial(audit_log.write_event, event), robust=True)
    stream.publish_on_commit(
        event.user_id, stream.TRACKING_EVENT_CREATED, stream.tracking_event_payload(event)
    )
    return {"tracking_event": TrackingEventSerializer(event).data}


def event_json(event: TrackingEvent) -> str:
    """The whole event as JSON, for the error log (enough to replay it)."""
    fields = {
        "user_id": event.user_id,
        "child_id": event.child_id,
        "entity_type": event.entity_type,
        "entity_id": event.entity_id,
        "action": event.action,
        "points_before": event.points_before,
        "points_after": event.points_after,
        "delta": event.delta,
        # Full microseconds, as stored (DjangoJSONEncoder would cut them to milliseconds).
        "occurred_at": event.occurred_at.isoformat().replace("+00:00", "Z")
        if isinstance(event.occurred_at, datetime)
        else event.occurred_at,
        "metadata": event.metadata,
        "reverses": event.reverses,
    }
    return json.dumps(fields, cls=DjangoJSONEncoder, sort_keys=True)
