"""factory_boy factory for tracking rows written directly (not through an action)."""

from unittest import mock

import factory
from django.utils import timezone

from tracking.models import Action, EntityType, TrackingEvent


class TrackingEventFactory(factory.django.DjangoModelFactory):
    """A consistent chore activation (delta = after - before) unless told otherwise.

    `created_at` is set with `auto_now_add`, which ignores a given value; pass
    `created_at=...` here to have the row written as if at that moment.
    """

    class Meta:
        model = TrackingEvent

    child_id = 1
    entity_type = EntityType.TASK
    entity_id = 1
    action = Action.ACTIVATED
    points_before = 0
    points_after = 10
    delta = factory.LazyAttribute(lambda event: event.points_after - event.points_before)
    occurred_at = factory.LazyFunction(timezone.now)
    metadata = factory.LazyAttribute(
        lambda event: {
            "child_name": "Ada",
            "entity_name": "Dishes",
            "actor": "parent",
            "default_value": event.delta,
            "override_applied": False,
        }
    )

    @classmethod
    def _create(cls, model_class, *args, created_at=None, **kwargs):
        if created_at is None:
            return super()._create(model_class, *args, **kwargs)
        with mock.patch("django.utils.timezone.now", return_value=created_at):
            return super()._create(model_class, *args, **kwargs)
