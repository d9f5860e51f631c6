"""Query filters for tracking event lists: a malformed value is a 400 that names the parameter."""

import django_filters

from kernel.api import IdFilter, UtcDateTimeFilter
from tracking.models import Action, EntityType, TrackingEvent


class TrackingEventFilter(django_filters.FilterSet):
    child_id = IdFilter(field_name="child_id")
    entity_type = django_filters.ChoiceFilter(choices=EntityType.choices)
    action = django_filters.ChoiceFilter(choices=Action.choices)
    start = UtcDateTimeFilter(
        field_name="occurred_at", lookup_expr="gte", label="From (inclusive), ISO 8601"
    )
    end = UtcDateTimeFilter(
        field_name="occurred_at", lookup_expr="lt", label="Until (exclusive), ISO 8601"
    )

    class Meta:
        model = TrackingEvent
        fields = ["child_id", "entity_type", "action", "start", "end"]


class StaffTrackingEventFilter(TrackingEventFilter):
    user_id = IdFilter(field_name="user_id")

    class Meta(TrackingEventFilter.Meta):
        fields = ["child_id", "user_id", "entity_type", "action", "start", "end"]
