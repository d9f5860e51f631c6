"""The admin of badges: the awards (read-only: they follow the history's badge events), the
households' definitions, and a child's badges on its page (a mixin composed in
`chorehub/admin.py`; the household's "Family week" page is `achievements.week_admin`)."""

from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from achievements import services
from achievements.catalog import badge_of
from achievements.models import BadgeAward, BadgeDefinition
from achievements.selectors import awards_of_child
from kernel.model_admin import ModelAdmin
from tracking.staff.admin import details_url

READ_ONLY = (
    "Awards follow the history's badge events: they are never added, changed or deleted here."
)
CHILD_BADGES_SHOWN = 30


def event_link(event_id: int | None) -> str:
    if event_id is None:
        return "—"
    return format_html('<a href="{}">#{}</a>', details_url(event_id), event_id)


@admin.register(BadgeAward)
class BadgeAwardAdmin(ModelAdmin):
    list_display = (
        "awarded_at",
        "child_link",
        "name",
        "period",
        "period_start",
        "standing_mark",
        "award_event",
        "revoke_event",
    )
    list_filter = ("criterion", "period", ("revoke_event_id", admin.EmptyFieldListFilter))
    list_select_related = ("child",)
    search_fields = ("child__name", "name", "badge_key")
    search_help_text = "Search by child, badge name or badge key (e.g. streak_7, custom_3)."
    date_hierarchy = "awarded_at"
    ordering = ("-awarded_at", "-id")
    list_per_page = 50

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).filter(awarded=True)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description="child", ordering="child__name")
    def child_link(self, award: BadgeAward) -> str:
        url = reverse("admin:children_child_change", args=[award.child_id])
        return format_html('<a href="{}">{}</a>', url, award.child.name)

    @admin.display(description="standing", boolean=True)
    def standing_mark(self, award: BadgeAward) -> bool:
        return award.standing

    @admin.display(description="awarded by")
    def award_event(self, award: BadgeAward) -> str:
        return event_link(award.award_event_id)

    @admin.display(description="revoked by")
    def revoke_event(self, award: BadgeAward) -> str:
        return event_link(award.revoke_event_id)


@admin.register(BadgeDefinition)
class BadgeDefinitionAdmin(ModelAdmin):
    """What households defined; they define badges through the API (the admin may delete one:
    what it awarded stays)."""

    list_display = ("name", "household", "criterion", "period", "threshold", "description")
    list_select_related = ("household", "task")
    list_filter = ("criterion", "period")
    search_fields = ("name", "household__name")
    ordering = ("-id",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description="criterion in words")
    def description(self, definition: BadgeDefinition) -> str:
        return badge_of(definition).describe()

    def delete_model(self, request: HttpRequest, obj: BadgeDefinition) -> None:
        services.delete_badge_definition(definition=obj)

    def delete_queryset(self, request: HttpRequest, queryset) -> None:
        for definition in queryset:
            services.delete_badge_definition(definition=definition)


class ChildBadgesMixin:
    """For the child admin: the badges the child was awarded, newest first."""

    BADGES = ("badges",)

    def get_fieldsets(self, request: HttpRequest, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj is not None:
            fieldsets.append(("Badges", {"fields": self.BADGES}))
        return fieldsets

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        return (*fields, *self.BADGES) if obj is not None else fields

    @admin.display(description=f"badges (newest {CHILD_BADGES_SHOWN})")
    def badges(self, child) -> str:
        awards = list(awards_of_child(child.pk).reverse()[:CHILD_BADGES_SHOWN])
        if not awards:
            return format_html('<p class="help">{}</p>', "No badge yet.")
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    award.name,
                    award.period_start or "lifetime",
                    f"{award.awarded_at:%Y-%m-%d %H:%M} UTC",
                    event_link(award.award_event_id),
                    "standing" if award.standing else event_link(award.revoke_event_id),
                )
                for award in awards
            ),
        )
        all_url = f"{reverse('admin:achievements_badgeaward_changelist')}?q={child.name}"
        return format_html(
            '<table class="child-badges"><thead><tr><th>badge</th><th>period</th>'
            "<th>awarded at</th><th>awarded by</th><th>revoked by</th></tr></thead>"
            '<tbody>{}</tbody></table><p><a href="{}">All badges</a></p>',
            rows,
            all_url,
        )
