from django.apps import AppConfig


class TrackingConfig(AppConfig):
    name = "tracking"
    verbose_name = "Tracking"

    def ready(self) -> None:
        from children import signals as children_signals
        from rewards import signals as rewards_signals
        from tracking.live import channels, resume, store
        from tracking.points_actions import on_points_changed

        points_signals = (
            children_signals.task_activated,
            children_signals.task_claimed,
            children_signals.claim_rejected,
            children_signals.points_adjusted,
            children_signals.points_reversed,
            rewards_signals.reward_requested,
            rewards_signals.reward_redeemed,
            rewards_signals.reward_cancelled,
        )
        for signal in points_signals:
            signal.connect(on_points_changed, dispatch_uid="tracking.points")
        children_signals.child_created.connect(channels.on_child_created, dispatch_uid="live")
        children_signals.child_changed.connect(channels.on_child_changed, dispatch_uid="live")
        children_signals.child_deleted.connect(channels.on_child_deleted, dispatch_uid="live")
        store.fail_fast_on_redis_errors()
        resume.read_past_every_channel()
