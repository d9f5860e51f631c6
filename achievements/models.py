"""Badges: those a household defines (`BadgeDefinition`), and each badge a child was awarded for
one period (`BadgeAward`). The built-in tiers are code (`achievements.catalog`).

The history is the record: a badge is awarded, and revoked, by appending a tracking event
(`entity_type` `badge`). `BadgeAward` is what the database needs to refuse a second award of one
badge for one period; it always agrees with those events (`manage.py rebuild_projections`).
"""

from django.db import models
from django.db.models import Q

from children.models import Child, Task
from kernel.text import validate_single_line_text

BADGE_NAME_MAX = 64
THRESHOLD_MAX = 1_000_000
RATIO_TERM_MAX = 100


class Period(models.TextChoices):
    LIFETIME = "lifetime"  # the whole history: one award per child at most
    WEEK = "week"  # a household week (its first day is the period's start)
    MONTH = "month"  # a calendar month in the household's calendar


class Criterion(models.TextChoices):
    TASK_COUNT = "task_count"  # activations of one chore that stand (not reversed)
    CHORE_COUNT = "chore_count"  # activations of any chore that stand
    WEEK_POINTS = "week_points"  # points earned from chores in a week
    STREAK_LENGTH = "streak_length"  # the child's best streak, in days
    GOOD_RATIO = "good_ratio"  # good activations per not-good one over a week or a month
    CLEAN_WEEK = "clean_week"  # built-in only: a week with a chore and no penalty


# What a household may define, and the periods each criterion takes (the first is the default).
DEFINABLE_PERIODS: dict[str, tuple[str, ...]] = {
    Criterion.TASK_COUNT: (Period.LIFETIME, Period.WEEK, Period.MONTH),
    Criterion.CHORE_COUNT: (Period.LIFETIME, Period.WEEK, Period.MONTH),
    Criterion.WEEK_POINTS: (Period.WEEK,),
    Criterion.STREAK_LENGTH: (Period.LIFETIME,),
    Criterion.GOOD_RATIO: (Period.WEEK, Period.MONTH),
}


class BadgeDefinition(models.Model):
    """A badge a household's guardians defined. Its criterion never changes once it exists (what
    it awarded was awarded under it); its name may."""

    household = models.ForeignKey(
        "households.Household", on_delete=models.CASCADE, related_name="badge_definitions"
    )
    name = models.CharField(max_length=BADGE_NAME_MAX, validators=[validate_single_line_text])
    criterion = models.CharField(
        max_length=16, choices=[(c, c) for c in DEFINABLE_PERIODS], default=Criterion.CHORE_COUNT
    )
    # The chore a `task_count` badge counts. Deleting the chore deletes the badge (its awards
    # stay in the history and in BadgeAward).
    task = models.ForeignKey(
        Task, null=True, blank=True, on_delete=models.CASCADE, related_name="badge_definitions"
    )
    # A count, points, days; for `good_ratio`, the good activations the period needs at least.
    threshold = models.PositiveIntegerField(default=1)
    # `good_ratio` only: at least `ratio_good` good activations for every `ratio_not_good`
    # not-good one.
    ratio_good = models.PositiveSmallIntegerField(null=True, blank=True)
    ratio_not_good = models.PositiveSmallIntegerField(null=True, blank=True)
    period = models.CharField(max_length=8, choices=Period.choices, default=Period.LIFETIME)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="badge_name_not_blank"),
            models.CheckConstraint(
                condition=Q(threshold__gte=1, threshold__lte=THRESHOLD_MAX),
                name="badge_threshold_in_range",
            ),
            models.CheckConstraint(
                condition=Q.create(
                    [
                        Q(criterion=criterion, period__in=periods)
                        for criterion, periods in DEFINABLE_PERIODS.items()
                    ],
                    connector=Q.OR,
                ),
                name="badge_period_fits_criterion",
            ),
            models.CheckConstraint(
                condition=Q(criterion=Criterion.TASK_COUNT, task__isnull=False)
                | (~Q(criterion=Criterion.TASK_COUNT) & Q(task__isnull=True)),
                name="badge_task_iff_task_count",
            ),
            models.CheckConstraint(
                condition=Q(
                    criterion=Criterion.GOOD_RATIO,
                    # NULL in a CHECK passes: say it.
                    ratio_good__isnull=False,
                    ratio_not_good__isnull=False,
                    ratio_good__gte=1,
                    ratio_not_good__gte=1,
                    ratio_good__lte=RATIO_TERM_MAX,
                    ratio_not_good__lte=RATIO_TERM_MAX,
                )
                | (
                    ~Q(criterion=Criterion.GOOD_RATIO)
                    & Q(ratio_good__isnull=True, ratio_not_good__isnull=True)
                ),
                name="badge_ratio_iff_good_ratio",
            ),
        ]
        indexes = [models.Index(fields=["household", "id"], name="badge_by_household")]

    def __str__(self) -> str:
        return self.name

    @property
    def key(self) -> str:
        return definition_key(self.pk)


def definition_key(definition_id: int) -> str:
    """The badge key of a household's badge (the built-ins' keys are names, e.g. `streak_7`)."""
    return f"custom_{definition_id}"


class BadgeAward(models.Model):
    """One badge of one child for one period: awarded once at most, revoked once at most.

    `awarded` only ever flips from False to True, in the statement that also stores the award's
    event (`achievements.awarding`); with the unique constraints below, the database itself
    refuses a second award of a badge for one period, however the actions interleave.
    """

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="badge_awards")
    badge_key = models.CharField(max_length=32)
    name = models.CharField(max_length=BADGE_NAME_MAX)  # the badge's name when it was awarded
    criterion = models.CharField(max_length=16, choices=Criterion.choices)
    period = models.CharField(max_length=8, choices=Period.choices)
    # The period's first household day; null for a lifetime badge.
    period_start = models.DateField(null=True, blank=True)
    awarded = models.BooleanField(default=False)
    award_event_id = models.BigIntegerField(null=True, blank=True)
    awarded_at = models.DateTimeField(null=True, blank=True)
    revoke_event_id = models.BigIntegerField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["child", "awarded_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["child", "badge_key", "period_start"], name="badge_awarded_once_per_period"
            ),
            # NULLs are distinct in a unique index: a lifetime badge needs its own.
            models.UniqueConstraint(
                fields=["child", "badge_key"],
                condition=Q(period_start__isnull=True),
                name="badge_awarded_once_for_life",
            ),
            models.CheckConstraint(
                condition=Q(awarded=True, award_event_id__isnull=False)
                | Q(awarded=False, award_event_id__isnull=True),
                name="badge_award_has_its_event",
            ),
            models.CheckConstraint(
                condition=Q(revoke_event_id__isnull=True) | Q(awarded=True),
                name="badge_revoked_only_if_awarded",
            ),
            models.CheckConstraint(
                condition=Q(period=Period.LIFETIME, period_start__isnull=True)
                | (~Q(period=Period.LIFETIME) & Q(period_start__isnull=False)),
                name="badge_period_start_unless_lifetime",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} for child {self.child_id} ({self.period_start or 'lifetime'})"

    @property
    def standing(self) -> bool:
        return self.awarded and self.revoke_event_id is None


class TaskTally(models.Model):
    """How many activations of one chore stand (not reversed) on one household day of a child:
    what a `task_count` badge counts. Kept only for the chores a household's badges name (a
    badge's creation counts its chore's history); like insights' days, it is a projection of the
    history (`achievements.tallies`)."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="task_tallies")
    task_id = models.BigIntegerField()  # a plain id, as in the history: the chore may be gone
    day = models.DateField()
    count = models.IntegerField(default=0)

    class Meta:
        ordering = ["child", "task_id", "day"]
        constraints = [
            models.UniqueConstraint(fields=["child", "task_id", "day"], name="task_tally_once"),
        ]

    def __str__(self) -> str:
        return f"chore {self.task_id} of child {self.child_id} on {self.day}: {self.count}"
