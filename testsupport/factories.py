"""factory_boy factories for tests and benchmarks (factory-boy is a development dependency)."""

import factory
from django.contrib.auth import get_user_model

from children.models import Child, Task
from rewards.models import Reward, RewardRequest


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"parent{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    password = factory.django.Password("correct-horse-battery")


class ChildFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Child

    owner = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"Child {n}")
    age = 8
    points = 0


class TaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Task

    owner = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"Chore {n}")
    points = 10
    is_good = True


class PenaltyFactory(TaskFactory):
    name = factory.Sequence(lambda n: f"Penalty {n}")
    is_good = False


class RewardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reward

    owner = factory.SubFactory(UserFactory)
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
