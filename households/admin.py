"""The Django admin for households and their members. The household's page is registered by the
composition root (`chorehub/admin.py`), which adds its children (this app imports no domain app)."""

from django.contrib import admin

from households import signals
from households.models import Household, Membership
from households.services import CALENDAR_FIELDS
from kernel.model_admin import ModelAdmin


class MembershipInline(admin.TabularInline):
    model = Membership
    fields = ("user", "role", "joined_at")
    readonly_fields = ("joined_at",)
    autocomplete_fields = ("user",)
    extra = 0


class HouseholdAdmin(ModelAdmin):
    list_display = ("name", "id", "time_zone", "created_at")
    search_fields = ("name", "memberships__user__username")
    search_help_text = "Search by the household's name or a member's username."
    ordering = ("-id",)
    inlines = (MembershipInline,)

    def save_model(self, request, obj: Household, form, change: bool) -> None:
        """Saved as `update_household` saves it: a changed calendar is announced (the figures
        per day and week are rebuilt in it)."""
        super().save_model(request, obj, form, change)
        if change and set(form.changed_data) & set(CALENDAR_FIELDS):
            signals.household_calendar_changed.send(sender=Household, household=obj)


@admin.register(Membership)
class MembershipAdmin(ModelAdmin):
    list_display = ("user", "household", "role", "joined_at")
    list_select_related = ("user", "household")
    list_filter = ("role",)
    search_fields = ("user__username", "household__name")
    autocomplete_fields = ("user", "household")
    ordering = ("-id",)
