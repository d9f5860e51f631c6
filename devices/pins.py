"""A child's PIN on a shared device, and the lockout after wrong ones.

Five wrong PINs in a row lock the child on that device for 30 s; each further lockout (five more
wrong PINs after one ends) doubles it, up to 15 minutes. The right PIN resets the count. While
locked, every PIN (the right one too) is refused without being checked, so guessing stays slow.

The check locks the PIN's row (`select_for_update`) and commits its count before the action runs:
concurrent wrong PINs are each counted, and a failed action does not undo the count.
"""

from datetime import datetime, timedelta

from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.utils import timezone

from devices.models import ChildPin
from kernel.events import iso_z

FAILURES_PER_LOCKOUT = 5
FIRST_LOCKOUT = timedelta(seconds=30)
LONGEST_LOCKOUT = timedelta(minutes=15)

PIN_REQUIRED = "This child has a PIN on this device: send it as `pin`."
WRONG_PIN = "Wrong PIN."
PIN_LOCKED = "Too many wrong PINs: this child is locked on this device until {until}."


class PinRefused(Exception):
    """The PIN check refused the action: `code` is `pin_required`, `wrong_pin` or `pin_locked`
    (then `locked_until` says until when)."""

    def __init__(self, code: str, message: str, locked_until: datetime | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.locked_until = locked_until


def lockout_for(failures: int) -> timedelta | None:
    """How long `failures` wrong PINs in a row lock the child: none until the fifth, then 30 s,
    then double at each fifth, at most 15 minutes."""
    if failures == 0 or failures % FAILURES_PER_LOCKOUT:
        return None
    doublings = failures // FAILURES_PER_LOCKOUT - 1
    if doublings >= 10:  # far past the cap; avoid huge powers of two
        return LONGEST_LOCKOUT
    return min(FIRST_LOCKOUT * 2**doublings, LONGEST_LOCKOUT)


def hash_pin(pin: str) -> str:
    return make_password(pin)


def check_child_pin(
    *, device_id: int, child_id: int, pin: str | None, now: datetime | None = None
) -> None:
    """Let the action through when the child has no PIN on the device or `pin` is right; else
    raise PinRefused, after committing what the attempt counted. `now` is the clock (tests pass
    their own)."""
    now = now or timezone.now()
    refusal = None
    with transaction.atomic():
        row = ChildPin.objects.select_for_update().filter(device_id=device_id, child_id=child_id)
        row = row.first()
        if row is None:
            return
        if row.locked_until is not None and row.locked_until > now:
            refusal = locked(row.locked_until)
        elif not pin:
            refusal = PinRefused("pin_required", PIN_REQUIRED)
        elif check_password(pin, row.pin_hash):
            if row.failures or row.locked_until:
                row.failures, row.locked_until = 0, None
                row.save(update_fields=["failures", "locked_until"])
        else:
            row.failures += 1
            lockout = lockout_for(row.failures)
            if lockout is not None:
                row.locked_until = now + lockout
            row.save(update_fields=["failures", "locked_until"])
            refusal = locked(row.locked_until) if lockout else PinRefused("wrong_pin", WRONG_PIN)
    if refusal is not None:
        raise refusal


def locked(until: datetime) -> PinRefused:
    return PinRefused("pin_locked", PIN_LOCKED.format(until=iso_z(until)), until)
