"""Every URL pattern of the project, requested by every kind of user, answers as the EXPECTED
table says. A page added without a row here fails `test_every_url_pattern_has_an_access_rule`:
decide who may open it, then add the row.

Outcomes: "200"; "login" (a redirect to the login page); "404" (outside the user's reach,
never 403, so ids stay secret); "405" (wrong method: POST-only views); "-> /path" (a
redirect elsewhere)."""

import re
from contextlib import contextmanager

import pytest
from django.contrib.auth import urls as auth_urls
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.hardening.security import assert_private_to, assert_security_headers

ACTORS = ("anonymous", "learner", "other_learner", "other_mentor", "mentor", "staff")
OK, LOGIN, NOT_FOUND, NOT_ALLOWED = "200", "login", "404", "405"


def everyone(outcome):
    return dict.fromkeys(ACTORS, outcome)


def logged_in(outcome):
    return {**everyone(outcome), "anonymous": LOGIN}


def post_only():
    return logged_in(NOT_ALLOWED)


# URL name -> (the path parameters, from the world; what each actor gets from a GET).
EXPECTED = {
    "home": (
        lambda w: {},
        {
            "anonymous": OK,
            "learner": "-> /dashboard/",
            "other_learner": "-> /dashboard/",
            "other_mentor": "-> /mentor/queue/",
            "mentor": "-> /mentor/queue/",
            "staff": "-> /cohorts/",
        },
    ),
    "healthz": (lambda w: {}, everyone(OK)),
    # Django's LogoutView with a message: POST only, for everyone.
    "logout": (lambda w: {}, everyone(NOT_ALLOWED)),
    "markdown-preview": (lambda w: {}, post_only()),
    # Django's views with bootcamp.forms' password forms.
    "password_change": (lambda w: {}, logged_in(OK)),
    "password_reset_confirm": (lambda w: {"uidb64": "MQ", "token": "bad-token"}, everyone(OK)),
    # Django's view with the e-mail link from SITE_URL (the other auth views are skipped).
    "password_reset": (lambda w: {}, everyone(OK)),
    # An invalid link shows the "this link no longer works" page to anyone.
    "invitation-confirm": (lambda w: {"uidb64": "MQ", "token": "bad-token"}, everyone(OK)),
    "admin:index": (
        lambda w: {},
        {**everyone("-> /admin/login/?next=/admin/"), "staff": OK},
    ),
    "learners:stage-list": (lambda w: {}, logged_in(OK)),
    "learners:stage-detail": (lambda w: {"slug": w.stage.slug}, logged_in(OK)),
    "learners:project-detail": (lambda w: {"slug": w.project.slug}, logged_in(OK)),
    "reviews:dashboard": (
        lambda w: {},
        {**logged_in("-> /"), "learner": OK, "other_learner": OK},
    ),
    # Only learners of a cohort submit; everyone else is told the page does not exist.
    "reviews:submission-create": (
        lambda w: {"slug": w.unsubmitted_project.slug},
        {**logged_in(NOT_FOUND), "learner": OK, "other_learner": OK},
    ),
    "reviews:submission-detail": (
        lambda w: {"pk": w.submission.pk},
        {**logged_in(NOT_FOUND), "learner": OK, "mentor": OK, "staff": OK},
    ),
    "reviews:submission-resubmit": (
        lambda w: {"pk": w.submission.pk},
        {**logged_in(NOT_FOUND), "learner": OK},
    ),
    "learners:iteration-checks": (
        lambda w: {"pk": w.submission.pk, "number": 1},
        {**logged_in(NOT_FOUND), "learner": OK, "mentor": OK, "staff": OK},
    ),
    # The world's submission waits for the learner to resubmit: too late to edit it.
    "reviews:submission-edit": (
        lambda w: {"pk": w.submission.pk},
        {**logged_in(NOT_FOUND), "learner": "-> /submissions/{w.submission.pk}/"},
    ),
    "reviews:submission-withdraw": (lambda w: {"pk": w.submission.pk}, post_only()),
    "learners:objective-toggle": (lambda w: {"pk": w.objective.pk}, post_only()),
    "reviews:cohort-list": (
        lambda w: {},
        {**logged_in(NOT_FOUND), "other_mentor": OK, "mentor": OK, "staff": OK},
    ),
    "reviews:cohort-detail": (
        lambda w: {"slug": w.cohort.slug},
        {**logged_in(NOT_FOUND), "mentor": OK, "staff": OK},
    ),
    "reviews:cohort-progress-csv": (
        lambda w: {"slug": w.cohort.slug},
        {**logged_in(NOT_FOUND), "mentor": OK, "staff": OK},
    ),
    "reviews:queue": (
        lambda w: {},
        {**logged_in(NOT_FOUND), "other_mentor": OK, "mentor": OK, "staff": OK},
    ),
    "reviews:claim": (lambda w: {"pk": w.submission.pk}, post_only()),
    "reviews:release": (lambda w: {"pk": w.submission.pk}, post_only()),
    # Mentors of the cohort read the review page without a claim; the form needs one.
    "reviews:review": (
        lambda w: {"pk": w.submission.pk},
        {**logged_in(NOT_FOUND), "mentor": OK, "staff": OK},
    ),
    "reviews:learner-progress": (
        lambda w: {"cohort_pk": w.cohort.pk, "learner_pk": w.learner.pk},
        {**logged_in(NOT_FOUND), "mentor": OK, "staff": OK},
    ),
    "reviews:reply-create": (lambda w: {"pk": w.submission.pk}, post_only()),
    "reviews:renew": (lambda w: {"pk": w.submission.pk}, post_only()),
    # The code pages are as private as the submission; the world's file is app/main.py.
    "reviews:code-file": (
        lambda w: {"pk": w.submission.pk, "number": 1, "path": "app/main.py"},
        {**logged_in(NOT_FOUND), "learner": OK, "mentor": OK, "staff": OK},
    ),
    "reviews:code-files": (
        lambda w: {"pk": w.submission.pk, "number": 1},
        {**logged_in(NOT_FOUND), "learner": OK, "mentor": OK, "staff": OK},
    ),
    "reviews:code-changes": (
        lambda w: {"pk": w.submission.pk, "number": 1},
        {**logged_in(NOT_FOUND), "learner": OK, "mentor": OK, "staff": OK},
    ),
    "reviews:comment-add": (lambda w: {"pk": w.submission.pk}, post_only()),
    "reviews:comment-reply": (
        lambda w: {"pk": w.submission.pk, "comment_pk": w.comment.pk},
        post_only(),
    ),
    "reviews:takeover-request": (lambda w: {"pk": w.submission.pk}, post_only()),
    # Everyone's own inbox and preferences: no ids in the URL, so nothing to reach into.
    "learners:notifications": (lambda w: {}, logged_in(OK)),
    "learners:notifications-mark-read": (lambda w: {}, post_only()),
    "learners:notification-preferences": (lambda w: {}, logged_in(OK)),
    # The end of the roadmap: a learner's own readiness page and portfolio settings (no ids).
    "reviews:readiness": (
        lambda w: {},
        {**logged_in(NOT_FOUND), "learner": OK, "other_learner": OK},
    ),
    "reviews:readiness-tick": (lambda w: {"pk": w.statement.pk}, post_only()),
    "reviews:portfolio-settings": (
        lambda w: {},
        {**logged_in(NOT_FOUND), "learner": OK, "other_learner": OK},
    ),
    # The one public page that shows a learner's work, once they publish it.
    "reviews:portfolio": (lambda w: {"slug": w.portfolio.slug}, everyone(OK)),
    "reviews:learner-readiness": (
        lambda w: {"cohort_pk": w.cohort.pk, "learner_pk": w.learner.pk},
        {**logged_in(NOT_FOUND), "mentor": OK, "staff": OK},
    ),
    "reviews:interview-create": (
        lambda w: {"cohort_pk": w.cohort.pk, "learner_pk": w.learner.pk},
        {**logged_in(NOT_FOUND), "mentor": OK, "staff": OK},
    ),
    "reviews:interview-edit": (
        lambda w: {"pk": w.interview.pk},
        {**logged_in(NOT_FOUND), "mentor": OK, "staff": OK},
    ),
    "reviews:sign-off": (
        lambda w: {"cohort_pk": w.cohort.pk, "learner_pk": w.learner.pk},
        post_only(),
    ),
}

# Where an answer in a comment's thread lands: the submission page with that review open, at
# the new answer (whose id differs for each actor: the test writes it as N).
ANSWERED = "-> /submissions/{w.submission.pk}/?review={w.comment.review_id}&posted=N#thread-reply-N"

# What a POST does, for the views that take one. Each actor posts in a rolled-back savepoint,
# so every one meets the same world. "{w.…}" is filled from the world.
POST_EXPECTED = {
    "learners:objective-toggle": (
        lambda w: {"pk": w.objective.pk},
        {},
        {
            **logged_in(NOT_FOUND),
            "learner": "-> /stages/basics/#objective-{w.objective.pk}",
            "other_learner": "-> /stages/basics/#objective-{w.objective.pk}",
        },
    ),
    # An empty form: whoever may post gets it back with errors; nothing is created.
    "reviews:submission-create": (
        lambda w: {"slug": w.unsubmitted_project.slug},
        {},
        {**logged_in(NOT_FOUND), "learner": OK, "other_learner": OK},
    ),
    "reviews:submission-resubmit": (
        lambda w: {"pk": w.submission.pk},
        {},
        {**logged_in(NOT_FOUND), "learner": OK},
    ),
    "reviews:submission-edit": (
        lambda w: {"pk": w.submission.pk},
        {},
        {**logged_in(NOT_FOUND), "learner": "-> /submissions/{w.submission.pk}/"},
    ),
    # Changes requested: nothing to withdraw; the learner is told so on the submission page.
    "reviews:submission-withdraw": (
        lambda w: {"pk": w.submission.pk},
        {},
        {**logged_in(NOT_FOUND), "learner": "-> /submissions/{w.submission.pk}/"},
    ),
    # The learner is told the checks stay as they are (changes requested); reviewers rerun them.
    "learners:iteration-checks": (
        lambda w: {"pk": w.submission.pk, "number": 1},
        {},
        {
            **logged_in(NOT_FOUND),
            "learner": "-> /submissions/{w.submission.pk}/#checks-{w.iteration.pk}",
            "mentor": "-> /submissions/{w.submission.pk}/#checks-{w.iteration.pk}",
            "staff": "-> /submissions/{w.submission.pk}/#checks-{w.iteration.pk}",
        },
    ),
    # The world's submission waits for the learner (changes requested): nothing to claim or
    # release, and the mentor is told so on the queue page.
    "reviews:claim": (
        lambda w: {"pk": w.submission.pk},
        {},
        {**logged_in(NOT_FOUND), "mentor": "-> /mentor/queue/", "staff": "-> /mentor/queue/"},
    ),
    "reviews:release": (
        lambda w: {"pk": w.submission.pk},
        {},
        {**logged_in(NOT_FOUND), "mentor": "-> /mentor/queue/", "staff": "-> /mentor/queue/"},
    ),
    # Nothing is claimed in the world: the mentor is told so on the queue page.
    "reviews:renew": (
        lambda w: {"pk": w.submission.pk},
        {},
        {**logged_in(NOT_FOUND), "mentor": "-> /mentor/queue/", "staff": "-> /mentor/queue/"},
    ),
    "reviews:takeover-request": (
        lambda w: {"pk": w.submission.pk},
        {},
        {**logged_in(NOT_FOUND), "mentor": "-> /mentor/queue/", "staff": "-> /mentor/queue/"},
    ),
    # Which field to preview is missing: the page says so, answered 400; nothing is stored.
    "markdown-preview": (lambda w: {}, {}, logged_in("400")),
    "learners:notifications-mark-read": (lambda w: {}, {}, logged_in("-> /notifications/")),
    # An empty form: every field is required, so it comes back with errors, nothing stored.
    "learners:notification-preferences": (lambda w: {}, {}, logged_in(OK)),
    # Nothing is claimed in the world: the reviewers are sent to the review page to claim.
    "reviews:comment-add": (
        lambda w: {"pk": w.submission.pk},
        {"path": "app/main.py", "line": "1", "body": "Why?"},
        {
            **logged_in(NOT_FOUND),
            "mentor": "-> /mentor/submissions/{w.submission.pk}/review/",
            "staff": "-> /mentor/submissions/{w.submission.pk}/review/",
        },
    ),
    "reviews:comment-reply": (
        lambda w: {"pk": w.submission.pk, "comment_pk": w.comment.pk},
        {"body": "Done."},
        {
            **logged_in(NOT_FOUND),
            "learner": ANSWERED,
            "mentor": ANSWERED,
            "staff": ANSWERED,
        },
    ),
    "reviews:readiness-tick": (
        lambda w: {"pk": w.statement.pk},
        {"done": "1"},
        {
            **logged_in(NOT_FOUND),
            "learner": "-> /readiness/#statement-{w.statement.pk}",
            "other_learner": "-> /readiness/#statement-{w.statement.pk}",
        },
    ),
    # Empty forms: they come back with errors, nothing stored.
    "reviews:portfolio-settings": (
        lambda w: {},
        {},
        {**logged_in(NOT_FOUND), "learner": OK, "other_learner": OK},
    ),
    "reviews:interview-create": (
        lambda w: {"cohort_pk": w.cohort.pk, "learner_pk": w.learner.pk},
        {},
        {**logged_in(NOT_FOUND), "mentor": OK, "staff": OK},
    ),
    "reviews:interview-edit": (
        lambda w: {"pk": w.interview.pk},
        {},
        {**logged_in(NOT_FOUND), "mentor": OK, "staff": OK},
    ),
    # Without a note nothing is signed; the mentor is sent back to the form.
    "reviews:sign-off": (
        lambda w: {"cohort_pk": w.cohort.pk, "learner_pk": w.learner.pk},
        {},
        {
            **logged_in(NOT_FOUND),
            "mentor": "-> /mentor/learners/{w.cohort.pk}/{w.learner.pk}/readiness/#sign-off",
            "staff": "-> /mentor/learners/{w.cohort.pk}/{w.learner.pk}/readiness/#sign-off",
        },
    ),
    "reviews:reply-create": (
        lambda w: {"pk": w.submission.pk},
        {"body": "Thanks!"},
        {
            **logged_in(NOT_FOUND),
            "learner": "-> /submissions/{w.submission.pk}/#conversation",
            "mentor": "-> /submissions/{w.submission.pk}/#conversation",
            "staff": "-> /submissions/{w.submission.pk}/#conversation",
        },
    ),
}


def _walk(patterns, prefix="", namespace=""):
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            if pattern.urlconf_module is auth_urls:
                continue  # Django's own login, logout and password views: public by design
            if pattern.app_name == "admin":
                yield "admin:index", route
                continue  # the admin guards its own pages; /admin/ stands for them
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _walk(pattern.url_patterns, route, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}", route


def url_names():
    return sorted({name for name, _route in _walk(get_resolver().url_patterns)})


def outcome(response):
    if response.status_code == 302:
        location = response["Location"]
        return LOGIN if location.startswith("/accounts/login/") else f"-> {location}"
    return str(response.status_code)


@contextmanager
def rolled_back():
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def client_as(world, actor):
    client = Client()
    if actor != "anonymous":
        client.force_login(getattr(world, actor))
    return client


def test_every_url_pattern_has_an_access_rule():
    missing = sorted(set(url_names()) - set(EXPECTED))
    stale = sorted(set(EXPECTED) - set(url_names()))

    assert missing == [], f"new page(s) without an access rule in EXPECTED: {missing}"
    assert stale == [], f"EXPECTED names pages that no longer exist: {stale}"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_user_gets_the_expected_answer(world, name):
    kwargs, expected = EXPECTED[name]
    path = reverse(name, kwargs=kwargs(world))

    observed = {}
    for actor in ACTORS:
        response = client_as(world, actor).get(path)
        assert_security_headers(response)
        assert_private_to(actor, response)
        observed[actor] = outcome(response)

    assert observed == {actor: value.format(w=world) for actor, value in expected.items()}, path


@pytest.mark.parametrize("name", sorted(POST_EXPECTED))
def test_each_user_gets_the_expected_answer_to_a_post(world, name):
    kwargs, data, expected = POST_EXPECTED[name]
    path = reverse(name, kwargs=kwargs(world))

    observed = {}
    for actor in ACTORS:
        with rolled_back():
            response = client_as(world, actor).post(path, data)
        assert_security_headers(response)
        assert_private_to(actor, response)
        observed[actor] = re.sub(
            r"posted=\d+#thread-reply-\d+", "posted=N#thread-reply-N", outcome(response)
        )

    assert observed == {actor: value.format(w=world) for actor, value in expected.items()}, path
