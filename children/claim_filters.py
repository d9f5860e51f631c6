"""Query filters of the claim list: a malformed value is a 400 that names the parameter."""

import django_filters

from children.models import Claim
from kernel.api import IdFilter


class ClaimFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Claim.Status.choices)
    # `child_id` as on every other list; `child` is the same filter, by its shorter name.
    child_id = IdFilter(field_name="child_id", label="Only this child's claims")
    child = IdFilter(field_name="child_id", label="Same as child_id")

    class Meta:
        model = Claim
        fields = ["status", "child_id", "child"]
