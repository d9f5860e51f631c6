"""The composition of the admin: pages that show what several apps hold are put together here,
the one package that may import every app. Each app registers its own simple models itself."""

from django.contrib import admin
from django.contrib.auth import get_user_model

from accounts.admin import AccountAdmin
from children.admin import ChildAdmin, ParentChildrenMixin
from children.models import Child
from rewards.admin import ChildRewardsMixin
from tracking.staff.child_history import ChildHistoryMixin

User = get_user_model()


@admin.register(Child)
class ComposedChildAdmin(ChildHistoryMixin, ChildRewardsMixin, ChildAdmin):
    """A child's page: the children app's fields, its rewards, then its points history."""


# Django registers its own user admin; this one replaces it.
admin.site.unregister(User)


@admin.register(User)
class ParentAdmin(ParentChildrenMixin, AccountAdmin):
    """An account, with the children it owns."""

    list_display = (
        "username",
        "email",
        "children_count",
        "is_staff",
        "is_active",
        "date_joined",
        "last_login",
    )
