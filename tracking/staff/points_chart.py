"""A child's points over time as an SVG step chart, rendered on the server (no script, nothing
fetched from the internet), for the child's admin page."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from tracking import selectors

# The chart reads at most this many events (the newest): enough to see the trend, bounded for a
# child with a long history.
CHART_MAX_EVENTS = 1000
WIDTH, HEIGHT = 720, 220
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 32  # margins around the plot, for the axis labels
NO_EVENTS = "No tracking events yet."


@dataclass(frozen=True)
class PointsStep:
    occurred_at: datetime
    points_before: int
    points_after: int


def points_history(*, child_id: int, limit: int = CHART_MAX_EVENTS) -> list[PointsStep]:
    """A child's most recent `limit` points changes, oldest first (reads the child index)."""
    rows = selectors.child_history_newest_first(child_id=child_id).values_list(
        "occurred_at", "points_before", "points_after"
    )[:limit]
    return [PointsStep(*row) for row in reversed(rows)]


def nice_ceiling(value: int) -> int:
    """The smallest of 1, 2 or 5 times a power of ten that is >= value (at least 10)."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= max(value, 10):
                return step * factor
        step *= 10


def render_points_chart(
    steps: Sequence[PointsStep], *, title: str, until: datetime | None = None
) -> SafeString:
    """An accessible SVG: the points as a step line from the first event to `until` (now)."""
    if not steps:
        return format_html('<p class="help">{}</p>', NO_EVENTS)
    until = max(until or timezone.now(), steps[-1].occurred_at)
    start = steps[0].occurred_at
    span = max((until - start).total_seconds(), 1.0)
    top = nice_ceiling(max(max(s.points_before, s.points_after) for s in steps))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(moment: datetime) -> float:
        return LEFT + plot_w * (moment - start).total_seconds() / span

    def y(points: int) -> float:
        return TOP + plot_h * (1 - points / top)

    path = [f"M{x(start):.1f},{y(steps[0].points_before):.1f}"]
    for step in steps:
        path.append(f"H{x(step.occurred_at):.1f}V{y(step.points_after):.1f}")
    path.append(f"H{x(until):.1f}")

    grid = format_html_join(
        "",
        '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="currentColor" stroke-opacity="0.15"/>'
        '<text x="{}" y="{}" text-anchor="end" font-size="11" fill="currentColor">{}</text>',
        (
            (LEFT, WIDTH - RIGHT, f"{y(v):.1f}", f"{y(v):.1f}", LEFT - 6, f"{y(v) + 4:.1f}", v)
            for v in (0, top // 2, top)
        ),
    )
    last = steps[-1]
    caption = (
        f"{title}: {last.points_after} points now; {len(steps)} changes "
        f"from {start:%Y-%m-%d} to {until:%Y-%m-%d}"
    )
    return format_html(
        '<svg class="points-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" '
        'width="{w}" height="{h}" role="img" aria-label="{caption}">'
        "<title>{caption}</title>"
        "{grid}"
        '<text x="{left}" y="{label_y}" font-size="11" fill="currentColor">{first}</text>'
        '<text x="{right}" y="{label_y}" text-anchor="end" font-size="11" fill="currentColor">'
        "{last}</text>"
        '<path d="{path}" fill="none" stroke-width="2" '
        'style="stroke: var(--link-fg, #447e9b)"/>'
        '<circle cx="{end_x}" cy="{end_y}" r="3" style="fill: var(--link-fg, #447e9b)"/>'
        "</svg>",
        w=WIDTH,
        h=HEIGHT,
        caption=caption,
        grid=grid,
        left=LEFT,
        right=WIDTH - RIGHT,
        label_y=HEIGHT - 10,
        first=f"{start:%Y-%m-%d}",
        last=f"{until:%Y-%m-%d}",
        path="".join(path),
        end_x=f"{x(until):.1f}",
        end_y=f"{y(last.points_after):.1f}",
    )
