"""The reviews' part of /submissions/<id>/: published reviews, line links, the conversation."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone
from pytest_django.asserts import assertInHTML

from bootcamp.people import display_name
from learners.models import SubmissionEvent
from reviews.models import Reply
from tests.factories import (
    IterationFactory,
    ReplyFactory,
    ReviewCommentFactory,
    ReviewFactory,
    SubmissionFactory,
    UserFactory,
    ready_snapshot,
)

SHA = "a1b2c3d4e5f6a7b8c9d0a1b2c3d4e5f6a7b8c9d0"


def _page(client, submission):
    response = client.get(f"/submissions/{submission.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def _published(iteration, mentor, minutes_ago=0, **kwargs):
    published_at = timezone.now() - datetime.timedelta(minutes=minutes_ago)
    return ReviewFactory(iteration=iteration, mentor=mentor, published_at=published_at, **kwargs)


def test_drafts_are_invisible_to_the_learner_and_to_other_mentors(
    client_for, cohort, learner, mentor, submission
):
    draft = ReviewFactory(
        iteration=submission.iterations.get(), mentor=mentor, summary="Secret draft words"
    )
    ReviewCommentFactory(review=draft, body="Draft-only comment")
    colleague = UserFactory(username="barbara")
    cohort.memberships.create(user=colleague, role="mentor")

    for user in (learner, colleague):
        content = _page(client_for(user), submission)
        assert "Secret draft words" not in content
        assert "Draft-only comment" not in content
        assert "No review yet." in content


def test_published_reviews_show_newest_first_with_verdicts_and_markdown(
    client_for, learner, mentor, submission
):
    first = _published(
        submission.iterations.get(), mentor, minutes_ago=5, summary="First **pass**."
    )
    ReviewCommentFactory(review=first, path="", line=None, body="Older comment.")
    _published(
        IterationFactory(submission=submission, number=2),
        UserFactory(username="barbara", first_name="Barbara", last_name="Liskov"),
        minutes_ago=1,
        summary="Second pass.",
        verdict="approve",
    )
    client = client_for(learner)

    content = _page(client, submission)

    # The latest review first, in full (the one to act on), then the older ones, a line each
    # that opens it in full.
    assert content.index("<p>Second pass.</p>") < content.index('id="older-reviews"')
    line = content[content.index(f'<p class="mb-2 earlier-review" id="review-{first.pk}">') :]
    line = " ".join(line[: line.index("</p>")].split())
    published = timezone.localtime(first.published_at)
    assert line == (
        f'<p class="mb-2 earlier-review" id="review-{first.pk}">Iteration 1 reviewed by '
        f'{display_name(mentor)} <time datetime="{published.isoformat()}">'
        f"{published.day} {published:%b %Y}</time>, "
        '<span class="badge status-badge status-changes_requested">Changes requested</span> · '
        f'<a href="?review={first.pk}#review-{first.pk}">Read the review'
        '<span class="visually-hidden"> of iteration 1</span></a>'
    )
    assert "First <strong>pass</strong>" not in content
    assert "Older comment." not in content
    opened = client.get(f"/submissions/{submission.pk}/", {"review": str(first.pk)})
    opened = opened.content.decode()
    assert opened.index("<p>Second pass.</p>") < opened.index('id="older-reviews"')
    assert opened.index('id="older-reviews"') < opened.index("<p>First <strong>pass</strong>.</p>")
    assert "<p>Older comment.</p>" in opened
    assert 'class="mb-2 earlier-review"' not in opened
    # The verdicts in the submission's own status wording and badge.
    assert (
        content.count(
            '<span class="badge status-badge status-changes_requested">Changes requested</span>'
        )
        == 1
    )
    assert content.count('<span class="badge status-badge status-approved">Approved</span>') == 1


@pytest.mark.parametrize(
    ("repo_url", "sha", "expected"),
    [
        (
            "https://github.com/ada/tracker",
            SHA,
            f'<a href="https://github.com/ada/tracker/blob/{SHA}/app/main.py#L12" '
            'rel="noopener noreferrer nofollow">app/main.py:12</a>',
        ),
        (
            "https://gitlab.com/ada/tracker",
            SHA,
            f'<a href="https://gitlab.com/ada/tracker/-/blob/{SHA}/app/main.py#L12" '
            'rel="noopener noreferrer nofollow">app/main.py:12</a>',
        ),
        ("https://codeberg.org/ada/tracker", SHA, "app/main.py:12"),
        ("https://github.com/ada/tracker", "", "app/main.py:12"),
    ],
    ids=["github", "gitlab", "other-host", "no-sha"],
)
def test_comment_anchors_link_to_the_line_at_the_reviewed_commit_when_possible(
    client_for, learner, mentor, submission, repo_url, sha, expected
):
    iteration = submission.iterations.get()
    iteration.repo_url, iteration.commit_sha = repo_url, sha
    iteration.save()
    ReviewCommentFactory(review=_published(iteration, mentor), path="app/main.py", line=12)

    content = _page(client_for(learner), submission)

    anchor = content.split('<div class="comment-anchor mb-1">', 1)[1].split("</div>", 1)[0]
    assert anchor.strip() == expected


def test_a_comment_on_a_stored_line_opens_the_file_view_with_the_host_second(
    client_for, learner, mentor, submission
):
    iteration = submission.iterations.get()
    iteration.repo_url, iteration.commit_sha = "https://github.com/ada/tracker", SHA
    iteration.save()
    ready_snapshot(iteration, {"app/main.py": "".join(f"n = {n}\n" for n in range(1, 21))})
    review = _published(iteration, mentor)
    ReviewCommentFactory(review=review, path="app/main.py", line=12, order=1)
    ReviewCommentFactory(review=review, path="app/main.py", line=99, order=2)  # past its end

    content = _page(client_for(learner), submission)

    anchors = [
        " ".join(part.split("</div>", 1)[0].split())
        for part in content.split('<div class="comment-anchor mb-1">')[1:]
    ]
    host = f"https://github.com/ada/tracker/blob/{SHA}/app/main.py"
    assert anchors == [
        f'<a href="/submissions/{submission.pk}/iterations/1/files/app/main.py#L12">'
        f'app/main.py:12</a> <span class="small">(<a href="{host}#L12" '
        'rel="noopener noreferrer nofollow" aria-label="app/main.py:12 in the repository">'
        "in the repository</a>)</span>",
        f'<a href="{host}#L99" rel="noopener noreferrer nofollow">app/main.py:99</a>',
    ]


def test_a_comment_without_a_path_is_a_general_comment(client_for, learner, mentor, submission):
    review = _published(submission.iterations.get(), mentor)
    ReviewCommentFactory(review=review, path="", line=None, body="Overall tidy.")

    content = _page(client_for(learner), submission)

    assert '<div class="small text-body-secondary mb-1">General comment</div>' in content
    assert "<p>Overall tidy.</p>" in content


HOSTILE = (
    '<script>alert("x")</script> <img src=x onerror="alert(1)"> '
    '[click](javascript:alert(2)) <a href="javascript:alert(3)">y</a>'
)


def test_markdown_in_summaries_comments_and_replies_is_sanitised(
    client_for, learner, mentor, submission
):
    review = _published(submission.iterations.get(), mentor, summary=f"Summary {HOSTILE}")
    ReviewCommentFactory(review=review, body=f"Comment {HOSTILE}")
    ReplyFactory(submission=submission, author=learner, body=f"Reply {HOSTILE}")

    content = _page(client_for(learner), submission)

    reviews_part = content[content.index('id="reviews"') :]
    assert "<script>alert" not in reviews_part
    assert "onerror" not in reviews_part
    assert "javascript:" not in reviews_part
    assert "<img" not in reviews_part
    # The text around the payloads still shows in all three places.
    assert [word in reviews_part for word in ("<p>Summary ", "<p>Comment ", "<p>Reply ")] == [
        True,
        True,
        True,
    ]


def test_the_conversation_lists_replies_oldest_first_with_role_badges(
    client_for, learner, mentor, staff, submission
):
    now = timezone.now()
    ReplyFactory(submission=submission, author=mentor, body="Mentor note", created_at=now)
    ReplyFactory(
        submission=submission,
        author=learner,
        body="Learner question",
        created_at=now - datetime.timedelta(hours=1),
    )
    ReplyFactory(
        submission=submission,
        author=staff,
        body="Staff aside",
        created_at=now + datetime.timedelta(minutes=1),
    )

    content = _page(client_for(learner), submission)

    positions = [content.index(text) for text in ("Learner question", "Mentor note", "Staff aside")]
    assert positions == sorted(positions)
    assert '<span class="badge text-bg-info">Learner</span>' in content
    assert '<span class="badge text-bg-secondary">Mentor</span>' in content
    assert '<span class="badge text-bg-secondary">Staff</span>' in content
    assert f'action="/submissions/{submission.pk}/replies/"' in content


@pytest.mark.parametrize("rows", [1, 10])
def test_the_submission_page_issues_the_same_number_of_queries_for_1_and_10_reviews(
    client_for, learner, mentor, submission, rows, django_assert_num_queries
):
    for n in range(rows):
        iteration = submission.iterations.get() if n == 0 else None
        iteration = iteration or IterationFactory(submission=submission, number=n + 1)
        # Each read, each asking for changes: each iteration links its files and changes.
        ready_snapshot(iteration, {"app.py": f"n = {n}\n"})
        review = _published(iteration, UserFactory(), minutes_ago=n, verdict="request_changes")
        ReviewCommentFactory(review=review)
        ReviewCommentFactory(review=review, path="", line=None)
        ReplyFactory(submission=submission, author=learner if n % 2 else mentor)
        SubmissionEvent.objects.create(submission=submission, kind="claimed", actor=mentor)
    client = client_for(learner)

    # The latest iteration's checks 2, the history 1, the comments' threads and excerpts 2; the
    # links to each iteration's files and changes none.
    with django_assert_num_queries(14):
        client.get(f"/submissions/{submission.pk}/")


# --- posting a reply ----------------------------------------------------------------------------


def _reply_url(submission):
    return f"/submissions/{submission.pk}/replies/"


def _messages(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.mark.parametrize("who", ["learner", "mentor", "staff"])
def test_the_learner_its_mentors_and_staff_may_reply(client_for, request, submission, who):
    user = request.getfixturevalue(who)

    response = client_for(user).post(_reply_url(submission), {"body": "Makes sense."})

    assert response.status_code == 302
    assert response.url == f"/submissions/{submission.pk}/#conversation"
    assert _messages(response) == ["Your reply is posted."]
    assert list(Reply.objects.values_list("author__username", "body")) == [
        (user.username, "Makes sense.")
    ]


def test_a_learners_reply_emails_the_cohorts_mentors(
    client_for, learner, mentor, submission, mailoutbox, deliver_mail
):
    client_for(learner).post(_reply_url(submission), {"body": "Question!"})
    deliver_mail()

    assert [message.to for message in mailoutbox] == [["linus@example.com"]]


def _reply_field(content):
    start = content.index('<div id="div_id_reply_body"')
    return content[start : content.index("</form>", start)]


def test_a_rejected_reply_comes_back_in_the_form_with_the_error_beside_it(
    client_for, learner, submission
):
    typed = "x" * 10_000 + " <b>and more</b>"

    response = client_for(learner).post(_reply_url(submission), {"body": typed}, follow=True)

    assert response.redirect_chain == [(f"/submissions/{submission.pk}/#conversation", 302)]
    assert response.status_code == 200
    assert _messages(response) == []
    field = _reply_field(response.content.decode())
    assertInHTML(
        '<label for="id_reply_body" class="form-label requiredField">'
        'Your reply<span class="asteriskField">*</span></label>',
        field,
    )
    assert 'aria-describedby="id_reply_body_helptext id_reply_body_error"' in field
    assert f'id="id_reply_body">\n{"x" * 10_000} &lt;b&gt;and more&lt;/b&gt;</textarea>' in field
    assertInHTML(
        '<div id="id_reply_body_error" class="invalid-feedback">'
        '<p id="error_1_id_reply_body"><strong>'
        "Ensure this value has at most 10000 characters (it has 10016).</strong></p></div>",
        field,
    )
    assert Reply.objects.count() == 0


def test_an_empty_reply_is_refused_beside_the_field(client_for, learner, submission):
    response = client_for(learner).post(_reply_url(submission), {"body": "   "}, follow=True)

    field = _reply_field(response.content.decode())
    assert "<strong>This field is required.</strong>" in field
    assert 'class="textarea form-control is-invalid"' in field
    assert Reply.objects.count() == 0


def test_a_rejected_reply_shows_once_and_only_on_its_own_submission(
    client_for, learner, cohort, submission
):
    other = SubmissionFactory(learner=learner, cohort=cohort, project__title="Blog")
    IterationFactory(submission=other, number=1)
    client = client_for(learner)
    client.post(_reply_url(submission), {"body": "   "})

    elsewhere = _reply_field(_page(client, other))
    here = _reply_field(_page(client, submission))
    again = _reply_field(_page(client, submission))

    assert "This field is required." not in elsewhere
    assert "This field is required." in here
    assert "This field is required." not in again
    assert 'class="textarea form-control"' in again


@pytest.mark.parametrize("who", ["other_learner", "other_mentor"])
def test_outsiders_get_404_when_replying(client_for, request, submission, who):
    user = request.getfixturevalue(who)

    response = client_for(user).post(_reply_url(submission), {"body": "Hi"})

    assert response.status_code == 404
    assert Reply.objects.count() == 0


def test_replying_needs_post_and_a_login(client, client_for, learner, submission):
    assert client.post(_reply_url(submission), {"body": "Hi"}).status_code == 302
    assert client_for(learner).get(_reply_url(submission)).status_code == 405
