"""The good versus not-good chart on the child's admin page, beside the points chart: a mixin
the child admin opts into (composed in `chorehub/admin.py`, before tracking's history mixin)."""

from django.contrib import admin
from django.http import HttpRequest

from children.models import Child
from insights.staff.weekly_chart import CHART_WEEKS, render_weekly_balance_chart, weekly_balance

BALANCE_CHART = "good_vs_not_good_chart"
POINTS_CHART = "points_chart"  # tracking's chart, which this one goes beside


def beside_points_chart(fields):
    """The fieldset's fields with the balance chart on the points chart's line."""
    return [(POINTS_CHART, BALANCE_CHART) if field == POINTS_CHART else field for field in fields]


class ChildBalanceMixin:
    """Adds the good versus not-good chart per household week (the last 12) to a child's page."""

    def get_fieldsets(self, request: HttpRequest, obj: Child | None = None):
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj is None:
            return fieldsets
        placed = []
        for name, options in fieldsets:
            fields = list(options.get("fields", ()))
            if POINTS_CHART in fields:
                options = {**options, "fields": beside_points_chart(fields)}
            placed.append((name, options))
        if not any(BALANCE_CHART in _flat(options.get("fields", ())) for _, options in placed):
            placed.append(("Good and not good", {"fields": (BALANCE_CHART,)}))
        return placed

    def get_readonly_fields(self, request: HttpRequest, obj: Child | None = None):
        fields = tuple(super().get_readonly_fields(request, obj))
        return (*fields, BALANCE_CHART) if obj is not None else fields

    @admin.display(description=f"good vs not good, per week (last {CHART_WEEKS})")
    def good_vs_not_good_chart(self, child: Child) -> str:
        return render_weekly_balance_chart(weekly_balance(child), title=child.name)


def _flat(fields) -> list[str]:
    flat = []
    for field in fields:
        flat.extend(field if isinstance(field, list | tuple) else [field])
    return flat
