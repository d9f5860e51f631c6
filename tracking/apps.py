from django.apps import AppConfig


class TrackingConfig(AppConfig):
    name = "tracking"
    verbose_name = "Tracking"

    def ready(self) -> None:
        from children import signals as children_signals
        from rewards import signals as rewards_signals
        from tracking import receivers, stream, stream_store

        points_signals = (
            children_signals.task_activated,
            children_signals.points_adjusted,
            children_signals.points_reversed,
            rewards_signals.reward_requested,
            rewards_signals.reward_redeemed,
            rewards_signals.reward_cancelled,
        )
        for signal in points_signals:
            signal.connect(receivers.record_event, dispatch_uid="tracking.record_event")
            signal.connect(stream.on_points_action, dispatch_uid="tracking.stream.points")
        children_signals.child_created.connect(stream.on_child_created, dispatch_uid="stream")
        children_signals.child_changed.connect(stream.on_child_changed, dispatch_uid="stream")
        children_signals.child_deleted.connect(stream.on_child_deleted, dispatch_uid="stream")
        stream_store.fail_fast_on_redis_errors()
