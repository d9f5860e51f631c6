"""The admin for users, children, tasks and overrides: lists, filters, search, a child's points
history, and deletions that keep tracking (anonymized for a deleted user)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.admin import site
from django.contrib.auth import get_user_model
from django.urls import reverse

from children import signals
from children.models import Child, Task, TaskOverride
from children.services import activate_task, delete_child, delete_task, set_task_override
from chorehub.admin import ComposedChildAdmin
from testsupport.factories import (
    ChildFactory,
    PenaltyFactory,
    TaskFactory,
    UserFactory,
    household_of,
    owner_of,
)
from tracking.models import TrackingEvent
from tracking.staff.points_chart import NO_EVENTS
from tracking.tests.factories import TrackingEventFactory

pytestmark = pytest.mark.django_db

User = get_user_model()
T0 = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
CHILDREN = reverse("admin:children_child_changelist")


def child_page(child) -> str:
    return reverse("admin:children_child_change", args=[child.pk])


def listed(response) -> list:
    assert response.status_code == 200, response.content[:300]
    return list(response.context["cl"].result_list)


@pytest.fixture
def received():
    """Connects a list to each children signal; yields {signal name: [kwargs, ...]}."""
    calls: dict[str, list[dict]] = {}
    receivers = []
    for name in ("child_created", "child_changed", "child_deleted"):
        signal = getattr(signals, name)

        def receiver(sender, signal, _name=name, **kwargs):
            calls.setdefault(_name, []).append(kwargs)

        signal.connect(receiver, weak=False)
        receivers.append((signal, receiver))
    yield calls
    for signal, receiver in receivers:
        signal.disconnect(receiver)


# --- children -----------------------------------------------------------------------------------


def test_children_list_with_search_and_points_filter(admin_client):
    mum = UserFactory(username="mum")
    ada = ChildFactory(owner=mum, name="Ada", points=0)
    ben = ChildFactory(owner=mum, name="Ben", points=150)
    zoe = ChildFactory(name="Zoe", points=40)

    assert listed(admin_client.get(CHILDREN)) == [zoe, ben, ada]
    assert listed(admin_client.get(CHILDREN, {"q": "ada"})) == [ada]
    assert listed(admin_client.get(CHILDREN, {"q": "mum"})) == [ben, ada]
    assert listed(admin_client.get(CHILDREN, {"points": "0"})) == [ada]
    assert listed(admin_client.get(CHILDREN, {"points": "1-99"})) == [zoe]
    assert listed(admin_client.get(CHILDREN, {"points": "100+"})) == [ben]


def test_children_list_takes_a_bounded_number_of_queries(
    admin_client, django_assert_max_num_queries
):
    for _ in range(30):
        ChildFactory()

    with django_assert_max_num_queries(5):
        assert len(listed(admin_client.get(CHILDREN))) == 30


def test_a_childs_page_shows_its_last_20_events_newest_first(admin_client, child):
    events = [
        TrackingEventFactory(
            user=owner_of(child),
            child_id=child.pk,
            points_before=n,
            points_after=n + 1,
            occurred_at=T0 + timedelta(hours=n),
        )
        for n in range(25)
    ]
    other = TrackingEventFactory(child_id=child.pk + 1000, occurred_at=T0 + timedelta(days=9))

    html = admin_client.get(child_page(child)).content.decode()

    details = [reverse("admin:tracking_trackingevent_details", args=[e.pk]) for e in events]
    shown = [url for url in details if f'href="{url}"' in html]
    assert shown == details[5:]
    positions = [html.index(f'href="{url}"') for url in reversed(shown)]
    assert positions == sorted(positions)  # newest first
    assert reverse("admin:tracking_trackingevent_details", args=[other.pk]) not in html
    assert f"?child_id={child.pk}" in html  # a link to all of them


def test_a_childs_page_charts_its_points_as_inline_svg(admin_client, child, chore, penalty):
    for task in (chore, chore, penalty, chore):
        activate_task(child=child, task=task)

    html = admin_client.get(child_page(child)).content.decode()

    start = html.index('<svg class="points-chart"')
    end = html.index("</svg>", start)
    chart = html[start:end]
    assert 'role="img"' in chart
    assert f"{child.name}: 10 points now; 4 changes" in chart
    assert "<path" in chart and "<script" not in chart
    assert "http" not in chart.replace("http://www.w3.org/2000/svg", "")


def test_a_child_without_events_says_so(admin_client, child):
    assert NO_EVENTS in admin_client.get(child_page(child)).content.decode()


def test_points_cannot_be_edited_in_the_admin(admin_client, child, received):
    response = admin_client.post(
        child_page(child), {"name": "Adele", "age": 9, "points": 999, **empty_inlines()}
    )

    assert response.status_code == 302, response.content[:2000]
    child.refresh_from_db()
    assert (child.name, child.age, child.points) == ("Adele", 9, 0)
    assert [call["changed"] for call in received["child_changed"]] == [["name", "age"]]


def empty_inlines() -> dict:
    return {
        f"{prefix}-{field}": value
        for prefix in ("task_overrides", "reward_overrides")
        for field, value in (
            ("TOTAL_FORMS", 0),
            ("INITIAL_FORMS", 0),
            ("MIN_NUM_FORMS", 0),
            ("MAX_NUM_FORMS", 1000),
        )
    }


def test_adding_a_child_in_the_admin_goes_through_the_service(admin_client, parent, received):
    response = admin_client.post(
        reverse("admin:children_child_add"),
        {"household": household_of(parent).pk, "name": "Cleo", "age": 4, **empty_inlines()},
    )

    assert response.status_code == 302, response.content[:2000]
    cleo = Child.objects.get(name="Cleo")
    assert (owner_of(cleo), cleo.points) == (parent, 0)
    assert [call["child"].pk for call in received["child_created"]] == [cleo.pk]


def test_deleting_a_child_in_the_admin_keeps_its_events(admin_client, child, chore, received):
    activate_task(child=child, task=chore)
    set_task_override(child=child, task=chore, points=3)
    url = reverse("admin:children_child_delete", args=[child.pk])

    confirmation = admin_client.get(url)
    response = admin_client.post(url, {"post": "yes"})

    assert confirmation.status_code == 200
    assert "Are you sure" in confirmation.content.decode()
    assert response.status_code == 302
    assert not Child.objects.filter(pk=child.pk).exists()
    assert not TaskOverride.objects.exists()
    event = TrackingEvent.objects.get()
    assert (event.child_id, event.user_id, event.metadata["child_name"]) == (
        child.pk,
        owner_of(child).pk,
        child.name,
    )
    assert [call["child_id"] for call in received["child_deleted"]] == [child.pk]


def test_bulk_deleting_children_announces_each(admin_client, parent, received):
    kids = [ChildFactory(owner=parent) for _ in range(2)]

    response = admin_client.post(
        CHILDREN,
        {"action": "delete_selected", "_selected_action": [k.pk for k in kids], "post": "yes"},
    )

    assert response.status_code == 302
    assert not Child.objects.exists()
    assert sorted(call["child_id"] for call in received["child_deleted"]) == [k.pk for k in kids]


# --- users --------------------------------------------------------------------------------------


def test_deleting_a_user_in_the_admin_keeps_events_and_anonymizes_them(admin_client, child, chore):
    activate_task(child=child, task=chore)
    parent = owner_of(child)
    before = TrackingEvent.objects.values().get()
    url = reverse("admin:auth_user_delete", args=[parent.pk])

    confirmation = admin_client.get(url)
    response = admin_client.post(url, {"post": "yes"})

    assert confirmation.status_code == 200
    html = confirmation.content.decode()
    assert "Are you sure" in html
    assert response.status_code == 302
    assert not User.objects.filter(pk=parent.pk).exists()
    assert not Child.objects.exists()
    after = TrackingEvent.objects.values().get()
    assert after == {**before, "user_id": None}


def test_users_list_counts_children_and_the_household_page_lists_them(admin_client, parent, child):
    ChildFactory(owner=parent, name="Second")

    response = admin_client.get(reverse("admin:auth_user_changelist"), {"q": parent.username})
    (user,) = listed(response)
    page = admin_client.get(
        reverse("admin:households_household_change", args=[household_of(parent).pk])
    )

    assert user.children_count == 2
    assert child.name in page.content.decode() and "Second" in page.content.decode()


# --- tasks and overrides ------------------------------------------------------------------------


def test_tasks_list_filters_by_kind_and_searches(admin_client):
    chore = TaskFactory(name="Dishes")
    penalty = PenaltyFactory(name="Shouting")

    url = reverse("admin:children_task_changelist")
    assert listed(admin_client.get(url, {"is_good__exact": "1"})) == [chore]
    assert listed(admin_client.get(url, {"is_good__exact": "0"})) == [penalty]
    assert listed(admin_client.get(url, {"q": "shout"})) == [penalty]
    assert "penalty" in admin_client.get(url).content.decode()


def test_overrides_can_be_read_and_removed_but_not_added(admin_client, child, chore):
    override = set_task_override(child=child, task=chore, points=3)
    changelist = reverse("admin:children_taskoverride_changelist")

    assert listed(admin_client.get(changelist, {"q": child.name})) == [override]
    assert admin_client.get(reverse("admin:children_taskoverride_add")).status_code == 403
    url = reverse("admin:children_taskoverride_delete", args=[override.pk])
    assert admin_client.post(url, {"post": "yes"}).status_code == 302
    assert not TaskOverride.objects.exists()


def test_a_parent_who_is_not_staff_cannot_enter(client, parent):
    client.force_login(parent)

    response = client.get(CHILDREN)

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_deleting_a_child_that_is_already_gone_in_the_admin_is_not_an_error(admin_client, child):
    page = reverse("admin:children_child_delete", args=[child.pk])
    stale = Child.objects.get(pk=child.pk)
    delete_child(child=Child.objects.get(pk=child.pk))  # another admin, or the API, got there first

    ComposedChildAdmin(Child, site).delete_model(request=None, obj=stale)

    assert not Child.objects.filter(pk=child.pk).exists()
    assert admin_client.get(page).status_code == 302  # Django's "doesn't exist" redirect


def test_deleting_tasks_in_the_admin_deletes_them_and_what_refers_to_them(
    admin_client, child, chore, penalty
):
    set_task_override(child=child, task=chore, points=3)

    response = admin_client.post(
        reverse("admin:children_task_changelist"),
        {"action": "delete_selected", "_selected_action": [chore.pk, penalty.pk], "post": "yes"},
    )

    assert response.status_code == 302
    assert not Task.objects.filter(pk__in=[chore.pk, penalty.pk]).exists()
    assert not TaskOverride.objects.exists()
    assert not child.tasks.exists()


def test_deleting_a_task_that_is_already_gone_in_the_admin_is_not_an_error(chore):
    stale = Task.objects.get(pk=chore.pk)
    delete_task(task=Task.objects.get(pk=chore.pk))  # another admin, or the API, got there first

    site._registry[Task].delete_model(request=None, obj=stale)

    assert not Task.objects.filter(pk=chore.pk).exists()
