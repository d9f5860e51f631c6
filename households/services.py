"""Writes of the households app: creating a household, its settings, and its members
(invitations, joining, removal, transfer of ownership, leaving).

Membership changes lock the household's row first (`lock_household`), so that two of them on one
household run one after the other (two owners' last member leaving at once, an invitation used
twice at once), and check the caller's role and the target's membership only then: what a request
read before it waited for the lock may have been changed by the one it waited for. Locks are taken
in one order everywhere: the acting account's own row (`lock_account`: joining and deleting an
account), then households by id, then invitations (`join_household`; deleting an account locks its
household, then its cascade reaches the invitations), so that two requests never wait for each
other in a circle."""

import hashlib
import secrets
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from households import selectors, signals
from households.models import INVITATION_DAYS, Household, Invitation, Membership, Role
from kernel.errors import Forbidden, InvalidAction, NotFound, StateConflict

DEFAULT_NAME = "{username}'s family"
NO_HOUSEHOLD = "You belong to no household."
OWNERS_ONLY = "Only the household's owner may do this."
UNKNOWN_CODE = "This invitation code is unknown, used or expired."
ALREADY_A_MEMBER = "You already belong to this household."
LEAVE_YOUR_HOUSEHOLD_FIRST = (
    "You belong to a household that has other members or children, chores or rewards: leave it "
    "(an owner transfers ownership first) before joining another."
)
NOT_A_MEMBER = "No such member in your household."
NOT_YOURSELF = "You cannot remove yourself: leave the household instead."
TRANSFER_BEFORE_LEAVING = (
    "You own this household and it has other members: transfer ownership to one of them first."
)
LAST_MEMBER = (
    "You are the household's only member: there is nobody to leave it to (delete your account "
    "to remove it)."
)
ALREADY_OWNER = "You already own this household."
ACCOUNT_GONE = "Your account was deleted."


def create_household(
    *, owner: AbstractBaseUser, name: str = "", time_zone: str = "UTC"
) -> Household:
    """A new household with `owner` as its owner (on registration, say). The caller makes sure
    the user belongs to no household yet (a user belongs to one at most)."""
    with transaction.atomic():
        household = Household.objects.create(
            name=name or DEFAULT_NAME.format(username=owner.get_username())[:100],
            time_zone=time_zone,
        )
        Membership.objects.create(user=owner, household=household, role=Role.OWNER)
    return household


def household_for_writing(*, user: AbstractBaseUser) -> Household:
    """The user's household; a user who belongs to none (an account made before households, by
    `createsuperuser`, or one who left) gets one of their own, as its owner, on their first
    write."""
    membership = Membership.objects.select_related("household").filter(user_id=user.pk).first()
    if membership is not None:
        return membership.household
    return create_household(owner=user)


def lock_account(user: AbstractBaseUser) -> bool:
    """Lock the user's own row for the rest of the transaction; False when the account is gone.

    Joining and deleting an account both take it first: a join then cannot add a membership for
    an account whose deletion committed meanwhile (or is about to), even when there is no
    household they both lock. FOR NO KEY UPDATE: rows that merely refer to the user (tokens,
    tracking rows) are still written meanwhile."""
    account = get_user_model().objects.select_for_update(no_key=True).filter(pk=user.pk)
    return account.exists()


def lock_household(household_id: int, *, no_key: bool = False) -> Household:
    """Lock a household's row for the rest of the transaction; NotFound when it is gone.

    `no_key`: FOR NO KEY UPDATE, for a change of the household's own fields. It still waits for
    (and holds off) the membership changes, but not the writes that merely refer to the household
    (a child, a chore): a calendar change rebuilds the children's figures under their locks, and
    an action holding a child's lock may be inserting such a row."""
    household = Household.objects.select_for_update(no_key=no_key).filter(pk=household_id).first()
    if household is None:
        raise NotFound(NO_HOUSEHOLD)
    return household


def lock_household_of(user: AbstractBaseUser) -> Household | None:
    """Lock the user's household and return it; None for a user who belongs to none. The
    membership is read again once locked: a join or a removal that committed while this waited
    for the lock may have moved the user (and removed the household they were in)."""
    household_id = selectors.household_id_of(user)
    while household_id is not None:
        household = Household.objects.select_for_update().filter(pk=household_id).first()
        still_there = selectors.household_id_of(user)
        if household is not None and still_there == household_id:
            return household
        household_id = still_there
    return None


def lock_households(household_ids: set[int]) -> dict[int, Household]:
    """Lock several households' rows, by id (the order every transaction locks them in); returns
    those that still exist, by id."""
    locked = {}
    for household_id in sorted(household_ids):
        household = Household.objects.select_for_update().filter(pk=household_id).first()
        if household is not None:
            locked[household_id] = household
    return locked


def lock_household_as_owner(
    household_id: int, *, by: AbstractBaseUser, no_key: bool = False
) -> Household:
    """Lock a household's row and check, under the lock, that `by` still owns it (Forbidden if not:
    a transfer that committed while this request waited for the lock ended their ownership)."""
    household = lock_household(household_id, no_key=no_key)
    owner = Membership.objects.filter(household=household, user_id=by.pk, role=Role.OWNER)
    if not owner.exists():
        raise Forbidden(OWNERS_ONLY)
    return household


HOUSEHOLD_FIELDS = ("name", "time_zone", "day_boundary_hour", "week_start", "auto_approve_claims")
CALENDAR_FIELDS = ("time_zone", "day_boundary_hour", "week_start")


def update_household(
    *, household: Household, by: AbstractBaseUser | None = None, **changes: str | int | bool
) -> Household:
    """Change a household's `name`, calendar (`time_zone`, `day_boundary_hour`, `week_start`)
    and/or `auto_approve_claims`. A changed calendar is announced (`household_calendar_changed`):
    every figure per day or week depends on it.

    Raises Forbidden when `by` does not own the household once it is locked (a transfer that
    committed meanwhile); `by=None` (a script, a test) checks no role. Returns the household as
    saved; `household` gets the changes too.
    """
    fields = [name for name in HOUSEHOLD_FIELDS if name in changes]
    with transaction.atomic():
        if by is None:
            locked = lock_household(household.pk, no_key=True)
        else:
            locked = lock_household_as_owner(household.pk, by=by, no_key=True)
        # Compared with the row as locked: a calendar change that committed meanwhile counts.
        calendar_changed = any(
            getattr(locked, name) != changes[name] for name in CALENDAR_FIELDS if name in changes
        )
        for name in fields:
            setattr(locked, name, changes[name])
            setattr(household, name, changes[name])
        locked.save(update_fields=fields)
        if calendar_changed:
            signals.household_calendar_changed.send(sender=Household, household=locked)
    return locked


def code_digest(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def create_invitation(
    *, household: Household, role: str, by: AbstractBaseUser, days: int = INVITATION_DAYS
) -> tuple[Invitation, str]:
    """A single-use invitation to join `household` as `role` (guardian or viewer), valid for
    `days`; returns it and its code (shown only here). Raises Forbidden when `by` does not own
    the household once it is locked (a transfer that committed meanwhile)."""
    code = secrets.token_urlsafe(12)
    with transaction.atomic():
        lock_household_as_owner(household.pk, by=by)
        invitation = Invitation.objects.create(
            household=household,
            role=role,
            code_digest=code_digest(code),
            created_by=by,
            expires_at=timezone.now() + timedelta(days=days),
        )
    return invitation, code


def _is_empty(household: Household) -> bool:
    """No children, chores or rewards (the domain's reverse relations, read without importing
    the domain)."""
    return not (
        household.children.exists() or household.tasks.exists() or household.rewards.exists()
    )


def _usable_invitation(code: str):
    """The invitations with this code that are neither used nor expired (one at most)."""
    return Invitation.objects.filter(
        code_digest=code_digest(code), used_at__isnull=True, expires_at__gt=timezone.now()
    )


def join_household(*, user: AbstractBaseUser, code: str) -> Membership:
    """Use an invitation: `user` joins its household with its role.

    A user belongs to one household. One who already belongs to another joins only if they are
    its sole member and it is empty (no children, chores or rewards, as right after registering):
    that household is then removed. Otherwise StateConflict (leave it first).
    Raises InvalidAction for an unknown, used or expired code.

    Raises NotFound when the user's account was deleted meanwhile.

    The user's row is locked first, then both households, by id, then the invitation: two users
    joining each other's household at once, or a join racing the deletion of the invited
    household or of the user's account, then wait for one another instead of deadlocking. What
    was read before locking is read again after.
    """
    with transaction.atomic():
        if not lock_account(user):
            raise NotFound(ACCOUNT_GONE)
        invited_id = _usable_invitation(code).values_list("household_id", flat=True).first()
        if invited_id is None:
            raise InvalidAction(UNKNOWN_CODE, field="code")
        own_id = selectors.household_id_of(user)
        locked = lock_households({invited_id} | ({own_id} if own_id is not None else set()))
        # Gone if its household was removed meanwhile (the cascade), or used meanwhile.
        invitation = _usable_invitation(code).select_for_update().first()
        if invitation is None:
            raise InvalidAction(UNKNOWN_CODE, field="code")
        current = Membership.objects.filter(user_id=user.pk).first()
        if current is not None:
            if current.household_id == invitation.household_id:
                raise StateConflict(ALREADY_A_MEMBER)
            own = locked.get(current.household_id)  # None: joined or made another meanwhile
            if own is None:
                raise StateConflict(LEAVE_YOUR_HOUSEHOLD_FIRST)
            alone = not Membership.objects.filter(household=own).exclude(user_id=user.pk).exists()
            if not (alone and _is_empty(own)):
                raise StateConflict(LEAVE_YOUR_HOUSEHOLD_FIRST)
            current.delete()
            own.delete()
        membership = Membership.objects.create(
            user=user, household_id=invitation.household_id, role=invitation.role
        )
        invitation.used_by, invitation.used_at = user, timezone.now()
        invitation.save(update_fields=["used_by", "used_at"])
    return membership


def remove_member(*, household: Household, user_id: int, by: AbstractBaseUser) -> None:
    """The owner removes a member: their access ends with this commit (every read and write is
    scoped by membership). Raises Forbidden when `by` no longer owns the household, NotFound for
    a user who is not a member, InvalidAction for the owner themself."""
    with transaction.atomic():
        lock_household_as_owner(household.pk, by=by)
        if user_id == by.pk:
            raise InvalidAction(NOT_YOURSELF)
        deleted, _ = Membership.objects.filter(household=household, user_id=user_id).delete()
        if not deleted:
            raise NotFound(NOT_A_MEMBER)


def transfer_ownership(*, household: Household, to_user_id: int, by: AbstractBaseUser) -> None:
    """The owner makes another member the owner; the former owner becomes a guardian. Raises
    Forbidden when `by` no longer owns the household (a transfer that committed first), NotFound
    when the target is not a member."""
    with transaction.atomic():
        lock_household_as_owner(household.pk, by=by)
        if to_user_id == by.pk:
            raise StateConflict(ALREADY_OWNER)
        target = Membership.objects.filter(household=household, user_id=to_user_id).first()
        if target is None:
            raise NotFound(NOT_A_MEMBER)
        # Demote first: the database allows one owner per household.
        Membership.objects.filter(household=household, user_id=by.pk).update(role=Role.GUARDIAN)
        target.role = Role.OWNER
        target.save(update_fields=["role"])


def leave_household(*, user: AbstractBaseUser) -> None:
    """A member leaves their household. An owner with other members transfers ownership first;
    the only member cannot leave (StateConflict both)."""
    with transaction.atomic():
        household_id = selectors.household_id_of(user)
        if household_id is None:
            raise NotFound(NO_HOUSEHOLD)
        lock_household(household_id)
        # Read under the lock: a transfer that committed meanwhile may have made this member the
        # owner, a removal may have ended the membership.
        membership = Membership.objects.filter(user_id=user.pk, household_id=household_id).first()
        if membership is None:
            raise NotFound(NO_HOUSEHOLD)
        others = Membership.objects.filter(household_id=membership.household_id).exclude(
            user_id=user.pk
        )
        if not others.exists():
            raise StateConflict(LAST_MEMBER)
        if membership.role == Role.OWNER:
            raise StateConflict(TRANSFER_BEFORE_LEAVING)
        membership.delete()
