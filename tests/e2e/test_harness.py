"""The harness itself: the browser runs, the axe scan can fail, public pages pass it."""

import pytest
from playwright.sync_api import expect

from tests.e2e.axe import assert_accessible
from tests.factories import UserFactory

pytestmark = pytest.mark.e2e


def test_axe_scan_fails_on_an_image_without_alt_text(page):
    page.set_content(
        '<!doctype html><html lang="en"><head><title>t</title></head>'
        '<body><main><h1>t</h1><img src="x.png"></main></body></html>'
    )

    with pytest.raises(AssertionError, match=r"image-alt \(critical\)"):
        assert_accessible(page)


@pytest.mark.parametrize(
    ("path", "heading"),
    [
        ("/", "From Python basics to a portfolio that gets interviews"),
        ("/accounts/login/", "Log in"),
        ("/accounts/password_reset/", None),
    ],
)
def test_public_page_passes_axe(page, live_server, path, heading):
    response = page.goto(path)

    assert response.status == 200
    if heading:
        assert page.get_by_role("heading", level=1).inner_text() == heading
    assert_accessible(page)


def test_the_locked_out_page_explains_itself_and_passes_axe(page, live_server, transactional_db):
    UserFactory(username="ada")
    page.goto("/accounts/login/")
    for _ in range(5):
        page.get_by_label("Username").fill("ada")
        page.get_by_label("Password").fill("not-the-password")
        # Each attempt must reach the server before the next one types into the form.
        with page.expect_navigation():
            page.get_by_role("button", name="Log in", exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Too many failed log-ins")
    expect(page.get_by_role("alert")).to_contain_text("This account is locked for a while")
    assert_accessible(page)
