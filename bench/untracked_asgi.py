"""The project's ASGI application with tracking switched off, for bench/load.py's baseline.

    uvicorn bench.untracked_asgi:application

Sets Django up exactly as chorehub.asgi does, then disconnects every receiver that the tracking
app connected to the domain signals (`bench.untracked`).
"""

from bench.untracked import disconnect_tracking
from chorehub.asgi import application

DISCONNECTED = disconnect_tracking()

__all__ = ["DISCONNECTED", "application"]
