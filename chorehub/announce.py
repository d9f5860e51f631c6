"""How services tell the rest of the project what happened, without knowing who listens."""

import logging
from typing import Any

from django.dispatch import Signal

logger = logging.getLogger(__name__)


def announce(signal: Signal, *, sender: type, **payload: Any) -> dict[str, Any]:
    """Send `signal` and merge the mappings its receivers return.

    Receivers may return a mapping of extra fields for the action's API response (tracking returns
    `{"tracking_event": ...}`), so the domain never names its listeners. A receiver that raises is
    logged and skipped: a listener must never undo or fail the action that already happened.
    """
    extras: dict[str, Any] = {}
    for receiver, response in signal.send_robust(sender=sender, **payload):
        if isinstance(response, Exception):
            logger.error("receiver %r of %s failed", receiver, sender.__name__, exc_info=response)
        elif isinstance(response, dict):
            extras.update(response)
    return extras
