"""The Django admin for rewards, per-child reward costs and reward requests, and what a child's
page shows of them (`ChildRewardsMixin`, `RewardOverrideInline`, composed in `chorehub/admin.py`).

A request's status moves only through the services (redeeming one moves points and is tracked),
so requests are read-only here; so is which child has which reward (set through the API).
"""

import contextlib

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from children.admin import OverrideAdmin, TaskOverrideInline
from children.models import Child
from children.selectors import HELD_POINTS, available_points
from kernel.errors import NotFound
from kernel.model_admin import ModelAdmin
from rewards import services
from rewards.models import Reward, RewardOverride, RewardRequest


@admin.register(Reward)
class RewardAdmin(ModelAdmin):
    list_display = ("name", "id", "cost", "household", "created_at")
    list_select_related = ("household",)
    list_filter = ("created_at",)
    search_fields = ("name", "description", "household__name")
    search_help_text = "Search by the reward's name or description, or the household's name."
    ordering = ("-id",)
    autocomplete_fields = ("household",)
    exclude = ("assigned_children",)  # assignments are the parent's business (the API)

    # Through the service, which locks the reward first (`kernel.referenced`): a request, override
    # or assignment racing the deletion would otherwise fail its foreign key at COMMIT, a 500.
    def delete_model(self, request: HttpRequest, obj: Reward) -> None:
        # Deleted meanwhile by someone else (another admin, the API): what was asked is done.
        with contextlib.suppress(NotFound):
            services.delete_reward(reward=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Reward]) -> None:
        for reward in queryset:
            with contextlib.suppress(NotFound):
                services.delete_reward(reward=reward)


@admin.register(RewardRequest)
class RewardRequestAdmin(ModelAdmin):
    list_display = (
        "id",
        "child",
        "reward",
        "cost",
        "status",
        "household",
        "created_at",
        "resolved_at",
    )
    list_select_related = ("child__household", "reward")
    list_filter = ("status", "created_at", "resolved_at")
    search_fields = ("child__name", "reward__name", "child__household__name")
    search_help_text = "Search by child, reward or household."
    ordering = ("-created_at", "-id")
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description="household", ordering="child__household__name")
    def household(self, request: RewardRequest) -> str:
        return request.child.household.name


@admin.register(RewardOverride)
class RewardOverrideAdmin(OverrideAdmin):
    list_display = ("id", "child", "reward", "cost", "household")
    list_select_related = ("child__household", "reward")
    search_fields = ("child__name", "reward__name", "child__household__name")
    search_help_text = "Search by child, reward or household."

    def delete_model(self, request: HttpRequest, obj: RewardOverride) -> None:
        services.clear_reward_override(child=obj.child, reward=obj.reward)


class RewardOverrideInline(TaskOverrideInline):
    model = RewardOverride
    fields = ("reward", "cost")
    readonly_fields = fields


class ChildRewardsMixin:
    """For the child admin: the points its pending requests leave available (in the list and on
    the page), the rewards assigned to the child, and its reward costs."""

    REWARDS = ("available_points", "assigned_rewards")

    def get_queryset(self, request: HttpRequest):
        # What pending requests hold, in the list's one query (none per row).
        return super().get_queryset(request).annotate(held_points=HELD_POINTS)

    def get_list_display(self, request: HttpRequest):
        fields = list(super().get_list_display(request))
        at = fields.index("points") + 1 if "points" in fields else len(fields)
        return (*fields[:at], "available_points", *fields[at:])

    @admin.display(description="available points")
    def available_points(self, child: Child) -> int:
        return available_points(child)

    def get_inlines(self, request: HttpRequest, obj: Child | None):
        return (*super().get_inlines(request, obj), RewardOverrideInline)

    def get_fieldsets(self, request: HttpRequest, obj: Child | None = None):
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj is not None:
            fieldsets.insert(2, ("Rewards", {"fields": self.REWARDS}))
        return fieldsets

    def get_readonly_fields(self, request: HttpRequest, obj: Child | None = None):
        fields = tuple(super().get_readonly_fields(request, obj))
        return (*fields, *self.REWARDS) if obj is not None else fields

    @admin.display(description="assigned rewards")
    def assigned_rewards(self, child: Child) -> str:
        return ", ".join(reward.name for reward in child.rewards.order_by("id")) or "-"
