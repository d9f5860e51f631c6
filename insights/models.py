"""The projections of the history: what a child's events add up to per household day
(`ChildDay`) and over its whole life (`ChildTotals`), and which chores count for its streak
(`StreakChoice`).

Every row here can be recomputed from the tracking history alone (`insights.rebuild`), and is
maintained incrementally as events are written (`insights.projection`); the two always agree.
"""

from django.db import models
from django.db.models import Q

from children.models import Child, Task

# The points figures of a day, in the order the API gives them.
POINTS_FIGURES = ("earned", "lost", "spent", "adjusted", "reversed")
# Every counter a day (and the lifetime) holds; `streak_chores` and `pauses` only per day.
COUNTERS = (
    *POINTS_FIGURES,
    "reversals",
    "chores",
    "chore_points",
    "penalties",
    "penalty_points",
)
DAY_COUNTERS = (*COUNTERS, "streak_chores", "pauses")


def _counter() -> models.BigIntegerField:
    return models.BigIntegerField(default=0)


class ChildDay(models.Model):
    """One child's figures for one household day (the household's calendar: time zone,
    day-boundary hour). A day without events has no row: every figure is then 0."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="days")
    day = models.DateField()
    earned = _counter()  # points from chores
    lost = _counter()  # points taken by penalties (what the floor at 0 let them take)
    spent = _counter()  # points spent on rewards
    adjusted = _counter()  # manual adjustments, signed
    reversed = _counter()  # what reversals could not take back (the floor at 0); usually 0
    reversals = _counter()  # reversals of points events recorded that day
    chores = _counter()  # good activations that stand (not reversed)
    chore_points = _counter()
    penalties = _counter()  # not-good activations that stand
    penalty_points = _counter()
    streak_chores = _counter()  # standing chores that count for the streak (StreakChoice)
    pauses = _counter()  # standing pauses of this day (at most 1 through the API)

    class Meta:
        ordering = ["child", "day"]
        constraints = [
            models.UniqueConstraint(fields=["child", "day"], name="child_day_once"),
        ]

    def __str__(self) -> str:
        return f"child {self.child_id} on {self.day}"

    @property
    def paused(self) -> bool:
        return self.pauses > 0

    @property
    def net(self) -> int:
        return self.earned - self.lost - self.spent + self.adjusted + self.reversed


class ChildTotals(models.Model):
    """A child's lifetime figures and its streak state, read cheaply (one row) by the figures,
    the badges and the stream.

    `current_streak` is the run of streak days ending on `last_streak_day` (the child's latest
    day that counts); whether it still stands today is decided when read (`insights.streaks`).
    """

    child = models.OneToOneField(Child, on_delete=models.CASCADE, related_name="totals")
    earned = _counter()
    lost = _counter()
    spent = _counter()
    adjusted = _counter()
    reversed = _counter()
    reversals = _counter()
    chores = _counter()
    chore_points = _counter()
    penalties = _counter()
    penalty_points = _counter()
    current_streak = models.PositiveIntegerField(default=0)
    best_streak = models.PositiveIntegerField(default=0)
    last_streak_day = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "child totals"
        constraints = [
            models.CheckConstraint(
                condition=Q(best_streak__gte=models.F("current_streak")),
                name="child_totals_best_streak_is_best",
            ),
        ]

    def __str__(self) -> str:
        return f"totals of child {self.child_id}"

    @property
    def net(self) -> int:
        return self.earned - self.lost - self.spent + self.adjusted + self.reversed


class StreakChoice(models.Model):
    """The chores that count for a child's streak, when the guardians chose some. No row (or
    no task) means every chore counts."""

    child = models.OneToOneField(Child, on_delete=models.CASCADE, related_name="streak_choice")
    tasks = models.ManyToManyField(Task, related_name="+", blank=True)

    def __str__(self) -> str:
        return f"streak chores of child {self.child_id}"
