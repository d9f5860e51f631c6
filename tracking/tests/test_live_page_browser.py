"""The live page in headless Chromium: the feed and the points update from the stream, no reload."""

from types import SimpleNamespace

import httpx
import pytest
from playwright.sync_api import expect

from testsupport.asgi_server import AsgiServer
from testsupport.factories import ChildFactory, TaskFactory, UserFactory
from testsupport.tokens import token_for
from tracking.tests.browser import chromium, screenshot_path

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def family(server):
    """A parent with a token and a child with one assigned chore; created before the browser
    starts (Playwright's sync API runs an event loop, where Django's ORM refuses to run)."""
    parent = UserFactory(username="mum")
    child = ChildFactory(owner=parent, name="Ada", points=5)
    chore = TaskFactory(owner=parent, name="Feed the cat", points=12)
    child.tasks.add(chore)
    token = token_for(parent)
    return SimpleNamespace(token=token, child=child.pk, chore=chore.pk)


@pytest.fixture
def browser(family):
    with chromium() as browser:
        yield browser


@pytest.fixture
def server(django_db_blocker, tmp_path):
    with (
        django_db_blocker.unblock(),
        AsgiServer(env={"CHOREHUB_LOG_DIR": str(tmp_path)}) as running,
    ):
        yield running


def sign_in(page, server: AsgiServer) -> None:
    page.goto(f"{server.url}/")
    page.fill("input[name=username]", "mum")
    page.fill("input[name=password]", "correct-horse-battery")
    page.click("button[type=submit]")
    expect(page.locator("#live")).to_have_attribute("data-stream", "open", timeout=10_000)


def test_a_task_activated_through_the_api_updates_the_open_page_without_reload(
    server, family, browser
):
    page = browser.new_page()
    sign_in(page, server)
    points = page.locator(f'[data-child-points="{family.child}"]')
    expect(points).to_have_text("5")
    page.evaluate("window.notReloaded = true")

    response = httpx.post(
        f"{server.url}/api/children/{family.child}/activate/",
        json={"task_id": family.chore},
        headers={"Authorization": f"Token {family.token}"},
    )
    assert response.status_code == 200

    expect(points).to_have_text("17", timeout=2_000)
    expect(page.locator("#feed li").first).to_contain_text("Ada", timeout=2_000)
    expect(page.locator("#feed li").first).to_contain_text("+12")
    assert page.evaluate("window.notReloaded") is True
    page.screenshot(path=screenshot_path("live-page.png"), full_page=True)


def test_the_page_activates_a_task_itself(server, family, browser):
    page = browser.new_page()
    sign_in(page, server)
    page.locator(f"#child-{family.child} button").click()
    expect(page.locator(f'[data-child-points="{family.child}"]')).to_have_text("17", timeout=2_000)
    child = httpx.get(
        f"{server.url}/api/children/{family.child}/",
        headers={"Authorization": f"Token {family.token}"},
    ).json()
    assert child["points"] == 17
