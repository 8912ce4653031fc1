"""Small helpers the journeys share: log in through the real form, read a progress bar."""

from playwright.sync_api import expect

from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import DEMO_PASSWORD


def log_in(page, username, password=DEMO_PASSWORD):
    page.goto("/accounts/login/")
    assert_accessible(page)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in", exact=True).click()
    expect(page.get_by_text(f"Signed in as {username}")).to_be_visible()


def overall_projects_approved(page):
    """aria-valuenow of the dashboard's overall "Required projects approved" bar."""
    bar = page.get_by_role("region", name="Overall").get_by_role(
        "progressbar", name="Required projects approved"
    )
    return int(bar.get_attribute("aria-valuenow"))


def nav_link(page, name):
    return page.get_by_role("navigation", name="Main").get_by_role("link", name=name, exact=True)
