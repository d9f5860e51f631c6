"""Ids given to management commands, checked as the API checks them (1 to `MAX_ID`).

Past 64 bits SQLite cannot even bind the value (an OverflowError out of the driver), and zero or
a negative id can name nothing: each is a CommandError naming the option and the value, before
any query.
"""

from django.core.management.base import CommandError

from kernel.api import MAX_ID

NOT_AN_ID = "{option} {value}: not an id (ids run from 1 to {max_id})."


def checked_id(option: str, value: int) -> int:
    """`value` if it can be an id; else a CommandError naming `option` (e.g. `--child`)."""
    if not 1 <= value <= MAX_ID:
        raise CommandError(NOT_AN_ID.format(option=option, value=value, max_id=MAX_ID))
    return value
