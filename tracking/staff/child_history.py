"""A child's history on the child's admin page: a mixin the child admin opts into."""

from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from children.models import Child
from tracking import selectors
from tracking.models import TrackingEvent
from tracking.staff.admin import child_events_url, entity_label, time_utc
from tracking.staff.points_chart import points_history, render_points_chart

RECENT_EVENTS = 20


def recent_events_of_child(child_id: int, limit: int = RECENT_EVENTS) -> list[TrackingEvent]:
    """A child's newest events, newest first (reads the child index backwards)."""
    return list(selectors.child_history_newest_first(child_id=child_id)[:limit])


class ChildHistoryMixin:
    """For the child admin (composed in `chorehub/admin.py`): the child's points chart and its
    recent events, read from the history."""

    HISTORY = ("points_chart", "recent_events")

    def get_fieldsets(self, request: HttpRequest, obj: Child | None = None):
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj is not None:
            fieldsets.append(("Points history", {"fields": self.HISTORY}))
        return fieldsets

    def get_readonly_fields(self, request: HttpRequest, obj: Child | None = None):
        fields = tuple(super().get_readonly_fields(request, obj))
        return (*fields, *self.HISTORY) if obj is not None else fields

    @admin.display(description="points over time")
    def points_chart(self, child: Child) -> str:
        return render_points_chart(points_history(child_id=child.pk), title=child.name)

    @admin.display(description=f"last {RECENT_EVENTS} events")
    def recent_events(self, child: Child) -> str:
        events = recent_events_of_child(child.pk)
        if not events:
            return format_html('<p class="help">{}</p>', "No tracking events yet.")
        rows = format_html_join(
            "",
            '<tr><td><a href="{}">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>'
            "<td>{}</td></tr>",
            (
                (
                    reverse("admin:tracking_trackingevent_details", args=[event.pk]),
                    time_utc(event),
                    entity_label(event),
                    event.action,
                    event.points_before,
                    event.points_after,
                    f"{event.delta:+d}",
                )
                for event in events
            ),
        )
        return format_html(
            '<table class="recent-events"><thead><tr><th>time (UTC)</th><th>entity</th>'
            "<th>action</th><th>before</th><th>after</th><th>delta</th></tr></thead>"
            '<tbody>{}</tbody></table><p><a href="{}">All of {}\'s events</a></p>',
            rows,
            child_events_url(child.pk),
            child.name,
        )
