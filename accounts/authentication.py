"""`Authorization: Token <key>` with django-rest-knox: keys are stored as SHA-512 digests, expire,
and can be revoked one by one or all at once (see accounts.services)."""

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from knox.settings import knox_settings
from rest_framework import exceptions

INVALID_TOKEN = "Invalid token."


class TokenAuthentication(KnoxTokenAuthentication):
    """knox's authentication, with two changes.

    - A key that is not UTF-8 is a 401 like any wrong key (knox would let the UnicodeDecodeError
      become a 500).
    - Only the presented token's expiry is checked: knox also loads and deletes every other expired
      token of the user on every request, a cost that grows with the number of the user's
      sign-ins. `accounts.services.issue_token` deletes a user's expired tokens instead.
    """

    def authenticate_credentials(self, token: bytes):
        try:
            token.decode("utf-8")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(INVALID_TOKEN) from None
        return super().authenticate_credentials(token)

    def _cleanup_token(self, auth_token) -> bool:
        if auth_token.expiry is not None and auth_token.expiry < timezone.now():
            auth_token.delete()
            return True
        return False


class TokenScheme(OpenApiAuthenticationExtension):
    """The OpenAPI security scheme of TokenAuthentication: `Authorization: Token <key>`, under the
    name DRF's own token scheme had (`tokenAuth`), so that clients see the same scheme."""

    target_class = TokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema) -> dict:
        return build_bearer_security_scheme_object(
            header_name="Authorization", token_prefix=knox_settings.AUTH_HEADER_PREFIX
        )
