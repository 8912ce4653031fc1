from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone

from learners.models import Submission
from reviews.models import Review
from tests.factories import (
    InterviewAreaFactory,
    IterationFactory,
    MockInterviewFactory,
    MockInterviewRatingFactory,
    ObjectiveFactory,
    PortfolioFactory,
    ProjectFactory,
    ReadinessStatementFactory,
    ReviewCommentFactory,
    ReviewFactory,
    StageFactory,
    SubmissionFactory,
    ready_snapshot,
)


@dataclass
class World:
    cohort: object
    learner: object
    other_learner: object
    mentor: object
    other_mentor: object
    staff: object
    stage: object
    objective: object
    project: object
    unsubmitted_project: object
    submission: object
    iteration: object
    review: object
    comment: object
    statement: object
    interview: object
    portfolio: object


@pytest.fixture
def world(cohort, learner, other_learner, mentor, other_mentor, staff):
    """One of everything: the learner's submission has an iteration and a published review
    asking for changes (so resubmitting is open), by the mentor of the cohort."""
    stage = StageFactory(slug="basics")
    project = ProjectFactory(stage=stage, slug="task-manager")
    submission = SubmissionFactory(
        learner=learner,
        project=project,
        cohort=cohort,
        status=Submission.Status.CHANGES_REQUESTED,
    )
    iteration = IterationFactory(submission=submission, number=1)
    # Fetched an hour ago, so its reviewers may run the checks again.
    ready_snapshot(
        iteration,
        {"app/main.py": "def main():\n    return 1\n"},
        requested_at=timezone.now() - timedelta(hours=1),
    )
    review = ReviewFactory(
        iteration=iteration,
        mentor=mentor,
        verdict=Review.Verdict.REQUEST_CHANGES,
        published_at=timezone.now(),
    )
    comment = ReviewCommentFactory(review=review, path="app/main.py", line=1)
    # A draft mock interview by the mentor, and the learner's published portfolio.
    interview = MockInterviewFactory(learner=learner, cohort=cohort, mentor=mentor)
    MockInterviewRatingFactory(interview=interview, area=InterviewAreaFactory())
    return World(
        cohort=cohort,
        learner=learner,
        other_learner=other_learner,
        mentor=mentor,
        other_mentor=other_mentor,
        staff=staff,
        stage=stage,
        objective=ObjectiveFactory(stage=stage),
        project=project,
        unsubmitted_project=ProjectFactory(stage=stage, slug="api-client"),
        submission=submission,
        iteration=iteration,
        review=review,
        comment=comment,
        statement=ReadinessStatementFactory(),
        interview=interview,
        portfolio=PortfolioFactory(learner=learner, slug="ada-builds"),
    )
