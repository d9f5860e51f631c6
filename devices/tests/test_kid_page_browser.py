"""The kid page (/kid/) in headless Chromium: a tablet pairs with a guardian's code, claims a chore,
and its tile follows what a guardian does through the API, live, without a reload."""

from types import SimpleNamespace

import httpx
import pytest
from playwright.sync_api import Page, expect

from households.models import Role
from testsupport.asgi_server import AsgiServer
from testsupport.factories import (
    ChildFactory,
    MembershipFactory,
    RewardFactory,
    TaskFactory,
    UserFactory,
    household_of,
)
from testsupport.tokens import token_for
from tracking.tests.browser import chromium, screenshot_path

pytestmark = pytest.mark.django_db(transaction=True)

LIVE_WITHIN_MS = 5_000


@pytest.fixture
def server(django_db_blocker, tmp_path):
    with (
        django_db_blocker.unblock(),
        AsgiServer(env={"CHOREHUB_LOG_DIR": str(tmp_path)}) as running,
    ):
        yield running


@pytest.fixture
def family(server):
    """An owner's household with a guardian (and their token), and a child with a chore worth 12
    and a reward costing 5, both assigned; created before the browser starts (Playwright's sync
    API runs an event loop, where Django's ORM refuses to run)."""
    owner = UserFactory(username="mum")
    guardian = MembershipFactory(household=household_of(owner), role=Role.GUARDIAN).user
    child = ChildFactory(owner=owner, name="Ada", points=0)
    chore = TaskFactory(owner=owner, name="Feed the cat", points=12)
    reward = RewardFactory(owner=owner, name="Ice cream", cost=5)
    child.tasks.add(chore)
    child.rewards.add(reward)
    return SimpleNamespace(token=token_for(guardian), child=child.pk, chore=chore.pk)


@pytest.fixture
def browser(family):
    with chromium() as browser:
        yield browser


class Guardian:
    """The guardian's side, through the API as any client would."""

    def __init__(self, server: AsgiServer, token: str) -> None:
        self.client = httpx.Client(
            base_url=server.url, headers={"Authorization": f"Token {token}"}, timeout=10
        )

    def call(self, method: str, path: str, expected: int, **kwargs) -> dict:
        response = self.client.request(method, path, **kwargs)
        assert response.status_code == expected, response.text
        return response.json() if response.content else {}

    def pairing_code(self, child_id: int) -> str:
        body = {"name": "Kitchen tablet", "child_ids": [child_id]}
        return self.call("POST", "/api/devices/pairing-codes/", 201, json=body)["code"]

    def pending_claims(self, child_id: int) -> list[dict]:
        query = {"status": "pending", "child_id": child_id}
        return self.call("GET", "/api/claims/", 200, params=query)["results"]


@pytest.fixture
def guardian(server, family):
    guardian = Guardian(server, family.token)
    yield guardian
    guardian.client.close()


def pair(page: Page, server: AsgiServer, code: str) -> None:
    page.goto(f"{server.url}/kid/")
    page.get_by_label("Pairing code").fill(code)
    page.get_by_role("button", name="Pair this tablet").click()
    expect(page.locator("#kid")).to_have_attribute("data-stream", "open", timeout=10_000)


def tile(page: Page, name: str):
    return page.get_by_role("region", name=name)


def test_a_claim_approved_through_the_api_updates_the_tile_without_reload(
    server, family, guardian, browser
):
    page = browser.new_page()
    pair(page, server, guardian.pairing_code(family.child))
    ada = tile(page, "Ada")
    expect(ada.locator("[data-points]")).to_have_text("0")
    expect(ada.get_by_role("button", name="Ask for Ice cream")).to_be_disabled()
    page.evaluate("window.notReloaded = true")

    ada.get_by_role("button", name="Claim Feed the cat").click()
    expect(ada.get_by_text("Feed the cat: waiting for a grown-up")).to_be_visible()
    expect(ada.get_by_role("button", name="Claim Feed the cat")).to_be_disabled()
    [claim] = guardian.pending_claims(family.child)
    assert claim["task_id"] == family.chore

    approved = guardian.call("POST", f"/api/claims/{claim['id']}/approve/", 200)
    assert approved["child"]["points"] == 12

    expect(ada.locator("[data-points]")).to_have_text("12", timeout=LIVE_WITHIN_MS)
    expect(ada.locator("[data-available]")).to_have_text("12")
    expect(ada.get_by_text("Feed the cat: approved")).to_be_visible()
    expect(ada.get_by_role("button", name="Claim Feed the cat")).to_be_enabled()
    assert page.evaluate("window.notReloaded") is True

    ada.get_by_role("button", name="Ask for Ice cream").click()
    expect(ada.get_by_text("Ice cream (5 points): asked for")).to_be_visible()
    expect(ada.locator("[data-available]")).to_have_text("7")
    expect(ada.locator("[data-points]")).to_have_text("12")
    page.screenshot(path=screenshot_path("kid-page.png"), full_page=True)

    ada.get_by_role("button", name="Cancel Ice cream").click()
    expect(ada.locator("[data-available]")).to_have_text("12")
    expect(ada.get_by_text("Nothing waiting.")).to_be_visible()
    assert page.evaluate("window.notReloaded") is True


def test_a_guardian_rejecting_or_redeeming_updates_the_tile_live(server, family, guardian, browser):
    page = browser.new_page()
    pair(page, server, guardian.pairing_code(family.child))
    ada = tile(page, "Ada")
    page.evaluate("window.notReloaded = true")

    ada.get_by_role("button", name="Claim Feed the cat").click()
    expect(ada.get_by_text("Feed the cat: waiting for a grown-up")).to_be_visible()
    [claim] = guardian.pending_claims(family.child)
    guardian.call("POST", f"/api/claims/{claim['id']}/reject/", 200)
    expect(ada.get_by_text("Feed the cat: rejected")).to_be_visible(timeout=LIVE_WITHIN_MS)
    expect(ada.locator("[data-points]")).to_have_text("0")

    guardian.call(
        "POST", f"/api/children/{family.child}/adjust/", 200, json={"points": 9, "reason": "gift"}
    )
    expect(ada.locator("[data-points]")).to_have_text("9", timeout=LIVE_WITHIN_MS)
    ada.get_by_role("button", name="Ask for Ice cream").click()
    expect(ada.locator("[data-available]")).to_have_text("4")
    [request] = guardian.call("GET", "/api/reward-requests/", 200, params={"status": "pending"})[
        "results"
    ]
    guardian.call("POST", f"/api/reward-requests/{request['id']}/redeem/", 200)
    expect(ada.locator("[data-points]")).to_have_text("4", timeout=LIVE_WITHIN_MS)
    expect(ada.get_by_text("Nothing waiting.")).to_be_visible()
    assert page.evaluate("window.notReloaded") is True


def test_a_child_with_a_pin_is_asked_for_it(server, family, guardian, browser):
    page = browser.new_page()
    pair(page, server, guardian.pairing_code(family.child))
    [device] = guardian.call("GET", "/api/devices/", 200)["results"]
    guardian.call(
        "PUT",
        f"/api/devices/{device['id']}/children/{family.child}/pin/",
        200,
        json={"pin": "4821"},
    )
    page.reload()  # the tile learns of the PIN when it next reads the device
    ada = tile(page, "Ada")
    # The dialog's title names the child once it opens; before that the closed dialog is labelled "PIN" too.
    pin = page.get_by_role("dialog", name="PIN for Ada").get_by_label("PIN", exact=True)

    ada.get_by_role("button", name="Claim Feed the cat").click()
    pin.fill("0000")
    page.get_by_role("button", name="OK").click()
    expect(ada.get_by_role("alert")).to_have_text("Wrong PIN.")
    assert guardian.pending_claims(family.child) == []

    ada.get_by_role("button", name="Claim Feed the cat").click()
    pin.fill("4821")
    page.get_by_role("button", name="OK").click()
    expect(ada.get_by_text("Feed the cat: waiting for a grown-up")).to_be_visible()
    assert len(guardian.pending_claims(family.child)) == 1


def test_forgetting_the_tablet_shows_the_pairing_form_again(server, family, guardian, browser):
    page = browser.new_page()
    pair(page, server, guardian.pairing_code(family.child))
    expect(tile(page, "Ada")).to_be_visible()

    page.get_by_role("link", name="Forget this tablet").click()
    expect(page.get_by_label("Pairing code")).to_be_visible()
    assert page.evaluate("localStorage.length") == 0
    page.reload()
    expect(page.get_by_label("Pairing code")).to_be_visible()


def test_a_used_pairing_code_is_refused_on_the_page(server, family, guardian, browser):
    code = guardian.pairing_code(family.child)
    response = httpx.post(f"{server.url}/api/devices/pair/", json={"code": code})
    assert response.status_code == 201

    page = browser.new_page()
    page.goto(f"{server.url}/kid/")
    page.get_by_label("Pairing code").fill(code)
    page.get_by_role("button", name="Pair this tablet").click()
    expect(page.locator("#pairing-error")).not_to_be_empty()
    expect(page.get_by_label("Pairing code")).to_be_visible()


def test_a_revoked_tablet_goes_back_to_pairing(server, family, guardian, browser):
    page = browser.new_page()
    pair(page, server, guardian.pairing_code(family.child))
    [device] = guardian.call("GET", "/api/devices/", 200)["results"]
    guardian.call("POST", f"/api/devices/{device['id']}/revoke/", 200)

    expect(page.get_by_label("Pairing code")).to_be_visible(timeout=10_000)
    expect(page.locator("#pairing-error")).not_to_be_empty()
    assert page.evaluate("localStorage.length") == 0


def test_a_credential_in_the_address_is_kept_and_taken_out_of_it(server, family, guardian, browser):
    code = guardian.pairing_code(family.child)
    paired = httpx.post(f"{server.url}/api/devices/pair/", json={"code": code}).json()

    page = browser.new_page()
    page.goto(f"{server.url}/kid/#credential={paired['credential']}")
    expect(page.locator("#kid")).to_have_attribute("data-stream", "open", timeout=10_000)
    expect(tile(page, "Ada")).to_be_visible()
    assert page.url == f"{server.url}/kid/"
    page.reload()
    expect(tile(page, "Ada")).to_be_visible()
