import pytest
from django.utils import timezone

from learners.models import Submission
from tests.factories import IterationFactory, SubmissionFactory


@pytest.fixture
def submission(cohort, learner):
    """Ada's submitted work in the demo cohort, with its first iteration."""
    # A fixed name (the factory's is random): messages and e-mails name her by it.
    learner.first_name, learner.last_name = "Ada", "Lovelace"
    learner.save(update_fields=["first_name", "last_name"])
    work = SubmissionFactory(learner=learner, cohort=cohort, project__title="Task tracker")
    IterationFactory(submission=work, number=1)
    return work


@pytest.fixture
def claimed(submission, mentor):
    """The submission, claimed by the cohort's mentor."""
    Submission.objects.filter(pk=submission.pk).update(
        status=Submission.Status.IN_REVIEW, claimed_by=mentor, claimed_at=timezone.now()
    )
    submission.refresh_from_db()
    return submission
