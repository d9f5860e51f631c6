from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "insights"
    verbose_name = "Insights (figures and streaks)"

    def ready(self) -> None:
        from children import signals as children_signals
        from households import signals as households_signals
        from insights import projection, receivers
        from tracking import signals as tracking_signals

        tracking_signals.reading_with_row.connect(
            projection.read_with_row, dispatch_uid="insights.projection"
        )
        tracking_signals.event_recorded.connect(
            receivers.on_event_recorded, dispatch_uid="insights.projection"
        )
        tracking_signals.event_published.connect(
            receivers.on_event_published, dispatch_uid="insights.projection_applied"
        )
        households_signals.household_calendar_changed.connect(
            receivers.on_household_calendar_changed, dispatch_uid="insights.calendar"
        )
        # A deleted chore leaves the streak choices naming it: rebuild as a change of choice does.
        children_signals.task_deleting.connect(
            receivers.on_task_deleting, dispatch_uid="insights.streak_task_deleting"
        )
        children_signals.task_deleted.connect(
            receivers.on_task_deleted, dispatch_uid="insights.streak_task_deleted"
        )
