"""The per-user audit log: `<log dir>/tracking_user_<id>.log`, one JSON object per line.

Each file is written through concurrent-log-handler, which takes a lock file around every write
and rotation, so several server processes can append to one user's log without losing or splitting
a line. Handlers are kept in a small LRU cache: however many users there are, at most
`TRACKING_LOG_MAX_OPEN_HANDLERS` handlers (each holding its log file and its lock file) are open.
"""

import json
import logging
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

from concurrent_log_handler import ConcurrentRotatingFileHandler
from django.conf import settings

from tracking.ledger.render import EVENT_FIELDS, render_event

logger = logging.getLogger(__name__)

LOG_FIELDS = EVENT_FIELDS  # what each line holds, in this order


def log_path(user_id: int) -> Path:
    return Path(settings.CHOREHUB_LOG_DIR) / f"tracking_user_{user_id}.log"


def log_line(event: Any, user_id: int | None = None) -> str:
    """The JSON line for one TrackingEvent: the contract's fields (`render_event`), naming
    `user_id` if given (see `write_event`)."""
    fields = render_event(event)
    if user_id is not None:
        fields["user_id"] = user_id
    return json.dumps(fields, separators=(",", ":"))


class AuditLogHandler(ConcurrentRotatingFileHandler):
    """Writes each line as it is given, and raises write errors instead of printing them, so
    the caller can log the lost line."""

    def format(self, record: logging.LogRecord) -> str:
        # The line is already what the file holds: a Formatter would only copy it.
        return record.msg

    def handleError(self, record: logging.LogRecord) -> None:
        raise


class AuditLogWriter:
    """Appends lines to per-user files with a bounded set of open handlers."""

    def __init__(self) -> None:
        # By log directory and user: a line's file is looked up without building its path.
        self._handlers: OrderedDict[tuple[Path, int], AuditLogHandler] = OrderedDict()
        # One lock for lookup, eviction and write: a handler is never closed under a writer.
        self._lock = threading.Lock()

    def write(self, user_id: int, line: str) -> None:
        record = logging.makeLogRecord({"msg": line, "levelno": logging.INFO})
        with self._lock:
            self._handler(user_id).emit(record)

    def close_all(self) -> None:
        with self._lock:
            while self._handlers:
                _, handler = self._handlers.popitem(last=False)
                handler.close()

    def open_handlers(self) -> int:
        return len(self._handlers)

    def _handler(self, user_id: int) -> AuditLogHandler:
        key = (settings.CHOREHUB_LOG_DIR, user_id)
        handler = self._handlers.get(key)
        if handler is not None:
            self._handlers.move_to_end(key)
            return handler
        while len(self._handlers) >= settings.TRACKING_LOG_MAX_OPEN_HANDLERS:
            _, oldest = self._handlers.popitem(last=False)
            oldest.close()
        path = log_path(user_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = AuditLogHandler(
            str(path),
            maxBytes=settings.TRACKING_LOG_MAX_BYTES,
            backupCount=settings.TRACKING_LOG_BACKUP_COUNT,
            encoding="utf-8",
        )
        self._handlers[key] = handler
        return handler


writer = AuditLogWriter()


NO_USER = "audit log line not written: it names no user, so it has no file: %s"


def write_event(event: Any, user_id: int | None = None) -> None:
    """Append the event's line to its user's log. Called on commit, so a rolled-back action
    leaves no line. A failure is logged with the line (to replay it) and never raised: a disk's
    OSError, and as well concurrent-log-handler's RuntimeError when its lock cannot be taken (a
    shared directory whose filesystem refuses `flock`).

    `user_id` names the user when the row no longer does: a row written back by the repair after
    its user was deleted has `user_id` null, but its line is still that user's, in that user's
    file, as it would have been had it been written at the time."""
    owner = event.user_id if user_id is None else user_id
    line = log_line(event, user_id)
    if owner is None:
        # Not `tracking_user_None.log`, a file of no one's: the error log keeps the line.
        logger.error(NO_USER, line)
        return
    try:
        writer.write(owner, line)
    except Exception:
        logger.exception("audit log line not written for user %s: %s", owner, line)
