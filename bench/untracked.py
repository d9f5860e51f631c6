"""The tracking app's receivers disconnected from the domain signals, for bench/load.py's
baseline (`bench.untracked_asgi`, `bench.untracked_wsgi`): no TrackingEvent row, no audit log line,
no stream message. Everything else (middleware, authentication, the services, their locks and
transactions) is unchanged. For benchmarks only: production code has no switch for this.

Also the projection's receivers (`projection_receivers`), which issues 14 and 15 hung on tracking
after issue 16 set its targets: disconnected, tracking does what it did when those targets were
set (the row, its audit line, the stream messages), as `bench/inprocess.py`'s "tracked" variant.
"""

import weakref

from django.dispatch import Signal

from children import signals as children_signals
from rewards import signals as rewards_signals

TRACKING_APP = "tracking"


def receiver_module(reference) -> str:
    receiver = reference() if isinstance(reference, weakref.ReferenceType) else reference
    return getattr(receiver, "__module__", "") or ""


def projection_receivers() -> tuple:
    """(signal, receiver, dispatch_uid) of insights' projection and of what it and the badges
    read with the row; without them no figures are projected and no badge is checked."""
    from achievements import receivers as achievements_receivers
    from insights import projection
    from insights.receivers import on_event_recorded
    from tracking.signals import event_recorded, reading_with_row

    return (
        (event_recorded, on_event_recorded, "insights.projection"),
        (reading_with_row, projection.read_with_row, "insights.projection"),
        (reading_with_row, achievements_receivers.read_with_row, "achievements.badges"),
    )


def disconnect_projections() -> int:
    """Disconnect `projection_receivers`; returns how many (all of them, or it raises)."""
    receivers = projection_receivers()
    disconnected = sum(bool(signal.disconnect(dispatch_uid=uid)) for signal, _, uid in receivers)
    if disconnected != len(receivers):
        raise RuntimeError("a projection receiver was not connected: the bench is out of date")
    return disconnected


def disconnect_tracking() -> int:
    """Disconnect the tracking app's receivers from every domain signal; returns how many."""
    disconnected = 0
    for module in (children_signals, rewards_signals):
        for signal in vars(module).values():
            if not isinstance(signal, Signal):
                continue
            for (uid, _sender), reference, _is_async in list(signal.receivers):
                if receiver_module(reference).split(".")[0] != TRACKING_APP:
                    continue
                if isinstance(uid, str):
                    signal.disconnect(dispatch_uid=uid)
                else:
                    signal.disconnect(reference())
                disconnected += 1
    remaining = [
        receiver_module(reference)
        for module in (children_signals, rewards_signals)
        for signal in vars(module).values()
        if isinstance(signal, Signal)
        for _, reference, _ in signal.receivers
    ]
    if any(name.split(".")[0] == TRACKING_APP for name in remaining):
        raise RuntimeError("a tracking receiver is still connected")
    return disconnected
