"""The append-only record of every action that touched a child's points or a reward request."""

import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import F, Q


class EntityType(models.TextChoices):
    TASK = "task"
    PENALTY = "penalty"
    REWARD = "reward"
    ADJUSTMENT = "adjustment"
    BADGE = "badge"  # a badge awarded or revoked (issue 15): no points move
    PAUSE = "pause"  # a day a guardian paused a child's streak (issue 15): no points move


class Action(models.TextChoices):
    ACTIVATED = "activated"
    REQUESTED = "requested"
    REDEEMED = "redeemed"
    CANCELLED = "cancelled"
    ADJUSTED = "adjusted"
    REVERSED = "reversed"
    AWARDED = "awarded"
    REVOKED = "revoked"
    PAUSED = "paused"


# Which actions each kind of entity can have; the database refuses any other pair.
REVERSIBLE_ACTIONS = (Action.ACTIVATED, Action.REDEEMED, Action.ADJUSTED, Action.PAUSED)
ALLOWED_ACTIONS: dict[str, tuple[str, ...]] = {
    # A chore's `requested` and `cancelled` are a child's claim and its rejection (issue 14).
    EntityType.TASK: (Action.ACTIVATED, Action.REQUESTED, Action.CANCELLED, Action.REVERSED),
    EntityType.PENALTY: (Action.ACTIVATED, Action.REVERSED),
    EntityType.REWARD: (Action.REQUESTED, Action.REDEEMED, Action.CANCELLED, Action.REVERSED),
    EntityType.ADJUSTMENT: (Action.ADJUSTED, Action.REVERSED),
    # A badge is never reversed: a reversal that makes its criterion false appends `revoked`.
    EntityType.BADGE: (Action.AWARDED, Action.REVOKED),
    EntityType.PAUSE: (Action.PAUSED, Action.REVERSED),
}
# Entity types whose events name no entity: an adjustment, a pause, a built-in badge.
WITHOUT_ENTITY = (EntityType.ADJUSTMENT, EntityType.BADGE, EntityType.PAUSE)

APPEND_ONLY = (
    "Tracking events are append-only: they are never updated or deleted "
    "(the only change allowed is user=None when the user is deleted)."
)


class AppendOnlyError(Exception):
    """Raised on any attempt to change or delete a tracking event through the ORM."""


def is_anonymization(changes: dict) -> bool:
    return changes in ({"user": None}, {"user_id": None})


class TrackingEventQuerySet(models.QuerySet):
    """Refuses bulk updates and deletes; Django's SET_NULL on user deletion is the one exception."""

    def update(self, **kwargs):
        if not is_anonymization(kwargs):
            raise AppendOnlyError(APPEND_ONLY)
        return super().update(**kwargs)

    def delete(self):
        raise AppendOnlyError(APPEND_ONLY)

    def bulk_update(self, objs, fields, batch_size=None):
        raise AppendOnlyError(APPEND_ONLY)


class TrackingEvent(models.Model):
    # Set to null (the only change ever made to a row) when the parent's account is deleted.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tracking_events",
        db_index=False,  # served by the (user, occurred_at) index
    )
    # Plain integers, not foreign keys: they must outlive the child and the task or reward.
    child_id = models.BigIntegerField()
    entity_type = models.CharField(max_length=16, choices=EntityType.choices)
    entity_id = models.BigIntegerField(null=True, blank=True)
    action = models.CharField(max_length=16, choices=Action.choices)
    points_before = models.BigIntegerField()
    points_after = models.BigIntegerField()
    delta = models.BigIntegerField()
    occurred_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    metadata = models.JSONField(default=dict, blank=True)
    # On a reversal, the event it undoes; the unique constraint makes "once per event" a database
    # guarantee. Who reversed an event is found by query: the original row never changes.
    reverses = models.BigIntegerField(null=True, blank=True)

    objects = TrackingEventQuerySet.as_manager()

    class Meta:
        # Django's deletion collector (SET_NULL on user) goes through the base manager.
        base_manager_name = "objects"
        ordering = ["occurred_at", "created_at", "id"]
        indexes = [
            # One child's events in chain order, optionally in a date range.
            models.Index(
                fields=["child_id", "occurred_at", "created_at", "id"], name="event_child_timeline"
            ),
            # A user's events in a date range.
            models.Index(fields=["user", "occurred_at"], name="event_user_timeline"),
            # One entity type in a date range.
            models.Index(fields=["entity_type", "occurred_at"], name="event_type_timeline"),
            # Everything in time order (the admin's newest-first list).
            models.Index(fields=["occurred_at", "created_at", "id"], name="event_timeline"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(delta=F("points_after") - F("points_before")),
                name="event_delta_is_after_minus_before",
            ),
            models.CheckConstraint(
                condition=Q(points_before__gte=0, points_after__gte=0),
                name="event_points_not_negative",
            ),
            models.CheckConstraint(
                condition=Q.create(
                    [
                        Q(entity_type=entity_type, action__in=actions)
                        for entity_type, actions in ALLOWED_ACTIONS.items()
                    ],
                    connector=Q.OR,
                ),
                name="event_action_fits_entity_type",
            ),
            models.CheckConstraint(
                condition=Q(entity_type__in=WITHOUT_ENTITY) | Q(entity_id__isnull=False),
                name="event_entity_id_unless_adjustment",
            ),
            models.CheckConstraint(
                condition=Q(action=Action.REVERSED, reverses__isnull=False)
                | (~Q(action=Action.REVERSED) & Q(reverses__isnull=True)),
                name="event_reverses_iff_reversal",
            ),
            models.UniqueConstraint(fields=["reverses"], name="event_reversed_once"),
        ]
        triggers = [
            pgtrigger.Protect(name="event_no_delete", operation=pgtrigger.Delete),
            pgtrigger.Protect(
                name="event_no_update_but_user",
                operation=pgtrigger.Update,
                condition=pgtrigger.AnyChange(exclude=["user"]),
            ),
            pgtrigger.Protect(
                name="event_user_only_to_null",
                operation=pgtrigger.Update,
                condition=pgtrigger.Q(new__user__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.entity_type} {self.action} for child {self.child_id} ({self.delta:+d})"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise AppendOnlyError(APPEND_ONLY)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(APPEND_ONLY)
