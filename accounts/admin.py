"""The Django admin for accounts: Django's user admin, with the columns staff look at first.

Registered by the composition root (`chorehub/admin.py`), which adds each parent's children.
Deleting a user deletes what the account owns (children, tasks, rewards, tokens); its tracking
events stay, with `user_id` set to null (the model's SET_NULL).
"""

from django.contrib.auth.admin import UserAdmin


class AccountAdmin(UserAdmin):
    list_display = ("username", "email", "is_staff", "is_active", "date_joined", "last_login")
    list_filter = ("is_staff", "is_superuser", "is_active", "date_joined")
