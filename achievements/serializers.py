"""Request and response shapes of the achievements API: badge definitions, a child's awards, and
the family's week."""

from typing import Any

from rest_framework import serializers

from achievements.catalog import badge_of
from achievements.models import (
    BADGE_NAME_MAX,
    DEFINABLE_PERIODS,
    RATIO_TERM_MAX,
    THRESHOLD_MAX,
    BadgeAward,
    BadgeDefinition,
    Criterion,
    Period,
)
from children.selectors import tasks_for
from kernel.api import StrictFieldsMixin, id_field
from kernel.text import validate_single_line_text

PERIOD_NOT_FOR_CRITERION = "A {criterion} badge takes the period {allowed}."
TASK_REQUIRED = "A task_count badge needs the chore it counts (task_id)."
TASK_NOT_TAKEN = "Only a task_count badge counts one chore; leave task_id out."
NOT_A_CHORE = "Task {id} is not one of your household's chores (a penalty is not counted)."
RATIO_REQUIRED = "A good_ratio badge needs ratio_good and ratio_not_good."
RATIO_NOT_TAKEN = "Only a good_ratio badge takes a ratio; leave it out."
THRESHOLD_REQUIRED = "This field is required."
CRITERION_FIXED = (
    "A badge's criterion cannot change once it exists (what it awarded was awarded under it); "
    "delete it and define another."
)
CRITERION_FIELDS = ("criterion", "task_id", "threshold", "ratio_good", "ratio_not_good", "period")


class BadgeDefinitionSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    key = serializers.CharField(read_only=True, help_text="`custom_<id>`: the awards' badge_key.")
    name = serializers.CharField(
        max_length=BADGE_NAME_MAX, allow_blank=False, validators=[validate_single_line_text]
    )
    criterion = serializers.ChoiceField(
        choices=list(DEFINABLE_PERIODS),
        help_text="task_count: activations of one chore (task_id); chore_count: of any chore; "
        "week_points: points earned from chores in a week; streak_length: days in a row; "
        "good_ratio: at least ratio_good chores for every ratio_not_good penalties, with "
        "`threshold` chores or more. Cannot change once the badge exists.",
    )
    task_id = id_field(required=False, allow_null=True, help_text="task_count only: the chore.")
    threshold = serializers.IntegerField(
        min_value=1,
        max_value=THRESHOLD_MAX,
        required=False,
        help_text="The count, points or days to reach; for good_ratio the fewest chores the "
        "period needs (default 1). Required but for good_ratio.",
    )
    ratio_good = serializers.IntegerField(
        min_value=1, max_value=RATIO_TERM_MAX, required=False, allow_null=True
    )
    ratio_not_good = serializers.IntegerField(
        min_value=1, max_value=RATIO_TERM_MAX, required=False, allow_null=True
    )
    period = serializers.ChoiceField(
        choices=Period.choices,
        required=False,
        help_text="task_count and chore_count: lifetime (default), week or month; week_points: "
        "week; streak_length: lifetime; good_ratio: week (default) or month.",
    )
    description = serializers.SerializerMethodField(help_text="The criterion in words.")

    class Meta:
        model = BadgeDefinition
        fields = [
            "id",
            "key",
            "name",
            "criterion",
            "task_id",
            "threshold",
            "ratio_good",
            "ratio_not_good",
            "period",
            "description",
            "created_at",
        ]
        read_only_fields = ["created_at"]

    def get_description(self, definition: BadgeDefinition) -> str:
        return badge_of(definition).describe()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.instance is not None:
            return self.validate_unchanged_criterion(attrs)
        criterion = attrs["criterion"]
        errors: dict[str, list[str]] = {}
        allowed = DEFINABLE_PERIODS[criterion]
        attrs.setdefault("period", allowed[0])
        if attrs["period"] not in allowed:
            errors["period"] = [
                PERIOD_NOT_FOR_CRITERION.format(criterion=criterion, allowed=" or ".join(allowed))
            ]
        task_id = attrs.pop("task_id", None)
        if criterion == Criterion.TASK_COUNT:
            task = None
            if task_id is not None:
                task = tasks_for(self.context["user"]).filter(pk=task_id, is_good=True).first()
            if task is None:
                errors["task_id"] = [
                    TASK_REQUIRED if task_id is None else NOT_A_CHORE.format(id=task_id)
                ]
            attrs["task"] = task
        elif task_id is not None:
            errors["task_id"] = [TASK_NOT_TAKEN]
        ratio = (attrs.get("ratio_good"), attrs.get("ratio_not_good"))
        if criterion == Criterion.GOOD_RATIO:
            for name, value in zip(("ratio_good", "ratio_not_good"), ratio, strict=True):
                if value is None:
                    errors[name] = [RATIO_REQUIRED]
            attrs.setdefault("threshold", 1)
        else:
            for name, value in zip(("ratio_good", "ratio_not_good"), ratio, strict=True):
                if value is not None:
                    errors[name] = [RATIO_NOT_TAKEN]
            if "threshold" not in attrs:
                errors["threshold"] = [THRESHOLD_REQUIRED]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs

    def validate_unchanged_criterion(self, attrs: dict[str, Any]) -> dict[str, Any]:
        """On an update, only the name may change; a criterion field sent must be as it is."""
        current = {
            "criterion": self.instance.criterion,
            "task_id": self.instance.task_id,
            "threshold": self.instance.threshold,
            "ratio_good": self.instance.ratio_good,
            "ratio_not_good": self.instance.ratio_not_good,
            "period": self.instance.period,
        }
        changed = [
            name for name in CRITERION_FIELDS if name in attrs and attrs[name] != current[name]
        ]
        if changed:
            raise serializers.ValidationError({name: [CRITERION_FIXED] for name in changed})
        return {"name": attrs["name"]} if "name" in attrs else {}


class BadgeAwardSerializer(serializers.ModelSerializer):
    """A badge a child was awarded for a period (and whether it was revoked since)."""

    period_start = serializers.DateField(
        allow_null=True, help_text="The period's first household day; null for lifetime."
    )
    standing = serializers.BooleanField(help_text="Awarded and not revoked.")

    class Meta:
        model = BadgeAward
        fields = [
            "badge_key",
            "name",
            "criterion",
            "period",
            "period_start",
            "standing",
            "awarded_at",
            "award_event_id",
            "revoked_at",
            "revoke_event_id",
        ]
        read_only_fields = fields
