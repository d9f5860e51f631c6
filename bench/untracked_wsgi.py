"""The project's WSGI application with tracking switched off, for bench/load.py's baseline with
`--interface wsgi`.

    uvicorn --interface wsgi bench.untracked_wsgi:application

Sets Django up exactly as chorehub.wsgi does, then disconnects every receiver that the tracking
app connected to the domain signals (`bench.untracked`).
"""

from bench.untracked import disconnect_tracking
from chorehub.wsgi import application

DISCONNECTED = disconnect_tracking()

__all__ = ["DISCONNECTED", "application"]
