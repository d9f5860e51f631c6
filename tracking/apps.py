from django.apps import AppConfig


class TrackingConfig(AppConfig):
    name = "tracking"
    verbose_name = "Tracking"

    def ready(self) -> None:
        from children.signals import task_activated
        from rewards.signals import reward_cancelled, reward_redeemed, reward_requested
        from tracking import receivers

        for signal in (task_activated, reward_requested, reward_redeemed, reward_cancelled):
            signal.connect(
                receivers.record_event, dispatch_uid=f"tracking.record_event.{id(signal)}"
            )
