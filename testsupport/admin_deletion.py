"""A deletion through the Django admin, as a staff member clicks it, to race against other writes.

`admin_deletion(row, bulk=...)` signs a superuser in and returns a callable that posts the
confirmed deletion of `row`: its own delete page, or the list's "delete selected" action. The
client does not raise the view's exceptions, so a failure is the 500 a staff member would see.
"""

from collections.abc import Callable

from django.db import models
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from testsupport.factories import UserFactory

ADMIN_DELETIONS = ("its delete page", "delete selected")


def admin_deletion(row: models.Model, *, bulk: bool) -> Callable[[], HttpResponse]:
    client = Client(raise_request_exception=False)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    opts = row._meta
    if bulk:
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        body = {"action": "delete_selected", "_selected_action": [row.pk], "post": "yes"}
    else:
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_delete", args=[row.pk])
        body = {"post": "yes"}
    return lambda: client.post(url, body)
