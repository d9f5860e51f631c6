"""The Django admin for children, tasks, per-child task overrides and claims.

Writes that the domain owns go through the services: a child created, renamed or deleted here
is announced exactly as through the API (its tracking history stays; see the contract). Points
are never edited here: they move only through tasks, penalties and rewards.

`ChildAdmin` is registered by the composition root (`chorehub/admin.py`), which adds what other
apps show on a child's page (rewards, the tracking history): this app imports neither.
"""

import contextlib

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest

from children import services
from children.models import Child, Claim, Task, TaskOverride
from kernel.errors import NotFound
from kernel.model_admin import ModelAdmin


class PointsFilter(admin.SimpleListFilter):
    title = "points"
    parameter_name = "points"

    BANDS = {
        "0": ("none", {"points": 0}),
        "1-99": ("1 to 99", {"points__gte": 1, "points__lte": 99}),
        "100+": ("100 or more", {"points__gte": 100}),
    }

    def lookups(self, request, model_admin):
        return [(key, label) for key, (label, _) in self.BANDS.items()]

    def queryset(self, request, queryset):
        band = self.BANDS.get(self.value() or "")
        return queryset.filter(**band[1]) if band else queryset


class TaskOverrideInline(admin.TabularInline):
    model = TaskOverride
    fields = ("task", "points")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class ChildAdmin(ModelAdmin):
    list_display = ("name", "id", "household", "age", "points", "created_at", "updated_at")
    list_display_links = ("name",)
    list_select_related = ("household",)
    list_filter = (PointsFilter, "created_at")
    search_fields = ("name", "household__name", "household__memberships__user__username")
    search_help_text = "Search by the child's name, the household's name or a member's username."
    ordering = ("-id",)
    autocomplete_fields = ("household",)
    inlines = (TaskOverrideInline,)

    def get_fieldsets(self, request: HttpRequest, obj: Child | None = None):
        if obj is None:
            return [(None, {"fields": ("household", "name", "age")})]
        return [
            (None, {"fields": ("household", "name", "age", "points")}),
            ("Assigned", {"fields": ("tasks",)}),
            ("Dates", {"fields": ("created_at", "updated_at")}),
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: Child | None = None):
        if obj is None:
            return ()
        # Assignments are the parent's business (through the API); points move only by actions.
        return ("household", "points", "tasks", "created_at", "updated_at")

    def save_model(self, request: HttpRequest, obj: Child, form, change: bool) -> None:
        if not change:
            created = services.create_child(household=obj.household, name=obj.name, age=obj.age)
            obj.pk = created.pk
            obj.refresh_from_db()
            obj._state.adding = False
            return
        changes = {
            name: getattr(obj, name) for name in ("name", "age") if name in form.changed_data
        }
        if changes:
            services.update_child(child=obj, **changes)

    def delete_model(self, request: HttpRequest, obj: Child) -> None:
        # Deleted meanwhile by someone else (another admin, the API): what was asked is done.
        with contextlib.suppress(NotFound):
            services.delete_child(child=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Child]) -> None:
        for child in queryset.select_related("household"):
            with contextlib.suppress(NotFound):
                services.delete_child(child=child)


@admin.register(Task)
class TaskAdmin(ModelAdmin):
    list_display = ("name", "id", "kind", "points", "household", "created_at")
    list_select_related = ("household",)
    list_filter = ("is_good", "created_at")
    search_fields = ("name", "household__name")
    search_help_text = "Search by the task's name or the household's name."
    ordering = ("-id",)
    autocomplete_fields = ("household",)

    @admin.display(description="kind", ordering="is_good")
    def kind(self, task: Task) -> str:
        return "chore" if task.is_good else "penalty"

    # Through the service, which locks the task first (`kernel.referenced`): a claim, override or
    # assignment racing the deletion would otherwise fail its foreign key at COMMIT, a 500.
    def delete_model(self, request: HttpRequest, obj: Task) -> None:
        # Deleted meanwhile by someone else (another admin, the API): what was asked is done.
        with contextlib.suppress(NotFound):
            services.delete_task(task=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Task]) -> None:
        for task in queryset:
            with contextlib.suppress(NotFound):
                services.delete_task(task=task)


class OverrideAdmin(ModelAdmin):
    """Overrides are set by parents through the API; here they can be read and removed."""

    list_select_related = ("child__household",)
    ordering = ("-id",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description="household", ordering="child__household__name")
    def household(self, override) -> str:
        return override.child.household.name


@admin.register(TaskOverride)
class TaskOverrideAdmin(OverrideAdmin):
    list_display = ("id", "child", "task", "points", "household")
    list_select_related = ("child__household", "task")
    search_fields = ("child__name", "task__name", "child__household__name")
    search_help_text = "Search by child, task or household."

    def delete_model(self, request: HttpRequest, obj: TaskOverride) -> None:
        services.clear_task_override(child=obj.child, task=obj.task)


@admin.register(Claim)
class ClaimAdmin(ModelAdmin):
    """Claims are made from children's devices and decided by guardians through the API (each
    decision is a tracked action, exactly once); here staff read them."""

    list_display = (
        "id",
        "child",
        "task",
        "status",
        "points",
        "device_id",
        "household",
        "created_at",
        "decided_at",
        "decided_by",
    )
    list_select_related = ("child__household", "task", "decided_by")
    list_filter = ("status", "created_at", "decided_at")
    search_fields = ("child__name", "task__name", "child__household__name")
    search_help_text = "Search by child, chore or household."
    ordering = ("-created_at", "-id")
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description="household", ordering="child__household__name")
    def household(self, claim: Claim) -> str:
        return claim.child.household.name


class ChildInline(admin.TabularInline):
    model = Child
    fields = ("name", "age", "points")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class HouseholdChildrenMixin:
    """For the household admin (composed in `chorehub/admin.py`): its children, counted in the
    list and listed on the page."""

    inlines = (ChildInline,)

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).annotate(children_count=Count("children"))

    @admin.display(description="children", ordering="children_count")
    def children_count(self, household) -> int:
        return household.children_count
