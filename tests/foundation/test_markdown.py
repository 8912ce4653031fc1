import contextlib
import re
import time

import pytest
from django.core.exceptions import ValidationError
from django.template import Context, Template
from django.utils.safestring import SafeString

from bootcamp.markdown import (
    MAX_HIGHLIGHTED_CHARACTERS,
    MAX_RENDERED_CHARACTERS,
    render_markdown,
    validate_markdown,
)
from learners.forms import SubmissionForm
from reviews.forms import CommentForm, ReplyForm, ReviewForm


def test_plain_markdown_becomes_html():
    assert render_markdown("Use **Git** and *tests*.") == (
        "<p>Use <strong>Git</strong> and <em>tests</em>.</p>"
    )


def test_the_result_is_marked_safe_for_templates():
    assert isinstance(render_markdown("text"), SafeString)


def test_empty_text_renders_as_nothing():
    assert render_markdown("") == ""


def test_fenced_code_is_highlighted_by_pygments():
    html = render_markdown("```python\ndef add(a, b):\n    return a + b\n```")

    assert html.startswith('<div class="codehilite"><pre>')
    assert '<span class="k">def</span>' in html
    assert '<span class="nf">add</span>' in html
    assert '<span class="k">return</span>' in html


def test_fenced_code_without_a_language_is_not_guessed():
    html = render_markdown("```\nSELECT * FROM jobs;\n```")

    assert html.startswith('<div class="codehilite"><pre>')
    assert "SELECT * FROM jobs;" in html
    assert '<span class="k">' not in html


def test_html_in_code_is_shown_as_text():
    html = render_markdown("`<b>bold</b>`")

    assert html == "<p><code>&lt;b&gt;bold&lt;/b&gt;</code></p>"


def test_tables_render():
    html = render_markdown("| Method | Path |\n|---|---|\n| GET | /jobs |\n")

    cells = re.findall(r"<t[hd]>([^<]*)</t[hd]>", html)
    assert cells == ["Method", "Path", "GET", "/jobs"]
    assert html.startswith("<table>\n<thead>")


def test_links_keep_http_urls_and_gain_rel():
    assert render_markdown("[docs](https://docs.python.org/)") == (
        '<p><a href="https://docs.python.org/" rel="nofollow noopener noreferrer">docs</a></p>'
    )


INERT_LINK = '<p><a rel="nofollow noopener noreferrer">x</a></p>'


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("<script>alert(1)</script>", ""),
        ("<img src=x onerror=alert(1)>", ""),
        ("[x](javascript:alert(1))", INERT_LINK),
        ("[x](  javascript:alert(1))", INERT_LINK),
        ('<a href="JaVaScRiPt:alert(1)">x</a>', INERT_LINK),
        ('<a href="jav&#x09;ascript:alert(1)">x</a>', INERT_LINK),
        ("[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)", INERT_LINK),
        ('<p onclick="alert(1)">x</p>', "<p>x</p>"),
        ('<div style="background:url(javascript:alert(1))">x</div>', "<div>x</div>"),
        ("<iframe src=https://evil.example></iframe>", ""),
        ('<svg onload="alert(1)"></svg>', "<p></p>"),
    ],
)
def test_script_payloads_come_out_inert(source, expected):
    assert render_markdown(source) == expected


def test_template_filter_renders_markdown_without_loading_a_library():
    rendered = Template("{{ body|markdown }}").render(
        Context({"body": "**hi** <script>x</script>"})
    )

    assert rendered == "<p><strong>hi</strong> </p>"


def test_template_filter_treats_none_as_empty():
    assert Template("{{ body|markdown }}").render(Context({"body": None})) == ""


def test_user_html_cannot_borrow_page_classes_to_restyle_the_page():
    overlay = (
        '<div class="position-fixed top-0 vw-100 vh-100 bg-white">Session expired. '
        '<span class="k btn btn-primary">Log in again</span></div>'
    )

    html = render_markdown(overlay)

    # nh3 keeps an emptied attribute; what matters is that no page class survives.
    assert html == '<div class="">Session expired. <span class="k">Log in again</span></div>'


def test_images_are_dropped_keeping_their_alt_text_out_of_the_page():
    assert render_markdown("![diagram](https://example.com/x.png)") == "<p></p>"


def test_github_flavoured_strikethrough_and_autolinks_render():
    assert render_markdown("~~old~~ see https://docs.python.org") == (
        '<p><del>old</del> see <a href="https://docs.python.org" '
        'rel="nofollow noopener noreferrer">https://docs.python.org</a></p>'
    )


def test_task_lists_stay_plain_text_not_form_inputs():
    assert render_markdown("- [ ] tests\n- [x] docs") == (
        "<ul>\n<li>[ ] tests</li>\n<li>[x] docs</li>\n</ul>"
    )


def test_a_code_block_with_an_unknown_language_is_shown_unhighlighted():
    html = render_markdown("```nosuchlanguage\nif x:\n```")

    assert html == '<div class="codehilite"><pre><span></span>if x:\n</pre></div>'


def test_code_past_the_highlighting_budget_is_shown_unhighlighted():
    block = "```python\n" + "def f(): pass\n" * (MAX_HIGHLIGHTED_CHARACTERS // 14) + "```\n"

    html = render_markdown(block + "\n" + block)

    first, second = html.split('<div class="codehilite">')[1:]
    assert first.count('<span class="k">def</span>') == MAX_HIGHLIGHTED_CHARACTERS // 14
    assert '<span class="k">' not in second


# The field limits: notes and review summaries take 20,000 characters, comments and replies
# 10,000. python-markdown took over 90 s for the first of these.
PATHOLOGICAL = {
    "open brackets": "[" * 20000,
    "open images": "![" * 5000,
    "emphasis": "*a" * 10000,
    "strong emphasis": "**a" * 6666,
    "strikethrough": "~~a" * 6666,
    "nested quotes": ">" * 20000,
    "spaced nested quotes": "> " * 10000,
    "nested lists": "".join("  " * depth + "- x\n" for depth in range(140)),
    "nested html": "<div>" * 4000,
    "autolinks": "www.a.com " * 2000,
    "wide table": "|" + "a|" * 3000 + "\n|" + "-|" * 3000 + "\n" + "|x\n" * 1000,
    "unclosed raw tags": "<div>\n" + "<a" * 9990,
    "unclosed raw tags with spaces": "<div>\n" + "<x " * 6600,
    "unclosed code blocks": "<pre><code></i></i>" * 1050,
    "wide table in a quote": ">|" + "a|" * 2400 + "\n>|" + "-|" * 2400 + "\n" + ">a\n" * 2500,
    "code in a slow lexer": "```scala\n" + "def f(x) = '\\\\' + \"[\" * x // (((\n" * 500 + "```",
}


@pytest.mark.parametrize("text", PATHOLOGICAL.values(), ids=PATHOLOGICAL.keys())
def test_pathological_text_renders_in_well_under_a_second(text):
    render_markdown.cache_clear()
    started = time.perf_counter()

    render_markdown(text)
    with contextlib.suppress(ValidationError):
        validate_markdown(text)

    assert time.perf_counter() - started < 0.5


WIDE_TABLE = PATHOLOGICAL["wide table"]


def test_text_whose_html_is_too_large_is_refused_as_too_complex():
    with pytest.raises(ValidationError) as error:
        validate_markdown(WIDE_TABLE)

    assert error.value.code == "too_complex"


def test_text_that_nests_too_deep_is_refused_as_too_complex():
    with pytest.raises(ValidationError) as error:
        validate_markdown("> " * 101 + "deep")

    assert error.value.code == "too_complex"


def test_a_table_as_wide_as_a_page_needs_passes_the_validator():
    table = "|" + " h |" * 20 + "\n|" + "---|" * 20 + "\n" + ("|" + " c |" * 20 + "\n") * 200

    assert validate_markdown(table) is None
    assert render_markdown(table).count("<td>c</td>") == 4000


def test_ordinary_text_and_modest_nesting_pass_the_validator():
    assert validate_markdown("> " * 50 + "quoted\n\n| a |\n|---|\n| b |\n") is None


def test_text_too_complex_to_format_is_shown_escaped_as_typed():
    text = "<b>x</b>\n\n" + "> " * 101

    assert render_markdown(text) == f"<pre>&lt;b&gt;x&lt;/b&gt;\n\n{'&gt; ' * 101}</pre>"
    assert len(render_markdown(WIDE_TABLE)) < MAX_RENDERED_CHARACTERS


TOO_COMPLEX = (
    "This text is too complex to show: shorten it, or simplify its tables and its "
    "nested lists and quotes."
)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("make_form", "field"),
    [
        (lambda data: SubmissionForm(data, project=None, learner=None), "notes"),
        (lambda data: ReviewForm(data, iteration=None, mentor=None), "summary"),
        (lambda data: CommentForm(data), "body"),
        (lambda data: ReplyForm(data, submission=None, author=None), "body"),
    ],
    ids=["submission notes", "review summary", "comment body", "reply body"],
)
def test_every_markdown_field_refuses_too_complex_text(make_form, field):
    form = make_form({field: "> " * 200})

    assert not form.is_valid()
    assert form.errors[field] == [TOO_COMPLEX]
