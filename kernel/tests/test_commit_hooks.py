"""A hook after the commit that fails is logged, and the action that committed stands."""

import logging

import pytest
from django.db import transaction

from kernel.commit_hooks import after_commit


def refuse(user_id: int) -> None:
    raise RuntimeError(f"no line for user {user_id}")


@pytest.mark.django_db(transaction=True)
def test_a_failing_hook_with_arguments_is_logged_by_name_and_never_raised(caplog):
    """Django logs a robust hook's error by `__qualname__`, which a bare `functools.partial` has
    not: the AttributeError left the COMMIT (the action committed, and answered 500)."""
    caplog.set_level(logging.ERROR, logger="django.db.backends.base")

    with transaction.atomic():
        after_commit(refuse, 7)

    [record] = caplog.records
    assert "Error calling refuse in on_commit()" in record.getMessage()
    assert str(record.exc_info[1]) == "no line for user 7"
