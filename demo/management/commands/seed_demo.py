"""`manage.py seed_demo`: a demo household (its owner `demo` and a second guardian) with two
children, chores, penalties, rewards, a family tablet paired for both children, and some history. Running it again changes nothing but issuing a new API token for the demo parent
(a token's key is shown only when it is issued).

Everything goes through the domain's services, as a parent's actions would.

`--events N` also adds N tracking events across many new parents and children, in bulk (see
`demo/bulk_history.py`): a history big enough to try the admin and the benchmarks on."""

import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from accounts.services import issue_token
from children import services as children_services
from children.models import Child, Task
from demo.bulk_history import seed_events
from devices import services as devices_services
from devices.kid_actions import claim_chore
from households.models import Membership, Role
from households.services import household_for_writing
from rewards import services as rewards_services

DEMO_USERNAME = "demo"
# The second parent of the demo household: a guardian (the demo parent is its owner).
DEMO_GUARDIAN_USERNAME = "demo-guardian"
CHORES = [("Make the bed", 5), ("Do the dishes", 10), ("Homework", 15)]
PENALTIES = [("Hitting", 20), ("Shouting", 5)]
REWARDS = [
    ("Ice cream", 30, "One scoop"),
    ("Movie night", 100, "Pick the film"),
    ("Screen time", 20, "30 minutes"),
]
CHILDREN = [("Alice", 9), ("Ben", 6)]
# The family tablet, paired for both children; Ben's claims and requests need his PIN on it.
TABLET_NAME = "Family tablet"
TABLET_PIN_CHILD, TABLET_PIN = "Ben", "1234"


class Command(BaseCommand):
    help = "Create a demo parent and family (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the database already has users (used by `make run`).",
        )
        parser.add_argument(
            "--events",
            type=int,
            default=0,
            metavar="N",
            help="Also add N tracking events across many new parents and children, in bulk.",
        )
        parser.add_argument(
            "--children",
            type=int,
            metavar="C",
            help="Spread the --events over C new children (default: one per 1000 events, "
            "at most 1000), three per new parent.",
        )
        parser.add_argument(
            "--no-progress", action="store_true", help="Do not show a progress bar."
        )

    def handle(
        self,
        *args,
        if_empty: bool,
        events: int,
        children: int | None,
        no_progress: bool,
        **options,
    ) -> None:
        if events < 0 or (children is not None and not 1 <= children <= max(events, 1)):
            raise CommandError("--events must be >= 0, and --children from 1 to --events.")
        User = get_user_model()
        if if_empty and User.objects.exists():
            self.stdout.write("Database has users already; demo family not added.")
            return
        password = settings.DEMO_PASSWORD
        with transaction.atomic():
            parent, created = User.objects.get_or_create(username=DEMO_USERNAME)
            if created:
                parent.set_password(password)
                parent.save(update_fields=["password"])
                household = self.seed_family(parent)
                guardian = User.objects.create_user(
                    username=DEMO_GUARDIAN_USERNAME, password=password
                )
                Membership.objects.create(user=guardian, household=household, role=Role.GUARDIAN)
                tablet_credential = self.pair_tablet(household, by=guardian)
            # A key is shown only when it is issued (the database keeps a digest): a new one per run.
            token, key = issue_token(user=parent)
            # Likewise a pairing code for another tablet, each run (valid 10 minutes).
            pairing_code = self.pairing_code(parent)
        if created:
            message = f"Demo parent created: username '{DEMO_USERNAME}', password '{password}'"
        else:
            # Its password may have been changed since: say what it was created with, not more.
            message = (
                f"Demo parent already there, unchanged: username '{DEMO_USERNAME}' "
                f"(created with password '{password}' unless DEMO_PASSWORD differed then)"
            )
        self.stdout.write(self.style.SUCCESS(message))
        if created:
            self.stdout.write(
                f"Second guardian of the household: username '{DEMO_GUARDIAN_USERNAME}', "
                f"password '{password}'"
            )
            self.stdout.write(
                f"'{TABLET_NAME}' paired for both children ({TABLET_PIN_CHILD}'s PIN on it: "
                f"{TABLET_PIN}); its device credential (shown once): {tablet_credential}\n"
                f"  open http://127.0.0.1:8000/kid/#credential={tablet_credential}"
            )
        if pairing_code:
            self.stdout.write(
                f"Pairing code for another tablet (single use, 10 minutes): {pairing_code} "
                "(enter it at http://127.0.0.1:8000/kid/)"
            )
        self.stdout.write(
            f"API token: {key} (new on each run, valid until "
            f"{token.expiry:%Y-%m-%d %H:%M} UTC; earlier ones stay valid until they expire)"
        )
        if events:
            self.seed_events(events, children, progress=not no_progress)

    def seed_events(self, events: int, children: int | None, *, progress: bool) -> None:

        started = time.monotonic()
        report = seed_events(
            events=events,
            children=children,
            progress=progress,
            # The raw stream: Django's wrapper would end each of tqdm's redraws with a newline.
            progress_file=getattr(self.stderr, "_out", self.stderr),
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Added {report.events} tracking events ({report.requests} reward requests) "
                f"for {report.children} children of {report.parents} new parents "
                f"in {time.monotonic() - started:.1f} s."
            )
        )

    def pair_tablet(self, household, *, by) -> str:
        """The family tablet, paired by `by` for every child, through the same code exchange a
        real tablet makes; returns its credential."""
        children = list(Child.objects.filter(household=household).order_by("id"))
        _, code = devices_services.create_pairing_code(
            household=household, name=TABLET_NAME, children=children, by=by
        )
        device, credential = devices_services.pair_device(code=code)
        pinned = next(child for child in children if child.name == TABLET_PIN_CHILD)
        devices_services.set_pin(device=device, child=pinned, pin=TABLET_PIN)
        # Alice says her homework is done, from the tablet: a claim waiting for a guardian.
        homework = Task.objects.get(household=household, name="Homework")
        claim_chore(device=device, child=children[0], task=homework, pin=None)
        return credential

    def pairing_code(self, parent) -> str | None:
        """A fresh pairing code for the demo household's children (None if it has none)."""
        membership = Membership.objects.select_related("household").filter(user=parent).first()
        if membership is None:
            return None
        children = list(Child.objects.filter(household=membership.household).order_by("id"))
        if not children:
            return None
        _, code = devices_services.create_pairing_code(
            household=membership.household, name="Another tablet", children=children, by=parent
        )
        return code

    def seed_family(self, parent):
        """The demo household (`parent` owns it), filled through the services; returns it."""
        household = household_for_writing(user=parent)
        tasks = [
            children_services.create_task(household=household, name=n, points=p) for n, p in CHORES
        ]
        penalties = [
            children_services.create_task(household=household, name=n, points=p, is_good=False)
            for n, p in PENALTIES
        ]
        rewards = [
            rewards_services.create_reward(household=household, name=n, cost=c, description=d)
            for n, c, d in REWARDS
        ]
        children: list[Child] = []
        for name, age in CHILDREN:
            child = children_services.create_child(household=household, name=name, age=age)
            children_services.assign_tasks(child=child, tasks=[*tasks, *penalties])
            rewards_services.assign_rewards(child=child, rewards=rewards)
            children.append(child)
        alice, ben = children
        children_services.set_task_override(child=ben, task=tasks[1], points=15)
        # A little history, made through the services so that it is tracked like real use.
        for task in (tasks[0], tasks[1], tasks[2], tasks[1]):
            children_services.activate_task(child=alice, task=task)
        children_services.activate_task(child=alice, task=penalties[1])
        for task in (tasks[1], tasks[1]):
            children_services.activate_task(child=ben, task=task)
        rewards_services.request_reward(child=ben, reward=rewards[2])
        return household
