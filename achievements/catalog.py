"""Which badges a household's children can win: the built-in tiers, and what the household defined,
as one kind of value (`Badge`) that the checks, the rebuild and the API share."""

from dataclasses import dataclass

from achievements.models import BadgeDefinition, Criterion, Period


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
    return Badge(
        key=definition.key,
        name=definition.name,
        criterion=definition.criterion,
        period=definition.period,
        threshold=definition.threshold,
        task_id=definition.task_id,
        task_name=definition.task.name if definition.task_id else "",
        ratio_good=definition.ratio_good,
        ratio_not_good=definition.ratio_not_good,
    )


def badges_of_household(household_id: int) -> list[Badge]:
    """The built-in badges, then the household's own (one query)."""
    defined = (
        BadgeDefinition.objects.filter(household_id=household_id)
        .select_related("task")
        .order_by("id")
    )
    return [*BUILT_IN, *(badge_of(definition) for definition in defined)]
