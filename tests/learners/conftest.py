import pytest

from learners.models import Submission
from tests.factories import (
    ChecklistItemFactory,
    IterationFactory,
    ProjectFactory,
    SubmissionFactory,
)
from tests.gitserver import GitServer


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


@pytest.fixture
def git_server(tmp_path, settings):
    """A smart-HTTP git server on loopback (tests/gitserver.py); the app may fetch from it."""
    settings.REPOSITORY_ALLOW_LOOPBACK = True
    server = GitServer(tmp_path).start()
    yield server
    server.stop()
