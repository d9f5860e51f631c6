"""`manage.py verify_tracking`: passes on a true history, finds and prints every kind of break, and
exits non-zero when there is one."""

from io import StringIO
from itertools import pairwise

import pytest
from django.core.management import CommandError, call_command

from children.models import Child
from children.services import activate_task, delete_child
from kernel.api import MAX_ID
from kernel.command_ids import NOT_AN_ID
from rewards.services import cancel_request, redeem_request, redeem_reward, request_reward
from testsupport.factories import ChildFactory
from tracking.ledger.chain import Break, ChainReport, check_chains
from tracking.management.commands.verify_tracking import NO_SUCH_CHILD, Command
from tracking.tests.factories import TrackingEventFactory

pytestmark = pytest.mark.django_db


def verify(*args: str) -> str:
    out = StringIO()
    call_command("verify_tracking", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def verify_failing(*args: str) -> tuple[str, CommandError]:
    out = StringIO()
    with pytest.raises(CommandError) as error:
        call_command("verify_tracking", *args, stdout=out, stderr=StringIO())
    return out.getvalue(), error.value


def events(child_id: int, *points: int, user=None) -> list:
    """Rows written directly: a chain through `points` (0, 10, 30 → two events 0→10, 10→30)."""
    return [
        TrackingEventFactory(user=user, child_id=child_id, points_before=before, points_after=after)
        for before, after in pairwise(points)
    ]


def set_points(child: Child, points: int) -> None:
    """Change points behind tracking's back (no event), as a bulk update would."""
    Child.objects.filter(pk=child.pk).update(points=points)


# --- A true history passes -----------------------------------------------------------------------


def test_a_true_history_passes_with_a_summary(parent, child, chore, penalty, reward):
    for task in [chore, chore, chore, penalty, chore, chore, chore, chore, chore, chore]:
        activate_task(child=child, task=task)
    request = request_reward(child=child, reward=reward).request
    redeem_request(request=request)
    cancel_request(request=request_reward(child=child, reward=reward).request)
    redeem_reward(child=child, reward=reward)
    ChildFactory(owner=parent)  # no events yet

    output = verify()

    assert (
        "Checked 15 events of 1 children (0 deleted since; 1 existing children have no events yet)."
        in output
    )
    assert "All chains hold." in output
    assert "BREAK" not in output


def test_an_empty_history_passes():
    output = verify()

    assert "Checked 0 events of 0 children" in output
    assert "All chains hold." in output


def test_a_child_that_had_points_before_tracking_starts_its_chain_at_its_first_event(parent, chore):
    veteran = ChildFactory(owner=parent, points=50)
    veteran.tasks.add(chore)

    activate_task(child=veteran, task=chore)
    activate_task(child=veteran, task=chore)

    output = verify()
    assert "Checked 2 events of 1 children" in output
    assert "All chains hold." in output


def test_a_deleted_childs_events_are_still_checked(child, chore):
    for _ in range(3):
        activate_task(child=child, task=chore)
    delete_child(child=Child.objects.get(pk=child.pk))

    output = verify()

    assert "Checked 3 events of 1 children (1 deleted since;" in output
    assert "All chains hold." in output


def test_a_deleted_childs_broken_chain_is_found():
    gone_child_id = 987654
    _, second = events(gone_child_id, 0, 10, 20)
    third = TrackingEventFactory(child_id=gone_child_id, points_before=15, points_after=25)

    output, error = verify_failing()

    assert f"BREAK child {gone_child_id}, event {third.pk}: points_before 15 != previous " in output
    assert f"(event {second.pk})" in output
    assert "1 deleted since" in output
    assert "1 break(s)" in str(error)


# --- Each kind of break --------------------------------------------------------------------------


def test_a_broken_chain_is_found_and_printed(child):
    _, second = events(child.pk, 0, 10, 20)
    gap = TrackingEventFactory(child_id=child.pk, points_before=25, points_after=35)
    set_points(child, 35)

    output, error = verify_failing()

    assert (
        f"BREAK child {child.pk}, event {gap.pk}: points_before 25 != previous points_after 20 "
        f"(event {second.pk})" in output
    )
    assert output.count("BREAK") == 1
    assert "All chains hold." not in output
    assert str(error) == "1 break(s) found."


def test_points_changed_without_an_event_are_found(child, chore):
    activate_task(child=child, task=chore)
    last = activate_task(child=child, task=chore).extras["tracking_event"]
    set_points(child, 999)

    output, _ = verify_failing()

    assert (
        f"BREAK child {child.pk}, current points: child has 999 points, last event "
        f"(id {last['id']}) says 20" in output
    )


def test_every_break_is_printed(parent, child, chore):
    events(child.pk, 0, 10)
    TrackingEventFactory(child_id=child.pk, points_before=11, points_after=21)
    TrackingEventFactory(child_id=child.pk, points_before=22, points_after=32)
    set_points(child, 40)
    other = ChildFactory(owner=parent)
    events(other.pk, 5, 7)

    output, error = verify_failing()

    assert output.count("BREAK") == 4
    assert output.count(f"BREAK child {child.pk},") == 3
    assert f"BREAK child {other.pk}, current points: child has 0 points" in output
    assert str(error) == "4 break(s) found."


def test_the_order_of_the_chain_is_occurred_at_then_created_at_then_id(child):
    """Rows written out of order (a later id happened earlier) still chain in time order."""
    TrackingEventFactory(
        child_id=child.pk,
        points_before=10,
        points_after=20,
        occurred_at=child.created_at.replace(year=2031),
    )
    TrackingEventFactory(
        child_id=child.pk,
        points_before=0,
        points_after=10,
        occurred_at=child.created_at.replace(year=2030),
    )
    set_points(child, 20)

    assert "All chains hold." in verify()


def test_a_wrong_delta_is_found_by_the_chain_check():
    # The database refuses such rows (a CHECK constraint), so the check is shown on rows.
    rows = [(1, 1, 0, 10, 10), (1, 2, 10, 20, 15), (1, 3, 20, 20, 0)]
    report = ChainReport()

    assert list(check_chains(iter(rows), {1: 20}, report)) == rows

    assert report.breaks == [Break(1, 2, "delta 15 != 20 - 10")]
    assert (report.children, report.events) == (1, 3)


def test_the_chain_check_reports_every_kind_of_break_per_child():
    rows = [
        (1, 1, 0, 10, 10),
        (1, 2, 12, 20, 9),  # chain gap and wrong delta
        (2, 3, 5, 5, 0),  # child 2: fine, but it now has other points
        (3, 4, 0, 10, 10),  # child 3 is deleted: no current points to compare
    ]
    report = ChainReport()

    list(check_chains(iter(rows), {1: 20, 2: 6}, report))

    assert [str(b) for b in report.breaks] == [
        "child 1, event 2: delta 9 != 20 - 12",
        "child 1, event 2: points_before 12 != previous points_after 10 (event 1)",
        "child 2, current points: child has 6 points, last event (id 3) says 5",
    ]
    assert (report.children, report.events, report.deleted_children) == (3, 4, 1)


# --- Scope and exit status -----------------------------------------------------------------------


def test_child_option_checks_only_that_child(parent, child):
    events(child.pk, 0, 10)
    TrackingEventFactory(child_id=child.pk, points_before=99, points_after=100)
    healthy = ChildFactory(owner=parent, points=30)
    events(healthy.pk, 0, 10, 30)

    healthy_output = verify("--child", str(healthy.pk))
    broken_output, _ = verify_failing("--child", str(child.pk))

    assert "Checked 2 events of 1 children" in healthy_output
    assert "All chains hold." in healthy_output
    assert f"child {child.pk}" not in healthy_output
    assert "Checked 2 events of 1 children" in broken_output
    assert f"child {healthy.pk}" not in broken_output


def test_child_option_for_a_deleted_child_checks_its_events():
    events(55555, 0, 10, 20)

    output = verify("--child", "55555")

    assert "Checked 2 events of 1 children (1 deleted since;" in output


def test_a_child_option_naming_no_child_and_no_events_is_an_error_naming_it(child):
    """It passed as "Checked 0 events of 0 children ... All chains hold.": a typo proved nothing."""
    events(child.pk, 0, 10)
    missing = child.pk + 1000

    output, error = verify_failing("--child", str(missing))

    assert str(error) == NO_SUCH_CHILD.format(child=missing)
    assert output == ""


def test_a_child_option_naming_a_child_without_events_passes(parent):
    newcomer = ChildFactory(owner=parent)

    output = verify("--child", str(newcomer.pk))

    assert "Checked 0 events of 0 children (0 deleted since; 1 existing children" in output
    assert "All chains hold." in output


@pytest.mark.parametrize("value", ["0", "-1", str(MAX_ID + 1), "99999999999999999999"])
def test_a_child_option_that_cannot_be_an_id_is_an_error_naming_it(value):
    """Each passed as a check of nothing: "All chains hold." for a typo."""
    output, error = verify_failing("--child", value)

    assert str(error) == NOT_AN_ID.format(option="--child", value=value, max_id=MAX_ID)
    assert output == ""


def test_a_child_option_that_is_not_a_number_is_an_error_naming_it():
    _, error = verify_failing("--child", "abc")

    assert "--child" in str(error)
    assert "'abc'" in str(error)


# As `manage.py` runs it; it closes the database connections, so these two really commit.
@pytest.mark.django_db(transaction=True)
def test_a_break_makes_the_command_exit_non_zero(child, capsys):
    events(child.pk, 0, 10)
    set_points(child, 11)

    with pytest.raises(SystemExit) as exit_status:
        Command().run_from_argv(["manage.py", "verify_tracking"])

    assert exit_status.value.code == 1
    captured = capsys.readouterr()
    assert "BREAK" in captured.out
    assert "1 break(s) found." in captured.err


@pytest.mark.django_db(transaction=True)
def test_a_true_history_exits_zero(child, chore, capsys):
    activate_task(child=child, task=chore)

    Command().run_from_argv(["manage.py", "verify_tracking"])

    assert "All chains hold." in capsys.readouterr().out
