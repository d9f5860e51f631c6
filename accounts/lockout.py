"""Failed sign-ins (django-axes): one limit per kind of count, and a success that clears only its own.

`AXES_LOCKOUT_PARAMETERS` counts failures three ways, each against its own limit within
`AXES_COOLOFF_TIME`:

- a (username, IP address) pair: `AXES_FAILURE_LIMIT` (a person mistyping their password);
- a username from any address: `AXES_USERNAME_FAILURE_LIMIT` (guesses at one account spread over
  many addresses, or over forged `X-Forwarded-For` values);
- an IP address across usernames: `AXES_IP_FAILURE_LIMIT` (one address trying many accounts).

Axes itself has one limit for all of them; this handler reports "at the limit" when any count has
reached its own limit. And where axes' reset on success would clear every count the request
matches (all of its address's failures too, so that signing in to one's own account would wipe
the count of the guesses at others), a success here clears only its (username, IP address) pair.
"""

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit, get_lockout_parameters
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum


def limit_of(parameter: str | list[str], pair_limit: int) -> int:
    if parameter == "username":
        return settings.AXES_USERNAME_FAILURE_LIMIT
    if parameter == "ip_address":
        return settings.AXES_IP_FAILURE_LIMIT
    return pair_limit


class FailureLimitsHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials: dict | None = None) -> int:
        """The failures axes compares with AXES_FAILURE_LIMIT: that limit when any count is at its
        own limit, else the highest count, kept below it."""
        pair_limit = get_failure_limit(request, credentials)
        parameters = get_lockout_parameters(request, credentials)
        counts = [
            attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        ]
        if any(
            count >= limit_of(parameter, pair_limit)
            for parameter, count in zip(parameters, counts, strict=True)
        ):
            return pair_limit
        return min(max(counts, default=0), pair_limit - 1)

    def reset_user_attempts(self, request, credentials: dict | None = None) -> int:
        """A successful sign-in clears the failures of its (username, IP address) pair only."""
        count, _ = AccessAttempt.objects.filter(
            username=get_client_username(request, credentials),
            ip_address=request.axes_ip_address,
        ).delete()
        return count
