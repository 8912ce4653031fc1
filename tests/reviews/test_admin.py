import pytest
from django.utils import timezone

from reviews.models import Reply, Review, ReviewComment
from tests.factories import ReplyFactory, ReviewCommentFactory, ReviewFactory


@pytest.fixture
def published(submission, mentor):
    review = ReviewFactory(
        iteration=submission.iterations.get(),
        mentor=mentor,
        summary="Final words.",
        published_at=timezone.now(),
    )
    ReviewCommentFactory(review=review, body="Frozen comment.")
    return review


def test_a_published_review_is_read_only_in_the_admin(client_for, staff, published):
    url = f"/admin/reviews/review/{published.pk}/change/"
    client = client_for(staff)

    page = client.get(url)
    client.post(url, {"summary": "Rewritten", "verdict": "approve"})

    assert page.status_code == 200
    content = page.content.decode()
    assert 'name="summary"' not in content
    assert 'name="comments-0-body"' not in content
    published.refresh_from_db()
    assert (published.summary, published.verdict) == ("Final words.", "request_changes")
    assert list(ReviewComment.objects.values_list("body", flat=True)) == ["Frozen comment."]


def test_a_published_review_cannot_be_deleted_in_the_admin(client_for, staff, published):
    response = client_for(staff).post(
        f"/admin/reviews/review/{published.pk}/delete/", {"post": "yes"}
    )

    assert response.status_code == 403
    assert Review.objects.count() == 1


def test_a_draft_is_read_only_in_the_admin(client_for, staff, submission, mentor):
    # Mentors edit their drafts on the review page, through the services; not here.
    draft = ReviewFactory(iteration=submission.iterations.get(), mentor=mentor, summary="Draft.")
    ReviewCommentFactory(review=draft, body="Half a thought.")
    url = f"/admin/reviews/review/{draft.pk}/change/"
    client = client_for(staff)

    page = client.get(url)
    response = client.post(url, {"summary": "Rewritten", "verdict": "approve"})

    assert page.status_code == 200
    content = page.content.decode()
    assert 'name="summary"' not in content
    assert 'name="comments-0-body"' not in content
    assert response.status_code == 403
    draft.refresh_from_db()
    assert (draft.summary, draft.verdict, draft.published_at) == (
        "Draft.",
        "request_changes",
        None,
    )


def test_reviews_cannot_be_added_in_the_admin(client_for, staff, submission, mentor):
    client = client_for(staff)
    data = {
        "iteration": submission.iterations.get().pk,
        "mentor": mentor.pk,
        "summary": "Written around the services.",
        "verdict": "approve",
        "comments-TOTAL_FORMS": "0",
        "comments-INITIAL_FORMS": "0",
    }

    page = client.get("/admin/reviews/review/add/")
    response = client.post("/admin/reviews/review/add/", data)

    assert (page.status_code, response.status_code) == (403, 403)
    assert Review.objects.count() == 0
    assert 'href="/admin/reviews/review/add/"' not in client.get("/admin/").content.decode()


def test_the_review_list_and_a_review_open_in_the_admin(client_for, staff, published):
    client = client_for(staff)

    listing = client.get("/admin/reviews/review/")
    change = client.get(f"/admin/reviews/review/{published.pk}/change/")

    assert (listing.status_code, change.status_code) == (200, 200)
    assert listing.context["cl"].result_count == 1
    assert '<div class="readonly">Final words.</div>' in change.content.decode()


@pytest.mark.parametrize(("value", "expected"), [("yes", ["Final words."]), ("no", ["Draft."])])
def test_the_review_list_filters_by_published(
    client_for, staff, published, mentor, value, expected
):
    ReviewFactory(mentor=mentor, summary="Draft.")

    response = client_for(staff).get("/admin/reviews/review/", {"published": value})

    assert [review.summary for review in response.context["cl"].result_list] == expected


def test_the_reply_list_opens(client_for, staff, submission, learner):
    ReplyFactory(submission=submission, author=learner)

    response = client_for(staff).get("/admin/reviews/reply/")

    assert response.status_code == 200
    assert response.context["cl"].result_count == 1


def test_a_reply_opens_read_only_in_the_admin(client_for, staff, submission, learner):
    reply = ReplyFactory(submission=submission, author=learner, body="My own words.")
    url = f"/admin/reviews/reply/{reply.pk}/change/"
    client = client_for(staff)

    page = client.get(url)
    response = client.post(url, {"submission": submission.pk, "author": learner.pk, "body": "x"})

    assert page.status_code == 200
    assert 'name="body"' not in page.content.decode()
    assert response.status_code == 403
    reply.refresh_from_db()
    assert reply.body == "My own words."


def test_replies_cannot_be_added_or_deleted_in_the_admin(client_for, staff, submission, learner):
    # Replies are the learners' and mentors' own words: the admin only shows them.
    reply = ReplyFactory(submission=submission, author=learner, body="My own words.")
    client = client_for(staff)

    add = client.post(
        "/admin/reviews/reply/add/",
        {"submission": submission.pk, "author": learner.pk, "body": "Forged."},
    )
    delete = client.post(f"/admin/reviews/reply/{reply.pk}/delete/", {"post": "yes"})

    assert (add.status_code, delete.status_code) == (403, 403)
    assert list(Reply.objects.values_list("body", flat=True)) == ["My own words."]
