"""Request and response shapes of the guardians' device routes (pairing, the list, revocation,
PINs)."""

import re

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from children.models import Child
from children.selectors import children_for
from devices.models import DEVICE_NAME_MAX, MAX_CHILDREN_PER_DEVICE, Device
from kernel.api import ListField, StrictFieldsMixin, id_field
from kernel.text import validate_single_line_text

UNKNOWN_CHILDREN = "Unknown child id(s): {ids}."
PIN_FORMAT = "A PIN is a string of 4 to 8 digits."


class PairingCodeRequestSerializer(StrictFieldsMixin, serializers.Serializer):
    name = serializers.CharField(
        min_length=1,
        max_length=DEVICE_NAME_MAX,
        allow_blank=False,
        validators=[validate_single_line_text],
        help_text=_("What the device is called in the list, e.g. `Kitchen tablet`."),
    )
    child_ids = ListField(
        child=id_field(),
        min_length=1,
        max_length=MAX_CHILDREN_PER_DEVICE,
        help_text=_(
            f"The children the device acts for: 1 to {MAX_CHILDREN_PER_DEVICE}, of your household."
        ),
    )

    def validate_child_ids(self, ids: list[int]) -> list[Child]:
        wanted = set(ids)
        found = list(children_for(self.context["user"]).filter(pk__in=wanted))
        missing = wanted - {child.pk for child in found}
        if missing:
            raise serializers.ValidationError(
                UNKNOWN_CHILDREN.format(ids=", ".join(map(str, sorted(missing))))
            )
        return found


class PairingCodeSerializer(serializers.Serializer):
    code = serializers.CharField(
        help_text=_(
            "Shown only here: type it on the device (letters and digits; case, spaces and "
            "dashes do not matter). Single use."
        )
    )
    expires_at = serializers.DateTimeField(help_text=_("10 minutes after it was made."))
    name = serializers.CharField()
    child_ids = ListField(child=serializers.IntegerField(), max_length=MAX_CHILDREN_PER_DEVICE)


class PairSerializer(StrictFieldsMixin, serializers.Serializer):
    code = serializers.CharField(max_length=64, help_text=_("The code a guardian was given."))


class PairedBySerializer(serializers.Serializer):
    user_id = serializers.IntegerField(source="pk")
    username = serializers.CharField(source="get_username")


class DeviceSerializer(serializers.ModelSerializer):
    child_ids = serializers.SerializerMethodField()
    token_prefix = serializers.CharField(
        read_only=True, help_text=_("The credential's first characters, to tell devices apart.")
    )
    paired_by = PairedBySerializer(
        read_only=True,
        allow_null=True,
        help_text=_(
            "The guardian who paired it (its actions are recorded for them); null once that "
            "account is deleted."
        ),
    )
    last_used_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text=_("To the minute.")
    )
    revoked_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text=_("Null while the device may act.")
    )

    class Meta:
        model = Device
        fields = [
            "id",
            "name",
            "child_ids",
            "token_prefix",
            "paired_by",
            "created_at",
            "last_used_at",
            "revoked_at",
        ]
        read_only_fields = fields

    def get_child_ids(self, device: Device) -> list[int]:
        return sorted(child.pk for child in device.children.all())


class PairedSerializer(serializers.Serializer):
    device = DeviceSerializer()
    credential = serializers.CharField(
        help_text=_(
            "Shown only here: the device sends it as `Authorization: Device <credential>` on "
            "every request. Keep it secret; a guardian revokes it."
        )
    )


PIN_PATTERN = r"^[0-9]{4,8}$"


class PinField(serializers.RegexField):
    """A PIN: a string (a number would lose its leading zeros) of 4 to 8 digits, taken as sent."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("help_text", PIN_FORMAT)
        super().__init__(
            PIN_PATTERN, trim_whitespace=False, error_messages={"invalid": PIN_FORMAT}, **kwargs
        )

    def to_internal_value(self, data):
        # The whole string: the pattern's `$` (kept for the schema, as JSON Schema reads it) also
        # matches before a final newline, and "1234\n" would be a PIN no child can type.
        if not isinstance(data, str) or not re.fullmatch(PIN_PATTERN, data):
            self.fail("invalid")
        return super().to_internal_value(data)


class PinSerializer(StrictFieldsMixin, serializers.Serializer):
    pin = PinField()


class PinSetSerializer(serializers.Serializer):
    device_id = serializers.IntegerField()
    child_id = serializers.IntegerField()
    has_pin = serializers.BooleanField()
