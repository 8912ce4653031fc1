"""Issue 16's workflow and polish, in a browser: the logged-out home page and logging out,
a Markdown preview shown inline, Enter still submitting the form, editing and withdrawing
unclaimed work. (Without JavaScript the Preview button's formaction/formtarget are checked
in tests/bootcamp/test_markdown_preview.py, the tick's #objective redirect in the access
matrix.)"""

import re

import pytest
from playwright.sync_api import expect

from curriculum.models import Project
from learners.models import Submission
from tests.e2e.axe import assert_accessible
from tests.e2e.pages import log_in

pytestmark = pytest.mark.e2e
PROJECT = "Command-line task manager"
REPO = "https://github.com/learner1/task-manager"


def test_home_preview_edit_and_withdraw(demo_data, page):
    # Logged out, the home page says what this is and shows the stages before the login.
    page.goto("/")
    expect(page.get_by_role("heading", name="The roadmap")).to_be_visible()
    expect(page.get_by_text("Python fundamentals").first).to_be_visible()
    assert_accessible(page)

    log_in(page, "learner1")
    project = Project.objects.get(title=PROJECT)
    page.goto(f"/projects/{project.slug}/submit/")
    page.get_by_label("Repository URL").fill(REPO)
    page.get_by_label("Commit SHA").fill("1a2b3c4d")
    page.get_by_label("Notes for your mentor").fill("The `add` command is **done**.")

    # Preview with JavaScript: inline, under the field, and the form is still there.
    page.get_by_role("button", name="Preview the formatted text").click()
    expect(page.locator(".markdown-preview-inline strong")).to_have_text("done")
    assert_accessible(page)
    # Enter in a text input submits the form, not the preview.
    page.get_by_label("Commit SHA").press("Enter")
    submission = Submission.objects.get(learner__username="learner1")
    expect(page).to_have_url(re.compile(rf"/submissions/{submission.pk}/$"))

    # Unclaimed: the notes change in place.
    page.get_by_role("link", name="Edit the latest iteration").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Edit {PROJECT}, iteration 1")
    assert_accessible(page)
    page.get_by_label("Notes for your mentor").fill("Now with *tests*.")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("Iteration 1 is updated.")
    expect(page.locator(".iteration-notes em")).to_have_text("tests")

    # Withdrawn: out of the queue, and it can be resubmitted.
    page.get_by_text("Withdraw…").click()  # it asks first
    page.get_by_role("button", name="Withdraw this submission").click()
    expect(page.get_by_role("status")).to_contain_text(f"{PROJECT} is withdrawn")
    expect(page.get_by_role("link", name="Resubmit")).to_be_visible()
    assert_accessible(page)
    submission.refresh_from_db()
    assert submission.status == Submission.Status.WITHDRAWN

    # Logging out says so.
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("status")).to_have_text("You are logged out.")
