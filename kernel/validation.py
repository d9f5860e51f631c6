"""Query-parameter validation: a route refuses parameters it does not take, with a 400 that names
them (a misspelt parameter must not be silently ignored), and a parameter given more than once
unless it takes several values (all but one value would be).

Lists are checked by `kernel.api.StrictFilterBackend` against their filters; every other route
names what it takes in `query_parameters` (on the view, or per `@action`). Views opt in with
`QueryParametersChecked`; a test over the URL configuration proves every route does.
"""

from collections.abc import Collection
from typing import Any

from rest_framework import exceptions
from rest_framework.request import Request

UNKNOWN_PARAMETER = "Unknown query parameter. Allowed: {allowed}."
REPEATED_PARAMETER = "Given more than once: give one value."


def check_query_parameters(request: Request, view: Any) -> None:
    """Raise a 400 for any query parameter that `view` does not take, or takes once but was
    given more than once (lists excepted: `kernel.api.StrictFilterBackend` checks theirs)."""
    if is_list_view(view):
        return
    refuse_repeated(request, repeatable=getattr(view, "repeatable_query_parameters", ()))
    known = set(getattr(view, "query_parameters", ()))
    unknown = set(request.query_params) - known
    if unknown:
        allowed = ", ".join(sorted(known)) or "none"
        raise exceptions.ValidationError(
            {name: [UNKNOWN_PARAMETER.format(allowed=allowed)] for name in sorted(unknown)}
        )


def refuse_repeated(request: Request, *, repeatable: Collection[str] = ()) -> None:
    """Raise a 400 naming each parameter given more than once that does not take several."""
    repeated = sorted(
        name
        for name, values in request.query_params.lists()
        if len(values) > 1 and name not in repeatable
    )
    if repeated:
        raise exceptions.ValidationError({name: [REPEATED_PARAMETER] for name in repeated})


def is_list_view(view: Any) -> bool:
    action = getattr(view, "action", None)
    if action is not None:
        return action == "list"
    return callable(getattr(view, "list", None))  # a generic ListAPIView


# A DRF view mixin: after authentication and permissions (so 401/403 come first), refuse unknown
# query parameters. (A comment, not a docstring: drf-spectacular would show a docstring as the
# description of every operation of the views that mix it in.)
class QueryParametersChecked:
    query_parameters: Collection[str] = ()
    repeatable_query_parameters: Collection[str] = ()

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        check_query_parameters(request, self)
