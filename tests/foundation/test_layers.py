"""Templates obey the apps' layers as the Python does (lint-imports checks the Python): a
template never loads the tags of, includes or extends a template of an app above its own."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template import engines

# Lowest first; "bootcamp" is templates/ itself (base.html, includes/, registration/, errors).
LAYERS = ["bootcamp", "curriculum", "learners", "reviews"]
TEMPLATES = Path(settings.BASE_DIR) / "templates"
TAG = re.compile(r"{%\s*(load|include|extends)\s+(.+?)\s*%}")


def layer_of_template(name: str) -> int:
    """templates/<app>/… and templates/admin/<app>/… belong to <app>; the rest to bootcamp."""
    parts = name.split("/")
    if parts[0] == "admin" and len(parts) > 1:
        parts = parts[1:]
    return LAYERS.index(parts[0]) if parts[0] in LAYERS[1:] else 0


def layer_of_library(library: str) -> int:
    """The app whose templatetags module defines `library`; 0 for Django's and packages'."""
    top = engines["django"].engine.libraries[library].split(".")[0]  # the module's dotted path
    return LAYERS.index(top) if top in LAYERS else 0


def references(source: str):
    """(kind, name) for each {% load %} library and each literal {% include/extends %}."""
    for kind, argument in TAG.findall(source):
        if kind == "load":
            words = argument.split()
            libraries = words[words.index("from") + 1 :] if "from" in words else words
            yield from (("load", library) for library in libraries)
        elif argument[0] in "\"'":
            yield kind, argument.split()[0].strip("\"'")


def upward_references(name: str, source: str) -> list[str]:
    own = layer_of_template(name)
    found = []
    for kind, target in references(source):
        layer = layer_of_library(target) if kind == "load" else layer_of_template(target)
        if layer > own:
            found.append(f"{name}: {kind} {target} ({LAYERS[layer]} is above {LAYERS[own]})")
    return found


def all_templates():
    return sorted(str(path.relative_to(TEMPLATES)) for path in TEMPLATES.rglob("*.html"))


def test_no_template_reaches_up_to_a_higher_app():
    problems = [
        problem
        for name in all_templates()
        for problem in upward_references(name, (TEMPLATES / name).read_text())
    ]

    assert problems == []


@pytest.mark.parametrize(
    ("name", "source", "expected"),
    [
        (
            "learners/stage_detail.html",
            '{% load static reviews_tags %}{% include "reviews/includes/draft_review.html" %}',
            [
                "learners/stage_detail.html: load reviews_tags (reviews is above learners)",
                "learners/stage_detail.html: include reviews/includes/draft_review.html "
                "(reviews is above learners)",
            ],
        ),
        (
            "includes/navbar.html",
            '{% extends "curriculum/stage_list.html" %}{% load waited from reviews_tags %}',
            [
                "includes/navbar.html: extends curriculum/stage_list.html "
                "(curriculum is above bootcamp)",
                "includes/navbar.html: load reviews_tags (reviews is above bootcamp)",
            ],
        ),
        (
            "reviews/review.html",
            '{% load crispy_forms_tags %}{% include "learners/includes/x.html" %}'
            "{% include template_name %}",
            [],
        ),
    ],
    ids=["learners-reaching-up", "bootcamp-reaching-up", "reviews-reaching-down"],
)
def test_the_check_finds_each_kind_of_upward_reference(name, source, expected):
    assert upward_references(name, source) == expected


def test_the_check_sees_the_project_templates():
    # Guards against a wrong folder making the first test pass on nothing.
    assert {"base.html", "learners/stage_detail.html", "reviews/submission_detail.html"} <= set(
        all_templates()
    )
