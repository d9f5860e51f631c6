"""A child's good versus not-good activations per household week, as an SVG bar chart rendered
on the server (no script, nothing fetched), for the child's admin page beside the points chart.
Read from the projections (`ChildDay`): at most 84 rows, whatever the length of the history."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from children.models import Child
from insights.calendar import HouseholdCalendar
from insights.models import ChildDay
from insights.selectors import totals_of

CHART_WEEKS = 12
WIDTH, HEIGHT = 480, 220
LEFT, RIGHT, TOP, BOTTOM = 40, 12, 16, 40
GOOD_COLOUR, NOT_GOOD_COLOUR = "#3a8a3a", "#ba2121"


@dataclass(frozen=True)
class WeekBalance:
    first_day: date
    good: int  # chores activated that week (and not reversed)
    not_good: int  # penalties activated that week (and not reversed)


def weekly_balance(child: Child, *, weeks: int = CHART_WEEKS) -> list[WeekBalance]:
    """The last `weeks` household weeks of a child, oldest first, this week included."""
    calendar = HouseholdCalendar.of(child.household)
    this_week = calendar.week_of(calendar.today())
    first = this_week - timedelta(weeks=weeks - 1)
    counts = {
        week: WeekBalance(week, 0, 0) for week in (first + timedelta(weeks=n) for n in range(weeks))
    }
    totals_of(child)  # a child never projected is projected first
    rows = ChildDay.objects.filter(child=child, day__gte=first).values_list(
        "day", "chores", "penalties"
    )
    for day, chores, penalties in rows:
        week = calendar.week_of(day)
        if week in counts:
            known = counts[week]
            counts[week] = WeekBalance(week, known.good + chores, known.not_good + penalties)
    return list(counts.values())


def render_weekly_balance_chart(weeks: Sequence[WeekBalance], *, title: str) -> SafeString:
    """An accessible SVG: per week, a green bar for the good and a red one for the not-good."""
    top = max([10, *(max(w.good, w.not_good) for w in weeks)])
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(weeks), 1)
    bar = slot * 0.35

    def height(count: int) -> float:
        return plot_h * count / top

    bars = format_html_join(
        "",
        '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}</title></rect>'
        '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}</title></rect>'
        '<text x="{}" y="{}" text-anchor="middle" font-size="10" fill="currentColor">{}</text>',
        (
            (
                f"{LEFT + slot * i + slot * 0.1:.1f}",
                f"{TOP + plot_h - height(w.good):.1f}",
                f"{bar:.1f}",
                f"{height(w.good):.1f}",
                GOOD_COLOUR,
                f"week of {w.first_day}: {w.good} good",
                f"{LEFT + slot * i + slot * 0.1 + bar:.1f}",
                f"{TOP + plot_h - height(w.not_good):.1f}",
                f"{bar:.1f}",
                f"{height(w.not_good):.1f}",
                NOT_GOOD_COLOUR,
                f"week of {w.first_day}: {w.not_good} not good",
                f"{LEFT + slot * i + slot / 2:.1f}",
                HEIGHT - BOTTOM + 14,
                f"{w.first_day:%m-%d}",
            )
            for i, w in enumerate(weeks)
        ),
    )
    good, not_good = sum(w.good for w in weeks), sum(w.not_good for w in weeks)
    caption = (
        f"{title}: {good} good and {not_good} not-good activations over the last {len(weeks)} weeks"
    )
    return format_html(
        '<svg class="balance-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" '
        'width="{w}" height="{h}" role="img" aria-label="{caption}">'
        "<title>{caption}</title>"
        '<line x1="{left}" x2="{right}" y1="{base}" y2="{base}" stroke="currentColor" '
        'stroke-opacity="0.3"/>'
        '<text x="{label_x}" y="{top_y}" text-anchor="end" font-size="11" fill="currentColor">'
        "{top}</text>"
        '<text x="{label_x}" y="{base_y}" text-anchor="end" font-size="11" fill="currentColor">'
        "0</text>"
        "{bars}"
        '<text x="{left}" y="{legend_y}" font-size="11" fill="{good_colour}">■ good</text>'
        '<text x="{legend_x}" y="{legend_y}" font-size="11" fill="{bad_colour}">■ not good'
        "</text>"
        "</svg>",
        w=WIDTH,
        h=HEIGHT,
        caption=caption,
        left=LEFT,
        right=WIDTH - RIGHT,
        base=f"{TOP + plot_h:.1f}",
        label_x=LEFT - 6,
        top_y=TOP + 4,
        top=top,
        base_y=f"{TOP + plot_h + 4:.1f}",
        bars=bars,
        legend_y=HEIGHT - 6,
        legend_x=LEFT + 70,
        good_colour=GOOD_COLOUR,
        bad_colour=NOT_GOOD_COLOUR,
    )
