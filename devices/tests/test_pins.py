"""A child's PIN on a shared device: needed for its claims and requests there; five wrong ones
lock the child on that device for 30 s, each further lockout twice as long, up to 15 minutes; the
right one resets the count; concurrent wrong PINs are each counted."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from children.models import Claim
from devices import services
from devices.models import ChildPin
from devices.pins import (
    PIN_REQUIRED,
    WRONG_PIN,
    PinRefused,
    check_child_pin,
    lockout_for,
)
from devices.tests.conftest import device_client_for, pair
from kernel.events import iso_z
from rewards.models import RewardRequest

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]

PIN = "2468"
T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def with_pin(device, child):
    services.set_pin(device=device, child=child, pin=PIN)


def attempt(device, child, pin, now) -> str:
    """What the check says at `now`: "ok", or the refusal's code."""
    try:
        check_child_pin(device_id=device.pk, child_id=child.pk, pin=pin, now=now)
    except PinRefused as refusal:
        return refusal.code
    return "ok"


def claim(client, child, chore, **extra):
    return client.post(reverse("kid-claims", args=[child.pk]), {"task_id": chore.pk, **extra})


# --- The lockout's timing (the clock is the test's) ----------------------------------------------


def test_lockouts_last_30_s_then_double_up_to_15_minutes():
    lockouts = [lockout_for(failures) for failures in range(5, 60, 5)]

    assert [lockout.total_seconds() for lockout in lockouts] == [
        30,
        60,
        120,
        240,
        480,
        900,
        900,
        900,
        900,
        900,
        900,
    ]
    assert [lockout_for(n) for n in (0, 1, 4, 6, 9)] == [None] * 5
    assert lockout_for(10**6) == timedelta(minutes=15)


def test_five_wrong_pins_lock_the_child_for_30_seconds(device, child, with_pin):
    codes = [attempt(device, child, "0000", T0) for _ in range(5)]

    assert codes == ["wrong_pin"] * 4 + ["pin_locked"]
    assert ChildPin.objects.get().locked_until == T0 + timedelta(seconds=30)
    # While locked, even the right PIN is refused, and nothing more is counted.
    assert attempt(device, child, PIN, T0 + timedelta(seconds=29)) == "pin_locked"
    assert ChildPin.objects.get().failures == 5
    assert attempt(device, child, PIN, T0 + timedelta(seconds=30)) == "ok"


def test_each_further_lockout_doubles(device, child, with_pin):
    now = T0
    durations = []
    for _ in range(3):
        for _ in range(5):
            attempt(device, child, "0000", now)
        locked_until = ChildPin.objects.get().locked_until
        durations.append((locked_until - now).total_seconds())
        now = locked_until
    assert durations == [30, 60, 120]


def test_the_right_pin_resets_the_count(device, child, with_pin):
    for _ in range(4):
        attempt(device, child, "0000", T0)
    assert attempt(device, child, PIN, T0) == "ok"
    assert ChildPin.objects.get().failures == 0

    codes = [attempt(device, child, "0000", T0) for _ in range(5)]

    assert codes[-1] == "pin_locked"
    assert ChildPin.objects.get().locked_until == T0 + timedelta(seconds=30)  # from 30 s again


def test_a_missing_pin_is_not_counted(device, child, with_pin):
    assert [attempt(device, child, None, T0) for _ in range(6)] == ["pin_required"] * 6
    assert ChildPin.objects.get().failures == 0


def test_the_lock_is_per_device_and_child(device, child, sibling, guardian, with_pin):
    other_device, _ = pair(children=[child, sibling], by=guardian)
    services.set_pin(device=other_device, child=child, pin=PIN)
    services.set_pin(device=device, child=child, pin=PIN)
    for _ in range(5):
        attempt(device, child, "0000", T0)

    assert attempt(other_device, child, PIN, T0) == "ok"
    assert attempt(other_device, sibling, None, T0) == "ok"  # no PIN for the sibling there


# --- Through the API -----------------------------------------------------------------------------


def test_without_a_pin_the_child_acts_without_one(device_client, child, chore):
    assert claim(device_client, child, chore).status_code == 201


def test_a_child_with_a_pin_needs_it(device_client, child, chore, with_pin):
    missing = claim(device_client, child, chore)
    wrong = claim(device_client, child, chore, pin="1111")

    assert (missing.status_code, missing.json()) == (
        403,
        {"detail": PIN_REQUIRED, "code": "pin_required"},
    )
    assert (wrong.status_code, wrong.json()) == (403, {"detail": WRONG_PIN, "code": "wrong_pin"})
    assert not Claim.objects.exists()
    assert claim(device_client, child, chore, pin=PIN).status_code == 201


def test_a_locked_child_is_a_429_with_locked_until_and_retry_after(
    device_client, child, chore, with_pin
):
    answers = [claim(device_client, child, chore, pin="1111") for _ in range(5)]
    locked = claim(device_client, child, chore, pin=PIN)

    assert [a.status_code for a in answers] == [403] * 4 + [429]
    locked_until = ChildPin.objects.get().locked_until
    assert locked.status_code == 429
    assert locked.json()["code"] == "pin_locked"
    assert locked.json()["locked_until"] == iso_z(locked_until)
    assert 1 <= int(locked["Retry-After"]) <= 30
    assert not Claim.objects.exists()
    home = device_client.get(reverse("kid-home")).json()["children"][0]
    assert (home["has_pin"], home["locked_until"]) == (True, iso_z(locked_until))


def test_the_pin_guards_reward_requests_and_cancellations(device_client, child, reward, with_pin):
    child.points = 100
    child.save()
    url = reverse("kid-reward-requests", args=[child.pk])

    assert device_client.post(url, {"reward_id": reward.pk}).status_code == 403
    made = device_client.post(url, {"reward_id": reward.pk, "pin": PIN})
    assert made.status_code == 201
    cancel_url = reverse("kid-reward-request-cancel", args=[made.json()["request"]["id"]])
    assert device_client.post(cancel_url, {"pin": "9999"}).status_code == 403
    assert device_client.post(cancel_url, {"pin": PIN}).status_code == 200
    assert RewardRequest.objects.get().status == "cancelled"


@pytest.mark.parametrize("pin", ["12", f"{PIN}\n"])  # `$` matched before a final newline
def test_a_malformed_pin_is_a_400_and_not_counted(device_client, child, chore, with_pin, pin):
    response = claim(device_client, child, chore, pin=pin)

    assert response.status_code == 400
    assert "pin" in response.json()
    assert ChildPin.objects.get().failures == 0


def test_a_wrong_pin_is_not_replayed_by_idempotency(device_client, child, chore, with_pin):
    headers = {"HTTP_IDEMPOTENCY_KEY": "claim-1"}
    url = reverse("kid-claims", args=[child.pk])
    wrong = device_client.post(url, {"task_id": chore.pk, "pin": "1111"}, **headers)

    assert wrong.status_code == 403
    assert ChildPin.objects.get().failures == 1


# --- Concurrency (PostgreSQL: real row locks) ----------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_wrong_pins_are_each_counted_and_lock_once(concurrently, guardian, child):
    device, _ = pair(children=[child], by=guardian)
    services.set_pin(device=device, child=child, pin=PIN)

    outcomes = concurrently(
        8,
        lambda _: check_child_pin(device_id=device.pk, child_id=child.pk, pin="0000", now=T0),
    )

    codes = sorted(error.code for kind, error in outcomes if kind == "error")
    assert codes == ["pin_locked"] * 4 + ["wrong_pin"] * 4
    row = ChildPin.objects.get()
    assert row.failures == 5
    assert row.locked_until == T0 + timedelta(seconds=30)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_wrong_pins_over_http_are_each_counted(concurrently, guardian, child, chore):
    device, credential = pair(children=[child], by=guardian)
    services.set_pin(device=device, child=child, pin=PIN)

    outcomes = concurrently(
        4,
        lambda _: claim(device_client_for(credential), child, chore, pin="1111").status_code,
    )

    assert [result for _, result in outcomes] == [403] * 4
    assert ChildPin.objects.get().failures == 4
