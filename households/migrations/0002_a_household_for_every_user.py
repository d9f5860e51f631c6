"""Every existing user becomes the owner of a household holding all that the user owned; users
who own nothing get one too. Backwards, each child, task and reward goes back to its household's
owner (the columns are dropped and restored around this step by children/rewards 0005-0006)."""

from django.conf import settings
from django.db import migrations

BATCH = 2000


def households_for_owners(apps, schema_editor):
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    Household = apps.get_model("households", "Household")
    Membership = apps.get_model("households", "Membership")
    Child = apps.get_model("children", "Child")
    Task = apps.get_model("children", "Task")
    Reward = apps.get_model("rewards", "Reward")
    have_one = set(Membership.objects.values_list("user_id", flat=True))
    for user in User.objects.exclude(pk__in=have_one).order_by("pk").iterator(chunk_size=BATCH):
        household = Household.objects.create(name=f"{user.username}'s family"[:100])
        Membership.objects.create(user_id=user.pk, household=household, role="owner")
    household_of = dict(Membership.objects.values_list("user_id", "household_id"))
    for model in (Child, Task, Reward):
        owners = model.objects.filter(household__isnull=True).values_list("owner_id", flat=True)
        for owner_id in set(owners.distinct()):
            model.objects.filter(owner_id=owner_id, household__isnull=True).update(
                household_id=household_of[owner_id]
            )


def owners_for_households(apps, schema_editor):
    Membership = apps.get_model("households", "Membership")
    Child = apps.get_model("children", "Child")
    Task = apps.get_model("children", "Task")
    Reward = apps.get_model("rewards", "Reward")
    # The owner, else any member (a household always has an owner; this is only prudence).
    members = Membership.objects.order_by("-role", "pk").values_list("household_id", "user_id")
    owner_of = dict(members)
    owner_of.update(Membership.objects.filter(role="owner").values_list("household_id", "user_id")
    )
    for model in (Child, Task, Reward):
        households = model.objects.values_list("household_id", flat=True).distinct()
        for household_id in set(households):
            model.objects.filter(household_id=household_id).update(owner_id=owner_of[household_id])


class Migration(migrations.Migration):
    dependencies = [
        ("households", "0001_initial"),
        ("children", "0005_household_field"),
        ("rewards", "0006_household_field"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [migrations.RunPython(households_for_owners, owners_for_households)]
