"""The account admin's own action: revoking an account's API tokens needs the right to change
accounts, not only to view them."""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from testsupport.factories import UserFactory
from testsupport.tokens import token_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]


def staff_with(*codenames: str) -> Client:
    staff = UserFactory(is_staff=True)
    staff.user_permissions.set(
        Permission.objects.filter(content_type__app_label="auth", codename__in=codenames)
    )
    client = Client()
    client.force_login(staff)
    return client


def revoke_tokens_of(client: Client, user):
    return client.post(
        reverse("admin:auth_user_changelist"),
        {"action": "revoke_api_tokens", "_selected_action": [user.pk], "index": "0"},
    )


def still_works(key: str) -> bool:
    client = Client(HTTP_AUTHORIZATION=f"Token {key}")
    return client.get(reverse("auth-me")).status_code == 200


def test_view_only_staff_are_not_offered_the_revoke_action(parent):
    page = staff_with("view_user").get(reverse("admin:auth_user_changelist"))

    assert page.status_code == 200
    assert "revoke_api_tokens" not in page.content.decode()


def test_view_only_staff_cannot_revoke_an_accounts_tokens(parent):
    key = token_for(parent)

    response = revoke_tokens_of(staff_with("view_user"), parent)

    # The admin treats an action the user may not run as one it does not know: no action runs,
    # the list is shown again.
    assert response.status_code == 200
    assert still_works(key)


def test_staff_who_may_change_accounts_revoke_their_tokens(parent, other_parent):
    key, someone_elses = token_for(parent), token_for(other_parent)
    client = staff_with("view_user", "change_user")

    assert "revoke_api_tokens" in client.get(reverse("admin:auth_user_changelist")).content.decode()
    response = revoke_tokens_of(client, parent)

    assert response.status_code == 302
    assert not still_works(key)
    assert still_works(someone_elses)
