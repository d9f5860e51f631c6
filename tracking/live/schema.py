"""OpenAPI descriptions of the event stream's messages, so frontends can generate their types.

These serializers only document; `tracking.live.channels` builds the payloads.
"""

from drf_spectacular.utils import PolymorphicProxySerializer
from rest_framework import serializers

from tracking.models import Action, EntityType


class StreamChildSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    age = serializers.IntegerField(allow_null=True)
    points = serializers.IntegerField()
    available_points = serializers.IntegerField(
        help_text="Points minus what the child's pending reward requests hold, never below 0."
    )


class CountAndPointsSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    points = serializers.IntegerField()


class LifetimeFiguresSerializer(serializers.Serializer):
    earned = serializers.IntegerField(help_text="Points earned from chores.")
    lost = serializers.IntegerField(help_text="Points lost to penalties.")
    spent = serializers.IntegerField(help_text="Points spent on rewards.")
    adjusted = serializers.IntegerField(help_text="Adjustments, signed.")
    reversed = serializers.IntegerField(help_text="What reversals left, signed.")
    reversals = serializers.IntegerField()
    good = CountAndPointsSerializer(help_text="Chores: activations that stand, their points.")
    not_good = CountAndPointsSerializer(help_text="Penalties: activations that stand, points.")
    net = serializers.IntegerField(help_text="Equals `points`.")


class StreakFiguresSerializer(serializers.Serializer):
    current = serializers.IntegerField()
    best = serializers.IntegerField()


class RowFiguresSerializer(serializers.Serializer):
    """The child's figures after a row that changed them (added by the insights app;
    docs/insights.md)."""

    points = serializers.IntegerField()
    lifetime = LifetimeFiguresSerializer()
    streak = StreakFiguresSerializer(help_text="As it stands on the household's today.")
    days = serializers.ListField(
        child=serializers.DateField(),
        help_text="The household days whose figures the row changed (a reversal's: its "
        "original's and its own; a pause's: the paused day).",
    )


class TrackingEventCreatedSerializer(serializers.Serializer):
    """`tracking_event_created`: a TrackingEvent row was committed."""

    tracking_event_id = serializers.IntegerField()
    child_id = serializers.IntegerField()
    entity_type = serializers.ChoiceField(choices=EntityType.choices)
    entity_id = serializers.IntegerField(allow_null=True)
    action = serializers.ChoiceField(choices=Action.choices)
    points_before = serializers.IntegerField()
    points_after = serializers.IntegerField()
    delta = serializers.IntegerField()
    occurred_at = serializers.DateTimeField()
    figures = RowFiguresSerializer(
        required=False,
        help_text="Present when the row changed the child's figures (not for a request, a "
        "claim or a badge).",
    )


class PointsActionEventSerializer(serializers.Serializer):
    """`task_activated`, `task_claimed`, `claim_rejected`, `reward_requested`,
    `reward_redeemed`, `reward_cancelled`, `points_adjusted`, `points_reversed`."""

    child = StreamChildSerializer()
    entity_type = serializers.ChoiceField(choices=EntityType.choices)
    entity_id = serializers.IntegerField(allow_null=True)
    entity_name = serializers.CharField()
    action = serializers.ChoiceField(choices=Action.choices)
    points_before = serializers.IntegerField()
    points_after = serializers.IntegerField()
    actor = serializers.ChoiceField(
        choices=["guardian", "child", "parent"],
        help_text="Who acted, from the credential: a guardian's account, or a child's paired "
        "device. Events before households say `parent`.",
    )
    request_id = serializers.IntegerField(allow_null=True)
    claim_id = serializers.IntegerField(
        allow_null=True,
        help_text="The chore's claim: set on `task_claimed`, `claim_rejected` and the "
        "`task_activated` that approved a claim; null otherwise.",
    )
    reason = serializers.CharField(allow_null=True, help_text="Adjustments and reversals only.")
    occurred_at = serializers.DateTimeField()


class ChildCreatedEventSerializer(serializers.Serializer):
    """`child_created`."""

    child = StreamChildSerializer()
    occurred_at = serializers.DateTimeField()


class ChildChangedEventSerializer(serializers.Serializer):
    """`child_changed`: name, age or assignment changed (`changed` lists which)."""

    child = StreamChildSerializer()
    changed = serializers.ListField(child=serializers.CharField())
    occurred_at = serializers.DateTimeField()


class ChildDeletedEventSerializer(serializers.Serializer):
    """`child_deleted`."""

    child_id = serializers.IntegerField()
    child_name = serializers.CharField()
    occurred_at = serializers.DateTimeField()


class BadgeEventSerializer(serializers.Serializer):
    """`badge_awarded`, `badge_revoked`: a badge event was appended to a child's history (the
    achievements app sends them; docs/achievements.md)."""

    child_id = serializers.IntegerField()
    child_name = serializers.CharField()
    badge_key = serializers.CharField(
        help_text="`streak_7`, `chores_10`, `clean_week`, ...; `custom_<id>` for a household's."
    )
    name = serializers.CharField()
    criterion = serializers.CharField(help_text="chore_count, task_count, streak_length, ...")
    description = serializers.CharField(help_text="The criterion in words.")
    period = serializers.ChoiceField(choices=["lifetime", "week", "month"])
    period_start = serializers.DateField(
        allow_null=True, help_text="The period's first household day; null for lifetime."
    )
    tracking_event_id = serializers.IntegerField(help_text="The `awarded` or `revoked` event.")
    occurred_at = serializers.DateTimeField()


STREAM_EVENT = PolymorphicProxySerializer(
    component_name="StreamEventData",
    serializers=[
        TrackingEventCreatedSerializer,
        PointsActionEventSerializer,
        ChildCreatedEventSerializer,
        ChildChangedEventSerializer,
        ChildDeletedEventSerializer,
        BadgeEventSerializer,
    ],
    resource_type_field_name=None,
)
