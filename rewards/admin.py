"""The Django admin for rewards and reward requests.

A request's status moves only through the services (redeeming one moves points and is tracked),
so requests are read-only here.
"""

from django.contrib import admin
from django.http import HttpRequest

from rewards.models import Reward, RewardRequest


@admin.register(Reward)
class RewardAdmin(admin.ModelAdmin):
    list_display = ("name", "id", "cost", "owner", "created_at")
    list_select_related = ("owner",)
    list_filter = ("created_at",)
    search_fields = ("name", "description", "owner__username")
    search_help_text = "Search by the reward's name or description, or the parent's username."
    ordering = ("-id",)
    autocomplete_fields = ("owner",)


@admin.register(RewardRequest)
class RewardRequestAdmin(admin.ModelAdmin):
    list_display = ("id", "child", "reward", "status", "parent", "created_at", "resolved_at")
    list_select_related = ("child__owner", "reward")
    list_filter = ("status", "created_at", "resolved_at")
    search_fields = ("child__name", "reward__name", "child__owner__username")
    search_help_text = "Search by child, reward or parent."
    ordering = ("-created_at", "-id")
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description="parent", ordering="child__owner__username")
    def parent(self, request: RewardRequest) -> str:
        return request.child.owner.get_username()
