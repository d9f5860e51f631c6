"""The Django admin for accounts: Django's user admin, with the columns staff look at first, and
the API tokens, read-only.

Registered by the composition root (`chorehub/admin.py`), which adds each parent's children.
Deleting a user goes through `accounts.services.delete_account`, as through the API: the last
member's deletion removes the household with its children, tasks and rewards; an owner of a
household with other members is refused (transfer ownership first). Its tracking events stay,
with `user_id` set to null (the model's SET_NULL).
"""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from knox import admin as knox_admin  # noqa: F401 (registers knox's admin, replaced below)
from knox.models import AuthToken

from accounts.models import ApiToken
from accounts.services import delete_account, revoke_tokens
from kernel.errors import StateConflict
from kernel.model_admin import ModelAdmin, RefuseReverseToField


class AccountAdmin(RefuseReverseToField, UserAdmin):
    list_display = ("username", "email", "is_staff", "is_active", "date_joined", "last_login")
    list_filter = ("is_staff", "is_superuser", "is_active", "date_joined")
    actions = ["revoke_api_tokens"]

    def delete_model(self, request, obj) -> None:
        try:
            delete_account(user=obj)
        except StateConflict as refusal:
            self.message_user(request, f"{obj.get_username()}: {refusal}", messages.ERROR)

    def delete_queryset(self, request, queryset) -> None:
        for user in queryset:
            self.delete_model(request, user)

    def has_revoke_permission(self, request) -> bool:
        # Revoking signs the accounts out: a change of the accounts, not something to read.
        return self.has_change_permission(request)

    @admin.action(
        description="Revoke all API tokens of the selected accounts", permissions=["revoke"]
    )
    def revoke_api_tokens(self, request, queryset) -> None:
        count = sum(revoke_tokens(user=user) for user in queryset)
        self.message_user(request, f"Revoked {count} API tokens.", messages.SUCCESS)


# knox's own admin (registered when `knox_admin` is imported, above) lists and searches tokens by
# digest and creates them; this one replaces it.
if admin.site.is_registered(AuthToken):
    admin.site.unregister(AuthToken)


@admin.register(ApiToken)
class ApiTokenAdmin(ModelAdmin):
    """Tokens by the first 15 characters of their key (what knox keeps to find a key; the rest of
    the key is never stored), read-only: a key exists only in the answer that issued it. The
    digest is the primary key, so no page or control here names a token by pk (no change page, no
    action checkboxes); staff revoke an account's tokens from the account list instead."""

    list_display = ("token_key", "user", "created", "expiry")
    list_display_links = None
    actions = None
    list_filter = ("created", "expiry")
    list_select_related = ("user",)
    search_fields = ("token_key", "user__username")
    ordering = ("-created",)
    fields = ("token_key", "user", "created", "expiry")
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
