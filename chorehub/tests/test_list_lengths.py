"""A list in a request body is refused by its length before any item is checked (issue 13, item 6).

DRF's ListField validates every item and only then the length: 200,000 ids cost about a second of
CPU before the 400 "no more than 1000 elements". `kernel.api.ListField` checks the length first.
(The time itself is not asserted; that an over-long list of invalid items gets the length message
and no per-item error shows that no item was validated.)
"""

import importlib
import json
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.urls import reverse
from rest_framework import serializers

from children.serializers import MAX_ASSIGNED
from kernel.api import ListField

pytestmark = pytest.mark.django_db

TOO_LONG = serializers.ListField.default_error_messages["max_length"].format(
    max_length=MAX_ASSIGNED
)
ID_LISTS = [("child-tasks", "task_ids"), ("child-rewards", "reward_ids")]


@pytest.mark.parametrize(("route", "field"), ID_LISTS)
def test_two_hundred_thousand_ids_are_refused_by_their_length(parent_client, child, route, field):
    body = json.dumps({field: list(range(1, 200_001))})

    response = parent_client.put(
        reverse(route, args=[child.pk]), body, content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json() == {field: [TOO_LONG]}


@pytest.mark.parametrize(("route", "field"), ID_LISTS)
@pytest.mark.parametrize("item", ["abc", -1, None, [1], 2**63])
def test_an_over_long_list_of_invalid_items_gets_the_length_message_and_no_item_error(
    parent_client, child, route, field, item
):
    body = json.dumps({field: [item] * (MAX_ASSIGNED + 1)})

    response = parent_client.put(
        reverse(route, args=[child.pk]), body, content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json() == {field: [TOO_LONG]}


def test_a_list_at_the_limit_is_still_checked_item_by_item(parent_client, child):
    body = json.dumps({"task_ids": ["abc"] * MAX_ASSIGNED})

    response = parent_client.put(
        reverse("child-tasks", args=[child.pk]), body, content_type="application/json"
    )

    assert response.status_code == 400
    assert set(response.json()["task_ids"]) == {str(index) for index in range(MAX_ASSIGNED)}


def project_serializer_classes() -> list[type[serializers.BaseSerializer]]:
    """Every serializer class declared in the project's apps' `serializers` modules."""
    classes = []
    for config in apps.get_app_configs():
        if Path(config.path).parent != settings.BASE_DIR:
            continue
        try:
            module = importlib.import_module(f"{config.name}.serializers")
        except ModuleNotFoundError:
            continue
        classes += [
            value
            for value in vars(module).values()
            if isinstance(value, type)
            and issubclass(value, serializers.BaseSerializer)
            and value.__module__ == module.__name__
        ]
    return classes


def test_every_list_field_of_the_project_checks_its_length_first():
    classes = project_serializer_classes()
    lists = {
        f"{cls.__name__}.{name}": field
        for cls in classes
        for name, field in cls._declared_fields.items()
        if isinstance(field, serializers.ListField)
    }

    assert {"AssignTasksSerializer.task_ids", "AssignRewardsSerializer.reward_ids"} <= set(lists)
    assert [name for name, field in lists.items() if not isinstance(field, ListField)] == []
