"""The Content-Security-Policy forbids inline script and style: no template may rely on them
(they would silently not run). Scripts come only as <script src=…></script>."""

import re
from pathlib import Path

import pytest
from django.conf import settings

TEMPLATES = sorted(
    path
    for folder in [
        Path(settings.BASE_DIR) / "templates",
        *Path(settings.BASE_DIR).glob("*/templates"),
    ]
    for path in folder.rglob("*.html")
)
SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.IGNORECASE | re.DOTALL)
TAG = re.compile(r"<[a-zA-Z][^>]*>")
STYLE_ATTRIBUTE = re.compile(r"\sstyle\s*=", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)


def inline_code(html):
    problems = []
    for attributes, body in SCRIPT.findall(html):
        if "src=" not in attributes or body.strip():
            problems.append(f"inline <script{attributes}>")
    if re.search(r"<style\b", html, re.IGNORECASE):
        problems.append("a <style> element")
    for tag in TAG.findall(html):
        if STYLE_ATTRIBUTE.search(tag):
            problems.append(f"a style= attribute in {tag[:80]}")
        if EVENT_HANDLER.search(tag):
            problems.append(f"an inline event handler in {tag[:80]}")
        if "javascript:" in tag.lower():
            problems.append(f"a javascript: URL in {tag[:80]}")
    return problems


def test_the_templates_are_found():
    assert Path(settings.BASE_DIR) / "templates" / "base.html" in TEMPLATES


@pytest.mark.parametrize(
    "template", TEMPLATES, ids=[str(t.relative_to(settings.BASE_DIR)) for t in TEMPLATES]
)
def test_template_has_no_inline_script_or_style(template):
    assert inline_code(template.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    "html",
    [
        "<script>alert(1)</script>",
        '<script src="/static/app.js">alert(1)</script>',
        '<p style="color: red">x</p>',
        '<img src="x.png" onerror="alert(1)" alt="">',
        '<a href="javascript:alert(1)">x</a>',
        "<style>p { color: red; }</style>",
    ],
)
def test_the_scan_catches_inline_code(html):
    assert len(inline_code(html)) == 1


def test_the_scan_allows_an_external_script():
    assert inline_code("<script src=\"{% static 'app.js' %}\"></script>") == []
