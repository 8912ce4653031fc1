import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from reviews.models import Review
from tests.factories import ReviewFactory


def _save_bypassing_validation(review):
    # Straight to the database, as a bug in a service or a manual fix in psql would.
    with transaction.atomic():
        review.save()


def test_a_draft_may_have_no_summary_and_no_verdict(claimed, mentor):
    review = ReviewFactory.build(
        iteration=claimed.iterations.get(), mentor=mentor, summary="", verdict=""
    )

    review.full_clean()
    _save_bypassing_validation(review)

    assert Review.objects.drafts().get() == review


def test_the_database_refuses_a_published_review_with_an_empty_summary(claimed, mentor):
    review = ReviewFactory.build(
        iteration=claimed.iterations.get(), mentor=mentor, summary="", published_at=timezone.now()
    )

    with pytest.raises(IntegrityError, match="reviews_review_published_has_summary"):
        _save_bypassing_validation(review)
    assert Review.objects.count() == 0


def test_the_database_refuses_a_published_review_without_a_verdict(claimed, mentor):
    review = ReviewFactory.build(
        iteration=claimed.iterations.get(), mentor=mentor, verdict="", published_at=timezone.now()
    )

    with pytest.raises(IntegrityError, match="reviews_review_verdict_valid"):
        _save_bypassing_validation(review)
    assert Review.objects.count() == 0


def test_the_database_refuses_an_unknown_verdict_even_on_a_draft(claimed, mentor):
    review = ReviewFactory.build(iteration=claimed.iterations.get(), mentor=mentor, verdict="merge")

    with pytest.raises(IntegrityError, match="reviews_review_verdict_valid"):
        _save_bypassing_validation(review)
