"""The dead-letter spool: events whose row could not be written, kept so that nothing is lost.

`<log dir>/tracking_dead_letter.jsonl`, one `render_replayable` object per line. Appended after
the action commits (a rolled-back action has nothing to repair), under an exclusive lock on the
file (several server processes append to one spool), then flushed and fsynced before the lock is
released. `manage.py repair_tracking` writes the missing rows back.
"""

import fcntl
import json
import logging
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder

logger = logging.getLogger(__name__)

SPOOL_NAME = "tracking_dead_letter.jsonl"
NOT_SPOOLED = "tracking event not kept in the dead-letter spool (replay it from this line): %s"

_lock = threading.Lock()  # flock is per open file; threads of one process also take this


def spool_path() -> Path:
    return Path(settings.CHOREHUB_LOG_DIR) / SPOOL_NAME


def append(replayable: dict[str, Any]) -> None:
    """Append one event to the spool, durably. A failure is logged with the event (the ERROR log
    line is then the last copy) and never raised: the action has already committed."""
    line = json.dumps(replayable, cls=DjangoJSONEncoder, sort_keys=True) + "\n"
    path = spool_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with _lock, path.open("a", encoding="utf-8") as spool:
            fcntl.flock(spool, fcntl.LOCK_EX)
            try:
                spool.write(line)
                spool.flush()
                os.fsync(spool.fileno())
            finally:
                fcntl.flock(spool, fcntl.LOCK_UN)
    except OSError:
        logger.exception(NOT_SPOOLED, line.rstrip("\n"))


def read() -> Iterator[tuple[int, dict[str, Any] | None]]:
    """Each line of the spool as (line number, event), or (line number, None) for a line that is
    not a JSON object (a torn write from a crash): reported, never guessed at."""
    path = spool_path()
    if not path.exists():
        return
    with path.open(encoding="utf-8") as spool:
        for number, line in enumerate(spool, start=1):
            try:
                event = json.loads(line)
            except json.JSONDecodeError:
                yield number, None
                continue
            yield number, event if isinstance(event, dict) else None
