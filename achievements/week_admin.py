"""The household admin's "Family week" page: a link on the household's page, to a page with each
child's figures this week, the week before and the differences (`achievements.family_week`).
A mixin composed in `chorehub/admin.py`."""

from datetime import date

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from achievements.family_week import week_of_household
from achievements.week_serializers import FIRST_DAY, LAST_DAY

FIGURES = ("earned", "lost", "spent", "adjusted", "reversed", "net")


def week_row(label: str, figures: dict, *, signed: bool = False) -> dict:
    """One line of a child's table on the Family week page, as text."""

    def number(value: int) -> str:
        return f"{value:+d}" if signed else str(value)

    def names(items, shown) -> str:
        return ", ".join(shown(item) for item in items) or "—"

    if signed:
        badges, rewards = number(figures["badges"]), number(figures["rewards"])
    else:
        badges = names(
            figures["badges"], lambda b: b["name"] + ("" if b["standing"] else " (revoked)")
        )
        rewards = names(figures["rewards"], lambda r: f"{r['name']} ({r['cost']})")
    return {
        "label": label,
        **{name: number(figures[name]) for name in FIGURES},
        "good": f"{number(figures['good']['count'])} ({number(figures['good']['points'])} pts)",
        "not_good": (
            f"{number(figures['not_good']['count'])} ({number(figures['not_good']['points'])} pts)"
        ),
        "badges": badges,
        "rewards": rewards,
    }


class FamilyWeekMixin:
    """For the household admin: a "Family week" link on its page, to a page with the week's
    table (`?date=YYYY-MM-DD` picks the week; default this week)."""

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<int:object_id>/family-week/",
                wrap(self.family_week_view),
                name="households_household_family_week",
            ),
            *super().get_urls(),
        ]

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        return (*fields, "family_week") if obj is not None else fields

    @admin.display(description="family week")
    def family_week(self, household) -> str:
        url = reverse("admin:households_household_family_week", args=[household.pk])
        return format_html('<a href="{}">Family week</a>', url)

    def family_week_view(self, request: HttpRequest, object_id: int) -> TemplateResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        household = get_object_or_404(self.get_queryset(request), pk=object_id)
        try:
            day = date.fromisoformat(request.GET.get("date", ""))
        except ValueError:
            day = None  # an unreadable date shows this week
        if day is not None and not FIRST_DAY <= day <= LAST_DAY:
            day = None
        week = week_of_household(household, day)
        for child in week["children"]:
            child["rows"] = [
                week_row("this week", child["this_week"]),
                week_row("the week before", child["previous_week"]),
                week_row("difference", child["difference"], signed=True),
            ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "household": household,
            "title": f"Family week of {household.name}",
            "week": week,
            "previous_url": f"?date={week['previous_week']['start'].isoformat()}",
        }
        return TemplateResponse(request, "admin/achievements/family_week.html", context)
