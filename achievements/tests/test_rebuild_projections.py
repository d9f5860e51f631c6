"""`manage.py rebuild_projections`: everything recomputed from the history alone, every difference
with what was stored printed (a difference is a bug: exit 1), the rebuilt state stored."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from achievements.management.commands.rebuild_projections import NO_SUCH_HOUSEHOLD, Command
from achievements.models import BadgeAward
from achievements.receivers import on_projection_applied
from children.models import Child
from insights.models import ChildDay
from insights.signals import projection_applied
from kernel.api import MAX_ID
from kernel.command_ids import NOT_AN_ID
from testsupport.factories import ChildFactory, TaskFactory
from tracking.ledger.zero_delta import append_zero_delta_event
from tracking.models import TrackingEvent

pytestmark = pytest.mark.django_db


def rebuild(*args: str) -> str:
    out = StringIO()
    call_command("rebuild_projections", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def failing_rebuild(*args: str) -> str:
    out = StringIO()
    with pytest.raises(CommandError, match="difference"):
        call_command("rebuild_projections", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.fixture
def without_badge_checks():
    """The badge check disconnected, as if it had missed some actions (a bug)."""
    projection_applied.disconnect(dispatch_uid="achievements.badges")
    yield
    projection_applied.connect(on_projection_applied, dispatch_uid="achievements.badges")


def test_a_history_that_agrees_is_reported_as_such(acting, child, chore):
    acting.at(2026, 4, 1)
    for _ in range(10):
        acting.activate(child, chore)

    out = rebuild()

    assert "Rebuilt the figures, streaks and badges of 1 children" in out
    assert "The stored projections equal the history." in out
    assert "DIFFERENCE" not in out


def test_a_lost_award_row_is_a_difference_and_comes_back_from_its_event(acting, child, chore):
    acting.at(2026, 4, 1)
    for _ in range(10):
        acting.activate(child, chore)
    event_id = BadgeAward.objects.get(child=child).award_event_id
    BadgeAward.objects.all().delete()

    out = failing_rebuild()

    assert f"badge chores_10 (lifetime): not stored, history says awarded (event {event_id})" in out
    assert BadgeAward.objects.get(child=child).award_event_id == event_id
    assert "DIFFERENCE" not in rebuild()


def test_a_wrong_day_is_a_difference_and_is_stored_as_the_history_says(acting, child, chore):
    acting.at(2026, 4, 1)
    acting.activate(child, chore)
    ChildDay.objects.filter(child=child).update(earned=99)

    out = failing_rebuild()

    assert "earned: stored 99, history says 10" in out
    assert ChildDay.objects.get(child=child).earned == 10


def test_an_award_the_criterion_calls_for_and_the_history_lacks_is_made(
    acting, child, chore, without_badge_checks
):
    acting.at(2026, 4, 1)
    for _ in range(10):
        acting.activate(child, chore)
    assert not TrackingEvent.objects.filter(entity_type="badge").exists()

    out = failing_rebuild()

    assert "badge chores_10 (lifetime): should have been awarded by its criterion" in out
    assert TrackingEvent.objects.filter(entity_type="badge", action="awarded").count() == 1
    assert "DIFFERENCE" not in rebuild()


def test_an_award_that_stands_against_its_criterion_is_revoked(acting, child, chore):
    acting.at(2026, 4, 1)
    events = [acting.activate(child, chore) for _ in range(10)]
    projection_applied.disconnect(dispatch_uid="achievements.badges")
    try:
        acting.reverse(events[0])
    finally:
        projection_applied.connect(on_projection_applied, dispatch_uid="achievements.badges")

    out = failing_rebuild()

    assert "badge chores_10 (lifetime): stands, but its criterion no longer holds" in out
    assert not BadgeAward.objects.get(child=child).standing


def test_a_badge_awarded_twice_in_the_history_is_a_difference(acting, child, chore):
    acting.at(2026, 4, 1)
    for _ in range(10):
        acting.activate(child, chore)
    first = TrackingEvent.objects.get(entity_type="badge")
    child.refresh_from_db()
    second = append_zero_delta_event(
        child=child,
        entity_type="badge",
        action="awarded",
        metadata=dict(first.metadata),
        user_id=first.user_id,
    )

    out = failing_rebuild()

    assert f"awarded twice (events {first.pk}, {second.pk})" in out


def test_household_limits_the_rebuild_to_one_household(acting, parent, other_parent, child, chore):
    other_child = ChildFactory(owner=other_parent)
    other_chore = TaskFactory(owner=other_parent)
    other_child.tasks.add(other_chore)
    acting.at(2026, 4, 1)
    acting.activate(child, chore)
    acting.activate(other_child, other_chore)
    ChildDay.objects.filter(child=other_child).update(earned=99)

    out = rebuild("--household", str(child.household_id))

    assert "of 1 children of household" in out
    assert ChildDay.objects.get(child=other_child).earned == 99


def test_a_history_never_projected_gets_its_badges_without_a_difference(child, chore):
    """History written before issue 15 (or by the bulk path): nothing was stored to disagree."""
    from django.utils import timezone

    from tracking.tests.factories import TrackingEventFactory

    for index in range(10):
        TrackingEventFactory(
            child_id=child.pk,
            entity_id=chore.pk,
            points_before=10 * index,
            points_after=10 * (index + 1),
            occurred_at=timezone.now(),
        )
    Child.objects.filter(pk=child.pk).update(points=100)

    out = rebuild()

    assert "DIFFERENCE" not in out
    assert BadgeAward.objects.get(child=child).badge_key == "chores_10"
    assert "DIFFERENCE" not in rebuild()


def test_a_household_option_naming_no_household_is_an_error_naming_it(child):
    """It rebuilt nothing and said "The stored projections equal the history."."""
    missing = child.household_id + 1000
    out = StringIO()

    with pytest.raises(CommandError) as error:
        call_command("rebuild_projections", "--household", str(missing), stdout=out)

    assert str(error.value) == NO_SUCH_HOUSEHOLD.format(household=missing)
    assert out.getvalue() == ""


@pytest.mark.parametrize("value", ["0", "-1", str(MAX_ID + 1), "99999999999999999999"])
def test_a_household_option_that_cannot_be_an_id_is_an_error_naming_it(value):
    """Past 64 bits it was an OverflowError from SQLite's driver; zero and negative ids rebuilt
    nothing and said the projections were right."""
    with pytest.raises(CommandError) as error:
        call_command("rebuild_projections", "--household", value, stdout=StringIO())

    assert str(error.value) == NOT_AN_ID.format(option="--household", value=value, max_id=MAX_ID)


def test_a_household_option_that_is_not_a_number_is_an_error_naming_it():
    with pytest.raises(CommandError, match=r"--household.*'abc'"):
        call_command("rebuild_projections", "--household", "abc", stdout=StringIO())


# As `manage.py` runs it; it closes the database connections, so this one really commits.
@pytest.mark.django_db(transaction=True)
def test_a_household_id_past_64_bits_exits_non_zero_with_a_message(capsys):
    with pytest.raises(SystemExit) as exit_status:
        Command().run_from_argv(
            ["manage.py", "rebuild_projections", "--household", str(2**64), "--no-progress"]
        )

    assert exit_status.value.code == 1
    assert f"--household {2**64}: not an id" in capsys.readouterr().err
