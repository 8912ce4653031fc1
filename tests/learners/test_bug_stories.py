import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from curriculum.models import Project
from learners.models import BugStory, Iteration, Snapshot, SnapshotFile, Submission
from learners.services import submission_claim, submission_withdraw
from reviews.services import review_publish
from tests.factories import (
    BugStoryFactory,
    IterationFactory,
    ProjectFactory,
    StageFactory,
    SubmissionFactory,
    UserFactory,
)

Status = Submission.Status

STORY = {
    "bug": "Completed tasks showed in the open-task filter.",
    "reproduction": "I created three tasks, completed one and called the filter.",
    "cause": "I compared the status to complete instead of completed.",
    "fix": "I fixed the condition.",
    "testing": "I added a test for the filter.",
    "lesson": "Keep statuses in one place.",
}


@pytest.fixture
def bug_project(db):
    return ProjectFactory(
        stage=StageFactory(slug="polish"),
        slug="bug-story",
        title="Tell me about a bug you fixed",
        kind=Project.Kind.BUG_STORY,
        is_required=False,
        brief="> In my task tracker, completed tasks were still showing in the open-task filter.",
    )


@pytest.fixture
def tracker(cohort, learner):
    """Ada's task tracker, approved: the submission a story can point at."""
    work = SubmissionFactory(
        learner=learner, cohort=cohort, project__title="Task tracker", status=Status.APPROVED
    )
    IterationFactory(submission=work, number=1)
    return work


def _url(project):
    return f"/projects/{project.slug}/submit/"


def test_the_form_shows_the_six_parts_and_the_model_answer(client_for, learner, bug_project):
    response = client_for(learner).get(_url(bug_project))

    html = response.content.decode()
    assert response.status_code == 200
    labels = re.findall(r'<label\s+for="id_(\w+)"[^>]*>\s*([^<*]+?)\s*<', html)
    assert labels[:6] == [
        ("bug", "What the bug was"),
        ("reproduction", "How you reproduced it"),
        ("cause", "What caused it"),
        ("fix", "How you fixed it"),
        ("testing", "How you tested the fix"),
        ("lesson", "What you learned"),
    ]
    assert '<h2 id="model-answer-heading" class="h5">A model answer</h2>' in html
    assert "completed tasks were still showing in the open-task filter" in html
    assert 'name="repo_url"' not in html


def test_a_bug_story_is_a_submission_with_its_parts_and_no_snapshot(
    client_for, learner, cohort, bug_project, tracker
):
    response = client_for(learner).post(
        _url(bug_project),
        {**STORY, "about_submission": tracker.pk, "about_location": "tasks/filters.py:12"},
    )

    submission = Submission.objects.get(project=bug_project)
    assert response.status_code == 302
    assert response["Location"] == f"/submissions/{submission.pk}/"
    assert (submission.learner, submission.cohort, submission.status) == (
        learner,
        cohort,
        Status.SUBMITTED,
    )
    story = BugStory.objects.get(iteration__submission=submission)
    assert {name: getattr(story, name) for name in STORY} == STORY
    assert (story.about_submission, story.about_location, story.about_commit) == (
        tracker,
        "tasks/filters.py:12",
        "",
    )
    assert story.iteration.repo_url == ""
    assert Snapshot.objects.filter(iteration=story.iteration).exists() is False


def test_a_double_submit_makes_one_story(client_for, learner, bug_project):
    client = client_for(learner)
    client.post(_url(bug_project), STORY)
    second = client.post(_url(bug_project), STORY)

    assert second.status_code == 302
    assert BugStory.objects.count() == 1
    assert Iteration.objects.count() == 1


@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        ({"about_location": "filters.py"}, "about_location", "Write the place as path:line"),
        ({"about_location": "filters.py:0"}, "about_location", "Write the place as path:line"),
        ({"about_commit": "not-a-sha"}, "about_commit", "A commit SHA is 7 to 40 characters"),
        ({"bug": ""}, "bug", "This field is required."),
    ],
)
def test_bad_input_is_a_form_error_and_stores_nothing(
    client_for, learner, bug_project, tracker, extra, field, message
):
    data = {**STORY, "about_submission": tracker.pk, **extra}

    response = client_for(learner).post(_url(bug_project), data)

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert BugStory.objects.count() == 0


def test_a_commit_without_a_submission_is_refused(client_for, learner, bug_project):
    response = client_for(learner).post(_url(bug_project), {**STORY, "about_commit": "abc1234"})

    assert response.context["form"].non_field_errors() == [
        "Choose the submission the bug was in to link a commit or a path:line."
    ]
    assert BugStory.objects.count() == 0


def test_another_learners_submission_cannot_be_linked(
    client_for, learner, other_learner, cohort, bug_project
):
    theirs = SubmissionFactory(learner=other_learner, cohort=cohort)

    response = client_for(learner).post(_url(bug_project), {**STORY, "about_submission": theirs.pk})

    assert response.status_code == 200
    assert "about_submission" in response.context["form"].errors
    assert BugStory.objects.count() == 0


def test_a_mentor_reviews_a_story_through_the_same_states_and_it_is_approved(
    client_for, learner, mentor, bug_project
):
    client_for(learner).post(_url(bug_project), STORY)
    submission = Submission.objects.get(project=bug_project)

    submission_claim(submission=submission, mentor=mentor)
    review_publish(
        iteration=submission.iterations.get(),
        mentor=mentor,
        summary="Clear and honest.",
        verdict="approve",
        comments=[],
    )

    submission.refresh_from_db()
    assert submission.status == Status.APPROVED
    page = client_for(learner).get(f"/submissions/{submission.pk}/").content.decode()
    assert "<dt>How you tested the fix</dt>" in page
    assert "I added a test for the filter." in page
    assert "Checklist ticked" not in page


def test_a_storys_submission_page_reads_no_checklist_or_snapshot(client_for, learner, bug_project):
    client_for(learner).post(_url(bug_project), STORY)
    submission = Submission.objects.get(project=bug_project)
    client = client_for(learner)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/submissions/{submission.pk}/")

    assert response.status_code == 200
    assert "I added a test for the filter." in response.content.decode()
    read = " ".join(query["sql"] for query in queries.captured_queries)
    assert "learners_bugstory" in read
    assert "curriculum_checklistitem" not in read
    assert "learners_snapshot" not in read


def test_after_changes_are_requested_the_story_is_revised_from_the_last_one(
    client_for, learner, mentor, bug_project, tracker
):
    client = client_for(learner)
    client.post(_url(bug_project), {**STORY, "about_submission": tracker.pk})
    submission = Submission.objects.get(project=bug_project)
    submission_claim(submission=submission, mentor=mentor)
    review_publish(
        iteration=submission.iterations.get(),
        mentor=mentor,
        summary="Say how you reproduced it.",
        verdict="request_changes",
        comments=[],
    )
    url = f"/submissions/{submission.pk}/resubmit/"

    form = client.get(url).context["form"]
    assert form.initial["cause"] == STORY["cause"]
    assert form.initial["about_submission"] == tracker.pk
    response = client.post(url, {**STORY, "reproduction": "Three tasks, one complete."})

    assert response.status_code == 302
    stories = BugStory.objects.filter(iteration__submission=submission).order_by(
        "iteration__number"
    )
    assert [s.reproduction for s in stories] == [
        STORY["reproduction"],
        "Three tasks, one complete.",
    ]
    submission.refresh_from_db()
    assert submission.status == Status.SUBMITTED


def test_a_withdrawn_story_is_told_so_not_that_changes_were_asked(
    client_for, learner, bug_project, tracker
):
    client = client_for(learner)
    client.post(_url(bug_project), {**STORY, "about_submission": tracker.pk})
    submission = Submission.objects.get(project=bug_project)
    submission_withdraw(submission=submission)

    html = client.get(f"/submissions/{submission.pk}/resubmit/").content.decode()

    assert (
        "You withdrew this bug story. Send it again when it is ready; the earlier version "
        f'stays on the <a href="/submissions/{submission.pk}/">bug story\'s page</a>.'
    ) in html
    assert "Your mentor asked for changes" not in html


def test_the_queue_filters_bug_stories(client_for, cohort, mentor, bug_project):
    story = BugStoryFactory(
        iteration__submission=SubmissionFactory(cohort=cohort, project=bug_project)
    ).iteration.submission
    project_work = SubmissionFactory(cohort=cohort, learner=UserFactory())
    IterationFactory(submission=project_work, number=1)
    client = client_for(mentor)

    stories = client.get("/mentor/queue/", {"kind": "bug-story"}).content.decode()
    projects = client.get("/mentor/queue/", {"kind": "project"}).content.decode()

    assert re.findall(r'data-submission="(\d+)"', stories) == [str(story.pk)]
    assert re.findall(r'data-submission="(\d+)"', projects) == [str(project_work.pk)]


def test_a_path_must_be_a_file_of_the_linked_submissions_snapshot(
    client_for, learner, bug_project, tracker
):
    snapshot = Snapshot.objects.create(iteration=tracker.iterations.get(), status="ready")
    SnapshotFile.objects.create(
        snapshot=snapshot, path="tasks/filters.py", kind="text", size=10, blob_sha="a" * 40
    )
    client = client_for(learner)
    data = {**STORY, "about_submission": tracker.pk}

    refused = client.post(_url(bug_project), {**data, "about_location": "tasks/missing.py:3"})
    accepted = client.post(_url(bug_project), {**data, "about_location": "tasks/filters.py:3"})

    assert refused.context["form"].errors["about_location"] == [
        "tasks/missing.py is not a file of Task tracker at its latest iteration."
    ]
    assert accepted.status_code == 302
    assert BugStory.objects.get().about_location == "tasks/filters.py:3"


def test_a_waiting_bug_story_is_not_edited_through_the_repository_form(
    client_for, learner, bug_project
):
    client = client_for(learner)
    client.post(_url(bug_project), STORY)
    submission = Submission.objects.get(project=bug_project)

    response = client.post(f"/submissions/{submission.pk}/edit/", {"repo_url": "https://x.org"})

    assert response["Location"] == f"/submissions/{submission.pk}/"
    assert Iteration.objects.get(submission=submission).repo_url == ""
    assert BugStory.objects.get().bug == STORY["bug"]
