"""Threads under published line comments, the conversation on the review page, the
confirmation before publishing, and the same commit sent again (issues 15 and 16)."""

import re
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from bootcamp.models import Notification, OutboxMessage
from bootcamp.people import display_name
from learners.models import Iteration, LearnerProgress, Submission
from reviews.models import CommentReply, Reply, Review
from reviews.services import REPLY_REPEAT_SECONDS
from tests.factories import IterationFactory, ReviewCommentFactory, ReviewFactory

Status = Submission.Status


def _messages(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def reviewed(make_submission, mentor):
    submission = make_submission(status=Status.CHANGES_REQUESTED)
    review = ReviewFactory(
        iteration=submission.iterations.get(), mentor=mentor, published_at=timezone.now()
    )
    comment = ReviewCommentFactory(review=review, path="app/main.py", line=3)
    return submission, comment


def _reply_url(submission, comment):
    return f"/submissions/{submission.pk}/comments/{comment.pk}/replies/"


def test_the_learner_answers_a_line_comment_and_the_mentor_is_told(
    client_for, learner, mentor, reviewed
):
    submission, comment = reviewed

    response = client_for(learner).post(_reply_url(submission, comment), {"body": "Fixed it."})

    answer = CommentReply.objects.get()
    assert response["Location"] == (
        f"/submissions/{submission.pk}/?review={comment.review_id}&posted={answer.pk}"
        f"#thread-reply-{answer.pk}"
    )
    assert list(CommentReply.objects.values_list("comment", "author", "body")) == [
        (comment.pk, learner.pk, "Fixed it.")
    ]
    [told] = Notification.objects.all()
    assert (told.user, told.kind) == (mentor, "reply_posted")
    assert told.url == f"/submissions/{submission.pk}/"
    # The link opens the comment's review, folded on the page when it is an earlier one.
    link = f"/submissions/{submission.pk}/?review={comment.review_id}#comment-{comment.pk}"
    assert told.get_absolute_url() == link
    [mail] = OutboxMessage.objects.filter(to=mentor.email)
    assert f"http://127.0.0.1:8000{link}\n" in mail.body


def test_the_inbox_links_an_answer_where_the_email_does_and_opening_it_marks_it_read(
    client_for, learner, mentor, reviewed
):
    submission, comment = reviewed
    client_for(learner).post(_reply_url(submission, comment), {"body": "Fixed it."})
    client = client_for(mentor)
    link = f"/submissions/{submission.pk}/?review={comment.review_id}#comment-{comment.pk}"

    inbox = client.get("/notifications/").content.decode()
    client.get(link)

    assert f'<a href="{link.replace("&", "&amp;")}">' in inbox
    assert Notification.objects.get().read_at is not None


def test_an_answer_in_a_thread_is_told_as_one_and_a_reply_as_a_reply(
    client_for, learner, mentor, reviewed
):
    submission, comment = reviewed
    general = ReviewCommentFactory(review=comment.review, path="", line=None)
    project = submission.project.title
    ada, linus = display_name(learner), display_name(mentor)

    client_for(learner).post(_reply_url(submission, comment), {"body": "Fixed it."})
    client_for(mentor).post(_reply_url(submission, comment), {"body": "Good."})
    client_for(mentor).post(_reply_url(submission, general), {"body": "And here?"})
    client_for(learner).post(f"/submissions/{submission.pk}/replies/", {"body": "Thanks!"})

    assert list(Notification.objects.order_by("pk").values_list("user", "text")) == [
        (mentor.pk, f"{ada} answered a comment on app/main.py:3 of their project “{project}”"),
        (learner.pk, f"{linus} answered in a thread on app/main.py:3 of your project “{project}”"),
        (learner.pk, f"{linus} answered in a thread on your project “{project}”"),
        (mentor.pk, f"{ada} replied about their project “{project}”"),
    ]
    assert list(OutboxMessage.objects.order_by("pk").values_list("body", flat=True)) == [
        f"{ada} answered a comment on app/main.py:3 of their project “{project}”:\n\n"
        "Fixed it.\n\nYou can answer on this page:\n"
        f"http://127.0.0.1:8000/submissions/{submission.pk}/?review={comment.review_id}"
        f"#comment-{comment.pk}\n",
        f"{linus} answered in a thread on app/main.py:3 of your project “{project}”:\n\n"
        "Good.\n\nYou can answer on this page:\n"
        f"http://127.0.0.1:8000/submissions/{submission.pk}/?review={comment.review_id}"
        f"#comment-{comment.pk}\n",
        f"{linus} answered in a thread on your project “{project}”:\n\n"
        "And here?\n\nYou can answer on this page:\n"
        f"http://127.0.0.1:8000/submissions/{submission.pk}/?review={comment.review_id}"
        f"#comment-{general.pk}\n",
        f"{ada} replied about their project “{project}”:\n\n"
        "Thanks!\n\nYou can answer on this page:\n"
        f"http://127.0.0.1:8000/submissions/{submission.pk}/#conversation\n",
    ]


def test_the_mentor_answers_from_the_review_page_and_goes_back_there(
    client_for, learner, mentor, reviewed
):
    submission, comment = reviewed

    response = client_for(mentor).post(
        _reply_url(submission, comment), {"body": "Thanks.", "back": "review"}
    )

    answer = CommentReply.objects.get()
    assert response["Location"] == (
        f"/mentor/submissions/{submission.pk}/review/?posted={answer.pk}#thread-reply-{answer.pk}"
    )
    assert Notification.objects.get().user == learner


def test_a_learner_cannot_be_sent_to_the_review_page(client_for, learner, reviewed):
    submission, comment = reviewed

    response = client_for(learner).post(
        _reply_url(submission, comment), {"body": "Hi", "back": "review"}
    )

    answer = CommentReply.objects.get()
    assert response["Location"] == (
        f"/submissions/{submission.pk}/?review={comment.review_id}&posted={answer.pk}"
        f"#thread-reply-{answer.pk}"
    )


@pytest.mark.parametrize("back", ["submission", "review"])
def test_a_posted_answer_is_confirmed_beside_it_where_the_page_lands(
    client_for, mentor, learner, reviewed, back
):
    submission, comment = reviewed
    client = client_for(mentor)

    response = client.post(_reply_url(submission, comment), {"body": "Thanks.", "back": back})
    page = client.get(response["Location"]).content.decode()

    answer = CommentReply.objects.get()
    assert response["Location"].endswith(f"#thread-reply-{answer.pk}")
    assert _messages(response) == []  # no message at the top of the page, scrolled away from
    item = page[page.index(f'id="thread-reply-{answer.pk}"') :]
    item = item[: item.index("</li>")]
    assert (
        '<p class="small text-success mb-0 answer-posted" role="status">'
        "Your answer is posted in the thread.</p>"
    ) in item
    assert page.count("Your answer is posted") == 1
    # Only its author is told it was posted, should the address be passed on.
    learners_view = client_for(learner).get(f"/submissions/{submission.pk}/", {"posted": answer.pk})
    assert "Your answer is posted" not in learners_view.content.decode()


def test_the_opened_answer_box_loads_the_script_that_focuses_it(client_for, learner, reviewed):
    submission, comment = reviewed
    client = client_for(learner)

    opened = client.get(f"/submissions/{submission.pk}/", {"answer": comment.pk}).content.decode()
    closed = client.get(f"/submissions/{submission.pk}/").content.decode()

    # Browsers skip `autofocus` on a page opened at a #fragment, as the answer link's is.
    assert '<script src="/static/js/autofocus.js" defer></script>' in opened
    assert "autofocus.js" not in closed


def test_an_answer_to_an_earlier_review_lands_where_its_thread_is_shown(
    client_for, learner, mentor, reviewed
):
    submission, comment = reviewed
    later = IterationFactory(submission=submission, number=2)
    ReviewFactory(iteration=later, mentor=mentor, published_at=timezone.now())
    client = client_for(learner)

    response = client.post(_reply_url(submission, comment), {"body": "Done in iteration 2."})
    page = client.get(response["Location"]).content.decode()

    # The newer review leads the page; the answered one is open in full, with its thread.
    assert f'id="comment-{comment.pk}"' in page
    assert "Done in iteration 2." in page


def test_both_pages_show_the_thread_under_its_comment(client_for, learner, mentor, reviewed):
    submission, comment = reviewed
    client_for(learner).post(_reply_url(submission, comment), {"body": "Why *this*?"})

    learner_page = client_for(learner).get(f"/submissions/{submission.pk}/").content.decode()
    mentor_page = (
        client_for(mentor).get(f"/mentor/submissions/{submission.pk}/review/").content.decode()
    )

    for page in (learner_page, mentor_page):
        start = page.index(f'id="comment-{comment.pk}"')
        assert page.index("<p>Why <em>this</em>?</p>", start) > start
        assert (
            '<a class="small answer-link" '
            f'href="?review={comment.review_id}&amp;answer={comment.pk}#comment-{comment.pk}">'
            'Answer in this thread<span class="visually-hidden"> on app/main.py:3</span></a>'
        ) in page
        # The box opens on asking: no form under every comment.
        assert "/comments/" not in page


@pytest.mark.parametrize(
    ("path", "back"),
    [("/submissions/{pk}/", "submission"), ("/mentor/submissions/{pk}/review/", "review")],
)
def test_the_answer_link_opens_the_box_under_its_comment_on_both_pages(
    client_for, mentor, reviewed, path, back
):
    submission, comment = reviewed

    page = (
        client_for(mentor)
        .get(path.format(pk=submission.pk), {"answer": str(comment.pk)})
        .content.decode()
    )

    start = page.index(f'id="comment-{comment.pk}"')
    form = page[page.index('<form method="post"', start) :]
    form = form[: form.index("</form>")]
    assert f'action="/submissions/{submission.pk}/comments/{comment.pk}/replies/"' in form
    assert f'<input type="hidden" name="back" value="{back}"' in form
    assert f'id="id_thread_{comment.pk}_body"' in form
    # The box takes the focus (it was asked for) and previews its Markdown as every box does.
    textarea = re.search(r"<textarea [^>]*>", form).group(0)
    assert " autofocus" in textarea
    assert 'name="preview_field" value="body"' in form
    assert f'href="?review={comment.review_id}#comment-{comment.pk}">Cancel</a>' in form
    assert "answer-link" not in page


@pytest.mark.parametrize("answer", ["999999", "x", "²", ""])
def test_an_answer_link_to_no_comment_of_the_page_opens_no_box(
    client_for, learner, reviewed, answer
):
    submission, comment = reviewed

    page = client_for(learner).get(f"/submissions/{submission.pk}/", {"answer": answer})

    assert page.status_code == 200
    assert "/comments/" not in page.content.decode()
    assert f'answer={comment.pk}#comment-{comment.pk}"' in page.content.decode()


def test_an_empty_answer_posts_nothing_and_says_why(client_for, learner, reviewed):
    submission, comment = reviewed

    response = client_for(learner).post(_reply_url(submission, comment), {"body": "  "})

    assert response.status_code == 302
    assert _messages(response) == ["Your answer was not posted; see the box under the comment."]
    assert not CommentReply.objects.exists()
    page = client_for(learner).get(response["Location"])
    assert page.context["answer_form"].errors == {"body": ["This field is required."]}


def test_a_refused_answer_comes_back_in_its_box_with_its_text_and_the_error(
    client_for, mentor, reviewed
):
    submission, comment = reviewed
    client = client_for(mentor)
    too_long = "x" * 10001

    response = client.post(_reply_url(submission, comment), {"body": too_long, "back": "review"})

    assert response["Location"] == (
        f"/mentor/submissions/{submission.pk}/review/?answer={comment.pk}#comment-{comment.pk}"
    )
    page = client.get(response["Location"])
    form = page.context["answer_form"]
    assert form.comment == comment
    assert form.data["body"] == too_long
    assert form.errors["body"] == ["Ensure this value has at most 10000 characters (it has 10001)."]
    assert "Ensure this value has at most 10000 characters" in page.content.decode()
    # Shown once: a reload opens a blank box.
    assert not client.get(response["Location"]).context["answer_form"].is_bound
    assert not CommentReply.objects.exists()


def test_a_draft_comment_has_no_thread(client_for, learner, mentor, make_submission):
    submission = make_submission(
        status=Status.IN_REVIEW, claimed_by=mentor, claimed_at=timezone.now()
    )
    draft = ReviewFactory(iteration=submission.iterations.get(), mentor=mentor)
    comment = ReviewCommentFactory(review=draft)

    response = client_for(learner).post(_reply_url(submission, comment), {"body": "Peek"})

    assert response.status_code == 404
    assert not CommentReply.objects.exists()


def test_a_comment_of_another_submission_is_404(
    client_for, learner, reviewed, make_submission, project
):
    submission, comment = reviewed
    other = make_submission(
        status=Status.SUBMITTED,
        project=project.__class__.objects.create(stage=project.stage, slug="other", title="Other"),
    )

    response = client_for(learner).post(_reply_url(other, comment), {"body": "x"})

    assert response.status_code == 404


def test_answering_refuses_get_and_outsiders(client_for, learner, other_learner, reviewed):
    submission, comment = reviewed

    assert client_for(learner).get(_reply_url(submission, comment)).status_code == 405
    response = client_for(other_learner).post(_reply_url(submission, comment), {"body": "x"})
    assert response.status_code == 404


def test_the_review_page_shows_the_conversation_and_a_reply_leads_back_to_it(
    client_for, learner, mentor, reviewed
):
    submission, _ = reviewed
    client_for(learner).post(f"/submissions/{submission.pk}/replies/", {"body": "A question."})

    page = client_for(mentor).get(f"/mentor/submissions/{submission.pk}/review/").content.decode()
    response = client_for(mentor).post(
        f"/submissions/{submission.pk}/replies/?back=review", {"body": "An answer."}
    )

    assert 'id="conversation"' in page
    assert "<p>A question.</p>" in page
    assert response["Location"] == f"/mentor/submissions/{submission.pk}/review/#conversation"


def test_the_review_to_act_on_leads_the_submission_page(client_for, learner, mentor, reviewed):
    submission, _ = reviewed

    page = client_for(learner).get(f"/submissions/{submission.pk}/").content.decode()

    assert page.index('id="review-to-act-on"') < page.index('class="card mb-3 review"')


# --- Publishing asks for confirmation, without JavaScript too ------------------------------


def _publish(summary="Fine.", **extra):
    return {
        "summary": summary,
        "verdict": "approve",
        "publish": "1",
        "comments-TOTAL_FORMS": "0",
        "comments-INITIAL_FORMS": "0",
        "comments-MIN_NUM_FORMS": "0",
        "comments-MAX_NUM_FORMS": "1000",
        **extra,
    }


def test_publishing_without_the_confirmation_publishes_nothing_and_keeps_the_text(
    client_for, mentor, make_submission
):
    submission = make_submission(
        status=Status.IN_REVIEW, claimed_by=mentor, claimed_at=timezone.now()
    )

    response = client_for(mentor).post(
        f"/mentor/submissions/{submission.pk}/review/", _publish("All *good*.")
    )

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["confirm_publish"]
    assert "All *good*." in response.content.decode()
    assert not Review.objects.exists()
    submission.refresh_from_db()
    assert submission.status == Status.IN_REVIEW


def test_publishing_with_the_confirmation_publishes(client_for, mentor, make_submission):
    submission = make_submission(
        status=Status.IN_REVIEW, claimed_by=mentor, claimed_at=timezone.now()
    )

    response = client_for(mentor).post(
        f"/mentor/submissions/{submission.pk}/review/", _publish(confirm_publish="on")
    )

    assert response["Location"] == f"/submissions/{submission.pk}/"
    assert Review.objects.published().count() == 1


# --- The same commit sent again ------------------------------------------------------------


def _resubmit(sha, **extra):
    return {
        "repo_url": "https://github.com/ada/tasks",
        "live_url": "",
        "commit_sha": sha,
        "notes": "",
        **extra,
    }


@pytest.fixture
def sent_back(make_submission):
    submission = make_submission(status=Status.CHANGES_REQUESTED)
    Iteration.objects.filter(submission=submission).update(commit_sha="abcdef1" + "0" * 33)
    return submission


@pytest.mark.parametrize("sha", ["abcdef1", "ABCDEF1", "abcdef1" + "0" * 33])
def test_the_reviewed_commit_again_asks_the_learner_to_confirm(client_for, learner, sent_back, sha):
    response = client_for(learner).post(f"/submissions/{sent_back.pk}/resubmit/", _resubmit(sha))

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "confirm_same_commit": [
            "This is the code the mentor already reviewed: iteration 1 was commit abcdef100000. "
            "Push your changes and give the new commit's SHA, or tick the box to send the same "
            "commit again."
        ]
    }
    assert 'id="same-commit"' in response.content.decode()
    assert sent_back.iterations.count() == 1


def test_confirmed_the_same_commit_is_resubmitted(client_for, learner, sent_back):
    response = client_for(learner).post(
        f"/submissions/{sent_back.pk}/resubmit/",
        _resubmit("abcdef1", confirm_same_commit="on"),
    )

    assert response["Location"] == f"/submissions/{sent_back.pk}/"
    assert sent_back.iterations.count() == 2


@pytest.mark.parametrize("sha", ["", "1234567"])
def test_a_new_commit_or_none_needs_no_confirmation(client_for, learner, sent_back, sha):
    response = client_for(learner).post(f"/submissions/{sent_back.pk}/resubmit/", _resubmit(sha))

    assert response.status_code == 302
    assert sent_back.iterations.count() == 2


def test_a_learners_answer_counts_as_their_activity_a_mentors_does_not(
    client_for, learner, mentor, reviewed
):
    submission, comment = reviewed
    client_for(mentor).post(_reply_url(submission, comment), {"body": "Still there?"})
    assert not LearnerProgress.objects.filter(last_active_at__isnull=False).exists()

    client_for(learner).post(_reply_url(submission, comment), {"body": "Fixed it."})

    answer = CommentReply.objects.get(author=learner)
    assert list(
        LearnerProgress.objects.filter(last_active_at__isnull=False).values_list(
            "learner", "cohort", "last_active_at"
        )
    ) == [(learner.pk, submission.cohort_id, answer.created_at)]


# --- a double click -------------------------------------------------------------------------


def test_the_same_reply_posted_twice_is_posted_and_told_once(client_for, learner, mentor, reviewed):
    submission, _ = reviewed
    client = client_for(mentor)

    responses = [
        client.post(
            f"/submissions/{submission.pk}/replies/", {"body": "Any questions?"}, follow=True
        )
        for _ in range(2)
    ]

    for response in responses:
        assert response.redirect_chain == [(f"/submissions/{submission.pk}/#conversation", 302)]
        assert _messages(response) == ["Your reply is posted."]
    assert list(Reply.objects.values_list("author", "body")) == [(mentor.pk, "Any questions?")]
    assert list(Notification.objects.values_list("user", flat=True)) == [learner.pk]
    assert list(OutboxMessage.objects.values_list("to", flat=True)) == [learner.email]


def test_the_same_reply_after_the_repeat_window_is_a_second_reply(client_for, mentor, reviewed):
    submission, _ = reviewed
    client = client_for(mentor)
    url = f"/submissions/{submission.pk}/replies/"
    client.post(url, {"body": "Still there?"})
    client.post(url, {"body": "Still there?"})
    Reply.objects.update(created_at=timezone.now() - timedelta(seconds=REPLY_REPEAT_SECONDS + 1))

    client.post(url, {"body": "Still there?"})

    assert Reply.objects.count() == 2
    assert Notification.objects.count() == 2


def test_the_same_answer_posted_twice_is_posted_and_told_once(
    client_for, learner, mentor, reviewed
):
    submission, comment = reviewed
    client = client_for(learner)

    responses = [
        client.post(_reply_url(submission, comment), {"body": "Fixed it."}, follow=True)
        for _ in range(2)
    ]

    [answer] = CommentReply.objects.all()
    for response in responses:  # both land on the one answer, with its note
        assert response.redirect_chain == [
            (
                f"/submissions/{submission.pk}/?review={comment.review_id}&posted={answer.pk}"
                f"#thread-reply-{answer.pk}",
                302,
            )
        ]
        assert "Your answer is posted in the thread." in response.content.decode()
    assert (answer.author_id, answer.body) == (learner.pk, "Fixed it.")
    assert list(Notification.objects.values_list("user", flat=True)) == [mentor.pk]
    assert list(OutboxMessage.objects.values_list("to", flat=True)) == [mentor.email]


def test_the_same_words_in_another_thread_are_a_new_answer(client_for, learner, mentor, reviewed):
    submission, comment = reviewed
    other = ReviewCommentFactory(review=comment.review, path="app/models.py", line=9)
    client = client_for(learner)

    client.post(_reply_url(submission, comment), {"body": "Done."})
    client.post(_reply_url(submission, comment), {"body": "Done."})
    client.post(_reply_url(submission, other), {"body": "Done."})

    assert sorted(CommentReply.objects.values_list("comment", flat=True)) == [comment.pk, other.pk]
