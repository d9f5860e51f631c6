"""Tracking events in the Django admin: who may enter, the columns, order, paging, each filter,
search, read-only URLs, the details page, the CSV export, and bounded queries."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from asgiref.sync import async_to_sync
from django.contrib import admin as django_admin
from django.db import connection
from django.test import AsyncClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from households.models import Membership
from testsupport.factories import ChildFactory, MembershipFactory, UserFactory, owner_of
from tracking.models import TrackingEvent
from tracking.staff import admin_list, csv_export
from tracking.staff.points_chart import (
    NO_EVENTS,
    PointsStep,
    nice_ceiling,
    points_history,
    render_points_chart,
)
from tracking.tests.factories import TrackingEventFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
LIST = reverse("admin:tracking_trackingevent_changelist")
EXPORT = reverse("admin:tracking_trackingevent_export")


def tracked(child, *, entity="Dishes", when=T0, before=0, after=10, **fields) -> TrackingEvent:
    """An event of `child` (a Child, or an id for a child that never existed here)."""
    child_id = getattr(child, "pk", child)
    name = getattr(child, "name", f"Child {child_id}")
    user = fields.pop("user", owner_of(child) if hasattr(child, "household_id") else None)
    return TrackingEventFactory(
        user=user,
        child_id=child_id,
        occurred_at=when,
        points_before=before,
        points_after=after,
        metadata={
            "child_name": name,
            "entity_name": entity,
            "actor": "parent",
            "default_value": abs(after - before),
            "override_applied": False,
        },
        **fields,
    )


def rows(response) -> list[int]:
    assert response.status_code == 200, response.content[:500]
    return [event.pk for event in response.context["cl"].result_list]


def csv_rows(response) -> list[dict]:
    assert response.status_code == 200
    assert response.streaming
    body = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(body)))


@pytest.fixture
def staff_client(client, staff_user):
    """A staff user with no model permissions at all: tracking is for every staff user."""
    client.force_login(staff_user)
    return client


@pytest.fixture
def family():
    parent = UserFactory(username="mum")
    ada = ChildFactory(owner=parent, name="Ada")
    ben = ChildFactory(owner=parent, name="Ben")
    return parent, ada, ben


@pytest.fixture
def history(family):
    """Three days of Ada's and Ben's events, by name."""
    _, ada, ben = family
    return {
        "ada_chore": tracked(ada, entity="Dishes", when=T0),
        "ben_chore": tracked(ben, entity="Homework", when=T0 + timedelta(hours=1)),
        "ada_penalty": tracked(
            ada,
            entity="Shouting",
            entity_type="penalty",
            before=10,
            after=5,
            when=T0 + timedelta(days=1),
        ),
        "ada_redeem": tracked(
            ada,
            entity="Ice cream",
            entity_type="reward",
            action="redeemed",
            before=30,
            after=0,
            when=T0 + timedelta(days=2),
        ),
    }


def ids(history, *names) -> list[int]:
    return [history[name].pk for name in names]


# --- who may enter ------------------------------------------------------------------------------


def test_any_staff_user_can_list_tracking_events(staff_client, history):
    assert len(rows(staff_client.get(LIST))) == 4


def test_the_admin_index_shows_tracking_to_staff(staff_client):
    response = staff_client.get(reverse("admin:index"))

    assert LIST in response.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        LIST,
        EXPORT,
        reverse("admin:tracking_trackingevent_details", args=[1]),
        reverse("admin:index"),
    ],
)
def test_a_parent_who_is_not_staff_is_sent_to_the_login_page(client, parent, url):
    client.force_login(parent)

    response = client.get(url)

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_anonymous_is_sent_to_the_login_page(client):
    response = client.get(LIST)

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


# --- the list -----------------------------------------------------------------------------------


def test_columns_show_time_child_entity_action_points_and_user(staff_client, history):
    html = staff_client.get(LIST, {"child_id": history["ada_penalty"].child_id}).content.decode()

    for header in ("time (utc)", "child", "entity", "action", "before", "after", "delta", "user"):
        assert header in html.lower()
    assert "2026-03-02 10:00:00" in html
    assert "Shouting · penalty #1" in html
    assert "Activated" in html and "Redeemed" in html
    assert "+10" in html and "-5" in html and "-30" in html
    assert ">mum<" in html


def test_newest_first_by_occurred_at_then_created_at_then_id(staff_client):
    older = tracked(1, when=T0)
    same_time_written_later = tracked(1, when=T0 + timedelta(hours=1), created_at=T0)
    same_time_written_first = tracked(1, when=T0 + timedelta(hours=1), created_at=T0)
    same_time_written_first_id_before = same_time_written_first
    newest = tracked(1, when=T0 + timedelta(days=1))
    # Same occurred_at: the later created_at first; same both: the higher id first.
    last_written = tracked(1, when=T0 + timedelta(hours=1), created_at=T0 + timedelta(minutes=5))

    assert rows(staff_client.get(LIST)) == [
        newest.pk,
        last_written.pk,
        same_time_written_first_id_before.pk,
        same_time_written_later.pk,
        older.pk,
    ]


def test_50_a_page(staff_client):
    user = UserFactory()
    TrackingEvent.objects.bulk_create(
        TrackingEventFactory.build(user=user, occurred_at=T0 + timedelta(minutes=n))
        for n in range(60)
    )
    newest_first = list(TrackingEvent.objects.order_by("-occurred_at").values_list("pk", flat=True))

    first, second = staff_client.get(LIST), staff_client.get(LIST, {"p": 2})

    assert rows(first) == newest_first[:50]
    assert rows(second) == newest_first[50:]
    assert "60 tracking events" in first.content.decode()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"entity_type__exact": "penalty"}, ["ada_penalty"]),
        ({"entity_type__exact": "task"}, ["ben_chore", "ada_chore"]),
        ({"action__exact": "redeemed"}, ["ada_redeem"]),
        ({"action__exact": "activated"}, ["ada_penalty", "ben_chore", "ada_chore"]),
        # The date range is by day, both ends included.
        ({"occurred_at__range__gte": "2026-03-02"}, ["ada_redeem", "ada_penalty"]),
        ({"occurred_at__range__lte": "2026-03-01"}, ["ben_chore", "ada_chore"]),
        (
            {"occurred_at__range__gte": "2026-03-02", "occurred_at__range__lte": "2026-03-02"},
            ["ada_penalty"],
        ),
        ({"action__exact": "activated", "entity_type__exact": "task"}, ["ben_chore", "ada_chore"]),
    ],
)
def test_each_filter(staff_client, history, query, expected):
    assert rows(staff_client.get(LIST, query)) == ids(history, *expected)


def test_filter_by_child(staff_client, family, history):
    _, ada, ben = family

    assert rows(staff_client.get(LIST, {"child_id": ada.pk})) == ids(
        history, "ada_redeem", "ada_penalty", "ada_chore"
    )
    assert rows(staff_client.get(LIST, {"child_id": ben.pk})) == ids(history, "ben_chore")


def test_filter_by_household(staff_client, family, history):
    """A household's events: its children's, and those its members recorded; nobody else's."""
    _, ada, _ = family
    other = ChildFactory(name="Zoe")
    theirs = tracked(other, entity="Dishes", when=T0 + timedelta(days=5))

    mine = rows(staff_client.get(LIST, {"household_id": ada.household_id}))
    assert sorted(mine) == sorted(event.pk for event in history.values())
    assert rows(staff_client.get(LIST, {"household_id": other.household_id})) == [theirs.pk]


def test_filter_by_household_leaves_what_a_member_recorded_in_a_former_household(
    staff_client, family
):
    """A member who moved recorded events of the other household's children: those stay its."""
    _, ada, _ = family
    other = ChildFactory(name="Zoe")
    guardian = MembershipFactory(household=other.household).user
    theirs = tracked(other, entity="Dishes", when=T0, user=guardian)
    Membership.objects.filter(user=guardian).update(household_id=ada.household_id)

    assert theirs.pk not in rows(staff_client.get(LIST, {"household_id": ada.household_id}))
    assert rows(staff_client.get(LIST, {"household_id": other.household_id})) == [theirs.pk]


@pytest.mark.parametrize("value", ["x", "0", "-3"])
def test_a_bad_household_filter_is_refused_not_a_500(staff_client, history, value):
    response = staff_client.get(LIST, {"household_id": value})

    # The admin answers a bad lookup by redirecting to the list with `?e=1`.
    assert response.status_code == 302
    assert "e=1" in response.url


def test_filter_by_child_and_date_range(staff_client, family, history):
    _, ada, _ = family
    query = {
        "child_id": ada.pk,
        "occurred_at__range__gte": "2026-03-01",
        "occurred_at__range__lte": "2026-03-02",
    }

    assert rows(staff_client.get(LIST, query)) == ids(history, "ada_penalty", "ada_chore")


def test_the_child_filter_lists_children_and_keeps_the_other_filters(staff_client, family):
    _, ada, ben = family

    response = staff_client.get(LIST, {"action__exact": "redeemed", "child_id": ben.pk})
    html = response.content.decode()

    assert f'<option value="{ada.pk}">Ada (#{ada.pk})</option>' in html
    assert f'<option value="{ben.pk}" selected>Ben (#{ben.pk})</option>' in html
    assert '<input type="hidden" name="action__exact" value="redeemed">' in html


def test_a_deleted_childs_events_are_still_filtered_and_named(staff_client, family, history):
    _, ada, _ = family
    ada_id = ada.pk
    ada.delete()

    response = staff_client.get(LIST, {"child_id": ada_id})
    html = response.content.decode()

    assert rows(response) == ids(history, "ada_redeem", "ada_penalty", "ada_chore")
    assert "Ada" in html and "(deleted)" in html
    assert f'<option value="{ada_id}" selected>Ada (#{ada_id}, deleted)</option>' in html


def test_a_deleted_user_shows_as_such(staff_client, family, history):
    parent, _, _ = family
    parent.delete()

    html = staff_client.get(LIST).content.decode()

    assert "deleted user" in html
    assert "Ada" in html  # the children are gone with the account; their names stay


def test_many_children_turn_the_child_filter_into_an_id_box(staff_client, family, monkeypatch):
    _, ada, _ = family
    monkeypatch.setattr(admin_list, "CHILD_CHOICES_MAX", 1)

    html = staff_client.get(LIST, {"child_id": ada.pk}).content.decode()

    assert f'<input type="number" name="child_id" min="1" value="{ada.pk}"' in html
    assert '<select name="child_id"' not in html


@pytest.mark.parametrize("bad", ["x", "0", "-1", "1.5", str(2**63)])
def test_a_malformed_child_id_is_refused_without_an_error(staff_client, bad):
    response = staff_client.get(LIST, {"child_id": bad})

    assert response.status_code == 302
    assert response.url.endswith("?e=1")


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("ada", ["ada_redeem", "ada_penalty", "ada_chore"]),
        ("BEN", ["ben_chore"]),
        ("ice cre", ["ada_redeem"]),
        ("Homework", ["ben_chore"]),
        ("ada shout", ["ada_penalty"]),  # every word must match the child or the entity
        ("nobody", []),
    ],
)
def test_search_by_child_and_entity_name(staff_client, history, term, expected):
    assert rows(staff_client.get(LIST, {"q": term})) == ids(history, *expected)


def test_search_finds_a_deleted_child_and_entity_by_their_recorded_names(staff_client, family):
    _, ada, _ = family
    event = tracked(ada, entity="Feed the cat")
    ada.delete()

    assert rows(staff_client.get(LIST, {"q": "Ada cat"})) == [event.pk]


# --- read-only ----------------------------------------------------------------------------------


@pytest.fixture(params=["superuser", "staff"])
def any_staff(request, admin_client, staff_client):
    return admin_client if request.param == "superuser" else staff_client


def test_no_add_button_and_no_bulk_actions(any_staff, history):
    html = any_staff.get(LIST).content.decode()

    assert reverse("admin:tracking_trackingevent_add") not in html
    assert 'name="action"' not in html and "action-checkbox" not in html
    assert (
        reverse("admin:tracking_trackingevent_change", args=[history["ada_chore"].pk]) not in html
    )


def test_add_url_is_403(any_staff):
    assert any_staff.get(reverse("admin:tracking_trackingevent_add")).status_code == 403
    assert any_staff.post(reverse("admin:tracking_trackingevent_add"), {}).status_code == 403


def test_change_url_is_403(any_staff, history):
    url = reverse("admin:tracking_trackingevent_change", args=[history["ada_chore"].pk])

    assert any_staff.get(url).status_code == 403
    assert any_staff.post(url, {"points_after": 999}).status_code == 403
    history["ada_chore"].refresh_from_db()
    assert history["ada_chore"].points_after == 10


def test_delete_url_is_403(any_staff, history):
    url = reverse("admin:tracking_trackingevent_delete", args=[history["ada_chore"].pk])

    assert any_staff.get(url).status_code == 403
    assert any_staff.post(url, {"post": "yes"}).status_code == 403
    assert TrackingEvent.objects.filter(pk=history["ada_chore"].pk).exists()


def test_each_event_has_a_read_only_details_page(staff_client, history):
    event = history["ada_redeem"]

    response = staff_client.get(reverse("admin:tracking_trackingevent_details", args=[event.pk]))
    html = response.content.decode()

    assert response.status_code == 200
    assert "2026-03-03 10:00:00" in html
    assert "Ice cream · reward #1" in html
    assert "30 → 0 (-30)" in html
    assert "<dt>child_name</dt><dd>Ada</dd>" in html
    assert "<form" not in html.split('id="content-main"')[1]


def test_the_time_column_links_to_the_details_page(staff_client, history):
    html = staff_client.get(LIST).content.decode()

    for event in history.values():
        assert reverse("admin:tracking_trackingevent_details", args=[event.pk]) in html


def test_details_of_an_unknown_event_is_404(staff_client):
    response = staff_client.get(reverse("admin:tracking_trackingevent_details", args=[999999]))

    assert response.status_code == 404


# --- export -------------------------------------------------------------------------------------


def test_the_export_link_carries_the_current_filters(staff_client, family):
    _, ada, _ = family

    html = staff_client.get(LIST, {"child_id": ada.pk, "q": "dish", "p": 1}).content.decode()

    assert f'href="{EXPORT}?child_id={ada.pk}&amp;q=dish"' in html


def test_export_streams_the_filtered_list_as_csv(staff_client, family, history):
    _, ada, _ = family
    query = {
        "child_id": ada.pk,
        "occurred_at__range__gte": "2026-03-02",
        "occurred_at__range__lte": "2026-03-03",
    }

    response = staff_client.get(EXPORT, query)
    exported = csv_rows(response)

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="tracking-events-')
    assert [int(row["id"]) for row in exported] == ids(history, "ada_redeem", "ada_penalty")
    redeem = exported[0]
    assert redeem == {
        **redeem,
        "occurred_at": "2026-03-03T10:00:00Z",
        "username": "mum",
        "child_id": str(ada.pk),
        "child_name": "Ada",
        "entity_type": "reward",
        "entity_name": "Ice cream",
        "action": "redeemed",
        "points_before": "30",
        "points_after": "0",
        "delta": "-30",
        "actor": "parent",
    }


def test_export_of_everything_and_of_a_search(staff_client, history):
    assert len(csv_rows(staff_client.get(EXPORT))) == 4
    assert [int(row["id"]) for row in csv_rows(staff_client.get(EXPORT, {"q": "homework"}))] == ids(
        history, "ben_chore"
    )


def test_export_header_only_when_nothing_matches(staff_client, history):
    response = staff_client.get(EXPORT, {"q": "nobody"})

    assert b"".join(response.streaming_content).decode().strip() == ",".join(csv_export.HEADER)


def test_export_defuses_spreadsheet_formulas_in_names(staff_client):
    parent = UserFactory()
    child = ChildFactory(owner=parent, name="=HYPERLINK(1)")
    tracked(child, entity="@SUM(A1)")

    (row,) = csv_rows(staff_client.get(EXPORT))

    assert (row["child_name"], row["entity_name"]) == ("'=HYPERLINK(1)", "'@SUM(A1)")


def test_export_refuses_a_malformed_filter(staff_client):
    assert staff_client.get(EXPORT, {"child_id": "x"}).status_code == 400


def test_export_reads_rows_in_chunks_with_an_iterator(staff_client, monkeypatch):
    user = UserFactory()
    TrackingEvent.objects.bulk_create(
        TrackingEventFactory.build(user=user, occurred_at=T0 + timedelta(seconds=n))
        for n in range(25)
    )
    monkeypatch.setattr(csv_export, "ROWS_PER_WRITE", 10)

    response = staff_client.get(EXPORT)
    chunks = list(response.streaming_content)

    # Header, then 10 + 10 + 5 rows: the body is sent while rows are still being read.
    assert [chunk.count(b"\n") for chunk in chunks] == [1, 10, 10, 5]


def test_under_asgi_the_export_is_an_async_stream(staff_user, history, monkeypatch):
    """Django reads a sync iterator whole before serving it over ASGI; the export must not."""
    monkeypatch.setattr(csv_export, "ROWS_PER_WRITE", 1)
    client = AsyncClient()
    client.force_login(staff_user)

    response = async_to_sync(client.get)(EXPORT)

    assert response.streaming
    assert hasattr(response.streaming_content, "__aiter__")

    async def collect() -> list[bytes]:
        return [chunk async for chunk in response.streaming_content]

    chunks = async_to_sync(collect)()
    assert len(chunks) == 5
    assert b"".join(chunks).decode().count("\n") == 5


# --- cost ---------------------------------------------------------------------------------------


def many_families(count: int) -> None:
    """`count` events, each of another parent and another child."""
    for n in range(count):
        child = ChildFactory()
        tracked(child, when=T0 + timedelta(minutes=n))


def test_a_page_takes_a_bounded_number_of_queries(staff_client, django_assert_max_num_queries):
    many_families(50)

    # Session, user, the user's two permission lookups (for the sidebar), household and child
    # filter choices, count (on PostgreSQL, first the table's estimated size), page (with users
    # joined), the page's children.
    with django_assert_max_num_queries(10):
        assert len(rows(staff_client.get(LIST))) == 50


def test_the_number_of_queries_does_not_grow_with_the_rows(staff_client):
    many_families(3)
    with CaptureQueriesContext(connection) as few:
        staff_client.get(LIST)
    few_queries = len(few)  # read now: the next request empties the connection's query log
    many_families(47)
    with CaptureQueriesContext(connection) as many:
        staff_client.get(LIST)

    assert len(many) == few_queries > 0


def test_a_small_table_is_counted_exactly(staff_client, history):
    html = staff_client.get(LIST).content.decode()

    assert "4 tracking events" in html
    assert "about" not in html.split('class="paginator"')[1]


def count_queries(queries) -> list[str]:
    return [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]


@pytest.mark.postgres
def test_on_postgresql_the_unfiltered_list_does_not_count_the_table(
    staff_client, family, monkeypatch
):
    _, ada, _ = family
    for n in range(60):
        tracked(ada, when=T0 + timedelta(minutes=n))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE tracking_trackingevent")
    monkeypatch.setattr(admin_list, "ESTIMATE_ABOVE", 10)

    with CaptureQueriesContext(connection) as unfiltered:
        html = staff_client.get(LIST).content.decode()

    assert len(unfiltered) > 0
    assert count_queries(unfiltered) == []
    assert "about 60 tracking events" in html


@pytest.mark.postgres
def test_on_postgresql_a_broad_filter_counts_at_most_a_capped_number_of_rows(
    staff_client, family, monkeypatch
):
    _, ada, ben = family
    for n in range(30):
        tracked(ada, when=T0 + timedelta(minutes=n))
    for n in range(5):
        tracked(ben, when=T0 + timedelta(minutes=n))
    monkeypatch.setattr(admin_list, "ESTIMATE_ABOVE", 10)

    with CaptureQueriesContext(connection) as broad:
        broad_html = staff_client.get(LIST, {"child_id": ada.pk}).content.decode()
    # Read now: the next request empties the connection's query log.
    (count,) = count_queries(broad)
    narrow_html = staff_client.get(LIST, {"child_id": ben.pk}).content.decode()

    assert "LIMIT 11" in count
    assert "about " in broad_html.split('class="paginator"')[1]
    assert "5 tracking events" in narrow_html
    assert "about" not in narrow_html.split('class="paginator"')[1]


@pytest.mark.postgres
def test_fast_count_is_exact_up_to_the_cap(family, monkeypatch):
    _, ada, _ = family
    for n in range(12):
        tracked(ada, when=T0 + timedelta(minutes=n))
    monkeypatch.setattr(admin_list, "ESTIMATE_ABOVE", 12)
    events = TrackingEvent.objects.filter(child_id=ada.pk)

    assert admin_list.fast_count(events) == (12, False)
    monkeypatch.setattr(admin_list, "ESTIMATE_ABOVE", 11)
    count, is_estimate = admin_list.fast_count(events)
    assert is_estimate and count >= 12


# --- the points chart ---------------------------------------------------------------------------


def test_the_chart_is_a_step_line_scaled_to_a_round_maximum():
    steps = [
        PointsStep(T0, 0, 10),
        PointsStep(T0 + timedelta(days=1), 10, 35),
        PointsStep(T0 + timedelta(days=2), 35, 5),
    ]

    chart = str(render_points_chart(steps, title="Ada", until=T0 + timedelta(days=3)))

    assert chart.startswith('<svg class="points-chart"')
    assert chart.count("V") == 3  # one vertical move per change
    assert ">50</text>" in chart and ">25</text>" in chart and ">0</text>" in chart
    assert "Ada: 5 points now; 3 changes from 2026-03-01 to 2026-03-04" in chart


def test_the_chart_escapes_names():
    chart = str(render_points_chart([PointsStep(T0, 0, 1)], title="<script>x</script>"))

    assert "<script>" not in chart
    assert "&lt;script&gt;" in chart


def test_the_chart_of_no_events_is_a_sentence():
    assert render_points_chart([], title="Ada") == f'<p class="help">{NO_EVENTS}</p>'


def test_points_history_reads_the_newest_events_oldest_first():
    events = [tracked(5, when=T0 + timedelta(hours=n), before=n, after=n + 1) for n in range(5)]
    tracked(6, when=T0)

    history = points_history(child_id=5, limit=3)

    assert [step.points_after for step in history] == [3, 4, 5]
    assert history[-1].occurred_at == events[-1].occurred_at


@pytest.mark.parametrize(("value", "ceiling"), [(0, 10), (7, 10), (11, 20), (35, 50), (501, 1000)])
def test_nice_ceiling(value, ceiling):
    assert nice_ceiling(value) == ceiling


@pytest.mark.postgres
@pytest.mark.parametrize("index", ["event_child_name_trgm", "event_entity_name_trgm"])
def test_on_postgresql_the_admin_search_can_use_the_trigram_indexes(rf, staff_user, index):
    """The indexes are on exactly the expressions Django writes for the admin's search."""
    model_admin = django_admin.site._registry[TrackingEvent]
    request = rf.get(LIST)
    request.user = staff_user
    searched, _ = model_admin.get_search_results(request, TrackingEvent.objects.all(), "quinn")
    with connection.cursor() as cursor:
        # A tiny table is cheaper to read whole: leave the planner only bitmap scans to choose.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        plan = searched.order_by().explain()

    assert index in plan


def test_the_list_and_details_link_an_event_and_its_reversal_with_the_reason(staff_client, parent):
    from conftest import client_for

    child = ChildFactory(owner=parent)
    api = client_for(parent)
    adjusted = api.post(
        reverse("child-adjust", args=[child.pk]), {"points": 5, "reason": "Bonus"}, format="json"
    ).json()["tracking_event"]
    reversal = api.post(
        reverse("event-reverse", args=[adjusted["id"]]), {"reason": "Wrong child"}, format="json"
    ).json()["tracking_event"]
    details = reverse("admin:tracking_trackingevent_details", args=[adjusted["id"]])
    reversal_details = reverse("admin:tracking_trackingevent_details", args=[reversal["id"]])

    page = staff_client.get(reverse("admin:tracking_trackingevent_changelist")).content.decode()
    assert f'reversed by <a href="{reversal_details}">#{reversal["id"]}</a>' in page
    assert f'reverses <a href="{details}">#{adjusted["id"]}</a>' in page
    assert "“Bonus”" in page
    assert "“Wrong child”" in page

    original = staff_client.get(details).content.decode()
    assert f'reversed by <a href="{reversal_details}">#{reversal["id"]}</a>' in original
