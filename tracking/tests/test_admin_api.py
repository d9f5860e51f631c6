"""`GET /api/admin/tracking/`: staff only, every user's events, filters, count, limit, offset,
order, and a 400 naming each malformed parameter."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from kernel.api import BAD_LIMIT, BAD_OFFSET, MAX_LIMIT, UNKNOWN_PARAMETER
from testsupport.factories import UserFactory
from tracking.models import TrackingEvent
from tracking.tests.factories import TrackingEventFactory

pytestmark = pytest.mark.django_db

URL = "/api/admin/tracking/"
T0 = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


@pytest.fixture
def mixed(parent, other_parent):
    """Two parents' events of every kind, on three days; ids in a dict by name."""
    return {
        "chore": TrackingEventFactory(user=parent, child_id=1, occurred_at=T0),
        "penalty": TrackingEventFactory(
            user=parent,
            child_id=1,
            entity_type="penalty",
            points_before=10,
            points_after=5,
            occurred_at=T0 + timedelta(days=1),
        ),
        "request": TrackingEventFactory(
            user=other_parent,
            child_id=2,
            entity_type="reward",
            action="requested",
            points_before=40,
            points_after=40,
            occurred_at=T0 + timedelta(days=1, hours=1),
        ),
        "redeem": TrackingEventFactory(
            user=other_parent,
            child_id=2,
            entity_type="reward",
            action="redeemed",
            points_before=40,
            points_after=20,
            occurred_at=T0 + timedelta(days=2),
        ),
    }


def test_the_url_is_the_contracts():
    assert reverse("admin-tracking") == URL


def test_anonymous_is_401(anon_client, mixed):
    response = anon_client.get(URL)

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Token"


def test_a_signed_in_parent_is_403(parent_client, mixed):
    assert parent_client.get(URL).status_code == 403


def test_a_staff_session_works_too(client, staff_user, mixed):
    client.force_login(staff_user)

    assert client.get(URL).json()["count"] == 4


def test_staff_sees_every_users_events_oldest_first(staff_client, mixed):
    response = staff_client.get(URL)

    assert ids(response) == [event.pk for event in mixed.values()]
    assert response.json()["count"] == 4
    assert {row["user_id"] for row in response.json()["results"]} == {
        mixed["chore"].user_id,
        mixed["redeem"].user_id,
    }


def test_rows_have_the_contracts_fields(staff_client, mixed):
    row = staff_client.get(URL).json()["results"][0]

    assert row["id"] == mixed["chore"].pk
    assert row["occurred_at"] == "2026-03-01T10:00:00Z"
    assert {
        "id",
        "user_id",
        "child_id",
        "entity_type",
        "entity_id",
        "action",
        "points_before",
        "points_after",
        "delta",
        "occurred_at",
        "created_at",
        "metadata",
    } <= set(row)
    assert row["metadata"]["child_name"] == "Ada"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"child_id": 1}, ["chore", "penalty"]),
        ({"entity_type": "reward"}, ["request", "redeem"]),
        ({"action": "activated"}, ["chore", "penalty"]),
        ({"action": "redeemed"}, ["redeem"]),
        # start is inclusive: the event at exactly T0 + 1 day is in.
        ({"start": "2026-03-02T10:00:00Z"}, ["penalty", "request", "redeem"]),
        # end is exclusive: the event at exactly T0 + 2 days is out.
        ({"end": "2026-03-03T10:00:00Z"}, ["chore", "penalty", "request"]),
        ({"start": "2026-03-02T10:00:00+00:00", "end": "2026-03-02T11:00:00Z"}, ["penalty"]),
        ({"child_id": 2, "action": "requested"}, ["request"]),
        (
            {"child_id": 2, "entity_type": "reward", "start": "2026-03-02", "end": "2026-03-04"},
            ["request", "redeem"],
        ),
        ({"child_id": 1, "entity_type": "reward"}, []),
    ],
)
def test_filters_alone_and_combined(staff_client, mixed, query, expected):
    response = staff_client.get(URL, query)

    assert ids(response) == [mixed[name].pk for name in expected]
    assert response.json()["count"] == len(expected)


def test_user_id_filter(staff_client, mixed, other_parent):
    response = staff_client.get(URL, {"user_id": other_parent.pk})

    assert ids(response) == [mixed["request"].pk, mixed["redeem"].pk]


def test_user_id_with_child_id(staff_client, mixed, parent):
    assert ids(staff_client.get(URL, {"user_id": parent.pk, "child_id": 2})) == []
    assert len(ids(staff_client.get(URL, {"user_id": parent.pk, "child_id": 1}))) == 2


def test_events_of_a_deleted_user_stay_listed_with_user_id_null(staff_client, mixed, parent):
    parent.delete()

    rows = staff_client.get(URL, {"child_id": 1}).json()["results"]

    assert [row["user_id"] for row in rows] == [None, None]
    assert [row["id"] for row in rows] == [mixed["chore"].pk, mixed["penalty"].pk]


def test_order_is_occurred_at_then_created_at_then_id(staff_client):
    same_time = T0
    later_write = TrackingEventFactory(occurred_at=same_time, created_at=T0 + timedelta(seconds=9))
    first_written_b = TrackingEventFactory(occurred_at=same_time, created_at=T0)
    first_written_a_higher_id = TrackingEventFactory(occurred_at=same_time, created_at=T0)
    earliest = TrackingEventFactory(occurred_at=T0 - timedelta(seconds=1), created_at=T0)

    assert ids(staff_client.get(URL)) == [
        earliest.pk,
        first_written_b.pk,
        first_written_a_higher_id.pk,
        later_write.pk,
    ]


def bulk_events(count: int, user=None) -> list[int]:
    """`count` events one second apart, in one INSERT; their ids in order."""
    user = user or UserFactory()
    events = TrackingEvent.objects.bulk_create(
        TrackingEventFactory.build(user=user, occurred_at=T0 + timedelta(seconds=n))
        for n in range(count)
    )
    return [event.pk for event in events]


def test_limit_defaults_to_50_and_count_is_the_total(staff_client):
    all_ids = bulk_events(60)

    response = staff_client.get(URL)

    assert ids(response) == all_ids[:50]
    assert response.json()["count"] == 60
    assert "limit=50" in response.json()["next"]
    assert response.json()["previous"] is None


def test_a_limit_above_500_gives_500_rows(staff_client):
    all_ids = bulk_events(MAX_LIMIT + 10)

    response = staff_client.get(URL, {"limit": 5000})

    assert ids(response) == all_ids[:MAX_LIMIT]
    assert response.json()["count"] == MAX_LIMIT + 10


def test_limit_and_offset_page_through_in_order(staff_client):
    all_ids = bulk_events(7)

    first = staff_client.get(URL, {"limit": 3})
    second = staff_client.get(URL, {"limit": 3, "offset": 3})
    last = staff_client.get(URL, {"limit": 3, "offset": 6})
    beyond = staff_client.get(URL, {"limit": 3, "offset": 70})

    assert ids(first) + ids(second) + ids(last) == all_ids
    assert ids(beyond) == []
    assert beyond.json()["count"] == 7
    assert last.json()["next"] is None


def test_count_is_the_filtered_total_not_the_page(staff_client, parent):
    bulk_events(5, user=parent)
    bulk_events(3)

    response = staff_client.get(URL, {"user_id": parent.pk, "limit": 2})

    assert len(ids(response)) == 2
    assert response.json()["count"] == 5


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("child_id", "abc"),
        ("child_id", "1.5"),
        ("child_id", "0"),
        ("child_id", str(2**63)),
        ("user_id", "me"),
        ("user_id", "-3"),
        ("entity_type", "chore"),
        ("action", "done"),
        ("start", "yesterday"),
        ("start", "2026-02-30T00:00:00Z"),
        ("end", "2026-13-01"),
        ("end", "10:00"),
        ("limit", "0"),
        ("limit", "ten"),
        ("offset", "-1"),
        ("offset", "1e3"),
    ],
)
def test_a_malformed_parameter_is_a_400_that_names_it(staff_client, mixed, name, value):
    response = staff_client.get(URL, {name: value})

    assert response.status_code == 400
    assert list(response.json()) == [name]


def test_limit_and_offset_errors_say_what_is_allowed(staff_client):
    assert staff_client.get(URL, {"limit": "0"}).json() == {"limit": [BAD_LIMIT]}
    assert staff_client.get(URL, {"offset": "x"}).json() == {"offset": [BAD_OFFSET]}


def test_an_unknown_parameter_is_a_400_listing_the_allowed_ones(staff_client):
    response = staff_client.get(URL, {"child": 1})

    assert response.status_code == 400
    allowed = "action, child_id, end, entity_type, limit, offset, start, user_id"
    assert response.json() == {"child": [UNKNOWN_PARAMETER.format(allowed=allowed)]}


def test_several_malformed_parameters_are_all_named(staff_client):
    response = staff_client.get(URL, {"child_id": "x", "action": "y", "start": "z"})

    assert response.status_code == 400
    assert set(response.json()) == {"child_id", "action", "start"}


def test_the_list_takes_a_bounded_number_of_queries(staff_client, django_assert_max_num_queries):
    for _ in range(3):
        bulk_events(20)

    # Token lookup, count, page; the number does not grow with the rows.
    with django_assert_max_num_queries(3):
        assert len(ids(staff_client.get(URL))) == 50


@pytest.mark.parametrize(
    ("start", "status"),
    [
        ("0910-12-02T23:26:05-17:58", 200),  # an offset PostgreSQL alone would refuse
        ("2026-01-01T00:00:00+14:00", 200),
        ("0001-01-01T00:00:00+05:00", 400),  # before year 1 once in UTC
        ("9999-12-31T23:59:59-05:00", 400),  # after year 9999 once in UTC
    ],
)
def test_any_iso_offset_is_converted_to_utc_and_out_of_calendar_moments_are_a_400(
    staff_client, start, status
):
    response = staff_client.get(reverse("admin-tracking"), {"start": start, "end": start})
    assert response.status_code == status
    if status == 400:
        assert set(response.json()) == {"start", "end"}
