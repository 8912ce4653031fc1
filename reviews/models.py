from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from curriculum.models import InterviewArea
from learners.models import Cohort, Iteration, Submission


class ReviewQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published_at__isnull=False)

    def drafts(self):
        return self.filter(published_at__isnull=True)


class Review(models.Model):
    class Verdict(models.TextChoices):
        APPROVE = "approve", "Approve"
        REQUEST_CHANGES = "request_changes", "Request changes"

    iteration = models.ForeignKey(Iteration, on_delete=models.PROTECT, related_name="reviews")
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews"
    )
    # A draft may be partial (comments first, the verdict later); publishing needs both.
    summary = models.TextField(max_length=20000, blank=True, help_text="Markdown.")
    verdict = models.CharField(max_length=20, choices=Verdict.choices, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    # Null while a draft: drafts are invisible to the learner. Set once, never changed.
    published_at = models.DateTimeField(null=True, blank=True)

    objects = ReviewQuerySet.as_manager()

    class Meta:
        ordering = ["published_at", "created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(verdict__in=["approve", "request_changes"])
                | Q(verdict="", published_at__isnull=True),
                name="reviews_review_verdict_valid",
            ),
            models.CheckConstraint(
                condition=Q(published_at__isnull=True) | ~Q(summary=""),
                name="reviews_review_published_has_summary",
            ),
            # One review per mentor per iteration: the draft becomes the published review.
            models.UniqueConstraint(
                fields=["iteration", "mentor"], name="reviews_review_unique_mentor"
            ),
            # An iteration is judged once: a second publish (double click, two mentors) fails.
            models.UniqueConstraint(
                fields=["iteration"],
                condition=Q(published_at__isnull=False),
                name="reviews_review_one_published_per_iteration",
            ),
        ]

    def __str__(self):
        state = "published" if self.published_at else "draft"
        return f"Review of {self.iteration} by {self.mentor} ({state})"

    @property
    def outcome(self) -> Submission.Status | None:
        """The submission status the verdict leads to: the words of its badge."""
        return {
            self.Verdict.APPROVE: Submission.Status.APPROVED,
            self.Verdict.REQUEST_CHANGES: Submission.Status.CHANGES_REQUESTED,
        }.get(self.verdict)

    @property
    def is_published(self):
        return self.published_at is not None


class ReviewComment(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="comments")
    path = models.CharField(max_length=300, blank=True)
    line = models.PositiveIntegerField(null=True, blank=True)
    body = models.TextField(max_length=10000, help_text="Markdown.")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["review", "order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(line__isnull=True) | Q(line__gte=1),
                name="reviews_reviewcomment_line_positive",
            ),
            models.CheckConstraint(
                condition=Q(line__isnull=True) | ~Q(path=""),
                name="reviews_reviewcomment_line_needs_path",
            ),
        ]

    def __str__(self):
        where = f"{self.path}:{self.line}" if self.line else (self.path or "general")
        return f"Comment on {where}"


class CommentReply(models.Model):
    """An answer in the thread under a published line comment, by the learner or a mentor."""

    # PROTECT: a thread holds the learner's words; a published comment never goes anyway.
    comment = models.ForeignKey(ReviewComment, on_delete=models.PROTECT, related_name="replies")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="comment_replies"
    )
    body = models.TextField(max_length=10000, help_text="Markdown.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["comment", "created_at", "pk"]
        verbose_name_plural = "comment replies"

    def __str__(self):
        return f"Reply by {self.author} to {self.comment}"


class Reply(models.Model):
    """The conversation under a submission, between its learner and its mentors."""

    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="replies")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="replies"
    )
    body = models.TextField(max_length=10000, help_text="Markdown.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name_plural = "replies"

    def __str__(self):
        return f"Reply by {self.author} on {self.submission}"


# --- Mock interviews and the readiness sign-off ----------------------------------------------


class MockInterviewQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published_at__isnull=False)

    def drafts(self):
        return self.filter(published_at__isnull=True)

    def for_learner_page(self, *, learner):
        """A learner's published interviews, oldest first, each with its ratings and their
        areas: two queries whatever their number."""
        return (
            self.published()
            .filter(learner=learner)
            .select_related("mentor")
            .prefetch_related(
                models.Prefetch(
                    "ratings",
                    queryset=MockInterviewRating.objects.select_related("area").order_by(
                        "area__order"
                    ),
                )
            )
            .order_by("held_on", "pk")
        )


class MockInterview(models.Model):
    """A mentor's mock interview with a learner: a draft until the mentor publishes it."""

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="mock_interviews"
    )
    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="mock_interviews")
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="mock_interviews_held"
    )
    held_on = models.DateField("date")
    questions = models.TextField(
        "questions asked", max_length=10000, blank=True, help_text="Markdown."
    )
    created_at = models.DateTimeField(default=timezone.now)
    # Null while a draft: the learner sees it only once published. Set once.
    published_at = models.DateTimeField(null=True, blank=True)

    objects = MockInterviewQuerySet.as_manager()

    class Meta:
        ordering = ["-held_on", "-pk"]
        constraints = [
            # A double click on "Save draft" finds the first draft and overwrites it.
            models.UniqueConstraint(
                fields=["learner", "mentor", "held_on"],
                condition=Q(published_at__isnull=True),
                name="reviews_mockinterview_one_draft_a_day",
                violation_error_message="You already have a draft interview with this "
                "learner on that date; edit that one instead.",
            ),
        ]
        indexes = [
            # A learner's interviews on their readiness page and their mentor's progress page.
            models.Index(fields=["learner", "held_on"], name="reviews_mock_learner"),
        ]

    def __str__(self):
        return f"Mock interview of {self.learner} on {self.held_on}"

    @property
    def is_published(self):
        return self.published_at is not None


class InterviewRating(models.IntegerChoices):
    NOT_YET = 1, "1 — Not yet: could not answer yet"
    PARTLY = 2, "2 — Partly: an answer with gaps or errors"
    SOLID = 3, "3 — Solid: a clear, correct answer"
    STRONG = 4, "4 — Strong: clear and correct, with reasons and an example"


class MockInterviewRating(models.Model):
    """One interview area of a mock interview: its rating and the mentor's note."""

    Rating = InterviewRating

    interview = models.ForeignKey(MockInterview, on_delete=models.CASCADE, related_name="ratings")
    area = models.ForeignKey(InterviewArea, on_delete=models.PROTECT, related_name="ratings")
    rating = models.PositiveSmallIntegerField(choices=InterviewRating.choices)
    note = models.TextField(max_length=5000, blank=True, help_text="Markdown.")

    class Meta:
        ordering = ["interview", "area__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["interview", "area"], name="reviews_mockinterviewrating_unique_area"
            ),
            models.CheckConstraint(
                condition=Q(rating__gte=1, rating__lte=4),
                name="reviews_mockinterviewrating_rating_range",
            ),
        ]

    def __str__(self):
        return f"{self.area}: {self.rating}"


class ReadinessSignOff(models.Model):
    """A mentor's word that a learner of a cohort is ready to apply."""

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="readiness_sign_offs"
    )
    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="readiness_sign_offs")
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="readiness_signed"
    )
    note = models.TextField(max_length=5000, help_text="Markdown.")
    signed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "cohort"], name="reviews_readinesssignoff_unique"
            ),
        ]

    def __str__(self):
        return f"{self.learner} ready to apply ({self.cohort})"
