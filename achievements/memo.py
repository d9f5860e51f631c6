"""What this server process knows for sure about children's badges, so that the check after an
action can skip reads: facts from committed transactions that no later action can make false.

- a child had an event on a household day (in a given calendar): events are never deleted and a
  child's events are recorded in time order (each action takes the time under the child's
  lock), so an event recorded later on that same day has its previous event on that day too,
  and no period can have ended in between;
- a child was awarded a badge for a period: `BadgeAward.awarded` only ever flips from False to
  True (a revocation sets its revoke event, never `awarded` back).

Each fact is remembered only once its transaction commits (`transaction.on_commit`): a rolled-back
action teaches nothing. A child's facts are forgotten when it is deleted and when its badges are
rebuilt. The memory is bounded (least recently used children go first) and per process: another
process simply reads the database.
"""

import threading
from collections import OrderedDict
from datetime import date
from typing import Any

from django.db import transaction

MAX_CHILDREN = 10_000


class ChildFacts:
    __slots__ = ("awarded", "day")

    def __init__(self) -> None:
        self.day: tuple[Any, date] | None = None  # (the calendar, a household day)
        self.awarded: set[tuple[str, date | None]] = set()


class Memo:
    def __init__(self, capacity: int = MAX_CHILDREN) -> None:
        self.capacity = capacity
        self.children: OrderedDict[int, ChildFacts] = OrderedDict()
        self.lock = threading.Lock()

    def had_event_on(self, child_id: int, calendar: Any, day: date) -> bool:
        with self.lock:
            facts = self.children.get(child_id)
            return facts is not None and facts.day == (calendar, day)

    def was_awarded(self, child_id: int, badge_key: str, start: date | None) -> bool:
        with self.lock:
            facts = self.children.get(child_id)
            return facts is not None and (badge_key, start) in facts.awarded

    def remember_day_on_commit(self, child_id: int, calendar: Any, day: date) -> None:
        transaction.on_commit(lambda: self._set_day(child_id, calendar, day), robust=True)

    def remember_awards_on_commit(
        self, child_id: int, awards: set[tuple[str, date | None]]
    ) -> None:
        if awards:
            transaction.on_commit(lambda: self._add_awards(child_id, awards), robust=True)

    def forget(self, child_id: int) -> None:
        with self.lock:
            self.children.pop(child_id, None)

    def _facts(self, child_id: int) -> ChildFacts:
        facts = self.children.get(child_id)
        if facts is None:
            facts = self.children[child_id] = ChildFacts()
            while len(self.children) > self.capacity:
                self.children.popitem(last=False)
        else:
            self.children.move_to_end(child_id)
        return facts

    def _set_day(self, child_id: int, calendar: Any, day: date) -> None:
        with self.lock:
            self._facts(child_id).day = (calendar, day)

    def _add_awards(self, child_id: int, awards: set[tuple[str, date | None]]) -> None:
        with self.lock:
            self._facts(child_id).awarded |= awards


memo = Memo()
