"""The Django admin for tracking events (read-only, for every staff user).

Tracking events are never added, changed or deleted: those URLs answer 403 for everyone,
superusers included. Each event can be read at `<id>/details/`; the list exports as CSV.
"""

from datetime import UTC

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponseBadRequest
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from rangefilter.filters import DateRangeFilter

from children.models import Child
from kernel.model_admin import ModelAdmin
from tracking import selectors
from tracking.models import TrackingEvent
from tracking.staff import csv_export
from tracking.staff.admin_list import (
    ChildFilter,
    EstimatedCountPaginator,
    HouseholdFilter,
    TrackingEventChangeList,
)

CHANGE_REFUSED = "Tracking events are read-only; see the event's details page."


def time_utc(event: TrackingEvent) -> str:
    return f"{event.occurred_at.astimezone(UTC):%Y-%m-%d %H:%M:%S}"


def entity_label(event: TrackingEvent) -> str:
    """The entity's name as it was when the event happened (kept in metadata, so a deleted task
    or reward still shows its name)."""
    metadata = event.metadata or {}
    name = metadata.get("entity_name") or metadata.get("reason") or ""
    ref = f"{event.entity_type} #{event.entity_id}" if event.entity_id else event.entity_type
    return f"{name} · {ref}" if name else ref


def details_url(event_id: int) -> str:
    return reverse("admin:tracking_trackingevent_details", args=[event_id])


def correction_links(event: TrackingEvent) -> str:
    """An adjustment's or reversal's reason, and links between an event and its reversal."""
    parts = []
    if event.reverses:
        parts.append(
            format_html(
                'reverses <a href="{}">#{}</a>', details_url(event.reverses), event.reverses
            )
        )
    reversed_by = getattr(event, "reversed_by", None)
    if reversed_by:
        parts.append(
            format_html('reversed by <a href="{}">#{}</a>', details_url(reversed_by), reversed_by)
        )
    reason = (event.metadata or {}).get("reason")
    if reason:
        parts.append(format_html("“{}”", reason))
    return format_html_join(" · ", "{}", ((part,) for part in parts))


def child_events_url(child_id: int) -> str:
    return f"{reverse('admin:tracking_trackingevent_changelist')}?child_id={child_id}"


@admin.register(TrackingEvent)
class TrackingEventAdmin(ModelAdmin):
    list_display = (
        "time",
        "child",
        "entity",
        "action",
        "points_before",
        "points_after",
        "delta_signed",
        "correction",
        "user_name",
    )
    list_display_links = None  # the change page is refused; `time` links to the details
    list_select_related = ("user",)
    list_filter = (
        HouseholdFilter,
        ChildFilter,
        "entity_type",
        "action",
        ("occurred_at", DateRangeFilter),
    )
    # On PostgreSQL these are served by trigram indexes (migration 0003_event_name_search).
    search_fields = ("metadata__child_name", "metadata__entity_name")
    search_help_text = "Search by child or entity (task, penalty, reward) name, as recorded."
    ordering = ("-occurred_at", "-created_at", "-id")
    sortable_by = ("time",)
    list_per_page = 50
    paginator = EstimatedCountPaginator
    show_full_result_count = False  # no COUNT(*) of the whole table on every page
    show_facets = admin.ShowFacets.NEVER  # facet counts would scan millions of rows
    actions = None

    # --- read-only, for every staff user -------------------------------------------------------

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.is_active and request.user.is_staff

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def change_view(self, request: HttpRequest, object_id, form_url="", extra_context=None):
        # Django would show a read-only form to viewers; the contract refuses the URL outright.
        raise PermissionDenied(CHANGE_REFUSED)

    # --- the list ------------------------------------------------------------------------------

    def get_queryset(self, request: HttpRequest) -> QuerySet[TrackingEvent]:
        return selectors.all_events()

    def get_changelist(self, request: HttpRequest, **kwargs):
        return TrackingEventChangeList

    def changelist_view(self, request: HttpRequest, extra_context=None):
        query = request.GET.copy()
        query.pop("p", None)
        export_url = reverse("admin:tracking_trackingevent_export")
        extra_context = {
            "title": self.opts.verbose_name_plural.capitalize(),
            **(extra_context or {}),
            "export_url": f"{export_url}?{query.urlencode()}" if query else export_url,
        }
        return super().changelist_view(request, extra_context)

    @admin.display(description="time (UTC)", ordering="occurred_at")
    def time(self, event: TrackingEvent) -> str:
        url = reverse("admin:tracking_trackingevent_details", args=[event.pk])
        return format_html('<a href="{}">{}</a>', url, time_utc(event))

    @admin.display(description="child")
    def child(self, event: TrackingEvent) -> str:
        name = (event.metadata or {}).get("child_name") or f"#{event.child_id}"
        only_child = format_html(
            '<a href="?child_id={}" title="Only this child\'s events">{}</a>', event.child_id, name
        )
        if getattr(event, "child_exists", True):
            page = reverse("admin:children_child_change", args=[event.child_id])
            return format_html(
                '{} <a href="{}" title="The child\'s page">#{}</a>',
                only_child,
                page,
                event.child_id,
            )
        return format_html('{} #{} <span class="help">(deleted)</span>', only_child, event.child_id)

    @admin.display(description="entity")
    def entity(self, event: TrackingEvent) -> str:
        return entity_label(event)

    @admin.display(description="delta")
    def delta_signed(self, event: TrackingEvent) -> str:
        return f"{event.delta:+d}"

    @admin.display(description="correction")
    def correction(self, event: TrackingEvent) -> str:
        return correction_links(event)

    @admin.display(description="user")
    def user_name(self, event: TrackingEvent) -> str:
        if event.user_id is None:
            return format_html('<span class="help">{}</span>', "deleted user")
        return event.user.get_username()

    # --- details and export ---------------------------------------------------------------------

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("export/", wrap(self.export_view), name="tracking_trackingevent_export"),
            path(
                "<int:object_id>/details/",
                wrap(self.details_view),
                name="tracking_trackingevent_details",
            ),
            *super().get_urls(),
        ]

    def details_view(self, request: HttpRequest, object_id: int) -> TemplateResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        event = get_object_or_404(self.get_queryset(request).select_related("user"), pk=object_id)
        child_exists = Child.objects.filter(pk=event.child_id).exists()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Tracking event {event.pk}",
            "event": event,
            "time": time_utc(event),
            "entity": entity_label(event),
            "correction": correction_links(event),
            "child_exists": child_exists,
            "child_events_url": child_events_url(event.child_id),
        }
        return TemplateResponse(request, "admin/tracking/trackingevent/details.html", context)

    def export_view(self, request: HttpRequest):
        """The current filtered (and searched) list as CSV, streamed."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            return HttpResponseBadRequest("Invalid filter.", content_type="text/plain")
        filename = f"tracking-events-{timezone.now():%Y%m%d-%H%M%S}.csv"
        return csv_export.csv_response(request, changelist.queryset, filename=filename)
