"""Query filters of the reward request list."""

import django_filters

from kernel.api import IdFilter
from rewards.models import RewardRequest


class RewardRequestFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=RewardRequest.Status.choices)
    child_id = IdFilter(field_name="child_id")

    class Meta:
        model = RewardRequest
        fields = ["status", "child_id"]
