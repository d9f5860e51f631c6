"""Which badges a household's children can win: the built-in tiers, and what the household defined,
as one kind of value (`Badge`) that the checks, the rebuild and the API share."""

from dataclasses import dataclass
from functools import cache

from django.db import connection

from achievements.models import BadgeDefinition, Criterion, Period, definition_key
from children.models import Task


@dataclass(frozen=True)
class Badge:
    key: str  # `streak_7`, `chores_10`, `clean_week`; `custom_<id>` for a household's
    name: str
    criterion: str
    period: str
    threshold: int = 1
    task_id: int | None = None
    task_name: str = ""
    ratio_good: int | None = None
    ratio_not_good: int | None = None

    @property
    def waits_for_period_end(self) -> bool:
        """Whether the badge is only decided once its period is over: a later event of the same
        period can make its criterion false (a penalty), not only a reversal."""
        return self.criterion in (Criterion.CLEAN_WEEK, Criterion.GOOD_RATIO)

    def describe(self) -> str:
        """The criterion in words (event metadata, the admin)."""
        per = {Period.WEEK: " in a week", Period.MONTH: " in a month", Period.LIFETIME: ""}
        match self.criterion:
            case Criterion.STREAK_LENGTH:
                return f"a streak of {self.threshold} days"
            case Criterion.CHORE_COUNT:
                return f"{self.threshold} chores{per[self.period]}"
            case Criterion.TASK_COUNT:
                chore = f"'{self.task_name}'" if self.task_name else f"chore {self.task_id}"
                return f"{chore} done {self.threshold} times{per[self.period]}"
            case Criterion.WEEK_POINTS:
                return f"{self.threshold} points earned from chores in a week"
            case Criterion.GOOD_RATIO:
                return (
                    f"at least {self.ratio_good} chores for every {self.ratio_not_good} "
                    f"penalties{per[self.period]}, with {self.threshold} chores or more"
                )
            case _:
                return "a week with a chore and no penalty"


STREAK_TIERS = (7, 30, 100, 365)
CHORE_TIERS = (10, 100, 1000)

BUILT_IN: tuple[Badge, ...] = (
    *(
        Badge(
            key=f"streak_{days}",
            name=f"{days}-day streak",
            criterion=Criterion.STREAK_LENGTH,
            period=Period.LIFETIME,
            threshold=days,
        )
        for days in STREAK_TIERS
    ),
    *(
        Badge(
            key=f"chores_{count}",
            name=f"{count:,} chores",
            criterion=Criterion.CHORE_COUNT,
            period=Period.LIFETIME,
            threshold=count,
        )
        for count in CHORE_TIERS
    ),
    Badge(
        key="clean_week",
        name="Clean week",
        criterion=Criterion.CLEAN_WEEK,
        period=Period.WEEK,
    ),
)


def badge_of(definition: BadgeDefinition) -> Badge:
    return _badge_of_row(
        definition.pk,
        definition.name,
        definition.criterion,
        definition.period,
        definition.threshold,
        definition.task_id,
        definition.task.name if definition.task_id else "",
        definition.ratio_good,
        definition.ratio_not_good,
    )


def badges_of_household(household_id: int, read: list[tuple] | None = None) -> list[Badge]:
    """The built-in badges, then the household's own (one query, unless `read` holds its rows:
    `definitions_read`'s, made in the round trip of the row being checked).

    Hand-written, its SQL built once per process: every action's badge check reads this, and
    compiling the equivalent queryset (with the chore's name) cost more than the read itself."""
    if read is None:
        with connection.cursor() as cursor:
            cursor.execute(_definitions_sql(), [household_id])
            read = cursor.fetchall()
    return [*BUILT_IN, *(_badge_of_row(*row) for row in read)]


def definitions_read(household_id: int) -> tuple[str, list[int]]:
    """The household's own definitions, as a statement to send with another (`kernel.one_trip`)."""
    return _definitions_sql(), [household_id]


def _badge_of_row(
    pk: int,
    name: str,
    criterion: str,
    period: str,
    threshold: int,
    task_id: int | None,
    task_name: str | None,
    ratio_good: int | None,
    ratio_not_good: int | None,
) -> Badge:
    return Badge(
        key=definition_key(pk),
        name=name,
        criterion=criterion,
        period=period,
        threshold=threshold,
        task_id=task_id,
        task_name=task_name or "",
        ratio_good=ratio_good,
        ratio_not_good=ratio_not_good,
    )


@cache
def _definitions_sql() -> str:
    quote = connection.ops.quote_name
    return (
        "SELECT d.id, d.name, d.criterion, d.period, d.threshold, d.task_id, t.name, "
        "d.ratio_good, d.ratio_not_good "
        f"FROM {quote(BadgeDefinition._meta.db_table)} d "
        f"LEFT JOIN {quote(Task._meta.db_table)} t ON t.id = d.task_id "
        "WHERE d.household_id = %s ORDER BY d.id"
    )
