"""The composition of the admin: pages that show what several apps hold are put together here,
the one package that may import every app. Each app registers its own simple models itself."""

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models import Count

from accounts.admin import AccountAdmin
from achievements.admin import ChildBadgesMixin
from achievements.week_admin import FamilyWeekMixin
from children.admin import ChildAdmin, HouseholdChildrenMixin
from children.models import Child
from devices.admin import DeviceInline
from households.admin import HouseholdAdmin
from households.models import Household
from insights.staff.child_balance import ChildBalanceMixin
from kernel.model_admin import RefuseReverseToField
from rewards.admin import ChildRewardsMixin
from tracking.staff.child_history import ChildHistoryMixin

User = get_user_model()


@admin.register(Child)
class ComposedChildAdmin(
    ChildBadgesMixin, ChildBalanceMixin, ChildHistoryMixin, ChildRewardsMixin, ChildAdmin
):
    """A child's page: the children app's fields, its rewards, then its points history with the
    good versus not-good chart beside the points chart, then its badges."""


# Django registers its own user admin; this one replaces it.
admin.site.unregister(User)


@admin.register(User)
class ParentAdmin(AccountAdmin):
    """An account, with the number of children in its household (listed on the household's
    page)."""

    list_display = (
        "username",
        "email",
        "children_count",
        "is_staff",
        "is_active",
        "date_joined",
        "last_login",
    )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(children_count=Count("membership__household__children"))
        )

    @admin.display(description="children", ordering="children_count")
    def children_count(self, user) -> int:
        return user.children_count


@admin.register(Household)
class ComposedHouseholdAdmin(FamilyWeekMixin, HouseholdChildrenMixin, HouseholdAdmin):
    """A household: its members, its children, then its paired devices; a link to its family
    week."""

    inlines = (*HouseholdAdmin.inlines, *HouseholdChildrenMixin.inlines, DeviceInline)
    list_display = ("name", "id", "time_zone", "children_count", "created_at")


# Django's and django-axes' own admins (groups, sign-in attempts) are not the project's classes:
# they get the refusal of a reverse relation as `?_to_field=` (kernel/model_admin.py) here, each
# re-registered as a subclass of itself, so that no admin page answers it with a 500.
for model in (Group, AccessAttempt, AccessLog, AccessFailureLog):
    if admin.site.is_registered(model):
        own_admin = type(admin.site.get_model_admin(model))
        admin.site.unregister(model)
        admin.site.register(model, type(own_admin.__name__, (RefuseReverseToField, own_admin), {}))
