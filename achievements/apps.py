from django.apps import AppConfig


class AchievementsConfig(AppConfig):
    name = "achievements"
    verbose_name = "Achievements (badges and the family's week)"

    def ready(self) -> None:
        from achievements import receivers
        from children import signals as children_signals
        from households import signals as households_signals
        from insights import signals as insights_signals
        from tracking import signals as tracking_signals

        # The household's badge definitions, read in the round trip of each action's row.
        tracking_signals.reading_with_row.connect(
            receivers.read_with_row, dispatch_uid="achievements.badges"
        )
        # After insights applied a row (its figures and the child's totals are up to date).
        insights_signals.projection_applied.connect(
            receivers.on_projection_applied, dispatch_uid="achievements.badges"
        )
        # Connected after insights' own receiver (INSTALLED_APPS order): the days are rebuilt
        # in the new calendar first, then the badges follow them.
        households_signals.household_calendar_changed.connect(
            receivers.on_household_calendar_changed, dispatch_uid="achievements.calendar"
        )
        # Other chores count for a child's streak: its streak badges follow the rebuilt days.
        insights_signals.streak_tasks_changed.connect(
            receivers.on_streak_tasks_changed, dispatch_uid="achievements.streak_tasks"
        )
        # What this process remembers of a child (`achievements.memo`) goes with it.
        children_signals.child_deleted.connect(
            receivers.on_child_deleted, dispatch_uid="achievements.memo"
        )
