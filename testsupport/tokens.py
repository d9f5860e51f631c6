"""API tokens for tests and benchmarks: a key is shown only when issued, so issue one."""

from accounts.services import issue_token


def token_for(user) -> str:
    """A new API token of `user` (a knox token, as a sign-in issues), as its key."""
    _, key = issue_token(user=user)
    return key
