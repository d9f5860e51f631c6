"""Work after the commit that must never fail the action that committed.

`transaction.on_commit(..., robust=True)` catches a hook's error and logs it by the hook's
`__qualname__`, which a `functools.partial` does not have (Django 5.2): the log call raised
AttributeError out of the COMMIT, so a committed action answered 500, and a client's retry applied
it again. `after_commit` gives the hook its function's name.
"""

from collections.abc import Callable
from functools import partial
from typing import Any

from django.db import transaction


def after_commit(function: Callable[..., Any], *args: Any) -> None:
    """Run `function(*args)` once the current transaction commits (at once outside one); an error
    it raises is logged, never raised."""
    hook = partial(function, *args)
    hook.__qualname__ = function.__qualname__
    transaction.on_commit(hook, robust=True)
