import pytest
from django.utils import timezone

from reviews.models import Review, ReviewComment
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


def test_a_draft_stays_editable_in_the_admin(client_for, staff, submission, mentor):
    draft = ReviewFactory(iteration=submission.iterations.get(), mentor=mentor)

    content = client_for(staff).get(f"/admin/reviews/review/{draft.pk}/change/").content.decode()

    assert 'name="summary"' in content


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
