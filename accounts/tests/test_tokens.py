"""API tokens (django-rest-knox): stored as digests, one per sign-in, expiring, revocable one by one
or all at once, and revoked by a password change; the admin shows them by prefix only."""

import hashlib
from datetime import timedelta

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from accounts.authentication import INVALID_TOKEN
from accounts.serializers import WRONG_PASSWORD
from accounts.views import LOCKED_OUT, NOT_A_TOKEN
from testsupport.tokens import token_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]
PASSWORD = "correct-horse-battery"  # testsupport.factories.UserFactory's
NEW_PASSWORD = "violet-harbour-lantern-42"


def sign_in(username: str, password: str = PASSWORD, **extra):
    return APIClient().post(
        reverse("auth-token"), {"username": username, "password": password}, **extra
    )


def client_with(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def works(key: str) -> bool:
    status = client_with(key).get(reverse("auth-me")).status_code
    assert status in (200, 401), status
    return status == 200


def test_a_token_is_stored_as_the_digest_of_its_key_never_the_key(parent):
    key = sign_in(parent.username).json()["token"]

    token = AuthToken.objects.get(user=parent)
    assert token.digest == hashlib.sha512(key.encode()).hexdigest()
    assert token.token_key == key[:15]
    stored = [str(value) for value in AuthToken.objects.values_list().get()]
    assert not any(key in value for value in stored)


def test_each_sign_in_issues_a_new_token_and_each_works(parent):
    first = sign_in(parent.username).json()["token"]
    second = sign_in(parent.username).json()["token"]

    assert first != second
    assert AuthToken.objects.filter(user=parent).count() == 2
    assert works(first) and works(second)


def test_a_token_expires_after_the_configured_days(parent, settings):
    settings.REST_KNOX = {**settings.REST_KNOX, "TOKEN_TTL": timedelta(days=2)}
    before = timezone.now()

    body = sign_in(parent.username).json()

    token = AuthToken.objects.get(user=parent)
    assert before + timedelta(days=2) <= token.expiry <= timezone.now() + timedelta(days=2)
    assert body["expiry"] == token.expiry.isoformat().replace("+00:00", "Z")


def test_tokens_expire_after_30_days_by_default(parent):
    sign_in(parent.username)

    expiry = AuthToken.objects.get(user=parent).expiry
    assert abs(expiry - timezone.now() - timedelta(days=30)) < timedelta(minutes=1)


def test_an_expired_token_is_a_401_and_is_deleted(parent):
    key = token_for(parent)
    AuthToken.objects.filter(user=parent).update(expiry=timezone.now() - timedelta(seconds=1))

    response = client_with(key).get(reverse("auth-me"))

    assert response.status_code == 401
    assert not AuthToken.objects.filter(user=parent).exists()


def test_signing_in_deletes_the_users_expired_tokens(parent, other_parent):
    token_for(parent)
    token_for(other_parent)
    AuthToken.objects.update(expiry=timezone.now() - timedelta(seconds=1))

    sign_in(parent.username)

    assert AuthToken.objects.filter(user=parent).count() == 1
    assert AuthToken.objects.filter(user=other_parent).count() == 1  # not this sign-in's to delete


@pytest.mark.parametrize("keyword", ["Token", "token", "TOKEN"])
def test_the_token_keyword_is_accepted_in_any_case(parent, keyword):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"{keyword} {token_for(parent)}")

    assert client.get(reverse("auth-me")).status_code == 200


def test_a_key_that_is_not_utf8_is_a_401_not_a_500(parent):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token caf\xe9")

    response = client.get(reverse("auth-me"))

    assert response.status_code == 401
    assert response.json() == {"detail": INVALID_TOKEN}


def test_deleting_the_token_signs_out_that_token_only(parent):
    mine, other_device = token_for(parent), token_for(parent)

    response = client_with(mine).delete(reverse("auth-token"))

    assert response.status_code == 204
    assert not works(mine)
    assert works(other_device)


def test_deleting_the_token_of_a_session_is_a_400_that_revokes_nothing(parent):
    key = token_for(parent)
    client = APIClient()
    client.force_login(parent)

    response = client.delete(reverse("auth-token"))

    assert response.status_code == 400
    assert response.json() == {"detail": NOT_A_TOKEN}
    assert works(key)


def test_deleting_all_tokens_signs_out_every_device_of_the_user_only(parent, other_parent):
    mine, other_device, someone_elses = (
        token_for(parent),
        token_for(parent),
        token_for(other_parent),
    )

    response = client_with(mine).delete(reverse("auth-tokens"))

    assert response.status_code == 204
    assert not works(mine)
    assert not works(other_device)
    assert works(someone_elses)


def change_password(client: APIClient, old: str = PASSWORD, new: str = NEW_PASSWORD):
    return client.post(reverse("auth-password"), {"old_password": old, "new_password": new})


def test_changing_the_password_revokes_every_other_token_and_keeps_the_callers(
    parent, other_parent
):
    mine, other_device, someone_elses = (
        token_for(parent),
        token_for(parent),
        token_for(other_parent),
    )

    response = change_password(client_with(mine))

    assert response.status_code == 204
    assert works(mine)
    assert not works(other_device)
    assert works(someone_elses)
    parent.refresh_from_db()
    assert parent.check_password(NEW_PASSWORD)
    assert sign_in(parent.username, NEW_PASSWORD).status_code == 200
    assert sign_in(parent.username, PASSWORD).status_code == 400


def test_changing_the_password_in_a_session_keeps_it_and_ends_the_others(parent):
    caller, other_session = APIClient(), APIClient()
    caller.force_login(parent)
    other_session.force_login(parent)
    key = token_for(parent)

    response = change_password(caller)

    assert response.status_code == 204
    assert caller.get(reverse("auth-me")).status_code == 200
    assert other_session.get(reverse("auth-me")).status_code in (401, 403)
    assert not works(key)


def test_changing_the_password_needs_the_current_one(parent):
    key = token_for(parent)
    other_device = token_for(parent)

    response = change_password(client_with(key), old="not-my-password")

    assert response.status_code == 400
    assert response.json() == {"old_password": [WRONG_PASSWORD]}
    parent.refresh_from_db()
    assert parent.check_password(PASSWORD)
    assert works(other_device)


def test_the_new_password_must_pass_the_password_rules(parent):
    response = change_password(client_with(token_for(parent)), new="12345678")

    assert response.status_code == 400
    assert response.json()["new_password"]
    parent.refresh_from_db()
    assert parent.check_password(PASSWORD)


def test_wrong_current_passwords_count_as_failed_sign_ins(parent, settings):
    client = client_with(token_for(parent))
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert change_password(client, old="guess").status_code == 400

    locked = change_password(client, old="guess")

    assert locked.status_code == 429
    assert locked.json() == {"detail": LOCKED_OUT.format(minutes=15)}
    assert change_password(client).status_code == 429  # even the right one, until the cool-off
    assert sign_in(parent.username).status_code == 429


def test_the_admin_shows_tokens_by_prefix_and_never_their_digest(parent, staff_user):
    key = token_for(parent)
    token = AuthToken.objects.get(user=parent)
    staff_user.is_superuser = True
    staff_user.save()
    admin = APIClient()
    admin.force_login(staff_user)
    changelist = reverse("admin:accounts_apitoken_changelist")

    page = admin.get(changelist).content.decode()
    by_digest = admin.get(changelist, {"q": token.digest}).content.decode()

    assert token.token_key in page
    assert token.digest not in page
    assert key not in page
    assert token.token_key not in by_digest
    assert admin.get(reverse("admin:accounts_apitoken_add")).status_code == 403
    with pytest.raises(NoReverseMatch):  # knox's own admin is not registered
        reverse("admin:knox_authtoken_changelist")


def test_staff_revoke_an_accounts_tokens_from_the_account_list(parent, other_parent, staff_user):
    mine, someone_elses = token_for(parent), token_for(other_parent)
    staff_user.is_superuser = True
    staff_user.save()
    admin = APIClient()
    admin.force_login(staff_user)

    response = admin.post(
        reverse("admin:auth_user_changelist"),
        {"action": "revoke_api_tokens", "_selected_action": [parent.pk]},
        format="multipart",
    )

    assert response.status_code == 302
    assert not works(mine)
    assert works(someone_elses)
