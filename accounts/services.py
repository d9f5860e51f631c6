"""Writes of the accounts app: accounts, their API tokens, their password."""

from contextvars import ContextVar

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from knox.models import AuthToken
from rest_framework import serializers

from accounts.serializers import USERNAME_TAKEN
from households.models import Membership, Role
from households.services import create_household, lock_account, lock_household_of
from kernel.errors import StateConflict

User = get_user_model()

TRANSFER_FIRST = (
    "You own a household that has other members: transfer its ownership to one of them "
    "(or remove them) before deleting your account."
)


def register_parent(
    *, username: str, password: str, email: str = ""
) -> tuple[User, AuthToken, str]:
    """Create a parent account, its household (the new user is its owner) and its first API
    token; returns the user, the token and its key.

    Raises serializers.ValidationError when the username was taken meanwhile (a racing request).
    """
    try:
        with transaction.atomic():
            user = User.objects.create_user(username=username, password=password, email=email)
            create_household(owner=user)
            token, key = issue_token(user=user)
    except IntegrityError as error:
        raise serializers.ValidationError({"username": [USERNAME_TAKEN]}) from error
    return user, token, key


def issue_token(*, user: User) -> tuple[AuthToken, str]:
    """A new API token for `user`, and its key: one per sign-in, so each device has its own.

    The key exists only in this answer: the database keeps its SHA-512 digest and its first 15
    characters (to find it). It expires after `REST_KNOX["TOKEN_TTL"]`. The user's expired tokens
    are deleted here, so they do not pile up (authentication only checks the token it is given).
    """
    AuthToken.objects.filter(user=user, expiry__lt=timezone.now()).delete()
    return AuthToken.objects.create(user=user)


def revoke_token(*, token: AuthToken) -> None:
    """Delete one token (signing out one device): the next request with its key is a 401."""
    token.delete()


def revoke_tokens(*, user: User, keep: AuthToken | None = None) -> int:
    """Delete every token of `user` but `keep` (signing out everywhere); returns how many."""
    tokens = AuthToken.objects.filter(user=user)
    if keep is not None:
        tokens = tokens.exclude(pk=keep.pk)
    count, _ = tokens.delete()
    return count


# The token a password change made through the API keeps (the caller's): saving the new password
# revokes the others, in `revoke_tokens_on_password_change`, below the caller's frame.
_token_kept_on_password_change: ContextVar[AuthToken | None] = ContextVar(
    "token_kept_on_password_change", default=None
)


def revoke_tokens_on_password_change(*, user: User) -> int:
    """Revoke every token of `user` whose password was just saved, but the one `change_password`
    keeps; returns how many. Called for every saved password change, whoever made it
    (accounts.password_changes, a password validator's `password_changed` hook)."""
    return revoke_tokens(user=user, keep=_token_kept_on_password_change.get())


def change_password(*, user: User, new_password: str, keep_token: AuthToken | None = None) -> None:
    """Set `user`'s password and revoke every token but `keep_token` (the caller's, if it signed
    in with one). The new password changes the session hash, so every session ends too; the view
    keeps the caller's own session, if it used one (`update_session_auth_hash`).

    The revocation is the save's own (`revoke_tokens_on_password_change`), as for a password set
    in the admin or with `manage.py changepassword`.
    """
    kept = _token_kept_on_password_change.set(keep_token)
    try:
        with transaction.atomic():
            user.set_password(new_password)
            user.save(update_fields=["password"])
    finally:
        _token_kept_on_password_change.reset(kept)


def delete_account(*, user: User) -> None:
    """Delete an account. Its tracking rows stay, with `user_id` null (the model's SET_NULL).

    Its household stays while it has other members; the last member's deletion removes the
    household with its children, tasks and rewards (their tracking rows stay). An owner whose
    household has other members must transfer ownership first.

    Raises StateConflict for such an owner. The account's own row is locked first, then its
    household's, so that two members leaving at once cannot both believe the other stays, and so
    that the user's own join racing the deletion waits for it, or it for the join (the account,
    households, then invitations: the order `join_household` locks in). An account already gone
    (two deletions at once) is left as the first one left it.
    """
    with transaction.atomic():
        if not lock_account(user):
            return
        household = lock_household_of(user)
        if household is None:
            user.delete()
            return
        members = Membership.objects.filter(household=household)
        others = members.exclude(user=user)
        if not others.exists():
            user.delete()
            household.delete()
            return
        if members.filter(user=user, role=Role.OWNER).exists():
            raise StateConflict(TRANSFER_FIRST)
        user.delete()
