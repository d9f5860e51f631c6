"""Races made deterministic: hold one thread's transaction open right after a given statement,
let another thread run into it, then let the first go on.

`race_in_order(first, second, pause_after=...)` runs `first()` in a thread until its connection
has executed a statement starting with `pause_after` (its transaction still open), then starts
`second()` in another thread, gives it `WAIT` seconds to run into the first's locks, and lets the
first finish. Each thread uses its own connection (closed at the end), so both really commit.
"""

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection

WAIT = 0.5  # seconds the second thread gets to reach the first one's locks
TIMEOUT = 60


@dataclass
class PauseAfter:
    """A connection execute wrapper that blocks after the first statement starting with
    `prefix`, until `release()`."""

    prefix: str
    reached: threading.Event = field(default_factory=threading.Event)
    go_on: threading.Event = field(default_factory=threading.Event)

    def __call__(self, execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if not self.reached.is_set() and sql.lstrip().startswith(self.prefix):
            self.reached.set()
            self.go_on.wait(timeout=TIMEOUT)
        return result

    def release(self) -> None:
        self.go_on.set()


@dataclass
class Outcome:
    """What a thread returned, or raised; whether it was still running when the first went on."""

    result: Any = None
    error: BaseException | None = None
    finished: threading.Event = field(default_factory=threading.Event)


def _in_thread(action: Callable[[], Any], outcome: Outcome, pause: PauseAfter | None):
    def run() -> None:
        try:
            if pause is None:
                outcome.result = action()
            else:
                with connection.execute_wrapper(pause):
                    outcome.result = action()
        except BaseException as error:  # reported to the test, which asserts on it
            outcome.error = error
        finally:
            if pause is not None:
                pause.reached.set()  # never leave the test waiting for a statement not sent
            connection.close()
            outcome.finished.set()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def race_in_order(
    first: Callable[[], Any], second: Callable[[], Any], *, pause_after: str
) -> tuple[Outcome, Outcome, bool]:
    """Run `first` until it has sent `pause_after`, then `second`; returns both outcomes and
    whether `second` was still waiting when `first` was let go on."""
    pause = PauseAfter(pause_after)
    first_outcome, second_outcome = Outcome(), Outcome()
    first_thread = _in_thread(first, first_outcome, pause)
    assert pause.reached.wait(timeout=TIMEOUT), "the first thread never sent the statement"
    second_thread = _in_thread(second, second_outcome, None)
    time.sleep(WAIT)
    second_waited = not second_outcome.finished.is_set()
    pause.release()
    for thread in (first_thread, second_thread):
        thread.join(timeout=TIMEOUT)
    assert not first_thread.is_alive() and not second_thread.is_alive(), "a thread is stuck"
    return first_outcome, second_outcome, second_waited
