"""What the history tells (issue 15): a child's figures per household day, its streaks and
paused days, kept as projections of the append-only tracking history that can always be rebuilt
from it and always agree with it."""
