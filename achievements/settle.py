"""Making a child's awards agree with what its history calls for: award what should stand and was
never awarded, revoke what stands and should not. The check after each row, the sync and the
rebuild all settle here."""

import logging
from collections.abc import Callable
from datetime import date
from typing import Any

from django.db import DatabaseError
from django.db.models import Q

from achievements.awarding import award, revoke
from achievements.catalog import Badge
from achievements.memo import memo
from achievements.models import BadgeAward
from kernel.errors import DomainError

logger = logging.getLogger(__name__)

NOT_SETTLED = "badge %s (%s) of child %s not %s (the action stands; the rebuild will report it)"

Verdicts = dict[tuple[str, date | None], tuple[Badge, bool]]


def settle(
    child: Any,
    verdicts: Verdicts,
    *,
    include_unmet: bool,
    all_awards: bool = False,
    on_change: Callable[[str, Badge, date | None], None] | None = None,
) -> None:
    """Make the child's awards agree with `verdicts` ((badge key, period start) → the badge and
    whether it should stand): award what should and was never awarded, revoke what stands and
    should not. A revoked badge is not awarded again for that period.

    `include_unmet` False skips the verdicts that can only keep things as they are (nothing can
    stand unmet after a row that only adds). The awards concerned are read in one query: those
    named (a check after a row), or all of the child's (`all_awards`: the sync, the rebuild).
    `on_change(action, badge, start)` hears of each award and revocation made.
    """
    wanted = {key: value for key, value in verdicts.items() if value[1] or include_unmet}
    if not wanted:
        return
    state = award_states(child.pk, None if all_awards else list(wanted))
    memo.remember_awards_on_commit(
        child.pk, {key for key, (awarded, _) in state.items() if awarded}
    )
    for (badge_key, start), (badge, should_stand) in sorted(wanted.items(), key=_order):
        awarded, revoke_event_id = state.get((badge_key, start), (False, None))
        if should_stand and not awarded:
            change, action = award, "awarded"
        elif not should_stand and awarded and revoke_event_id is None:
            change, action = revoke, "revoked"
        else:
            continue
        try:
            made = change(child=child, badge=badge, start=start)
        except (DatabaseError, DomainError):
            # Its savepoint rolled back: the action and its projection stand.
            logger.exception(NOT_SETTLED, badge_key, start or "lifetime", child.pk, action)
            continue
        if made is not None and action == "awarded":
            memo.remember_awards_on_commit(child.pk, {(badge_key, start)})
        if made is not None and on_change is not None:
            on_change(action, badge, start)


def award_states(
    child_id: int, keys: list[tuple[str, date | None]] | None
) -> dict[tuple[str, date | None], tuple[bool, int | None]]:
    """(badge key, period start) → (awarded, revoke event id) of a child's awards: those of
    `keys`, or all of them (None)."""
    awards = BadgeAward.objects.filter(child_id=child_id)
    if keys is not None:
        matches = Q()
        for badge_key, start in keys:
            matches |= (
                Q(badge_key=badge_key, period_start=start)
                if start
                else Q(badge_key=badge_key, period_start__isnull=True)
            )
        awards = awards.filter(matches)
    rows = awards.values_list("badge_key", "period_start", "awarded", "revoke_event_id")
    return {(key, start): (awarded, revoked) for key, start, awarded, revoked in rows}


def _order(item: tuple) -> tuple:
    (badge_key, start), _ = item
    return (start or date.min, badge_key)
