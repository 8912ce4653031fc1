"""A Markdown field's Preview: the same renderer, without JavaScript, saving nothing."""

import re

import pytest
from django.test import Client

from bootcamp.markdown import MAX_NESTING
from learners.models import Iteration

URL = "/markdown/preview/"


def preview_of(response):
    html = response.content.decode()
    return re.search(r'id="markdown-preview">(.*?)</section>', html, re.S).group(1)


def test_preview_renders_only_the_named_field_with_the_sites_renderer(client_for, learner):
    response = client_for(learner).post(
        URL,
        {
            "preview_field": "notes",
            "notes": "Now with **tests** and <script>alert(1)</script>",
            "repo_url": "https://github.com/ada/tasks",
        },
    )

    assert response.status_code == 200
    section = preview_of(response)
    assert "<strong>tests</strong>" in section
    assert "<script>" not in section
    assert "github.com/ada/tasks" not in section
    assert Iteration.objects.count() == 0


def test_an_empty_field_says_there_is_nothing_to_preview(client_for, learner):
    response = client_for(learner).post(URL, {"preview_field": "comment-0-body"})

    assert response.status_code == 200
    assert "Nothing to preview yet: the field is empty." in preview_of(response)


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({}, "This field is required."),
        ({"preview_field": "../notes"}, "There is no such field to preview."),
        (
            {"preview_field": "notes", "notes": "x" * 20_001},
            "This text is too long to preview: at most 20,000 characters (it has 20,001).",
        ),
        (
            {"preview_field": "notes", "notes": ">" * (MAX_NESTING + 5) + " deep"},
            "This text is too complex to show: shorten it, or simplify its tables and its "
            "nested lists and quotes.",
        ),
    ],
)
def test_bad_input_is_a_400_page_with_the_reason(client_for, learner, data, error):
    response = client_for(learner).post(URL, data)

    assert response.status_code == 400
    assert error in preview_of(response)


def test_preview_needs_a_login_a_post_and_the_csrf_token(client, learner):
    assert client.post(URL, {"preview_field": "notes"})["Location"].startswith("/accounts/login/")
    client.force_login(learner)
    assert client.get(URL).status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(learner)
    assert strict.post(URL, {"preview_field": "notes", "notes": "x"}).status_code == 403


@pytest.mark.parametrize(
    ("page", "field"),
    [("submit", "notes"), ("conversation", "body")],
)
def test_markdown_fields_carry_a_preview_button_that_works_without_javascript(
    client_for, learner, project, make_submission, page, field
):
    if page == "submit":
        html = client_for(learner).get(f"/projects/{project.slug}/submit/").text
    else:
        submission = make_submission()
        html = client_for(learner).get(submission.get_absolute_url()).text
    button = re.search(r'<button type="submit" class="[^"]*markdown-preview-button"[^>]*>', html)
    assert button is not None
    tag = button.group(0)
    assert 'formaction="/markdown/preview/"' in tag
    assert 'formtarget="_blank"' in tag
    assert f'name="preview_field" value="{field}"' in tag


def test_the_submit_form_submits_on_enter_with_its_own_hidden_button_first(
    client_for, learner, project
):
    html = client_for(learner).get(f"/projects/{project.slug}/submit/").text
    form = html[html.index('<form method="post" novalidate>') :]
    buttons = re.findall(r'<button type="submit"[^>]*>', form)
    assert buttons[0] == '<button type="submit" hidden>'
    assert "markdown-preview-button" in buttons[1]
