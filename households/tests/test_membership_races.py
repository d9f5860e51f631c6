"""Membership changes racing each other on PostgreSQL, in threads with their own connections.

Each race is made deterministic without mocking anything: a thread holds the households' row locks
while the requests start, one at a time, each waiting (as PostgreSQL shows in pg_stat_activity)
before the next starts; then the lock is let go and they run in the order they started, on the
state the previous one left. A request that checked something before it waited for the lock sees
it changed; the answers and the household afterwards say whether it noticed.
"""

import threading
import time
from collections.abc import Callable, Iterable

import pytest
from django.db import connection, transaction
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.services import TRANSFER_FIRST
from conftest import client_for
from households import services
from households.models import Household, Invitation, Membership, Role
from idempotency.models import IdempotencyRecord
from testsupport.factories import ChildFactory, MembershipFactory, UserFactory, household_of
from testsupport.races import race_in_order

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

Request = Callable[[], object]


def backends_waiting_for_a_lock() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


def wait_until_waiting(count: int) -> None:
    deadline = time.monotonic() + 30
    while backends_waiting_for_a_lock() < count:
        assert time.monotonic() < deadline, f"{count} requests never waited for a lock"
        time.sleep(0.01)


def in_turn(household_ids: Iterable[int], requests: list[Request]) -> list:
    """Run `requests` in threads while another holds the households' row locks: each starts once
    the previous one waits for a lock; then the locks are let go. Returns their answers, in the
    order they started (and, PostgreSQL queueing waiters first come, first served, ran)."""
    locked, release = threading.Event(), threading.Event()

    def hold() -> None:
        try:
            with transaction.atomic():
                for household_id in sorted(household_ids):
                    Household.objects.select_for_update().get(pk=household_id)
                locked.set()
                release.wait(timeout=60)
        finally:
            connection.close()

    answers: list = [RuntimeError("did not finish")] * len(requests)

    def send(index: int) -> None:
        try:
            answers[index] = requests[index]()
        except Exception as error:  # reported to the test, which asserts on the answers
            answers[index] = error
        finally:
            connection.close()

    holder = threading.Thread(target=hold)
    holder.start()
    assert locked.wait(timeout=30), "the households could not be locked"
    threads = []
    try:
        for index in range(len(requests)):
            threads.append(threading.Thread(target=send, args=(index,)))
            threads[-1].start()
            wait_until_waiting(index + 1)
    finally:
        release.set()
        holder.join(timeout=60)
        for thread in threads:
            thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in [holder, *threads]), "a request is stuck"
    return answers


@pytest.fixture
def log_dir(settings, tmp_path):
    """Requests really commit here: their audit log goes to this test's own directory."""
    settings.CHOREHUB_LOG_DIR = tmp_path / "logs"


def signed_in(user) -> APIClient:
    """A client of its own per request (a sign-in each), answering 500s instead of raising."""
    client = client_for(user)
    client.raise_request_exception = False
    return client


def transfer(owner, to) -> Request:
    client = signed_in(owner)
    return lambda: client.post(reverse("household-transfer"), {"user_id": to.pk}, format="json")


def remove(owner, member) -> Request:
    client = signed_in(owner)
    return lambda: client.delete(reverse("household-member", args=[member.pk]))


def rename(owner, name: str) -> Request:
    client = signed_in(owner)
    return lambda: client.patch(reverse("household"), {"name": name}, format="json")


def invite(owner) -> Request:
    client = signed_in(owner)
    return lambda: client.post(
        reverse("household-invitations"), {"role": Role.GUARDIAN}, format="json"
    )


def leave(member) -> Request:
    client = signed_in(member)
    return lambda: client.post(reverse("household-leave"))


def join(user, code: str, **headers: str) -> Request:
    client = signed_in(user)
    return lambda: client.post(
        reverse("household-join"), {"code": code}, format="json", headers=headers
    )


def delete_account(user) -> Request:
    client = signed_in(user)
    return lambda: client.delete(reverse("auth-me"))


def invitation_code(household: Household, owner) -> str:
    return services.create_invitation(household=household, role=Role.GUARDIAN, by=owner)[1]


def statuses(answers: list) -> list:
    return [getattr(answer, "status_code", answer) for answer in answers]


def owners_of(household: Household) -> list[int]:
    return list(
        Membership.objects.filter(household=household, role=Role.OWNER).values_list(
            "user_id", flat=True
        )
    )


def test_of_two_transfers_sent_together_the_second_is_refused_as_its_caller_no_longer_owns(
    log_dir, parent
):
    household = household_of(parent)
    first, second = (MembershipFactory(household=household).user for _ in range(2))

    answers = in_turn([household.pk], [transfer(parent, first), transfer(parent, second)])

    assert statuses(answers) == [200, 403]
    assert answers[1].json() == {"detail": services.OWNERS_ONLY}
    assert owners_of(household) == [first.pk]


def test_removing_the_member_ownership_was_just_transferred_to_is_refused(log_dir, parent):
    household = household_of(parent)
    member = MembershipFactory(household=household).user

    answers = in_turn([household.pk], [transfer(parent, member), remove(parent, member)])

    assert statuses(answers) == [200, 403]
    assert answers[1].json() == {"detail": services.OWNERS_ONLY}
    assert owners_of(household) == [member.pk]


def test_transferring_ownership_to_a_member_just_removed_is_a_404(log_dir, parent):
    household = household_of(parent)
    member = MembershipFactory(household=household).user

    answers = in_turn([household.pk], [remove(parent, member), transfer(parent, member)])

    assert statuses(answers) == [204, 404]
    assert answers[1].json() == {"detail": services.NOT_A_MEMBER}
    assert owners_of(household) == [parent.pk]


def test_a_former_owner_cannot_rename_the_household_once_ownership_was_transferred(log_dir, parent):
    household = household_of(parent)
    member = MembershipFactory(household=household).user
    name = household.name

    answers = in_turn([household.pk], [transfer(parent, member), rename(parent, "Renamed")])

    assert statuses(answers) == [200, 403]
    assert answers[1].json() == {"detail": services.OWNERS_ONLY}
    household.refresh_from_db()
    assert household.name == name


def test_a_former_owner_cannot_invite_once_ownership_was_transferred(log_dir, parent):
    household = household_of(parent)
    member = MembershipFactory(household=household).user

    answers = in_turn([household.pk], [transfer(parent, member), invite(parent)])

    assert statuses(answers) == [200, 403]
    assert answers[1].json() == {"detail": services.OWNERS_ONLY}
    assert not Invitation.objects.filter(household=household).exists()


def test_a_member_ownership_was_just_transferred_to_cannot_leave(log_dir, parent):
    household = household_of(parent)
    member = MembershipFactory(household=household).user

    answers = in_turn([household.pk], [transfer(parent, member), leave(member)])

    assert statuses(answers) == [200, 409]
    assert answers[1].json() == {"detail": services.TRANSFER_BEFORE_LEAVING}
    assert owners_of(household) == [member.pk]


def test_two_owners_joining_each_others_empty_household_at_once_do_not_deadlock(log_dir):
    first, second = UserFactory(), UserFactory()
    first_household, second_household = household_of(first), household_of(second)
    first_code = invitation_code(first_household, first)
    second_code = invitation_code(second_household, second)

    answers = in_turn(
        [first_household.pk, second_household.pk],
        [join(first, second_code), join(second, first_code)],
    )

    # The first joined and its household went with its invitation: the second's code is unknown.
    assert statuses(answers) == [200, 400]
    assert answers[1].json() == {"code": [services.UNKNOWN_CODE]}
    assert not Household.objects.filter(pk=first_household.pk).exists()
    assert household_of(first) == household_of(second) == second_household
    assert owners_of(second_household) == [second.pk]


def test_the_last_member_deleting_their_account_while_someone_joins_does_not_deadlock(log_dir):
    owner, newcomer = UserFactory(), UserFactory()
    household = household_of(owner)
    ChildFactory(household=household)
    code = invitation_code(household, owner)

    answers = in_turn([household.pk], [delete_account(owner), join(newcomer, code)])

    # The household went with its invitation: the newcomer's code is unknown.
    assert statuses(answers) == [204, 400]
    assert answers[1].json() == {"code": [services.UNKNOWN_CODE]}
    assert not Household.objects.filter(pk=household.pk).exists()
    assert Membership.objects.filter(user=newcomer, role=Role.OWNER).exists()


def test_someone_who_joined_while_the_owner_deleted_their_account_stops_the_deletion(log_dir):
    owner, newcomer = UserFactory(), UserFactory()
    household = household_of(owner)
    code = invitation_code(household, owner)

    answers = in_turn([household.pk], [join(newcomer, code), delete_account(owner)])

    assert statuses(answers) == [200, 409]
    assert answers[1].json() == {"detail": TRANSFER_FIRST}
    assert owners_of(household) == [owner.pk]
    assert household_of(newcomer) == household


def test_deleting_an_account_while_it_joins_another_household_deletes_it_from_that_one(log_dir):
    user, other_owner = UserFactory(), UserFactory()  # the user's household has the lower id
    own_household, other_household = household_of(user), household_of(other_owner)
    code = invitation_code(other_household, other_owner)

    answers = in_turn([own_household.pk], [join(user, code), delete_account(user)])

    # The join removed the user's own household: the deletion finds them as a guardian elsewhere.
    assert statuses(answers) == [200, 204]
    assert not Household.objects.filter(pk=own_household.pk).exists()
    assert not Membership.objects.filter(user_id=user.pk).exists()
    assert owners_of(other_household) == [other_owner.pk]


def members_of(household: Household) -> list[int]:
    return list(Membership.objects.filter(household=household).values_list("user_id", flat=True))


def unused(code: str) -> bool:
    return Invitation.objects.filter(
        code_digest=services.code_digest(code), used_at__isnull=True
    ).exists()


def test_a_join_that_waited_for_its_users_account_deletion_is_a_404_and_adds_nobody(log_dir):
    """The deletion committed first: the join must not add a membership for an account that is
    gone (it used to, and failed at COMMIT on the foreign key: a 500)."""
    user, other_owner = UserFactory(), UserFactory()  # the user's household has the lower id
    own_household, other_household = household_of(user), household_of(other_owner)
    code = invitation_code(other_household, other_owner)

    answers = in_turn([own_household.pk], [delete_account(user), join(user, code)])

    assert statuses(answers) == [204, 404]
    assert answers[1].json() == {"detail": services.ACCOUNT_GONE}
    assert not Household.objects.filter(pk=own_household.pk).exists()
    assert members_of(other_household) == [other_owner.pk]
    assert unused(code)


def test_a_join_racing_the_deletion_of_an_account_in_no_household_is_a_404_and_adds_nobody(
    log_dir,
):
    """No household to lock: the account's own row is what the two wait for."""
    user, other_owner = UserFactory(household=False), UserFactory()
    other_household = household_of(other_owner)
    code = invitation_code(other_household, other_owner)

    deleted, joined, join_waited = race_in_order(
        delete_account(user), join(user, code), pause_after='DELETE FROM "auth_user"'
    )

    assert deleted.error is None and joined.error is None, (deleted.error, joined.error)
    assert deleted.result.status_code == 204, deleted.result.content
    assert joined.result.status_code == 404, joined.result.content
    assert joined.result.json() == {"detail": services.ACCOUNT_GONE}
    assert join_waited
    assert members_of(other_household) == [other_owner.pk]
    assert unused(code)


def test_a_join_with_an_idempotency_key_that_waited_for_its_users_account_deletion_is_a_404(
    log_dir,
):
    """The key's record went with the account: the answer is still the join's own, not a 500
    from storing it in a record that is gone."""
    user, other_owner = UserFactory(), UserFactory()
    own_household, other_household = household_of(user), household_of(other_owner)
    code = invitation_code(other_household, other_owner)

    answers = in_turn(
        [own_household.pk],
        [delete_account(user), join(user, code, **{"Idempotency-Key": "join-once"})],
    )

    assert statuses(answers) == [204, 404]
    assert answers[1].json() == {"detail": services.ACCOUNT_GONE}
    assert members_of(other_household) == [other_owner.pk]
    assert not IdempotencyRecord.objects.exists()


def test_a_join_with_an_idempotency_key_racing_its_users_account_deletion_is_a_404(log_dir):
    """The deletion is not committed when the middleware authenticates the join, and is when it
    records the key: the record cannot refer to the account (the key was said to be running)."""
    user, other_owner = UserFactory(household=False), UserFactory()
    other_household = household_of(other_owner)
    code = invitation_code(other_household, other_owner)

    deleted, joined, join_waited = race_in_order(
        delete_account(user),
        join(user, code, **{"Idempotency-Key": "join-once"}),
        pause_after='DELETE FROM "auth_user"',
    )

    assert deleted.error is None and joined.error is None, (deleted.error, joined.error)
    assert deleted.result.status_code == 204, deleted.result.content
    assert joined.result.status_code == 404, joined.result.content
    assert joined.result.json() == {"detail": services.ACCOUNT_GONE}
    assert join_waited
    assert members_of(other_household) == [other_owner.pk]
    assert not IdempotencyRecord.objects.exists()
