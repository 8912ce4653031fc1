"""Issue 17's journey: a learner writes a bug story, a mentor approves it, records a mock
interview and signs the learner off; the learner publishes a portfolio, and a logged-out
browser sees exactly what it may. Every page is scanned with axe-core."""

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from curriculum.models import Project
from learners.models import Cohort, Submission
from learners.services import submission_create
from tests.e2e.axe import assert_accessible
from tests.e2e.pages import log_in, nav_link
from tests.e2e.test_journeys import publish_review

pytestmark = pytest.mark.e2e
User = get_user_model()

STORY = "Tell me about a bug you fixed"
REPO = "https://github.com/ada-dev/task-manager"
LIVE = "https://tasks.example.org/"


def test_bug_story_interview_sign_off_and_portfolio(demo_data, new_page):
    learner = User.objects.get(username="learner1")
    mentor = User.objects.get(username="mentor1")
    # One approved project for the portfolio, through the services.
    project = submission_create(
        learner=learner,
        project=Project.objects.get(slug="command-line-task-manager"),
        cohort=Cohort.objects.get(slug="demo"),
        repo_url=REPO,
        live_url=LIVE,
        notes="PRIVATE NOTES for my mentor",
    )
    publish_review(project, mentor, approved=True, summary="PRIVATE REVIEW: well done.")

    # The learner writes a bug story from the readiness page.
    page = new_page("learner")
    log_in(page, "learner1")
    nav_link(page, "Ready to apply").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ready to apply")
    assert_accessible(page)
    page.get_by_role("link", name=STORY).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(STORY)
    page.get_by_role("link", name="Write your bug story").click()
    expect(page.get_by_role("heading", name="A model answer")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("What the bug was").fill("Completed tasks showed as open.")
    page.get_by_label("How you reproduced it").fill("Three tasks, one completed, then the filter.")
    page.get_by_label("What caused it").fill("I compared to complete, not completed.")
    page.get_by_label("How you fixed it").fill("I fixed the condition.")
    page.get_by_label("How you tested the fix").fill("A test for the open filter.")
    page.get_by_label("What you learned").fill("Keep statuses in one constant.")
    page.get_by_label("The submission it was in").select_option(label="Command-line task manager")
    page.get_by_label("path:line").fill("tasks/filters.py:12")
    page.get_by_role("button", name="Send for review").click()
    story = Submission.objects.get(project__kind="bug-story")
    expect(page).to_have_url(re.compile(rf"/submissions/{story.pk}/$"))
    expect(page.get_by_text("Three tasks, one completed, then the filter.")).to_be_visible()
    assert_accessible(page)

    # The mentor finds it with the queue's filter, claims it and approves it.
    mentor_page = new_page("mentor")
    log_in(mentor_page, "mentor1")
    mentor_page.goto("/mentor/queue/")
    mentor_page.get_by_label("Kind").select_option(label="Bug stories")
    mentor_page.get_by_role("button", name="Filter").click()
    expect(mentor_page.locator("tr.queue-row")).to_have_count(1)
    assert_accessible(mentor_page)
    mentor_page.get_by_role("button", name=f"Claim {STORY} by learner1").click()
    expect(mentor_page.get_by_role("status")).to_contain_text("You are reviewing")
    mentor_page.get_by_label("Summary").fill("Clear and honest.")
    mentor_page.get_by_role("radio", name="Approve").check()
    mentor_page.locator("#id_confirm_publish").check()
    mentor_page.get_by_role("button", name="Publish review").click()
    expect(mentor_page.get_by_role("status")).to_contain_text("published")
    story.refresh_from_db()
    assert story.status == Submission.Status.APPROVED

    # A mock interview: drafted, then published; then the sign-off.
    cohort = story.cohort
    mentor_page.goto(f"/mentor/learners/{cohort.pk}/{learner.pk}/")
    mentor_page.get_by_role("link", name="Ready to apply: mock interviews and sign-off").click()
    expect(mentor_page.get_by_role("heading", level=1)).to_have_text("Learner 1: ready to apply?")
    assert_accessible(mentor_page)
    mentor_page.get_by_role("link", name="Record a mock interview").click()
    mentor_page.get_by_label("Date").fill("2026-11-30")
    mentor_page.get_by_label("Questions asked").fill("Tell me about a bug you fixed.")
    mentor_page.get_by_label("Project discussion: rating").select_option("3")
    mentor_page.get_by_label("Project discussion: note").fill("Clear on the structure.")
    assert_accessible(mentor_page)
    mentor_page.get_by_role("button", name="Publish to Learner 1").click()
    expect(mentor_page.get_by_role("status")).to_contain_text("The interview is published")
    mentor_page.get_by_label("Note").fill("Ready: projects that survive questions.")
    mentor_page.get_by_role("button", name="Sign off as ready to apply").click()
    expect(mentor_page.get_by_role("status")).to_contain_text("signed off as ready to apply")
    assert_accessible(mentor_page)

    # The learner sees the evidence, ticks a statement and publishes the portfolio.
    page.goto("/readiness/")
    expect(page.get_by_text("Signed off by Mentor 1")).to_be_visible()
    debug = page.locator("li", has_text="You can debug common errors.")
    expect(debug).to_contain_text(f"Approved bug story: {STORY}.")
    explain = page.locator("li", has_text="You can explain at least two portfolio projects.")
    expect(explain).to_contain_text("Project discussion in mock interviews: 3 of 4")
    expect(page.get_by_text("3 — Solid: a clear, correct answer")).to_be_visible()
    debug.get_by_role("button", name=re.compile("^Tick: I can")).click()
    expect(
        page.locator("li", has_text="You can debug common errors.").get_by_role(
            "button", name=re.compile("^✓ I can")
        )
    ).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Portfolio settings").click()
    page.get_by_label("Address").fill("learner1")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#div_id_slug")).to_contain_text("not your username or e-mail")
    assert_accessible(page)
    page.get_by_label("Address").fill("ada-builds")
    page.get_by_label("Short bio").fill("I build small, tested tools.")
    page.get_by_label("Published").check()
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#portfolio-link")).to_have_attribute("href", "/p/ada-builds/")

    # Logged out: exactly the allowed content.
    visitor = new_page("visitor")
    visitor.goto("/p/ada-builds/")
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Learner 1")
    main = visitor.locator("main")
    expect(main).to_contain_text("I build small, tested tools.")
    expect(main.get_by_role("heading", name="Command-line task manager")).to_be_visible()
    expect(main.get_by_role("link", name=REPO)).to_have_attribute("href", REPO)
    expect(main.get_by_role("link", name=LIVE)).to_have_attribute("href", LIVE)
    expect(main).to_contain_text("Ready: projects that survive questions.")
    text = main.inner_text()
    for private in ["PRIVATE", "learner1@example.com", "learner1", STORY, "Clear on the structure"]:
        assert private not in text, private
    assert visitor.locator('meta[name="robots"]').get_attribute("content") == "noindex"
    assert_accessible(visitor)

    # Unpublished, it is gone.
    page.get_by_label("Published").uncheck()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Not published")).to_be_visible()
    response = visitor.goto("/p/ada-builds/")
    assert response.status == 404
