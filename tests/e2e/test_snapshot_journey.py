"""Issue 14's "done when", in a browser: a learner submits a repository served by a local git
server, sees the checks pending, and the results arrive without reloading; the mentor sees them
on the review page."""

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect
from procrastinate.contrib.django.models import ProcrastinateJob

from curriculum.models import Project
from learners.demo_projects import demo_project
from learners.models import Submission
from learners.services import submission_claim
from learners.tasks import snapshots_fetch
from tests.e2e.axe import assert_accessible
from tests.e2e.pages import log_in
from tests.gitserver import GitServer

pytestmark = pytest.mark.e2e
User = get_user_model()
PROJECT = "Command-line task manager"


@pytest.fixture
def git_server(tmp_path, settings):
    settings.REPOSITORY_ALLOW_LOOPBACK = True
    server = GitServer(tmp_path).start()
    yield server
    server.stop()


def test_learner_sees_the_checks_arrive_and_the_mentor_sees_them(demo_data, new_page, git_server):
    shas = git_server.repository("task-manager", *demo_project("needs-work"))
    project = Project.objects.get(title=PROJECT)
    page = new_page("learner")
    log_in(page, "learner1")
    page.goto(page.url.rsplit("/", 2)[0] + project.get_absolute_url())
    page.get_by_role("link", name="Submit your project").click()
    page.get_by_label("Repository URL").fill(git_server.url("task-manager"))
    page.get_by_role("button", name="Submit", exact=True).click()
    submission = Submission.objects.get(learner__username="learner1", project=project)
    expect(page).to_have_url(re.compile(rf"/submissions/{submission.pk}/$"))

    checks = page.get_by_role("region", name="Automated checks")
    expect(checks).to_have_attribute("data-snapshot-status", "pending")
    expect(checks.locator(".checks-pending")).to_contain_text("Reading the repository")
    expect(checks).to_contain_text("The results appear here by themselves.")
    assert_accessible(page)

    # A worker takes the queued job; the page, not reloaded, shows the results.
    job = ProcrastinateJob.objects.get(task_name="learners.snapshots_fetch", status="todo")
    snapshots_fetch(**job.args)
    checks = page.get_by_role("region", name="Automated checks")
    expect(checks).to_have_attribute("data-snapshot-status", "ready", timeout=15_000)
    expect(checks.locator('[data-check="no-secrets"]')).to_have_attribute("data-result", "fail")
    expect(checks.locator('[data-check="readme"]')).to_have_attribute("data-result", "pass")
    expect(checks).to_contain_text(f"At commit {shas[-1][:12]}")
    assert_accessible(page)

    mentor_page = new_page("mentor")
    log_in(mentor_page, "mentor1")
    submission_claim(
        submission=submission,
        mentor=submission.cohort.memberships.get(user__username="mentor1").user,
    )
    mentor_page.goto(page.url.rsplit("/", 3)[0] + f"/mentor/submissions/{submission.pk}/review/")
    # The review page sums them up; each check is one click away, on the submission page.
    review_checks = mentor_page.get_by_role("region", name="Automated checks")
    expect(review_checks).to_contain_text(f"At commit {shas[-1][:12]}")
    assert_accessible(mentor_page)
    review_checks.get_by_role("link", name="Each check with its evidence").click()
    expect(mentor_page).to_have_url(re.compile(rf"/submissions/{submission.pk}/#checks-\d+$"))
    mentor_checks = mentor_page.get_by_role("region", name="Automated checks")
    expect(mentor_checks.locator('[data-check="commits"]')).to_have_attribute("data-result", "fail")
    assert_accessible(mentor_page)
