"""`kernel.commit_rider`: a statement sent with the transaction's COMMIT in one round trip; sent
alone first when the transaction sends anything else; undone alone when it fails; never sent when
the transaction rolls back. PostgreSQL only: elsewhere the caller sends its statement itself."""

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django_eventstream.models import EventCounter

from kernel.commit_rider import ride_on_commit, send_riders_now
from kernel.lazy_savepoint import lazy_savepoint
from kernel.tests.prepared import prepared_count

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="statements ride on the COMMIT on PostgreSQL only"
)

TABLE = EventCounter._meta.db_table


def insert(name: str) -> tuple[str, list]:
    return (
        f"INSERT INTO {TABLE} (name, value, updated) VALUES (%s, 0, now()) RETURNING name",
        [name],
    )


def names() -> set[str]:
    return set(EventCounter.objects.values_list("name", flat=True))


@pytest.fixture
def fails_at_commit():
    """A statement that runs, but makes the COMMIT fail (a deferred unique constraint)."""
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE rider_deferred (x int UNIQUE DEFERRABLE INITIALLY DEFERRED)")
    yield ("INSERT INTO rider_deferred VALUES (1), (1)", [])
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE rider_deferred")


class Answers(list):
    def __call__(self, result) -> None:
        self.append(result)


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_caller_sends_it_itself():
    answers = Answers()
    assert ride_on_commit(insert("Alone"), answers) is False
    assert answers == [] and names() == set()


def test_off_postgresql_nothing_rides():
    answers = Answers()
    with transaction.atomic():
        rides = ride_on_commit(insert("Rider"), answers)
        send_riders_now()
    assert rides is (connection.vendor == "postgresql")


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_it_goes_with_the_commit_in_one_round_trip():
    answers = Answers()
    with CaptureQueriesContext(connection) as captured, transaction.atomic():
        EventCounter.objects.create(name="Action")
        assert ride_on_commit(insert("Rider"), answers)
        assert answers == []  # nothing sent yet
    sent = [query["sql"] for query in captured.captured_queries]
    assert sent[-1].startswith('SAVEPOINT "rider"; INSERT') and sent[-1].endswith("; COMMIT")
    assert not any(sql == "COMMIT" for sql in sent)
    assert answers == [[("Rider",)]]
    assert names() == {"Action", "Rider"}


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_failing_rider_is_undone_alone_and_the_transaction_commits():
    answers = Answers()
    ran = []
    with transaction.atomic():
        EventCounter.objects.create(name="Action")
        transaction.on_commit(lambda: ran.append("hook"))
        ride_on_commit(insert("Action"), answers)  # a duplicate name
    [error] = answers
    assert isinstance(error, IntegrityError)
    assert names() == {"Action"}
    assert ran == ["hook"]
    assert connection.get_autocommit()
    EventCounter.objects.create(name="Afterwards")  # the connection is usable


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_never_sends_it():
    answers = Answers()
    with pytest.raises(ValueError), transaction.atomic():
        EventCounter.objects.create(name="Action")
        ride_on_commit(insert("Rider"), answers)
        raise ValueError("the action is refused")
    assert answers == [] and names() == set()
    assert connection.riders == []


@on_postgresql
def test_what_the_transaction_sends_next_comes_after_it():
    answers = Answers()
    with transaction.atomic():
        ride_on_commit(insert("Rider"), answers)
        read = names()
    assert answers == [[("Rider",)]]
    assert read == {"Rider"}


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_savepoint_rolled_back_around_it_undoes_it():
    answers = Answers()
    ran = []
    with transaction.atomic():
        with pytest.raises(ValueError), transaction.atomic():
            ride_on_commit(insert("Undone"), answers)
            transaction.on_commit(lambda: ran.append("undone"))
            raise ValueError("the inner block is refused")
        EventCounter.objects.create(name="Kept")
    assert names() == {"Kept"}
    assert ran == []


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_after_a_failed_statement_it_is_answered_with_an_error_not_sent():
    answers = Answers()
    with transaction.atomic():
        EventCounter.objects.create(name="Action")
        # The cursor is opened before the rider, so nothing sends the rider before it fails.
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
            ride_on_commit(insert("Rider"), answers)
            cursor.execute(*insert("Action"))  # a duplicate: the transaction fails
    [error] = answers
    assert isinstance(error, DatabaseError)
    assert names() == {"Action"}


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_an_execute_wrapper_around_the_next_statement_does_not_take_it():
    answers = Answers()
    with transaction.atomic():
        ride_on_commit(insert("Rider"), answers)
        with pytest.raises(IntegrityError), lazy_savepoint():
            EventCounter.objects.create(name="Undone")
            EventCounter.objects.create(name="Undone")
    assert names() == {"Rider"}


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_failed_commit_is_the_commits_error(fails_at_commit):
    answers = Answers()
    with pytest.raises(IntegrityError), transaction.atomic():
        EventCounter.objects.create(name="Action")
        ride_on_commit(fails_at_commit, answers)
    assert names() == set()
    assert answers == []
    assert connection.get_autocommit()


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_an_answer_that_raises_does_not_fail_the_commit(caplog):
    def answer(result) -> None:
        raise RuntimeError("a broken answer")

    with transaction.atomic():
        ride_on_commit(insert("Rider"), answer)
    assert names() == {"Rider"}
    assert "the answer to a statement sent with the commit failed" in caplog.text


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_waiting_release_and_the_rider_go_with_the_commit_in_one_round_trip():
    answers = Answers()
    with CaptureQueriesContext(connection) as captured, transaction.atomic():
        with lazy_savepoint():
            EventCounter.objects.create(name="Action")
        ride_on_commit(insert("Rider"), answers)
    last = captured.captured_queries[-1]["sql"]
    assert last.startswith('RELEASE SAVEPOINT "lazy_savepoint"; SAVEPOINT "rider"; INSERT')
    assert last.endswith("; COMMIT")
    assert answers == [[("Rider",)]]
    assert names() == {"Action", "Rider"}


class NotAdaptable:
    """A parameter psycopg refuses on the client, before anything is sent."""


@on_postgresql
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("sent_by", ["the commit", "a later statement"])
def test_a_statement_refused_before_sending_is_answered_and_the_transaction_commits(sent_by):
    answers = Answers()
    with transaction.atomic():
        EventCounter.objects.create(name="Action")
        ride_on_commit(insert(NotAdaptable()), answers)
        if sent_by == "a later statement":
            EventCounter.objects.create(name="Later")
    [error] = answers
    assert isinstance(error, DatabaseError)
    assert names() == ({"Action"} if sent_by == "the commit" else {"Action", "Later"})


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_the_statement_with_the_commit_is_prepared_once_per_connection():
    for name in ("First", "Second"):
        with transaction.atomic():
            ride_on_commit(insert(name), Answers())
    assert prepared_count(f"INSERT INTO {TABLE}") == 1
    assert names() == {"First", "Second"}


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_several_go_with_the_commit_in_one_round_trip_each_in_its_savepoint():
    first, second = Answers(), Answers()
    with CaptureQueriesContext(connection) as captured, transaction.atomic():
        EventCounter.objects.create(name="Action")
        ride_on_commit(insert("First"), first)
        ride_on_commit(insert("Second"), second)
    last = captured.captured_queries[-1]["sql"]
    assert last.count('SAVEPOINT "rider"; INSERT') == 2 and last.endswith("; COMMIT")
    assert len(captured.captured_queries) == 3  # BEGIN, the action's INSERT, the riders' trip
    assert (first, second) == ([[("First",)]], [[("Second",)]])
    assert names() == {"Action", "First", "Second"}


@on_postgresql
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("failing", [insert("Action"), insert(NotAdaptable())])
def test_of_several_a_failing_one_is_undone_alone_and_the_others_commit(failing):
    before, failed, after = Answers(), Answers(), Answers()
    ran = []
    with transaction.atomic():
        EventCounter.objects.create(name="Action")
        transaction.on_commit(lambda: ran.append("hook"))
        ride_on_commit(insert("Before"), before)
        ride_on_commit(failing, failed)  # a duplicate name, or refused by psycopg
        ride_on_commit(insert("After"), after)
    [error] = failed
    assert isinstance(error, DatabaseError)
    assert (before, after) == ([[("Before",)]], [[("After",)]])
    assert names() == {"Action", "Before", "After"}
    assert ran == ["hook"]
    assert connection.get_autocommit()


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_of_several_a_failed_commit_answers_none_and_keeps_nothing(fails_at_commit):
    answers = Answers()
    with pytest.raises(IntegrityError), transaction.atomic():
        EventCounter.objects.create(name="Action")
        ride_on_commit(insert("Rider"), answers)
        ride_on_commit(fails_at_commit, answers)
    assert names() == set()
    assert answers == []
    assert connection.get_autocommit()
