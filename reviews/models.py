from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from learners.models import Iteration, Submission


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
