import re

import pytest
from django.template import Context, Template
from django.utils.safestring import SafeString

from bootcamp.markdown import render_markdown


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
        ("<img src=x onerror=alert(1)>", "<p></p>"),
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
