"""The pieces of the tracking events changelist that make it fast on millions of rows: a count
that never walks millions of rows, a child filter, and one query for a page's children."""

import json

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property

from children.models import Child
from households.models import Household
from kernel.api import MAX_ID
from tracking.models import TrackingEvent
from tracking.selectors import events_of_household_id

# Up to this many rows (200 pages) the admin counts exactly; beyond, PostgreSQL's estimate is
# shown ("about N"), so a broad filter never makes every page count half a million rows.
ESTIMATE_ABOVE = 10_000
# Up to this many children the child filter is a drop-down; beyond, a box for the child's id.
CHILD_CHOICES_MAX = 2000
BAD_CHILD_ID = "child_id must be a positive integer."


def table_estimate(queryset: QuerySet) -> int:
    """PostgreSQL's own estimate of the table's rows (`pg_class.reltuples`, kept up to date by
    autovacuum's ANALYZE; -1 for a table never analyzed)."""
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(
            "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
            [queryset.model._meta.db_table],
        )
        row = cursor.fetchone()
    return row[0] if row else -1


def plan_estimate(queryset: QuerySet) -> int:
    """The planner's estimate of the rows `queryset` returns (EXPLAIN, nothing is read)."""
    plan = json.loads(queryset.order_by().explain(format="json"))
    return int(plan[0]["Plan"]["Plan Rows"])


def fast_count(queryset: QuerySet) -> tuple[int, bool]:
    """`(count, is_estimate)` for a list, reading at most ESTIMATE_ABOVE + 1 rows on PostgreSQL:
    exact up to that many, else the table's estimate (nothing filtered) or the plan's. Elsewhere
    (SQLite, the development database) an exact count."""
    if connections[queryset.db].vendor != "postgresql":
        return queryset.count(), False
    if not queryset.query.where:
        estimate = table_estimate(queryset)
        if estimate > ESTIMATE_ABOVE:
            return estimate, True
        return queryset.count(), False
    capped = queryset.order_by()[: ESTIMATE_ABOVE + 1].count()
    if capped <= ESTIMATE_ABOVE:
        return capped, False
    return max(plan_estimate(queryset), capped), True


class EstimatedCountPaginator(Paginator):
    """A paginator whose total never costs a walk over millions of rows (see `fast_count`);
    `is_estimate` says when the total is PostgreSQL's estimate."""

    is_estimate = False

    @cached_property
    def count(self) -> int:
        count, self.is_estimate = fast_count(self.object_list)
        return count


class ChildFilter(admin.SimpleListFilter):
    """Filter by child: a drop-down of the existing children, and any child id in the URL (a
    deleted child's events stay listed; the child column links to them)."""

    title = "child"
    parameter_name = "child_id"
    template = "admin/tracking/trackingevent/child_filter.html"

    def lookups(self, request, model_admin) -> list[tuple[str, str]]:
        children = Child.objects.order_by("name", "id").values_list("pk", "name")
        return [(str(pk), f"{name} (#{pk})") for pk, name in children[: CHILD_CHOICES_MAX + 1]]

    def has_output(self) -> bool:
        return True

    def child_id(self) -> int | None:
        value = self.value()
        if value in (None, ""):
            return None
        try:
            child_id = int(value)
        except ValueError:
            raise IncorrectLookupParameters(BAD_CHILD_ID) from None
        if not 1 <= child_id <= MAX_ID:
            raise IncorrectLookupParameters(BAD_CHILD_ID)
        return child_id

    def queryset(self, request, queryset: QuerySet) -> QuerySet:
        child_id = self.child_id()
        return queryset if child_id is None else queryset.filter(child_id=child_id)

    def choices(self, changelist):
        value = self.value() or ""
        options = [(pk, label, pk == value) for pk, label in self.lookup_choices]
        if value and not any(selected for _, _, selected in options):
            options.insert(0, (value, self.deleted_child_label(value), True))
        yield {
            "value": value,
            "use_select": len(self.lookup_choices) <= CHILD_CHOICES_MAX,
            "options": options,
            # The other filters, kept when this form is submitted.
            "hidden": [(k, v) for k, v in changelist.params.items() if k != self.parameter_name],
            "clear_url": changelist.get_query_string(remove=[self.parameter_name]),
        }

    def deleted_child_label(self, value: str) -> str:
        name = (
            TrackingEvent.objects.filter(child_id=self.child_id())
            .values_list("metadata__child_name", flat=True)
            .first()
        )
        return f"{name or 'unknown'} (#{value}, deleted)"


BAD_HOUSEHOLD_ID = "household_id must be a positive integer."


class HouseholdFilter(admin.SimpleListFilter):
    """Filter by household: its children's events, and those its members recorded of children
    deleted since (see `tracking.selectors.events_of_household_id`)."""

    title = "household"
    parameter_name = "household_id"

    def lookups(self, request, model_admin) -> list[tuple[str, str]]:
        households = Household.objects.order_by("name", "id").values_list("pk", "name")
        return [(str(pk), f"{name} (#{pk})") for pk, name in households[:CHILD_CHOICES_MAX]]

    def queryset(self, request, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if value in (None, ""):
            return queryset
        try:
            household_id = int(value)
        except ValueError:
            raise IncorrectLookupParameters(BAD_HOUSEHOLD_ID) from None
        if not 1 <= household_id <= MAX_ID:
            raise IncorrectLookupParameters(BAD_HOUSEHOLD_ID)
        return queryset & events_of_household_id(household_id)


class TrackingEventChangeList(ChangeList):
    """Marks each row of the page with whether its child still exists: one query per page."""

    def get_results(self, request) -> None:
        super().get_results(request)
        page = list(self.result_list)  # evaluates (and caches) the page the template shows
        child_ids = {event.child_id for event in page}
        existing = (
            set(Child.objects.filter(pk__in=child_ids).values_list("pk", flat=True))
            if child_ids
            else set()
        )
        for event in page:
            event.child_exists = event.child_id in existing
