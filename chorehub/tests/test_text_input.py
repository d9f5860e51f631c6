"""Names, descriptions and reasons refuse control characters and bidi controls (issue 13, item 11).

A child named `Rtl\\u202etxt.exe` reversed the admin text after it; `ESC [31m` reached the CSV raw.
Every free-text field refuses them with a 400 on the field and changes nothing; a reward's
description still takes line breaks; ordinary names in any script still pass; the models (and so
the admin's forms) refuse the same.
"""

import json
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse

from children.models import Child, Task
from children.services import activate_task
from kernel.text import UNSAFE_CHARACTER
from rewards.models import Reward
from testsupport.factories import ChildFactory, RewardFactory, TaskFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]

# Right-to-left override, escape, null, first-strong isolate, left-to-right embedding, pop
# directional isolate, tab, delete, a C1 control (NEL), and a line feed or carriage return where
# the text is one line.
UNSAFE = ["\u202e", "\x1b", "\x00", "\u2066", "\u202a", "\u2069", "\t", "\x7f", "\x85", "\n", "\r"]
PASSWORD = "violet-harbour-lantern-42"


@pytest.fixture
def family(parent):
    child = ChildFactory(owner=parent, name="Alice", points=50)
    chore = TaskFactory(owner=parent, name="Dishes", points=5)
    reward = RewardFactory(owner=parent, name="Ice cream", description="One scoop")
    child.tasks.add(chore)
    event_id = activate_task(child=child, task=chore).extras["tracking_event"]["id"]
    return SimpleNamespace(
        child=child, chore=chore, reward=reward, event=SimpleNamespace(pk=event_id)
    )


def text_in_the_middle(character: str) -> str:
    # In the middle: DRF trims whitespace (a tab, a line feed) at the ends of a value.
    return f"Rtl{character}txt"


# (method, route, path object, body with the text as {}, field named in the error)
TEXT_FIELDS = [
    ("post", "child-list", None, {"name": "{}"}, "name"),
    ("patch", "child-detail", "child", {"name": "{}"}, "name"),
    ("post", "task-list", None, {"name": "{}", "points": 5}, "name"),
    ("patch", "task-detail", "chore", {"name": "{}"}, "name"),
    ("post", "reward-list", None, {"name": "{}", "cost": 5}, "name"),
    ("patch", "reward-detail", "reward", {"name": "{}"}, "name"),
    ("post", "reward-list", None, {"name": "Cake", "cost": 5, "description": "{}"}, "description"),
    ("patch", "reward-detail", "reward", {"description": "{}"}, "description"),
    ("post", "child-adjust", "child", {"points": 5, "reason": "{}"}, "reason"),
    ("post", "event-reverse", "event", {"reason": "{}"}, "reason"),
]


def fill(body: dict, text: str) -> dict:
    return {key: text if value == "{}" else value for key, value in body.items()}


def url_for(route: str, path: str | None, family) -> str:
    return reverse(route, args=[getattr(family, path).pk] if path else [])


def snapshot(family) -> dict:
    """Every row count, and every text and points value the requests could change."""
    return {
        "rows": {model._meta.label: model.objects.count() for model in apps.get_models()},
        "child": Child.objects.values("name", "points").get(pk=family.child.pk),
        "chore": Task.objects.values("name").get(pk=family.chore.pk),
        "reward": Reward.objects.values("name", "description").get(pk=family.reward.pk),
    }


@pytest.mark.parametrize(
    ("method", "route", "path", "body", "field", "character"),
    [
        pytest.param(*case, character, id=f"{case[0]} {case[1]} {case[4]} U+{ord(character):04X}")
        for case in TEXT_FIELDS
        for character in UNSAFE
        if not (case[4] == "description" and character == "\n")  # a line break: allowed there
    ],
)
def test_free_text_with_a_control_or_bidi_character_is_a_400_on_the_field(
    parent_client, family, method, route, path, body, field, character
):
    before = snapshot(family)

    response = getattr(parent_client, method)(
        url_for(route, path, family),
        json.dumps(fill(body, text_in_the_middle(character))),
        content_type="application/json",
    )

    assert response.status_code == 400, response.content
    assert list(response.json()) == [field]
    if character != "\x00":  # DRF's own check answers a null character first
        assert response.json()[field] == [UNSAFE_CHARACTER.format(code_point=ord(character))]
    assert snapshot(family) == before


@pytest.mark.parametrize("character", UNSAFE, ids=lambda c: f"U+{ord(c):04X}")
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("username", "maria{}x"),
        ("email", "maria@exa{}mple.com"),
        ("email", '"maria{}x"@example.com'),
    ],
)
def test_register_refuses_a_control_or_bidi_character_in_the_username_or_email(
    anon_client, field, value, character
):
    body = {"username": "maria", "password": PASSWORD, field: value.format(character)}

    response = anon_client.post(reverse("auth-register"), body, format="json")

    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not apps.get_model("auth", "User").objects.filter(username__startswith="maria").exists()


@pytest.mark.parametrize("line_break", ["\n", "\r\n"], ids=["LF", "CRLF"])
def test_a_reward_description_keeps_its_line_breaks(parent_client, line_break):
    description = f"One scoop{line_break}Two on Sundays"

    response = parent_client.post(
        reverse("reward-list"), {"name": "Ice cream", "cost": 5, "description": description}
    )

    assert response.status_code == 201, response.content
    assert Reward.objects.get(pk=response.json()["id"]).description == description


def test_a_lone_carriage_return_in_a_description_is_refused(parent_client):
    response = parent_client.post(
        reverse("reward-list"), {"name": "Ice cream", "cost": 5, "description": "One\rTwo"}
    )

    assert response.status_code == 400
    assert response.json() == {"description": [UNSAFE_CHARACTER.format(code_point=0x0D)]}


@pytest.mark.parametrize(
    "name",
    [
        "Alice",
        "Zoë-Marie O'Neil",
        "李小龙",
        "עברית 2",  # right-to-left letters are letters, not controls
        "مريم",
        "Ben \u200d🙂",  # a zero-width joiner is a format character, not a control
        "Ana\u200fb",  # the right-to-left mark (not an embedding, override or isolate)
    ],
)
def test_ordinary_names_in_any_script_still_pass(parent_client, name):
    child = parent_client.post(reverse("child-list"), {"name": name})
    task = parent_client.post(reverse("task-list"), {"name": name, "points": 3})
    reward = parent_client.post(reverse("reward-list"), {"name": name, "cost": 3})

    assert [child.status_code, task.status_code, reward.status_code] == [201, 201, 201]
    assert Child.objects.get(pk=child.json()["id"]).name == name


@pytest.mark.parametrize(
    ("model", "field", "value", "refused_character"),
    [
        (Child, "name", "Rtl\u202etxt.exe", "\u202e"),
        (Task, "name", "Dishes\x1b[31m", "\x1b"),
        (Reward, "name", "Cake\u2066", "\u2066"),
        (Reward, "description", "One\x1b[31m scoop", "\x1b"),
    ],
)
def test_the_models_refuse_the_same_characters_for_the_admin_forms(
    parent, model, field, value, refused_character
):
    instance = {Child: ChildFactory, Task: TaskFactory, Reward: RewardFactory}[model](owner=parent)
    setattr(instance, field, value)

    with pytest.raises(ValidationError) as refused:
        instance.full_clean()

    assert refused.value.message_dict == {
        field: [UNSAFE_CHARACTER.format(code_point=ord(refused_character))]
    }
