"""Writes of the devices app: a guardian pairs a device (a pairing code, exchanged once for a
credential), revokes it, and sets or removes a child's PIN on it."""

from collections.abc import Sequence

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from children.models import Child
from devices import credentials, pins
from devices.models import ChildPin, Device, PairingCode
from devices.selectors import children_of_device
from households.models import WRITING_ROLES, Household, Membership
from households.services import lock_household
from kernel.errors import InvalidAction, NotFound, StateConflict

UNKNOWN_CODE = "This pairing code is unknown, used or expired: ask a guardian for a new one."
NO_CHILDREN_LEFT = (
    "The children this code was made for no longer exist: ask a guardian for a new code."
)
DEVICE_REVOKED = "Device {device_id} is revoked: pair the device again instead."
NO_PIN = "Child {child_id} has no PIN on device {device_id}."
NOT_A_CHILD_OF = "Child {child_id} is not paired with device {device_id}."
DEVICE_GONE = "Device {device_id} no longer exists; nothing changed."
ISSUE_ATTEMPTS = 5  # a new random secret on the (astronomically unlikely) clash of digests


def create_pairing_code(
    *, household: Household, name: str, children: Sequence[Child], by: AbstractBaseUser
) -> tuple[PairingCode, str]:
    """A single-use code, valid 10 minutes, that pairs a device named `name` for `children` (of
    `household`, checked by the caller). Returns it and the code, shown only here."""
    for attempt in range(ISSUE_ATTEMPTS):
        code = credentials.new_pairing_code()
        try:
            with transaction.atomic():
                pairing = PairingCode.objects.create(
                    household=household,
                    name=name,
                    code_digest=credentials.pairing_code_digest(code),
                    created_by=by,
                )
                pairing.children.set(children)
        except IntegrityError:
            if attempt == ISSUE_ATTEMPTS - 1:
                raise
            continue
        return pairing, code
    raise AssertionError("unreachable")


def pair_device(*, code: str) -> tuple[Device, str]:
    """Exchange a pairing code for a new device and its credential (returned once; the database
    keeps its digest). Exactly once: the code's row is locked, and a second exchange, concurrent
    or not, finds it used.

    Raises InvalidAction (on `code`) for an unknown, used or expired code, for one whose maker is
    no longer a guardian of its household (left, removed, account deleted: the same answer, so
    that the exchange tells nobody about the household), or one whose children were all deleted
    since.

    The household's row is locked before the code's, the order in which leaving, removing a
    member and deleting an account lock (those hold it while the membership goes): an exchange
    racing them either pairs first or sees the maker gone.
    """
    usable = PairingCode.objects.filter(
        code_digest=credentials.pairing_code_digest(code),
        used_at__isnull=True,
        expires_at__gt=timezone.now(),
    )
    with transaction.atomic():
        household_id = usable.values_list("household_id", flat=True).first()
        if household_id is None:
            raise InvalidAction(UNKNOWN_CODE, field="code")
        try:
            lock_household(household_id, no_key=True)
        except NotFound:
            raise InvalidAction(UNKNOWN_CODE, field="code") from None
        pairing = usable.select_for_update().first()
        if pairing is None or not _maker_still_writes_in(pairing):
            raise InvalidAction(UNKNOWN_CODE, field="code")
        children = list(pairing.children.filter(household_id=pairing.household_id))
        if not children:
            raise InvalidAction(NO_CHILDREN_LEFT, field="code")
        device, credential = _issue_device(pairing)
        device.children.set(children)
        pairing.used_at, pairing.device = timezone.now(), device
        pairing.save(update_fields=["used_at", "device"])
    return device, credential


def _maker_still_writes_in(pairing: PairingCode) -> bool:
    # A code is its maker's access, handed on: it ends with their membership, as their token's
    # reach does. `created_by` is null once their account is deleted.
    return Membership.objects.filter(
        user_id=pairing.created_by_id, household_id=pairing.household_id, role__in=WRITING_ROLES
    ).exists()


def _issue_device(pairing: PairingCode) -> tuple[Device, str]:
    for attempt in range(ISSUE_ATTEMPTS):
        credential = credentials.new_credential()
        try:
            with transaction.atomic():
                device = Device.objects.create(
                    household_id=pairing.household_id,
                    name=pairing.name,
                    paired_by_id=pairing.created_by_id,
                    token_digest=credentials.credential_digest(credential),
                    token_prefix=credential[: credentials.TOKEN_PREFIX_LENGTH],
                )
        except IntegrityError:
            if attempt == ISSUE_ATTEMPTS - 1:
                raise
            continue
        return device, credential
    raise AssertionError("unreachable")


def revoke_device(*, device: Device) -> Device:
    """End a device's access: its next request is a 401 and its open streams end within seconds.
    Revoking a revoked device changes nothing (it keeps the first revocation's time)."""
    with transaction.atomic():
        locked = Device.objects.select_for_update().filter(pk=device.pk).first()
        if locked is None:
            raise NotFound(DEVICE_GONE.format(device_id=device.pk))
        if locked.revoked_at is None:
            locked.revoked_at = timezone.now()
            locked.save(update_fields=["revoked_at"])
    return locked


def set_pin(*, device: Device, child: Child, pin: str) -> ChildPin:
    """Give a child a PIN on a device (or change it): the device's actions for that child then
    need it. Starts with no failures and no lockout.

    Raises NotFound when the child is not one of the device's, StateConflict when the device is
    revoked.
    """
    _require_child_of(device, child)
    if device.revoked_at is not None:
        raise StateConflict(DEVICE_REVOKED.format(device_id=device.pk))
    row, _ = ChildPin.objects.update_or_create(
        device=device,
        child=child,
        defaults={"pin_hash": pins.hash_pin(pin), "failures": 0, "locked_until": None},
    )
    return row


def clear_pin(*, device: Device, child: Child) -> None:
    """Remove a child's PIN from a device. Raises NotFound when there is none."""
    _require_child_of(device, child)
    deleted, _ = ChildPin.objects.filter(device=device, child=child).delete()
    if not deleted:
        raise NotFound(NO_PIN.format(child_id=child.pk, device_id=device.pk))


def _require_child_of(device: Device, child: Child) -> None:
    if not children_of_device(device).filter(pk=child.pk).exists():
        raise NotFound(NOT_A_CHILD_OF.format(child_id=child.pk, device_id=device.pk))
