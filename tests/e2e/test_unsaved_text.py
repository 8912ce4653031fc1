"""Typed text is not lost to a link: leaving a page whose form text was changed and not sent
asks first (static/js/unsaved-text.js); sending the form does not."""

import re

import pytest
from playwright.sync_api import expect

from curriculum.models import Project
from tests.e2e.pages import log_in

pytestmark = pytest.mark.e2e


def test_leaving_with_unsent_text_asks_first_and_sending_it_does_not(demo_data, page):
    project = Project.objects.filter(is_published=True, stage__is_published=True).first()
    log_in(page, "learner1")
    page.goto(f"/projects/{project.slug}/submit/")
    notes = page.locator("form[method=post] textarea").first
    notes.fill("Half of what I meant to say")
    asked = []

    def stay(dialog):
        asked.append(dialog.type)
        dialog.dismiss()  # "Stay on page"

    page.on("dialog", stay)
    page.get_by_role("link", name="Dashboard").first.click()

    expect(notes).to_have_value("Half of what I meant to say")
    assert asked == ["beforeunload"]
    assert page.url.endswith(f"/projects/{project.slug}/submit/")

    # Sent (here refused for its missing repository, and given back), it asks nothing more.
    page.locator("form[method=post] button[type=submit]:not([formtarget])").last.click()
    expect(page.locator("form[method=post] textarea").first).to_have_value(
        "Half of what I meant to say"
    )
    page.get_by_role("link", name="Dashboard").first.click()
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    assert asked == ["beforeunload"]
