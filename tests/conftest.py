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
    # Mail goes to django.core.mail.outbox in tests (pytest-django's default); say it anyway.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


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
