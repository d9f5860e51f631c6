"""An open stream ends when its credential ends, and after its lifetime: a real server, real streams.

Each case ends the credential from outside the stream (in the database, or through the API) and
waits for the server to end the stream's body: once it has, the stream can receive nothing more.
A reconnect with the old credential is then a 401.
"""

import datetime
import time

import httpx
import pytest
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone

from testsupport.factories import UserFactory, household_of
from testsupport.fronts import FRONTS, serving
from testsupport.tokens import token_for
from tracking.live.channels import TRACKING_EVENT_CREATED
from tracking.live.open_streams import OpenStream, ended_streams
from tracking.tests.sse_client import SseClient
from tracking.tests.stream_support import (
    StreamFamily,
    browser_session,
    revoke_tokens_of,
    sign_out,
    stream_status,
    stream_url,
    token_models,
    tokens_of,
)

pytestmark = pytest.mark.django_db(transaction=True)

WITHIN = 5.0  # seconds: the promise of docs/events.md
LIFETIME = 2  # seconds, in the short-lived server


@pytest.fixture(scope="module", params=FRONTS)
def server(request, django_db_setup, django_db_blocker, tmp_path_factory):
    """The server on its own, then behind Pushpin (issue 16): every test here runs through both."""
    logs = tmp_path_factory.mktemp("server-logs")
    with django_db_blocker.unblock(), serving(request.param, logs) as running:
        yield running


@pytest.fixture(scope="module", params=FRONTS)
def short_lived_server(request, django_db_setup, django_db_blocker, tmp_path_factory):
    logs = tmp_path_factory.mktemp("server-logs")
    lifetime = {"EVENTSTREAM_MAX_LIFETIME_SECONDS": str(LIFETIME)}
    with django_db_blocker.unblock(), serving(request.param, logs, **lifetime) as running:
        yield running


def deactivate(user) -> None:
    get_user_model().objects.filter(pk=user.pk).update(is_active=False)


def change_password(user) -> None:
    user.set_password("a-brand-new-password")
    user.save(update_fields=["password"])


# --- Token streams ------------------------------------------------------------------------------


def test_a_token_stream_ends_when_its_token_is_revoked(server):
    family = StreamFamily(server)
    with SseClient(stream_url(server), token=family.token) as client:
        revoke_tokens_of(family.parent)
        assert client.ended_by_server(WITHIN)
    assert stream_status(server, token=family.token).status_code == 401


def test_a_token_stream_ends_when_its_token_expires(server):
    family = StreamFamily(server)
    expiring = [m for m in token_models() if any(f.name == "expiry" for f in m._meta.fields)]
    if not expiring:
        pytest.skip("this token library's tokens do not expire")
    with SseClient(stream_url(server), token=family.token) as client:
        for model in expiring:
            model.objects.filter(user=family.parent).update(
                expiry=timezone.now() - datetime.timedelta(seconds=1)
            )
        assert client.ended_by_server(WITHIN)
    assert stream_status(server, token=family.token).status_code == 401


def test_a_token_stream_ends_when_the_password_changes(server):
    family = StreamFamily(server)
    with SseClient(stream_url(server), token=family.token) as client:
        change_password(family.parent)
        assert client.ended_by_server(WITHIN)
    # Saving a new password revokes the tokens (accounts.password_changes): a reconnect is a 401.
    assert stream_status(server, token=family.token).status_code == 401


def test_a_token_stream_ends_when_the_user_is_deactivated(server):
    family = StreamFamily(server)
    with SseClient(stream_url(server), token=family.token) as client:
        deactivate(family.parent)
        assert client.ended_by_server(WITHIN)
    assert stream_status(server, token=family.token).status_code == 401


def test_a_token_stream_ends_when_the_account_is_deleted(server):
    family = StreamFamily(server)
    with SseClient(stream_url(server), token=family.token) as client:
        deleted = httpx.delete(
            f"{server.url}/api/auth/me/", headers={"Authorization": f"Token {family.token}"}
        )
        assert deleted.status_code == 204
        assert client.ended_by_server(WITHIN)
    assert stream_status(server, token=family.token).status_code == 401


def test_every_stream_of_the_user_ends_on_deactivation_and_others_stay_open(server):
    family, neighbour = StreamFamily(server), StreamFamily(server)
    with (
        SseClient(stream_url(server), token=family.token) as first,
        SseClient(stream_url(server), token=family.token) as second,
        SseClient(stream_url(server), token=neighbour.token) as other,
    ):
        deactivate(family.parent)
        assert first.ended_by_server(WITHIN)
        assert second.ended_by_server(WITHIN)
        assert not other.ended.is_set()
        neighbour.activate()
        assert other.next(TRACKING_EVENT_CREATED).json()["child_id"] == neighbour.child.pk


def test_an_ended_stream_receives_nothing_more(server):
    family = StreamFamily(server)
    with SseClient(stream_url(server), token=family.token) as client:
        family.activate()
        client.next("task_activated")  # the last of the activation's two events
        revoke_tokens_of(family.parent)
        assert client.ended_by_server(WITHIN)
        family.activate(token=token_for(family.parent))
        assert client.drain(wait=1.0) == []


# --- Session streams ----------------------------------------------------------------------------


def test_a_session_stream_ends_when_the_user_signs_out(server):
    family = StreamFamily(server)
    with browser_session(server, family.parent) as browser:
        cookies = httpx.Cookies(browser.cookies)
        with SseClient(stream_url(server), cookies=cookies) as client:
            sign_out(browser)
            assert client.ended_by_server(WITHIN)
    assert stream_status(server, cookies=cookies).status_code == 401


def test_a_session_stream_ends_when_the_password_changes(server):
    family = StreamFamily(server)
    with browser_session(server, family.parent) as browser:
        cookies = httpx.Cookies(browser.cookies)
        with SseClient(stream_url(server), cookies=cookies) as client:
            change_password(family.parent)
            assert client.ended_by_server(WITHIN)
    assert stream_status(server, cookies=cookies).status_code == 401


def test_a_session_stream_ends_when_the_user_is_deactivated(server):
    family = StreamFamily(server)
    with browser_session(server, family.parent) as browser:
        cookies = httpx.Cookies(browser.cookies)
        with SseClient(stream_url(server), cookies=cookies) as client:
            deactivate(family.parent)
            assert client.ended_by_server(WITHIN)
    assert stream_status(server, cookies=cookies).status_code == 401


def test_signing_out_one_session_leaves_the_token_stream_open(server):
    family = StreamFamily(server)
    with (
        browser_session(server, family.parent) as browser,
        SseClient(stream_url(server), token=family.token) as token_stream,
    ):
        cookies = httpx.Cookies(browser.cookies)
        with SseClient(stream_url(server), cookies=cookies) as session_stream:
            sign_out(browser)
            assert session_stream.ended_by_server(WITHIN)
        family.activate()
        assert token_stream.next(TRACKING_EVENT_CREATED).json()["child_id"] == family.child.pk


def test_revoking_one_token_leaves_the_users_other_token_streams_open(server):
    family = StreamFamily(server)
    second_token = token_for(family.parent)
    if second_token == family.token:
        pytest.skip("this token library gives one token per user")
    with (
        SseClient(stream_url(server), token=family.token) as revoked,
        SseClient(stream_url(server), token=second_token) as kept,
    ):
        httpx.delete(
            f"{server.url}/api/auth/token/", headers={"Authorization": f"Token {family.token}"}
        ).raise_for_status()
        assert revoked.ended_by_server(WITHIN)
        family.activate(token=second_token)
        assert kept.next(TRACKING_EVENT_CREATED).json()["child_id"] == family.child.pk


# --- The check's cost ---------------------------------------------------------------------------


def test_the_check_costs_one_query_per_credential_model_whatever_the_number_of_streams(
    django_assert_num_queries,
):
    def session_of(user) -> str:
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session.create()
        return session.session_key

    def stream_of(user, *, token=None, session_key=None) -> OpenStream:
        return OpenStream(
            user_id=user.pk,
            household_id=household_of(user).pk,
            auth_hash=user.get_session_auth_hash(),
            token=(type(token), token.pk) if token else None,
            session_key=session_key,
            deadline=time.monotonic() + 60,
        )

    users = UserFactory.create_batch(6)
    streams = []
    for user in users:
        for _ in range(3):
            token_for(user)
        streams += [stream_of(user, token=token) for token in tokens_of(user)]
        streams += [stream_of(user, session_key=session_of(user)) for _ in range(3)]
    revoked, deactivated, changed, deleted, signed_out, _untouched = users
    by_user = {user.pk: [s for s in streams if s.user_id == user.pk] for user in users}
    expected = {
        by_user[revoked.pk][0],
        *by_user[deactivated.pk],
        *by_user[changed.pk],
        *by_user[deleted.pk],
        by_user[signed_out.pk][-1],
    }
    token_model, token_pk = by_user[revoked.pk][0].token
    token_model.objects.filter(pk=token_pk).delete()
    deactivate(deactivated)
    change_password(changed)
    deleted.delete()
    SessionStore(session_key=by_user[signed_out.pk][-1].session_key).delete()

    with django_assert_num_queries(4):  # users, memberships, tokens, sessions
        ended = ended_streams(streams)

    assert set(ended) == expected


# --- Lifetime -----------------------------------------------------------------------------------


def test_a_stream_ends_after_its_lifetime_and_resumes_with_last_event_id(short_lived_server):
    family = StreamFamily(short_lived_server, points=1)
    opened = time.monotonic()
    with SseClient(stream_url(short_lived_server), token=family.token) as client:
        family.activate()
        last_seen = client.next("task_activated").id
        assert client.ended_by_server(LIFETIME + 3)
    assert time.monotonic() - opened >= LIFETIME - 0.5
    family.activate()
    family.activate()
    with SseClient(
        stream_url(short_lived_server), token=family.token, last_event_id=last_seen
    ) as resumed:
        missed = [resumed.next(TRACKING_EVENT_CREATED).json() for _ in range(2)]
    assert [event["points_after"] for event in missed] == [2, 3]
