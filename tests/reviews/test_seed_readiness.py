from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from learners.models import BugStory, Portfolio, Submission
from reviews.models import MockInterview, ReadinessSignOff

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(settings):
    settings.DEBUG = True  # seed_demo refuses to run in production
    call_command("load_curriculum", stdout=StringIO())
    out = StringIO()
    call_command("seed_demo", "--work", stdout=out)
    return out.getvalue()


def test_the_demo_shows_each_readiness_feature(seeded):
    stories = Submission.objects.filter(project__kind="bug-story").order_by("learner__username")

    assert [(s.learner.username, s.status) for s in stories] == [
        ("learner1", "approved"),
        ("learner2", "submitted"),
    ]
    assert BugStory.objects.count() == 2
    # Bug stories come only from the readiness demo, always with their six parts.
    assert not Submission.objects.filter(
        project__kind="bug-story", iterations__bug_story__isnull=True
    ).exists()
    assert MockInterview.objects.filter(learner__username="learner1").published().count() == 2
    assert MockInterview.objects.filter(learner__username="learner1").drafts().count() == 1
    assert ReadinessSignOff.objects.get().learner.username == "learner1"
    assert Portfolio.objects.get(is_published=True).slug == "demo-learner-one"
    assert "a portfolio at /p/demo-learner-one/ for learner1" in seeded
    assert Client().get("/p/demo-learner-one/").status_code == 200


def test_a_second_seed_changes_nothing(seeded):
    out = StringIO()
    call_command("seed_demo", "--work", stdout=out)

    assert BugStory.objects.count() == 2
    assert ReadinessSignOff.objects.count() == 1
