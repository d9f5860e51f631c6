"""Who may call what, for every route under /api/ found in the URL configuration, so that a new route
cannot escape: anonymous callers get a 401 (but on the public routes), another household's object
is a 404 exactly like a missing one and changes nothing, while its owner's identical call succeeds,
and the staff routes (/api/admin/...) are a 403 for a member and a 200 for staff. By role (issue
14): the owner may call every route but the device's own, a guardian all but the owner's, a viewer
reads (but the devices) and every write is a 403, a paired child device may call its own routes
(`/api/device/...`) and nothing else (403). The `.json` twin that DRF's router adds to each of its
routes is a route like any other here.

A new route with a path parameter fails `test_every_path_parameter_can_be_filled` until it is added
to OBJECT_IDS (and, if it takes a body, to VALID_INPUT).
"""

from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from achievements.models import BadgeDefinition
from children.claims import claim_task
from children.models import TaskOverride
from children.services import activate_task
from chorehub.tests.test_ownership import MISSING_ID, PUBLIC_ROUTES, database_state, methods_of
from conftest import client_for
from devices.kid_actions import ask_for_reward
from devices.services import set_pin
from devices.tests.conftest import device_client_for, pair
from households.models import Role
from testsupport.factories import (
    ChildFactory,
    MembershipFactory,
    PenaltyFactory,
    RewardFactory,
    RewardRequestFactory,
    TaskFactory,
    household_of,
)
from tracking.models import TrackingEvent

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]

STAFF_PREFIX = "api/admin/"

# Route name → for each path parameter, the object of the first parent's family it names.
OBJECT_IDS: dict[str, dict[str, str]] = {
    "child-detail": {"pk": "child"},
    "child-tasks": {"pk": "child"},
    "child-rewards": {"pk": "child"},
    "child-overrides": {"pk": "child"},
    "child-activate": {"pk": "child"},
    "child-adjust": {"pk": "child"},
    "child-reward-reward-requests": {"pk": "child"},
    "child-reward-redeem": {"pk": "child"},
    "child-tracking": {"pk": "child"},
    "task-detail": {"pk": "chore"},
    "reward-detail": {"pk": "reward"},
    "reward-request-detail": {"pk": "request"},
    "reward-request-redeem": {"pk": "request"},
    "reward-request-cancel": {"pk": "request"},
    "event-reverse": {"event_id": "event"},
    "household-member": {"user_id": "member"},
    "claim-detail": {"pk": "claim"},
    "claim-approve": {"pk": "claim"},
    "claim-reject": {"pk": "claim"},
    "device-detail": {"pk": "device"},
    "device-revoke": {"pk": "device"},
    "device-pin": {"pk": "device", "child_id": "child"},
    "kid-claims": {"child_id": "child"},
    "kid-reward-requests": {"child_id": "child"},
    "kid-reward-request-cancel": {"request_id": "device_request"},
    "child-figures": {"pk": "child"},
    "child-series": {"pk": "child"},
    "child-pauses": {"pk": "child"},
    "child-streak-tasks": {"pk": "child"},
    "child-badges": {"pk": "child"},
    "badge-detail": {"pk": "badge"},
}

# (method, route name) → a body (or a "?query" string) with which the owner's call succeeds, so
# that another user's 404 cannot come from bad input. Calls not listed send nothing.
VALID_INPUT: dict[tuple[str, str], Callable[[SimpleNamespace], object]] = {
    ("put", "child-detail"): lambda f: {"name": "Renamed", "age": 9},
    ("patch", "child-detail"): lambda f: {"name": "Renamed"},
    ("put", "child-tasks"): lambda f: {"task_ids": [f.chore.pk, f.penalty.pk]},
    ("put", "child-rewards"): lambda f: {"reward_ids": [f.reward.pk]},
    ("put", "child-overrides"): lambda f: {
        "entity_type": "task",
        "entity_id": f.chore.pk,
        "value": 9,
    },
    ("delete", "child-overrides"): lambda f: f"?entity_type=task&entity_id={f.chore.pk}",
    ("post", "child-activate"): lambda f: {"task_id": f.chore.pk},
    ("post", "child-adjust"): lambda f: {"points": 5, "reason": "Helped a neighbour"},
    ("post", "child-reward-reward-requests"): lambda f: {"reward_id": f.spare_reward.pk},
    ("post", "child-reward-redeem"): lambda f: {"reward_id": f.reward.pk},
    ("put", "task-detail"): lambda f: {"name": "Renamed", "points": 1},
    ("patch", "task-detail"): lambda f: {"points": 1},
    ("put", "reward-detail"): lambda f: {"name": "Renamed", "cost": 1},
    ("patch", "reward-detail"): lambda f: {"cost": 1},
    ("post", "event-reverse"): lambda f: {"reason": "Pressed the wrong child"},
    ("post", "child-list"): lambda f: {"name": "Cleo"},
    ("post", "task-list"): lambda f: {"name": "Dishes", "points": 5},
    ("post", "reward-list"): lambda f: {"name": "Ice cream", "cost": 5},
    ("patch", "household"): lambda f: {"name": "The Smiths"},
    ("post", "household-invitations"): lambda f: {"role": "viewer"},
    ("post", "household-transfer"): lambda f: {"user_id": f.member.pk},
    ("post", "device-pairing-codes"): lambda f: {"name": "Tablet", "child_ids": [f.child.pk]},
    ("put", "device-pin"): lambda f: {"pin": "2468"},
    ("post", "kid-claims"): lambda f: {"task_id": f.spare_chore.pk, "pin": KID_PIN},
    ("post", "kid-reward-requests"): lambda f: {"reward_id": f.kid_reward.pk, "pin": KID_PIN},
    ("post", "kid-reward-request-cancel"): lambda f: {"pin": KID_PIN},
    ("post", "child-pauses"): lambda f: {"day": timezone.now().date().isoformat(), "reason": "Ill"},
    ("put", "child-streak-tasks"): lambda f: {"task_ids": [f.chore.pk]},
    ("post", "badge-list"): lambda f: {"name": "Busy", "criterion": "chore_count", "threshold": 3},
    ("put", "badge-detail"): lambda f: {
        "name": "Renamed",
        "criterion": "chore_count",
        "threshold": 50,
    },
    ("patch", "badge-detail"): lambda f: {"name": "Renamed"},
}

# Issue 14's roles. The owner's own routes: the household itself and its members.
OWNER_ONLY = {
    ("patch", "household"),
    ("post", "household-invitations"),
    ("delete", "household-member"),
    ("post", "household-transfer"),
}
# What any signed-in user does about their own account and membership, whatever their role.
SELF_SERVICE_PREFIX = "auth-"
SELF_SERVICE = {"household-join", "household-leave"}
KID_PIN = "1357"  # the family's child's PIN on its tablet
# A paired child device's own routes (kid mode): a device's and nobody else's.
DEVICE_PREFIX = "kid-"
# Device management: owners and guardians; a viewer may not even read it *(choice)*.
DEVICE_MANAGEMENT_PREFIX = "device-"


@dataclass(frozen=True)
class Route:
    method: str
    name: str
    path: str  # the URL pattern, e.g. "api/children/<str:pk>/tracking/"
    parameters: tuple[str, ...]  # the ids in the path
    format_suffix: bool  # the router's twin route that ends in `.json`

    @property
    def is_public(self) -> bool:
        return self.method in PUBLIC_ROUTES.get(self.name, ())

    @property
    def is_staff_only(self) -> bool:
        return self.path.startswith(STAFF_PREFIX)

    @property
    def is_devices_own(self) -> bool:
        return self.name.startswith(DEVICE_PREFIX)

    def reverse(self, ids: dict[str, int]) -> str:
        return reverse(
            self.name, kwargs={**ids, **({"format": "json"} if self.format_suffix else {})}
        )

    def __str__(self) -> str:
        return f"{self.method.upper()} {self.name}{'.json' if self.format_suffix else ''}"


def api_routes() -> list[Route]:
    """Every route under /api/, one per method its view answers. An unnamed route fails here: the
    matrix names routes to fill their ids and to reverse them."""
    routes: list[Route] = []

    def walk(patterns, prefix: str) -> None:
        for pattern in patterns:
            path = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, path)
            elif isinstance(pattern, URLPattern) and path.startswith("api/"):
                assert pattern.name, f"the route {path} has no name"
                arguments = pattern.pattern.regex.groupindex
                parameters = tuple(name for name in arguments if name != "format")
                routes.extend(
                    Route(method, pattern.name, path, parameters, "format" in arguments)
                    for method in methods_of(pattern.callback)
                )

    walk(get_resolver().url_patterns, "")
    return sorted(routes, key=str)


ROUTES = api_routes()
PROTECTED = [route for route in ROUTES if not route.is_public]
WITH_IDS = [route for route in ROUTES if route.parameters]
STAFF_ONLY = [route for route in ROUTES if route.is_staff_only]
# The routes whose answer depends on the caller's role in the household (the stream is proven in
# tracking/tests/test_stream.py).
ROLE_ROUTES = [
    route
    for route in PROTECTED
    if not route.is_staff_only
    and route.name != "events"
    and not route.name.startswith(SELF_SERVICE_PREFIX)
    and route.name not in SELF_SERVICE
    and not route.is_devices_own
]
DEVICES_OWN = [route for route in PROTECTED if route.is_devices_own]
# Every route a device may not call: all but its own and the stream (proven in
# devices/tests/test_streams.py).
NOT_FOR_DEVICES = [
    route for route in PROTECTED if not route.is_devices_own and route.name != "events"
]


@pytest.fixture
def family(parent):
    """The first parent's family: every object a route's id can name, in a state where each action
    on it succeeds (points enough, a pending request and claim, a reversible event, an override to
    remove)."""
    child = ChildFactory(owner=parent, points=100)
    chore, penalty = TaskFactory(owner=parent), PenaltyFactory(owner=parent)
    reward, spare_reward = RewardFactory(owner=parent), RewardFactory(owner=parent)
    child.tasks.add(chore, penalty)
    child.rewards.add(reward, spare_reward)
    TaskOverride.objects.create(child=child, task=chore, points=3)
    request = RewardRequestFactory(child=child, reward=reward)
    event_id = activate_task(child=child, task=chore).extras["tracking_event"]["id"]
    claim = claim_task(child=child, task=chore, by=parent).claim
    household = household_of(parent)
    # A tablet paired for the child, which asked for a reward itself (so that it may cancel it),
    # with a chore and a reward still free to claim and to ask for.
    spare_chore, kid_reward, device_reward = (
        TaskFactory(owner=parent),
        RewardFactory(owner=parent),
        RewardFactory(owner=parent),
    )
    child.tasks.add(spare_chore)
    child.rewards.add(kid_reward, device_reward)
    device, credential = pair(children=[child], by=parent)
    set_pin(device=device, child=child, pin=KID_PIN)
    device_request = ask_for_reward(device=device, child=child, reward=device_reward, pin=KID_PIN)
    return SimpleNamespace(
        household=household,
        badge=BadgeDefinition.objects.create(
            household=household, name="Fifty chores", criterion="chore_count", threshold=50
        ),
        member=MembershipFactory(household=household, role=Role.GUARDIAN).user,
        guardian=MembershipFactory(household=household, role=Role.GUARDIAN).user,
        viewer=MembershipFactory(household=household, role=Role.VIEWER).user,
        child=child,
        chore=chore,
        penalty=penalty,
        reward=reward,
        spare_reward=spare_reward,
        request=request,
        claim=claim,
        event=TrackingEvent.objects.get(pk=event_id),
        spare_chore=spare_chore,
        kid_reward=kid_reward,
        device=device,
        device_client=device_client_for(credential),
        device_request=device_request.request,
    )


def url_of(route: Route, family: SimpleNamespace, *, missing: bool = False) -> str:
    """The route's URL, its ids filled with the family's objects (or with an id nobody has)."""
    objects = OBJECT_IDS.get(route.name, {})
    return route.reverse(
        {
            name: MISSING_ID if missing else getattr(family, objects[name]).pk
            for name in route.parameters
        }
    )


def call(client, route: Route, url: str, family: SimpleNamespace):
    build = VALID_INPUT.get((route.method, route.name))
    payload = build(family) if build else None
    if isinstance(payload, str):
        return getattr(client, route.method)(url + payload)
    return getattr(client, route.method)(url, payload)


def test_the_matrix_finds_every_kind_of_route():
    names = {route.name for route in ROUTES}

    assert {"child-list", "child-activate", "event-reverse", "admin-tracking", "auth-me"} <= names
    assert names >= set(PUBLIC_ROUTES)
    assert STAFF_ONLY


@pytest.mark.parametrize(
    "route", {route.name: route for route in WITH_IDS}.values(), ids=lambda route: route.name
)
def test_every_path_parameter_can_be_filled(route):
    known = OBJECT_IDS.get(route.name, {})

    missing = [name for name in route.parameters if name not in known]

    assert not missing, (
        f"{route.name} ({route.path}) has path parameters {missing} that the authorization "
        "matrix cannot fill: add the route to OBJECT_IDS (and its bodies to VALID_INPUT)"
    )


@pytest.mark.parametrize("route", PROTECTED, ids=str)
def test_anonymous_callers_get_a_401_and_change_nothing(anon_client, family, route):
    url = url_of(route, family)
    before = database_state()

    response = call(anon_client, route, url, family)

    assert response.status_code == 401, response.content
    assert database_state() == before


@pytest.mark.parametrize("route", [r for r in ROUTES if r.is_public], ids=str)
def test_public_routes_need_no_credentials(anon_client, route):
    response = getattr(anon_client, route.method)(route.reverse({}))

    assert response.status_code not in (401, 403)


@pytest.fixture
def other_device_client(other_parent):
    """A device paired in another household."""
    _, credential = pair(children=[ChildFactory(owner=other_parent)], by=other_parent)
    return device_client_for(credential)


@pytest.mark.parametrize(
    ("route", "stranger"),
    [
        (route, stranger)
        for route in WITH_IDS
        for stranger in (
            ["other_device_client"] if route.is_devices_own else ["other_parent", "staff_user"]
        )
    ],
    ids=str,
)
def test_another_users_object_is_a_404_like_a_missing_one_and_its_owner_may_call_it(
    request, parent, family, route, stranger
):
    """Another household's account (or staff) on a member's route, another household's device on a
    device's route: a 404 like a missing object, and nothing changes; the owner's (or the
    family's device's) identical call succeeds."""
    if stranger == "other_device_client":
        stranger_client = request.getfixturevalue(stranger)
        owner_client = family.device_client
    else:
        stranger_client = client_for(request.getfixturevalue(stranger))
        owner_client = client_for(parent)
    before = database_state()

    foreign = call(stranger_client, route, url_of(route, family), family)
    missing = call(stranger_client, route, url_of(route, family, missing=True), family)

    assert foreign.status_code == 404, foreign.content
    assert foreign.json() == missing.json()
    assert database_state() == before
    owned = call(owner_client, route, url_of(route, family), family)
    assert 200 <= owned.status_code < 300, owned.content


@pytest.mark.parametrize("route", STAFF_ONLY, ids=str)
def test_a_parent_gets_a_403_on_staff_routes(parent_client, family, route):
    before = database_state()

    response = getattr(parent_client, route.method)(route.reverse({}))

    assert response.status_code == 403
    assert database_state() == before


@pytest.mark.parametrize("route", STAFF_ONLY, ids=str)
def test_staff_get_a_200_on_staff_routes(staff_client, family, route):
    response = getattr(staff_client, route.method)(route.reverse({}))

    assert response.status_code == 200


@pytest.mark.parametrize("route", ROLE_ROUTES, ids=str)
def test_a_guardian_may_call_every_route_but_the_owners(family, route):
    guardian_client = client_for(family.guardian)
    before = database_state()

    response = call(guardian_client, route, url_of(route, family), family)

    if (route.method, route.name) in OWNER_ONLY:
        assert response.status_code == 403, response.content
        assert database_state() == before
    else:
        assert 200 <= response.status_code < 300, response.content


@pytest.mark.parametrize("route", ROLE_ROUTES, ids=str)
def test_a_viewer_reads_and_every_write_is_a_403_that_changes_nothing(family, route):
    viewer_client = client_for(family.viewer)
    before = database_state()

    response = call(viewer_client, route, url_of(route, family), family)

    if route.method == "get" and not route.name.startswith(DEVICE_MANAGEMENT_PREFIX):
        assert response.status_code == 200, response.content
    else:
        assert response.status_code == 403, response.content
        assert database_state() == before


@pytest.mark.parametrize("route", ROLE_ROUTES, ids=str)
def test_the_owner_may_call_every_route(parent, family, route):
    response = call(client_for(parent), route, url_of(route, family), family)

    assert 200 <= response.status_code < 300, response.content


@pytest.mark.parametrize("route", NOT_FOR_DEVICES, ids=str)
def test_a_device_gets_a_403_on_every_other_route_and_changes_nothing(family, route):
    before = database_state()

    response = call(family.device_client, route, url_of(route, family), family)

    assert response.status_code == 403, response.content
    assert database_state() == before


@pytest.mark.parametrize("role", ["owner", "guardian", "viewer", "other_parent", "staff_user"])
@pytest.mark.parametrize("route", DEVICES_OWN, ids=str)
def test_a_devices_own_routes_are_a_403_for_every_account_and_a_device_may_call_them(
    request, parent, family, route, role
):
    account = {"owner": parent, "guardian": family.guardian, "viewer": family.viewer}.get(role)
    account_client = client_for(account or request.getfixturevalue(role))
    before = database_state()

    refused = call(account_client, route, url_of(route, family), family)

    assert refused.status_code == 403, refused.content
    assert database_state() == before
    allowed = call(family.device_client, route, url_of(route, family), family)
    assert 200 <= allowed.status_code < 300, allowed.content
