"""The project's ASGI application tracking as issue 16 set its targets, for bench/load.py's
"tracked" variant: the row, its audit line and the stream messages, without the projection and
the badges that issues 14 and 15 hung on it (`bench.untracked.disconnect_projections`).

    uvicorn bench.tracked_asgi:application
"""

from bench.untracked import disconnect_projections
from chorehub.asgi import application

DISCONNECTED = disconnect_projections()

__all__ = ["DISCONNECTED", "application"]
