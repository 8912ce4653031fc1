"""Hostile and broken input into every form: never a 500, nothing that could run script in
the page that comes back, oversized bodies refused, no CSRF token -> 403, unknown ids -> 404.

Hypothesis tests reuse the function-scoped `world` across examples; each example runs in a
savepoint that is rolled back, so every example starts from the same rows (which is why the
function-scoped-fixture health check may be suppressed), and each builds its own Client.
"""

from contextlib import contextmanager

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from learners.models import Iteration, Submission
from reviews.models import Reply, Review
from tests.factories import PASSWORD, IterationFactory
from tests.hardening.security import active_content
from tests.hardening.strategies import (
    HTML_PAYLOADS,
    VALID_REPO,
    XSS_PAYLOADS,
    comment_rows,
    emails,
    markdown,
    shas,
    total_forms,
    urls,
)

User = get_user_model()

fuzz = hypothesis_settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
ALL_PAYLOADS = "\n\n".join(XSS_PAYLOADS)


@contextmanager
def rolled_back():
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def client_for(user, **kwargs):
    client = Client(**kwargs)
    client.force_login(user)
    return client


def assert_safe(response):
    assert response.status_code == 200, response.status_code
    assert active_content(response.content.decode()) == []


# --- the check itself must be able to fail ----------------------------------------------


@pytest.mark.parametrize("payload", HTML_PAYLOADS)
def test_the_active_content_check_catches_each_raw_payload(payload):
    assert len(active_content(payload)) >= 1


def test_the_active_content_check_allows_our_static_scripts_and_escaped_text():
    html = '<script src="/static/vendor/x.js"></script><p>&lt;script&gt; onerror=1</p>'

    assert active_content(html) == []


# --- submission create and resubmit --------------------------------------------------------


@fuzz
@given(repo_url=urls, live_url=urls, commit_sha=shas, notes=markdown)
@example(repo_url=VALID_REPO, live_url="", commit_sha="a1b2c3d", notes=ALL_PAYLOADS)
@example(repo_url="javascript:alert(1)", live_url="", commit_sha="", notes=ALL_PAYLOADS)
def test_submitting_anything_never_fails_or_puts_script_in_the_page(
    world, repo_url, live_url, commit_sha, notes
):
    url = reverse("reviews:submission-create", kwargs={"slug": world.unsubmitted_project.slug})
    data = {"repo_url": repo_url, "live_url": live_url, "commit_sha": commit_sha, "notes": notes}
    with rolled_back():
        response = client_for(world.learner).post(url, data, follow=True)
        assert_safe(response)


@fuzz
@given(repo_url=urls, live_url=urls, commit_sha=shas, notes=markdown)
@example(repo_url=VALID_REPO, live_url="", commit_sha="a1b2c3d", notes=ALL_PAYLOADS)
def test_resubmitting_anything_never_fails_or_puts_script_in_the_page(
    world, repo_url, live_url, commit_sha, notes
):
    url = reverse("reviews:submission-resubmit", kwargs={"pk": world.submission.pk})
    data = {"repo_url": repo_url, "live_url": live_url, "commit_sha": commit_sha, "notes": notes}
    with rolled_back():
        response = client_for(world.learner).post(url, data, follow=True)
        assert_safe(response)


def test_a_valid_submission_with_hostile_notes_renders_them_inert(world):
    url = reverse("reviews:submission-create", kwargs={"slug": world.unsubmitted_project.slug})

    response = client_for(world.learner).post(
        url, {"repo_url": VALID_REPO, "notes": ALL_PAYLOADS}, follow=True
    )

    submission = Submission.objects.get(project=world.unsubmitted_project)
    assert response.redirect_chain == [(submission.get_absolute_url(), 302)]
    assert_safe(response)
    content = response.content.decode()
    assert '<p><a rel="nofollow noopener noreferrer">click me</a></p>' in content
    assert "<p><code>&lt;img src=x onerror=alert(1)&gt;</code></p>" in content


def test_notes_one_character_too_long_are_a_form_error_and_nothing_is_saved(world):
    url = reverse("reviews:submission-create", kwargs={"slug": world.unsubmitted_project.slug})

    response = client_for(world.learner).post(url, {"repo_url": VALID_REPO, "notes": "x" * 20_001})

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "notes": ["Ensure this value has at most 20000 characters (it has 20001)."]
    }
    assert Submission.objects.filter(project=world.unsubmitted_project).exists() is False


def test_a_3_mb_post_is_refused_with_400_and_nothing_is_saved(world):
    url = reverse("reviews:submission-create", kwargs={"slug": world.unsubmitted_project.slug})

    response = client_for(world.learner).post(
        url, {"repo_url": VALID_REPO, "notes": "x" * (3 * 1024 * 1024)}
    )

    assert response.status_code == 400
    assert Submission.objects.filter(project=world.unsubmitted_project).exists() is False


def test_a_3_mb_resubmission_is_refused_with_400_and_nothing_is_saved(world):
    url = reverse("reviews:submission-resubmit", kwargs={"pk": world.submission.pk})

    response = client_for(world.learner).post(
        url, {"repo_url": VALID_REPO, "notes": "x" * (3 * 1024 * 1024)}
    )

    assert response.status_code == 400
    assert Iteration.objects.filter(submission=world.submission).count() == 1


# --- review with its comment formset, and replies ------------------------------------------


@pytest.fixture
def in_review(world):
    """The learner resubmitted (iteration 2) and the cohort's mentor claimed it."""
    IterationFactory(submission=world.submission, number=2)
    Submission.objects.filter(pk=world.submission.pk).update(
        status=Submission.Status.IN_REVIEW, claimed_by=world.mentor, claimed_at=timezone.now()
    )
    return world


def review_post(summary, verdict, rows, total=None, button="publish"):
    data = {
        "summary": summary,
        "verdict": verdict,
        "comments-TOTAL_FORMS": str(len(rows)) if total is None else total,
        "comments-INITIAL_FORMS": "0",
        "comments-MIN_NUM_FORMS": "0",
        "comments-MAX_NUM_FORMS": "1000",
        "confirm_publish": "on",
        button: "1",
    }
    for index, (path, line, body) in enumerate(rows):
        data[f"comments-{index}-path"] = path
        data[f"comments-{index}-line"] = line
        data[f"comments-{index}-body"] = body
    return data


@fuzz
@given(
    summary=markdown,
    verdict=st.sampled_from(["approve", "request_changes", "", "bogus"]),
    rows=comment_rows,
    total=total_forms,
    button=st.sampled_from(["publish", "save_draft"]),
)
@example(
    summary=ALL_PAYLOADS,
    verdict="request_changes",
    rows=[('"><script>alert(1)</script>', "3", ALL_PAYLOADS), ("app/main.py", "12", "x")],
    total=None,
    button="publish",
)
@example(
    summary="Fine.",
    verdict="approve",
    rows=[("app/main.py", "2147483648", "One past the integer column.")],
    total=None,
    button="save_draft",
)
def test_reviewing_with_anything_never_fails_or_puts_script_in_the_page(
    in_review, summary, verdict, rows, total, button
):
    url = reverse("reviews:review", kwargs={"pk": in_review.submission.pk})
    data = review_post(summary, verdict, rows, total, button)
    with rolled_back():
        response = client_for(in_review.mentor).post(url, data, follow=True)
        assert_safe(response)
        if button == "publish" and response.redirect_chain:
            # Published: the learner's view of the same review must be as safe.
            learner_page = client_for(in_review.learner).get(
                in_review.submission.get_absolute_url()
            )
            assert_safe(learner_page)


def test_a_published_hostile_review_links_lines_without_script(in_review):
    Iteration.objects.filter(submission=in_review.submission, number=2).update(
        repo_url="https://github.com/ada/task-manager", commit_sha="a1b2c3d"
    )
    url = reverse("reviews:review", kwargs={"pk": in_review.submission.pk})
    rows = [('"><script>alert(1)</script>.py', "3", "<img src=x onerror=alert(1)>")]

    client_for(in_review.mentor).post(url, review_post("Fine.", "request_changes", rows))
    page = client_for(in_review.learner).get(in_review.submission.get_absolute_url())

    assert_safe(page)
    content = page.content.decode()
    assert (
        '<a href="https://github.com/ada/task-manager/blob/a1b2c3d/'
        '%22%3E%3Cscript%3Ealert%281%29%3C/script%3E.py#L3" rel="noopener noreferrer nofollow">'
        "&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;.py:3</a>"
    ) in content


@fuzz
@given(body=markdown)
@example(body=ALL_PAYLOADS)
def test_replying_with_anything_never_fails_or_puts_script_in_the_page(world, body):
    url = reverse("reviews:reply-create", kwargs={"pk": world.submission.pk})
    with rolled_back():
        response = client_for(world.learner).post(url, {"body": body}, follow=True)
        assert_safe(response)


def test_a_reply_one_character_too_long_is_refused_with_the_reason(world):
    url = reverse("reviews:reply-create", kwargs={"pk": world.submission.pk})

    response = client_for(world.learner).post(url, {"body": "x" * 10_001}, follow=True)

    assert response.status_code == 200
    assert (
        '<p id="error_1_id_reply_body"><strong>'
        "Ensure this value has at most 10000 characters (it has 10001).</strong></p>"
    ) in response.content.decode()
    assert Reply.objects.count() == 0


@pytest.mark.parametrize(
    ("actor", "name", "data"),
    [
        ("mentor", "reviews:review", {"summary": "x" * (3 * 1024 * 1024), "publish": "1"}),
        ("learner", "reviews:reply-create", {"body": "x" * (3 * 1024 * 1024)}),
    ],
)
def test_a_3_mb_review_or_reply_is_refused_with_400(in_review, actor, name, data):
    client = client_for(getattr(in_review, actor))

    response = client.post(reverse(name, kwargs={"pk": in_review.submission.pk}), data)

    assert response.status_code == 400
    assert Review.objects.count() == 1
    assert Reply.objects.count() == 0


# --- the invitation form (a page of the cohort's admin) ----------------------------------


@fuzz
@given(addresses=emails, role=st.sampled_from(["learner", "mentor", "", "staff", "<script>"]))
@example(
    addresses='"<script>alert(1)</script>"@example.com, <img src=x onerror=alert(1)>',
    role="learner",
)
def test_inviting_anything_never_fails_or_puts_script_in_the_page(world, addresses, role):
    url = reverse("admin:learners_cohort_invite", args=[world.cohort.pk])
    with rolled_back():
        response = client_for(world.staff).post(
            url, {"emails": addresses, "role": role}, follow=True
        )
        assert_safe(response)


def test_a_3_mb_invitation_is_refused_with_400(world):
    url = reverse("admin:learners_cohort_invite", args=[world.cohort.pk])

    response = client_for(world.staff).post(
        url, {"emails": "a@example.com " * (3 * 1024 * 1024 // 14), "role": "learner"}
    )

    assert response.status_code == 400


# --- query strings: the queue's filters, the cohort grid's sort and every page number -------

query_values = st.one_of(
    st.text(max_size=60), st.sampled_from(XSS_PAYLOADS), st.integers().map(str), st.just("")
)


@fuzz
@given(stage=query_values, status=query_values, learner=query_values, page=query_values)
@example(stage="", status="", learner='"><script>alert(1)</script>', page="99999999999999999999")
def test_any_queue_filter_never_fails_or_puts_script_in_the_page(
    world, stage, status, learner, page
):
    query = {"stage": stage, "status": status, "learner": learner, "page": page}

    response = client_for(world.mentor).get(reverse("reviews:queue"), query)

    assert_safe(response)


@fuzz
@given(sort=query_values, page=query_values)
def test_any_cohort_sort_or_page_never_fails_or_puts_script_in_the_page(world, sort, page):
    url = reverse("reviews:cohort-detail", kwargs={"slug": world.cohort.slug})

    response = client_for(world.mentor).get(url, {"sort": sort, "page": page})

    assert_safe(response)


@pytest.mark.parametrize(
    "next_url",
    ["https://evil.example/", "//evil.example/", "javascript:alert(1)", "/\\evil.example"],
)
def test_ticking_an_objective_never_redirects_off_site(world, next_url):
    url = reverse("learners:objective-toggle", kwargs={"pk": world.objective.pk})

    response = client_for(world.learner).post(url, {"next": next_url})

    assert response.status_code == 302
    stage_url = world.stage.get_absolute_url()
    assert response["Location"] == f"{stage_url}#objective-{world.objective.pk}"


# --- missing CSRF token -> 403 ------------------------------------------------------------


def csrf_posts(world):
    """(who posts, the URL name, its kwargs, a body that would otherwise be accepted)."""
    return [
        (
            "learner",
            "reviews:submission-create",
            {"slug": world.unsubmitted_project.slug},
            {"repo_url": VALID_REPO},
        ),
        (
            "learner",
            "reviews:submission-resubmit",
            {"pk": world.submission.pk},
            {"repo_url": VALID_REPO},
        ),
        ("learner", "learners:objective-toggle", {"pk": world.objective.pk}, {}),
        ("learner", "reviews:reply-create", {"pk": world.submission.pk}, {"body": "Hi"}),
        ("mentor", "reviews:claim", {"pk": world.submission.pk}, {}),
        ("mentor", "reviews:release", {"pk": world.submission.pk}, {}),
        (
            "mentor",
            "reviews:review",
            {"pk": world.submission.pk},
            review_post("Good.", "approve", []),
        ),
        (
            "staff",
            "admin:learners_cohort_invite",
            {"object_id": world.cohort.pk},
            {"emails": "new@example.com", "role": "learner"},
        ),
        ("learner", "logout", {}, {}),
    ]


def test_every_form_refuses_a_post_without_a_csrf_token(world):
    statuses = {}
    for actor, name, kwargs, data in csrf_posts(world):
        client = client_for(getattr(world, actor), enforce_csrf_checks=True)
        statuses[name] = client.post(reverse(name, kwargs=kwargs), data).status_code

    assert statuses == dict.fromkeys(statuses, 403)
    assert Iteration.objects.count() == 1
    assert world.learner.objective_checks.count() == 0
    assert Reply.objects.count() == 0
    assert Review.objects.count() == 1
    assert User.objects.filter(email="new@example.com").exists() is False


def test_the_login_form_refuses_a_post_without_a_csrf_token(learner):
    client = Client(enforce_csrf_checks=True)

    response = client.post("/accounts/login/", {"username": "ada", "password": PASSWORD})

    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


# --- unknown ids -> 404 ------------------------------------------------------------------

UNKNOWN_PK = 2_147_483_000


@pytest.mark.parametrize(
    ("method", "name", "kwargs"),
    [
        ("get", "learners:stage-detail", {"slug": "no-such-stage"}),
        ("get", "learners:project-detail", {"slug": "no-such-project"}),
        ("get", "reviews:submission-create", {"slug": "no-such-project"}),
        ("get", "reviews:submission-detail", {"pk": UNKNOWN_PK}),
        ("get", "reviews:submission-resubmit", {"pk": UNKNOWN_PK}),
        ("post", "learners:objective-toggle", {"pk": UNKNOWN_PK}),
        ("get", "reviews:cohort-detail", {"slug": "no-such-cohort"}),
        ("get", "reviews:cohort-progress-csv", {"slug": "no-such-cohort"}),
        ("get", "reviews:review", {"pk": UNKNOWN_PK}),
        ("post", "reviews:claim", {"pk": UNKNOWN_PK}),
        ("post", "reviews:release", {"pk": UNKNOWN_PK}),
        ("post", "reviews:reply-create", {"pk": UNKNOWN_PK}),
        ("get", "reviews:learner-progress", {"cohort_pk": UNKNOWN_PK, "learner_pk": 1}),
    ],
)
@pytest.mark.parametrize("actor", ["learner", "mentor", "staff"])
def test_an_unknown_id_is_404(world, actor, method, name, kwargs):
    client = client_for(getattr(world, actor))

    response = getattr(client, method)(reverse(name, kwargs=kwargs))

    assert response.status_code == 404
