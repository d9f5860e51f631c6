"""`?_to_field=` on every admin page: a reverse relation is refused with Django's 400, never a
500 (kernel/model_admin.py), on every model the admin site registers, the project's, Django's
and django-axes' alike."""

import logging

import pytest
from django.contrib import admin
from django.urls import reverse

from kernel.model_admin import RefuseReverseToField

pytestmark = pytest.mark.django_db

REGISTERED = sorted(admin.site._registry, key=lambda model: model._meta.label)


def changelist(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def reverse_relations(model) -> list[str]:
    return [
        field.name
        for field in model._meta.get_fields(include_hidden=True)
        if field.auto_created and not field.concrete
    ]


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_a_reverse_relation_as_to_field_is_refused_with_a_400(model, admin_client, caplog):
    admin_client.raise_request_exception = False
    with caplog.at_level(logging.ERROR, logger="django.security"):
        answers = [
            (name, admin_client.get(changelist(model), {"_to_field": name}).status_code)
            for name in reverse_relations(model)
        ]

    assert all(status == 400 for _, status in answers), answers
    refused = [r.getMessage() for r in caplog.records if "cannot be referenced" in r.getMessage()]
    assert len(refused) == len(answers)


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_the_primary_key_as_to_field_still_lists(model, admin_client):
    response = admin_client.get(changelist(model), {"_to_field": model._meta.pk.name})

    assert response.status_code == 200


def test_every_registered_admin_refuses_a_reverse_relation_as_to_field():
    """Including models with no reverse relation yet: one added later is covered already."""
    unguarded = [
        model._meta.label
        for model, model_admin in admin.site._registry.items()
        if not isinstance(model_admin, RefuseReverseToField)
    ]

    assert unguarded == []
