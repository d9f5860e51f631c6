"""Two staff members deleting one child in the admin at the same moment: both see it deleted, and
it is deleted (and announced) once.

The second deletion found the child before the first committed, then waits for its lock in
`delete_child`; when it gets it the row is gone, a NotFound that `ChildAdmin` takes as "already
deleted" instead of a 500. `testsupport.races` holds the first deletion's transaction open right
after its DELETE, so the second really runs into it."""

import pytest

from children import signals
from children.models import Child
from testsupport.admin_deletion import ADMIN_DELETIONS, admin_deletion
from testsupport.factories import ChildFactory
from testsupport.races import race_in_order

DELETE_CHILD = 'DELETE FROM "children_child"'
DELETED = 302  # the admin's redirect after a deletion


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("second_bulk", [False, True], ids=ADMIN_DELETIONS)
@pytest.mark.parametrize("first_bulk", [False, True], ids=ADMIN_DELETIONS)
def test_two_admin_deletions_of_one_child_at_once_both_succeed_and_delete_it_once(
    settings, tmp_path, first_bulk, second_bulk
):
    settings.CHOREHUB_LOG_DIR = tmp_path / "logs"
    child = ChildFactory()
    announced = []

    def count(sender, child_id, **kwargs):
        announced.append(child_id)

    signals.child_deleted.connect(count, dispatch_uid="test-count")
    try:
        first, second, second_waited = race_in_order(
            admin_deletion(child, bulk=first_bulk),
            admin_deletion(child, bulk=second_bulk),
            pause_after=DELETE_CHILD,
        )
    finally:
        signals.child_deleted.disconnect(dispatch_uid="test-count")

    assert first.error is None and second.error is None, (first.error, second.error)
    assert second_waited  # it ran into the first deletion's lock, so the race was played
    assert first.result.status_code == DELETED, first.result.content[:300]
    assert second.result.status_code == DELETED, second.result.content[:300]
    assert not Child.objects.filter(pk=child.pk).exists()
    assert announced == [child.pk]
