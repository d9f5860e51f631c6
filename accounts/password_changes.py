"""A password change revokes the account's API tokens, whichever way it is made.

Django tells every validator of AUTH_PASSWORD_VALIDATORS about a new password when it saves a user
whose password was set with `set_password` (`AbstractBaseUser.save` calls `password_changed`): the
API's password change, the admin's password forms, `manage.py changepassword` and a shell all pass
there, so revoking here leaves no path that keeps the old tokens working.
"""

from accounts.services import revoke_tokens_on_password_change

REVOKES_TOKENS = "Setting a new password signs the account out of every app (its tokens end)."


class RevokeTokensOnPasswordChange:
    """Not a rule on passwords: it accepts every password and listens for changes."""

    def validate(self, password: str, user=None) -> None:
        return None

    def password_changed(self, password: str, user=None) -> None:
        if user is not None and user.pk is not None:
            revoke_tokens_on_password_change(user=user)

    def get_help_text(self) -> str:
        # Django lists every validator's help text under password fields (an empty one would be
        # an empty bullet): this one tells staff setting a password what it does.
        return REVOKES_TOKENS
