"""The three journeys of issue 7, in a real browser against the real roadmap and the demo
accounts. Every page a journey reaches is scanned with axe-core."""

import re

import pytest
from playwright.sync_api import expect

from learners.models import Iteration, Submission
from tests.e2e.axe import assert_accessible
from tests.e2e.pages import log_in, nav_link, overall_projects_approved

pytestmark = pytest.mark.e2e

REPO = "https://github.com/learner1/task-manager"
SHA_1 = "1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d"
OBJECTIVE = "Write functions with a single clear purpose, sensible parameters and return values"
PROJECT = "Command-line task manager"


def test_learner_journey(demo_data, page):
    # Log in through the form: a learner lands on the dashboard, nothing approved yet.
    log_in(page, "learner1")
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your dashboard")
    assert_accessible(page)
    approved_before = overall_projects_approved(page)

    # Read a stage.
    nav_link(page, "Roadmap").click()
    assert_accessible(page)
    page.get_by_role("link", name="Python fundamentals").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Stage 1: Python fundamentals")
    assert_accessible(page)

    # Tick an objective (a plain form POST that comes back to the stage).
    page.get_by_role("button", name=f"Mark as done: {OBJECTIVE}").click()
    expect(page.get_by_role("button", name=f"Done ✓ — undo: {OBJECTIVE}")).to_be_visible()
    expect(page.get_by_role("status")).to_have_text(f"Ticked: “{OBJECTIVE}”.")
    assert_accessible(page)

    # Open a project and its submit form.
    page.get_by_role("link", name=PROJECT).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(PROJECT)
    assert_accessible(page)
    page.get_by_role("link", name="Submit your project").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Submit {PROJECT}")
    assert_accessible(page)

    # A javascript: link is refused, with the reason next to the field, and nothing saved.
    page.get_by_label("Repository URL").fill("javascript:alert(1)")
    page.get_by_role("button", name="Submit", exact=True).click()
    repo_field = page.locator("#div_id_repo_url")
    expect(repo_field).to_contain_text("Use a web link that starts with https://")
    expect(page.get_by_label("Repository URL")).to_have_attribute("aria-invalid", "true")
    assert Submission.objects.count() == 0
    assert_accessible(page)

    # Submitted properly, it lands on the submission page.
    page.get_by_label("Repository URL").fill(REPO)
    page.get_by_label("Commit SHA").fill(SHA_1)
    page.get_by_label("Notes for your mentor").fill("The `add` command is **done**.")
    page.get_by_label("A README with setup, usage and how to run the tests").check()
    page.get_by_role("button", name="Submit", exact=True).click()
    submission = Submission.objects.get(learner__username="learner1")
    expect(page).to_have_url(re.compile(rf"/submissions/{submission.pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(PROJECT)
    expect(page.get_by_role("heading", name="Iteration 1 latest")).to_be_visible()
    expect(page.get_by_role("link", name=REPO)).to_have_attribute("href", REPO)
    expect(page.locator(".iteration-notes strong")).to_have_text("done")
    assert_accessible(page)
    assert Iteration.objects.filter(submission=submission).count() == 1
    assert approved_before == 0
