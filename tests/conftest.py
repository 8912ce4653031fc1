import contextlib

import pytest

from learners.models import Membership, Submission
from tests.factories import (
    ChecklistItemFactory,
    CohortFactory,
    IterationFactory,
    MembershipFactory,
    ProjectFactory,
    StaffFactory,
    SubmissionFactory,
    UserFactory,
)


@pytest.fixture(autouse=True)
def _fast_and_quiet(settings):
    # Every e-mail goes into the outbox table (EMAIL_BACKEND); the mail jobs hand it on to
    # django.core.mail.outbox here instead of a mail server.
    settings.EMAIL_BACKEND = "bootcamp.mail.OutboxBackend"
    settings.MAIL_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def deliver_mail(db):
    """Run the mail jobs waiting in the queue now, in this process, as a worker would; the
    messages land in django.core.mail.outbox. A test's transaction never commits, so no worker
    could see them."""
    from procrastinate.contrib.django.models import ProcrastinateJob

    from bootcamp.tasks import MailNotSent, mail_send

    def deliver():
        jobs = ProcrastinateJob.objects.filter(task_name=mail_send.name, status="todo")
        for job in jobs.order_by("id"):
            # A refusal is recorded on the row; the worker would retry the job later.
            with contextlib.suppress(MailNotSent):
                mail_send(**job.args)

    return deliver


@pytest.fixture
def cohort(db):
    return CohortFactory(slug="demo-cohort", name="Demo cohort")


@pytest.fixture
def learner(cohort):
    user = UserFactory(username="ada")
    MembershipFactory(cohort=cohort, user=user, role=Membership.Role.LEARNER)
    return user


@pytest.fixture
def other_learner(cohort):
    user = UserFactory(username="grace")
    MembershipFactory(cohort=cohort, user=user, role=Membership.Role.LEARNER)
    return user


@pytest.fixture
def mentor(cohort):
    user = UserFactory(username="linus")
    MembershipFactory(cohort=cohort, user=user, role=Membership.Role.MENTOR)
    return user


@pytest.fixture
def other_mentor(db):
    """A mentor of a different cohort: must see nothing of `cohort`."""
    user = UserFactory(username="guido")
    MembershipFactory(cohort=CohortFactory(), user=user, role=Membership.Role.MENTOR)
    return user


@pytest.fixture
def staff(db):
    return StaffFactory(username="staffer")


@pytest.fixture
def client_for(client):
    """Log a user in on the test client: client_for(user) -> client."""

    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture(autouse=True)
def _clear_cache():
    # Per-process caches (the cohort overview's statistics, kept pages) must not carry
    # between tests.
    from django.core.cache import caches

    for cache in caches.all():
        cache.clear()


@pytest.fixture(autouse=True)
def _empty_the_job_queue(request, django_db_blocker):
    """A transactional test commits jobs, and Django's flush empties only the tables it
    manages: Procrastinate's are emptied here, so the next test starts with no jobs."""
    yield
    marker = request.node.get_closest_marker("django_db")
    transactional = (marker is not None and marker.kwargs.get("transaction")) or any(
        name in request.fixturenames for name in ("transactional_db", "live_server")
    )
    if not transactional:
        return
    from django.db import connection

    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE procrastinate_jobs, procrastinate_events, procrastinate_periodic_defers,"
            " procrastinate_workers"
        )


@pytest.fixture
def project(db):
    return ProjectFactory(
        slug="task-manager", title="Task manager", features="Add a task\nList tasks"
    )


@pytest.fixture
def checklist(db):
    return [
        ChecklistItemFactory(text="README with setup", help="How to install and run it."),
        ChecklistItemFactory(text="Tests", help="pytest runs green."),
    ]


@pytest.fixture
def make_submission(cohort, learner, project):
    """A learner's submission with `iterations` iterations (numbered 1..n) in a given status."""

    def make(status=Submission.Status.SUBMITTED, iterations=1, **kwargs):
        fields = {"learner": learner, "project": project, "cohort": cohort, "status": status}
        fields.update(kwargs)
        submission = SubmissionFactory(**fields)
        for number in range(1, iterations + 1):
            IterationFactory(submission=submission, number=number)
        return submission

    return make
