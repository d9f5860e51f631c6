"""factory_boy factories for tests and benchmarks (factory-boy is a development dependency)."""

import factory
from django.contrib.auth import get_user_model

from children.models import Child, Task
from households.models import Household, Membership, Role
from rewards.models import Reward, RewardRequest


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"parent{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    password = factory.django.Password("correct-horse-battery")

    @factory.post_generation
    def household(user, create: bool, extracted, **kwargs) -> None:
        """Every user owns a household of their own, as registering makes one; pass
        `household=False` for a user who belongs to none."""
        if not create or extracted is False:
            return
        household = extracted or Household.objects.create(name=f"{user.username}'s family")
        Membership.objects.create(user=user, household=household, role=Role.OWNER)


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Household

    name = factory.Sequence(lambda n: f"Family {n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    """A member of a household: `MembershipFactory(household=h, role=Role.GUARDIAN)` makes a new
    user who belongs to `h` (and to no household of their own)."""

    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory, household=False)
    household = factory.SubFactory(HouseholdFactory)
    role = Role.GUARDIAN


def household_of(user) -> Household:
    """The user's household (what `owner=user` in the factories below maps to)."""
    return Membership.objects.select_related("household").get(user=user).household


class OwnedByUser(factory.django.DjangoModelFactory):
    """`owner=user` is a convenience: the row belongs to that user's household (by default a new
    user's). `household=...` names the household itself."""

    class Meta:
        abstract = True

    class Params:
        owner = factory.SubFactory(UserFactory)

    household = factory.LazyAttribute(lambda row: household_of(row.owner))


class ChildFactory(OwnedByUser):
    class Meta:
        model = Child

    name = factory.Sequence(lambda n: f"Child {n}")
    age = 8
    points = 0


class TaskFactory(OwnedByUser):
    class Meta:
        model = Task

    name = factory.Sequence(lambda n: f"Chore {n}")
    points = 10
    is_good = True


class PenaltyFactory(TaskFactory):
    name = factory.Sequence(lambda n: f"Penalty {n}")
    is_good = False


class RewardFactory(OwnedByUser):
    class Meta:
        model = Reward

    name = factory.Sequence(lambda n: f"Reward {n}")
    cost = 20


class RewardRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RewardRequest

    child = factory.SubFactory(ChildFactory)
    reward = factory.SubFactory(RewardFactory)
    # What the service stores: the reward's cost when asked (tests that need an override's cost
    # pass `cost` and `override_applied`).
    cost = factory.LazyAttribute(lambda request: request.reward.cost)


def owner_of(row):
    """The owner of the household a child, task or reward belongs to (the user whose `owner=`
    made it, in tests)."""
    return (
        Membership.objects.select_related("user")
        .get(household_id=row.household_id, role=Role.OWNER)
        .user
    )
