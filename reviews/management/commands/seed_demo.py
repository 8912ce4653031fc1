"""Demo accounts (and, with --work, a cohort's worth of work) for trying bootcamp out.

Idempotent: a second run with the same options changes nothing.
"""

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from learners.models import Cohort, Membership, StageTarget
from learners.services import cohort_stages_spread

DEFAULT_PASSWORD = "bootcamp-demo"
DEMO_COHORT_SLUG = "demo"


class Command(BaseCommand):
    help = (
        "Create demo users learner1..N, mentor1..M and a staff superuser 'staff', all in the "
        "cohort 'demo'. With --work, fill their submissions, reviews and replies."
    )

    def add_arguments(self, parser):
        parser.add_argument("--learners", type=int, default=5, help="number of learners (5)")
        parser.add_argument("--mentors", type=int, default=2, help="number of mentors (2)")
        parser.add_argument(
            "--password",
            default=DEFAULT_PASSWORD,
            help=f"password for every demo user ({DEFAULT_PASSWORD})",
        )
        parser.add_argument(
            "--work",
            action="store_true",
            help="also create submissions, iterations, reviews and replies",
        )
        parser.add_argument(
            "--force", action="store_true", help="run even with DEBUG off (never on a real site)"
        )

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "seed_demo creates accounts with a known password; it refuses to run with DEBUG "
                "off. Pass --force if this really is a throw-away database."
            )
        if options["learners"] < 0 or options["mentors"] < 0:
            raise CommandError("--learners and --mentors must be zero or more.")

        with transaction.atomic():
            cohort, learners, mentors, created = self.seed_accounts(
                n_learners=options["learners"],
                n_mentors=options["mentors"],
                password=options["password"],
            )
        self.stdout.write(
            f"Cohort '{cohort.slug}': {len(learners)} learners, {len(mentors)} mentors "
            f"({created} new users)."
        )
        if not StageTarget.objects.filter(cohort=cohort).exists():
            # The stages' target dates, spread over the cohort as staff would start from.
            targets = cohort_stages_spread(cohort=cohort)
            self.stdout.write(f"Stage target dates: {len(targets)}, spread over the cohort.")
        if options["work"]:
            from reviews.demo_work import seed_work

            summary = seed_work(cohort=cohort, learners=learners, mentors=mentors)
            self.stdout.write(summary)

        self.stdout.write(self.style.SUCCESS(f"Demo logins (password: {options['password']}):"))
        self.stdout.write("  staff      (staff, Django admin)")
        if mentors:
            self.stdout.write(f"  mentor1 … mentor{len(mentors)}  (mentors of '{cohort.slug}')")
        if learners:
            self.stdout.write(f"  learner1 … learner{len(learners)}  (learners in '{cohort.slug}')")

    def seed_accounts(self, *, n_learners, n_mentors, password):
        User = get_user_model()
        hashed = make_password(password)  # hashed once: Argon2 is slow on purpose
        wanted = (
            [("staff", "Sam", "Staff", True)]
            + [(f"mentor{i}", "Mentor", str(i), False) for i in range(1, n_mentors + 1)]
            + [(f"learner{i}", "Learner", str(i), False) for i in range(1, n_learners + 1)]
        )
        existing = set(
            User.objects.filter(username__in=[w[0] for w in wanted]).values_list(
                "username", flat=True
            )
        )
        User.objects.bulk_create(
            User(
                username=username,
                email=f"{username}@example.com",
                first_name=first,
                last_name=last,
                is_staff=is_staff,
                is_superuser=is_staff,
                password=hashed,
            )
            for username, first, last, is_staff in wanted
            if username not in existing
        )
        users = User.objects.in_bulk([w[0] for w in wanted], field_name="username")

        today = timezone.localdate()
        cohort, _ = Cohort.objects.get_or_create(
            slug=DEMO_COHORT_SLUG,
            defaults={
                "name": "Demo cohort",
                "starts_on": today - datetime.timedelta(weeks=10),
                "ends_on": today + datetime.timedelta(weeks=16),
            },
        )
        mentors = [users[f"mentor{i}"] for i in range(1, n_mentors + 1)]
        learners = [users[f"learner{i}"] for i in range(1, n_learners + 1)]
        Membership.objects.bulk_create(
            [Membership(cohort=cohort, user=u, role=Membership.Role.MENTOR) for u in mentors]
            + [Membership(cohort=cohort, user=u, role=Membership.Role.LEARNER) for u in learners],
            ignore_conflicts=True,  # already a member: leave the row as it is
        )
        return cohort, learners, mentors, len(wanted) - len(existing)
