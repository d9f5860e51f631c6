"""How services tell the rest of the project what happened, without knowing who listens."""

import logging
from typing import Any

from django.dispatch import Signal

from kernel.errors import HistoryUnavailable

logger = logging.getLogger(__name__)


def announce(signal: Signal, *, sender: type, **payload: Any) -> dict[str, Any]:
    """Send `signal` and merge the mappings its receivers return.

    Receivers may return a mapping of extra fields for the action's API response (the ledger
    returns `{"tracking_event": ...}`), so the domain never names its listeners. A receiver that
    raises is logged and skipped: a listener must never undo or fail the action that already
    happened. The one exception is `HistoryUnavailable`: a receiver raises it when the action is
    itself a history record that could not be written (a reversal), and it is raised here, so
    that the caller's transaction rolls the action back.
    """
    extras: dict[str, Any] = {}
    refusal: HistoryUnavailable | None = None
    for receiver, response in signal.send_robust(sender=sender, **payload):
        if isinstance(response, HistoryUnavailable):
            refusal = refusal or response
        elif isinstance(response, Exception):
            logger.error("receiver %r of %s failed", receiver, sender.__name__, exc_info=response)
        elif isinstance(response, dict):
            extras.update(response)
    if refusal is not None:
        raise refusal
    return extras
