"""The Django admin for paired devices and pairing codes. A credential or a code is never shown
(the database holds only their digests, which are not shown either): a device shows its
credential's first characters. Devices are paired through the API; here they are listed and
revoked."""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from devices import services
from devices.models import Device, PairingCode
from kernel.model_admin import ModelAdmin


class DeviceInline(admin.TabularInline):
    """A household's devices on its admin page (composed in `chorehub/admin.py`): read-only, the
    credential by its prefix only."""

    model = Device
    fields = ("name", "token_prefix", "paired_by", "created_at", "last_used_at", "revoked_at")
    readonly_fields = fields
    show_change_link = True
    extra = 0

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Device)
class DeviceAdmin(ModelAdmin):
    list_display = (
        "name",
        "household",
        "children_names",
        "token_prefix",
        "paired_by",
        "last_used_at",
        "revoked_at",
    )
    list_select_related = ("household", "paired_by")
    list_filter = ("revoked_at", "created_at")
    search_fields = ("name", "token_prefix", "household__name", "children__name")
    search_help_text = (
        "Search by the device's name, its credential's prefix, its household or a child."
    )
    ordering = ("-id",)
    fields = (
        "name",
        "household",
        "children_names",
        "token_prefix",
        "paired_by",
        "created_at",
        "last_used_at",
        "revoked_at",
    )
    readonly_fields = fields
    actions = ("revoke",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Device]:
        return super().get_queryset(request).prefetch_related("children")

    @admin.display(description="children")
    def children_names(self, device: Device) -> str:
        return ", ".join(child.name for child in device.children.all())

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # paired with a code, through the API

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # read-only: revoking is the one change (the action below)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # revoke instead: the history names devices by id

    def has_revoke_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("devices.change_device")

    @admin.action(
        description="Revoke the selected devices (their access ends at once)",
        permissions=["revoke"],
    )
    def revoke(self, request: HttpRequest, queryset: QuerySet[Device]) -> None:
        revoked = 0
        for device in queryset.filter(revoked_at__isnull=True):
            services.revoke_device(device=device)
            revoked += 1
        self.message_user(request, f"Revoked {revoked} device(s).", messages.SUCCESS)


@admin.register(PairingCode)
class PairingCodeAdmin(ModelAdmin):
    list_display = ("id", "name", "household", "created_by", "created_at", "expires_at", "used_at")
    list_select_related = ("household", "created_by")
    list_filter = ("created_at",)
    search_fields = ("name", "household__name")
    ordering = ("-id",)
    fields = (
        "name",
        "household",
        "children_names",
        "created_by",
        "created_at",
        "expires_at",
        "used_at",
        "device",
    )
    readonly_fields = fields

    @admin.display(description="children")
    def children_names(self, pairing: PairingCode) -> str:
        return ", ".join(child.name for child in pairing.children.all())

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
