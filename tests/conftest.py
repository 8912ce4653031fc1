import pytest

from learners.models import Membership
from tests.factories import (
    CohortFactory,
    MembershipFactory,
    StaffFactory,
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
