"""The tracking admin in headless Chromium, on a real ASGI server: a staff user signs in, filters
a child's events by a date range, sees the right rows, and downloads them as CSV."""

import csv
import io
import re
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from testsupport.asgi_server import AsgiServer
from testsupport.factories import ChildFactory, UserFactory
from tracking.tests.browser import chromium, screenshot_path
from tracking.tests.factories import TrackingEventFactory

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct-horse-battery"  # testsupport.factories.UserFactory's


@pytest.fixture
def server(django_db_blocker, tmp_path):
    with (
        django_db_blocker.unblock(),
        AsgiServer(env={"CHOREHUB_LOG_DIR": str(tmp_path)}, log_path=tmp_path / "server.log") as up,
    ):
        yield up


@pytest.fixture
def history(server):
    """A staff user, and two children's events over March 2026, committed for the server. Made
    before the browser starts: Playwright's sync API runs an event loop, where the ORM refuses
    to run."""
    UserFactory(username="auditor", is_staff=True)
    parent = UserFactory(username="mum")
    ada = ChildFactory(owner=parent, name="Ada")
    ben = ChildFactory(owner=parent, name="Ben")
    points = 0
    ada_events = []
    for day, entity in [(1, "Dishes"), (5, "Homework"), (10, "Dishes"), (20, "Make the bed")]:
        ada_events.append(
            TrackingEventFactory(
                user=parent,
                child_id=ada.pk,
                points_before=points,
                points_after=points + 5,
                occurred_at=datetime(2026, 3, day, 18, 30, tzinfo=UTC),
                metadata={"child_name": "Ada", "entity_name": entity, "actor": "parent"},
            )
        )
        points += 5
    TrackingEventFactory(
        user=parent,
        child_id=ben.pk,
        occurred_at=datetime(2026, 3, 6, 9, 0, tzinfo=UTC),
        metadata={"child_name": "Ben", "entity_name": "Dishes", "actor": "parent"},
    )
    # Ada from March 4 to March 12, newest first: the 10th, then the 5th.
    expected = [ada_events[2], ada_events[1]]
    return SimpleNamespace(
        ada=ada.pk,
        expected_ids=[str(event.pk) for event in expected],
        expected_times=["2026-03-10 18:30:00", "2026-03-05 18:30:00"],
    )


@pytest.fixture
def browser(history):
    with chromium() as browser:
        yield browser


def test_staff_filters_a_childs_events_by_dates_and_exports_them(server, history, browser):
    context = browser.new_context(accept_downloads=True, viewport={"width": 1400, "height": 900})
    page = context.new_page()

    page.goto(f"{server.url}/admin/")
    page.fill("#id_username", "auditor")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    expect(page.locator("#user-tools")).to_contain_text("auditor")

    page.click("text=Tracking events")
    expect(page.locator("#result_list tbody tr")).to_have_count(5)
    expect(page.locator(".object-tools")).not_to_contain_text("Add")

    page.select_option("select[name=child_id]", str(history.ada))
    page.click("#child-filter-form input[type=submit]")
    expect(page.locator("#result_list tbody tr")).to_have_count(4)

    page.fill("input[name=occurred_at__range__gte]", "2026-03-04")
    page.fill("input[name=occurred_at__range__lte]", "2026-03-12")
    page.click(".admindatefilter input[type=submit]")
    expect(page).to_have_url(re.compile(r"occurred_at__range__lte=2026-03-12"))

    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text(history.expected_times[0])
    expect(rows.nth(1)).to_contain_text(history.expected_times[1])
    expect(rows.nth(0)).to_contain_text("Ada")
    expect(rows.nth(1)).to_contain_text("Homework")
    assert f"child_id={history.ada}" in page.url
    assert "occurred_at__range__gte=2026-03-04" in page.url
    page.screenshot(path=str(screenshot_path("admin-tracking.png")), full_page=True)

    with page.expect_download() as download:
        page.click("a.export-csv")
    exported = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text())))

    assert download.value.suggested_filename.startswith("tracking-events-")
    assert [row["id"] for row in exported] == history.expected_ids
    assert {row["child_name"] for row in exported} == {"Ada"}
    assert [row["entity_name"] for row in exported] == ["Dishes", "Homework"]
    context.close()
