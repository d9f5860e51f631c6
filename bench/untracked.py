"""The tracking app's receivers disconnected from the domain signals, for bench/load.py's
baseline (`bench.untracked_asgi`, `bench.untracked_wsgi`): no TrackingEvent row, no audit log line,
no stream message. Everything else (middleware, authentication, the services, their locks and
transactions) is unchanged. For benchmarks only: production code has no switch for this.
"""

import weakref

from django.dispatch import Signal

from children import signals as children_signals
from rewards import signals as rewards_signals

TRACKING_APP = "tracking"


def receiver_module(reference) -> str:
    receiver = reference() if isinstance(reference, weakref.ReferenceType) else reference
    return getattr(receiver, "__module__", "") or ""


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
