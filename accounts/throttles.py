"""Request rates (DRF throttles): per IP address for anonymous callers, per user for signed-in
ones, and per IP address for registering and getting a token.

Rates come from `REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]` (set from the environment, see
docs/operations.md). The counts live in Django's cache: with the default local-memory cache each
server process counts on its own. A refused request gets DRF's `429` with `Retry-After`.
"""

from rest_framework import throttling
from rest_framework.settings import api_settings

from kernel.principals import is_device


class RatesOfNow:
    """DRF copies the rates into its throttle classes once, at import; read them at each request
    instead, so that a changed setting (a test's) applies."""

    @property
    def THROTTLE_RATES(self) -> dict[str, str | None]:
        return api_settings.DEFAULT_THROTTLE_RATES


class AnonRateThrottle(RatesOfNow, throttling.AnonRateThrottle):
    """Anonymous callers, per IP address (scope `anon`)."""


class UserRateThrottle(RatesOfNow, throttling.UserRateThrottle):
    """Signed-in callers, per user whatever the address (scope `user`); a paired child device
    (kid mode) is counted on its own, never with the other devices (they have no user id)."""

    def get_cache_key(self, request, view) -> str | None:
        if is_device(request.user):
            ident = f"device-{request.user.device_id}"
            return self.cache_format % {"scope": self.scope, "ident": ident}
        return super().get_cache_key(request, view)


class PerAddressScopedRateThrottle(RatesOfNow, throttling.ScopedRateThrottle):
    """The view's `throttle_scope` (`register`, `token`), per IP address even when the caller is
    signed in: what these scopes limit is what one address may try."""

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
