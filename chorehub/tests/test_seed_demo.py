"""`manage.py seed_demo`: creates the demo family once, says how to sign in, and is idempotent."""

import re
from io import StringIO

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient

from children.models import Child, Task
from demo.management.commands.seed_demo import (
    CHILDREN,
    CHORES,
    DEMO_GUARDIAN_USERNAME,
    DEMO_USERNAME,
    PENALTIES,
    REWARDS,
    TABLET_NAME,
    TABLET_PIN,
)
from devices.models import Device
from households.models import Membership
from rewards.models import Reward, RewardRequest
from testsupport.factories import UserFactory, household_of

pytestmark = pytest.mark.django_db


def seed_demo(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def token_printed_by(output: str) -> str:
    match = re.search(r"^API token: (\w+) ", output, re.M)
    assert match, output
    return match.group(1)


# The API tokens (knox's model and its admin proxy, the same rows) and the pairing codes, of which
# each run issues one (a code, like a token's key, is shown only when issued).
TOKEN_MODELS = {
    "knox.AuthToken",
    "accounts.ApiToken",
    "devices.PairingCode",
    "devices.PairingCode_children",
}


def without_tokens(counts: dict[str, int]) -> dict[str, int]:
    return {label: n for label, n in counts.items() if label not in TOKEN_MODELS}


def row_counts() -> dict[str, int]:
    """The number of rows of every model, the many-to-many tables included."""
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models(include_auto_created=True)
    }


def test_seed_demo_creates_the_demo_family():
    seed_demo()

    parent = get_user_model().objects.get(username=DEMO_USERNAME)
    assert parent.check_password(settings.DEMO_PASSWORD)
    children = Child.objects.filter(household=household_of(parent))
    assert sorted(children.values_list("name", "age")) == sorted(CHILDREN)
    assert Task.objects.filter(household=household_of(parent), is_good=True).count() == len(CHORES)
    assert Task.objects.filter(household=household_of(parent), is_good=False).count() == len(
        PENALTIES
    )
    assert Reward.objects.filter(household=household_of(parent)).count() == len(REWARDS)
    for child in children:
        assert child.tasks.count() == len(CHORES) + len(PENALTIES)
        assert child.rewards.count() == len(REWARDS)


def test_seed_demo_gives_the_children_a_history_made_through_the_services():
    seed_demo()

    points = dict(Child.objects.values_list("name", "points"))
    # Alice: 5 + 10 + 15 + 10 - 5 (a penalty); Ben: the dishes twice at his override of 15.
    assert points == {"Alice": 35, "Ben": 30}
    assert list(RewardRequest.objects.values_list("child__name", "status")) == [("Ben", "pending")]


def test_seed_demo_prints_the_username_and_password():
    output = seed_demo()

    assert f"username '{DEMO_USERNAME}'" in output
    assert f"password '{settings.DEMO_PASSWORD}'" in output


def test_running_seed_demo_twice_changes_nothing_but_issuing_a_new_token():
    first_key = token_printed_by(seed_demo())
    before = row_counts()
    points_before = dict(Child.objects.values_list("pk", "points"))

    output = seed_demo()

    # A key is shown only when issued (knox keeps its digest): each run issues and prints one.
    after = row_counts()
    assert after["knox.AuthToken"] == before["knox.AuthToken"] + 1
    assert after["devices.PairingCode"] == before["devices.PairingCode"] + 1
    assert without_tokens(after) == without_tokens(before)
    second_key = token_printed_by(output)
    assert second_key != first_key
    for key in (first_key, second_key):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        assert client.get(reverse("auth-me")).json()["username"] == DEMO_USERNAME
    assert dict(Child.objects.values_list("pk", "points")) == points_before
    assert f"username '{DEMO_USERNAME}'" in output
    assert f"password '{settings.DEMO_PASSWORD}'" in output


def test_if_empty_does_nothing_when_users_exist():
    UserFactory()
    before = row_counts()

    seed_demo("--if-empty")

    assert row_counts() == before
    assert not get_user_model().objects.filter(username=DEMO_USERNAME).exists()


def test_if_empty_seeds_an_empty_database():
    seed_demo("--if-empty")

    assert get_user_model().objects.filter(username=DEMO_USERNAME).exists()
    assert Child.objects.count() == len(CHILDREN)


def test_seed_demo_makes_one_household_with_two_guardians_and_prints_their_sign_ins():
    output = seed_demo()

    household = household_of(get_user_model().objects.get(username=DEMO_USERNAME))
    roles = dict(
        Membership.objects.filter(household=household).values_list("user__username", "role")
    )
    assert roles == {DEMO_USERNAME: "owner", DEMO_GUARDIAN_USERNAME: "guardian"}
    assert f"username '{DEMO_GUARDIAN_USERNAME}'" in output
    guardian = get_user_model().objects.get(username=DEMO_GUARDIAN_USERNAME)
    assert guardian.check_password(settings.DEMO_PASSWORD)


def test_seed_demo_pairs_a_family_tablet_for_both_children_and_prints_its_credential():
    output = seed_demo()

    device = Device.objects.get(name=TABLET_NAME)
    guardian = get_user_model().objects.get(username=DEMO_GUARDIAN_USERNAME)
    assert device.paired_by == guardian
    assert sorted(device.children.values_list("name", flat=True)) == ["Alice", "Ben"]
    credential = re.search(r"device credential \(shown once\): (\S+)", output).group(1)
    tablet = APIClient()
    tablet.credentials(HTTP_AUTHORIZATION=f"Device {credential}")
    home = tablet.get(reverse("kid-home"))
    assert home.status_code == 200
    pins = {child["name"]: child["has_pin"] for child in home.json()["children"]}
    assert pins == {"Alice": False, "Ben": True}
    assert f"PIN on it: {TABLET_PIN}" in output
    # Alice's homework, claimed from the tablet, waits for a guardian.
    (claim,) = [c for c in home.json()["children"][0]["claims"] if c["status"] == "pending"]
    assert claim["task_name"] == "Homework"


def test_each_run_prints_a_pairing_code_that_pairs_another_tablet():
    seed_demo()
    code = re.search(r"Pairing code for another tablet .*?: (\w+) ", seed_demo()).group(1)

    paired = APIClient().post(reverse("device-pair"), {"code": code})

    assert paired.status_code == 201, paired.content
    assert paired.json()["credential"]
