"""Writes to reviews, their comments and the conversation under a submission.

A review starts as the mentor's draft and becomes visible to the learner when published.
Publishing and the submission's status change commit together or not at all; once
published, a review never changes again.
"""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from bootcamp.models import NotificationKind
from bootcamp.notifications import notify
from bootcamp.people import display_name
from learners.models import Iteration, Membership, Submission
from learners.services import learner_activity_record, submission_record_verdict
from reviews.code import excerpt_as_text
from reviews.models import (
    CommentReply,
    MockInterview,
    MockInterviewRating,
    ReadinessSignOff,
    Reply,
    Review,
    ReviewComment,
)
from reviews.selectors import attach_excerpts

Status = Submission.Status
User = get_user_model()

# The same words by the same person on the same conversation or thread within this many
# seconds are one post sent twice (a double click, a form sent again), not a second reply.
REPLY_REPEAT_SECONDS = 30


class ReviewError(Exception):
    """A review write that is not allowed in the submission's current state."""


def _lock_submission(iteration: Iteration) -> Submission:
    # Every review write locks the submission row first, so a double click, a second tab or
    # a staff take-over queue up behind each other instead of interleaving.
    return (
        Submission.objects.select_for_update(of=("self",))
        .select_related("learner", "project")
        .get(pk=iteration.submission_id)
    )


def _check_reviewer(*, submission: Submission, iteration: Iteration, mentor) -> None:
    # A learner may also mentor (or be staff); their own work still needs someone else's eyes.
    if submission.learner_id == mentor.pk:
        raise ReviewError(
            "You cannot review your own work; another mentor must. Nothing was saved."
        )
    if submission.status != Status.IN_REVIEW or submission.claimed_by_id != mentor.pk:
        raise ReviewError("Claim this submission before reviewing it; nothing was saved.")
    latest = submission.iterations.order_by("-number").values_list("pk", flat=True).first()
    if latest != iteration.pk:
        raise ReviewError(
            "The learner has submitted a newer iteration; review that one. Nothing was saved."
        )


def _replace_comments(*, review: Review, comments, seen_upto: int | None = None) -> None:
    """The form's comments replace those it was rendered with. `seen_upto` is the highest
    comment id the form showed: comments added after it (the inline box of the file view, in
    another tab) are not in the form, so they are kept, after the form's. None: replace all."""
    existing = review.comments.all()
    kept = []
    if seen_upto is not None:
        kept = list(existing.filter(pk__gt=seen_upto).order_by("order", "pk"))
        existing = existing.filter(pk__lte=seen_upto)
    existing.delete()
    for order, comment in enumerate(kept, start=len(comments)):
        comment.order = order
        comment.save(update_fields=["order"])
    for order, data in enumerate(comments):
        comment = ReviewComment(
            review=review,
            path=data.get("path") or "",
            line=data.get("line"),
            body=data.get("body") or "",
            order=order,
        )
        comment.full_clean()
        comment.save()


def _existing_review(*, iteration: Iteration, mentor) -> Review | None:
    return (
        Review.objects.select_for_update(of=("self",))
        .filter(iteration=iteration, mentor=mentor)
        .first()
    )


@transaction.atomic
def review_save_draft(
    *, iteration: Iteration, mentor, summary: str, verdict: str, comments, seen_upto=None
):
    """Create or overwrite the mentor's one draft of this iteration, comments included."""
    submission = _lock_submission(iteration)
    _check_reviewer(submission=submission, iteration=iteration, mentor=mentor)
    review = _existing_review(iteration=iteration, mentor=mentor)
    if review is not None and review.is_published:
        raise ReviewError("This review is published and can no longer be changed.")
    review = review or Review(iteration=iteration, mentor=mentor)
    review.summary = summary
    review.verdict = verdict
    review.full_clean()
    review.save()
    _replace_comments(review=review, comments=comments, seen_upto=seen_upto)
    return review


@transaction.atomic
def review_comment_add(*, iteration: Iteration, mentor, path: str, line: int, body: str):
    """Add one line comment to the end of the mentor's draft (made if there is none): the
    inline comment box of the file and changes views. The draft's summary, verdict and other
    comments stay as they are."""
    submission = _lock_submission(iteration)
    _check_reviewer(submission=submission, iteration=iteration, mentor=mentor)
    review = _existing_review(iteration=iteration, mentor=mentor)
    if review is not None and review.is_published:
        raise ReviewError("This review is published and can no longer be changed.")
    if review is None:
        review = Review(iteration=iteration, mentor=mentor)
        review.full_clean()
        review.save()
    last = review.comments.order_by("-order").values_list("order", flat=True).first()
    comment = ReviewComment(
        review=review, path=path, line=line, body=body, order=0 if last is None else last + 1
    )
    comment.full_clean()
    comment.save()
    return comment


@transaction.atomic
def review_publish(
    *, iteration: Iteration, mentor, summary: str, verdict: str, comments, seen_upto=None
):
    """Publish the mentor's review of the latest iteration and record its verdict.

    Idempotent: a second call (double click) finds the review already published and
    returns it unchanged.
    """
    submission = _lock_submission(iteration)
    review = _existing_review(iteration=iteration, mentor=mentor)
    if review is not None and review.is_published:
        return review
    _check_reviewer(submission=submission, iteration=iteration, mentor=mentor)
    # A draft may lack either; the learner must get both (the database insists too).
    if not summary.strip() or verdict not in Review.Verdict.values:
        raise ReviewError("A review needs a summary and a verdict to be published.")

    # The status moves first; anything below that fails rolls it back with the review.
    submission_record_verdict(
        submission=submission, mentor=mentor, approved=verdict == Review.Verdict.APPROVE
    )
    review = review or Review(iteration=iteration, mentor=mentor)
    review.summary = summary
    review.verdict = verdict
    review.published_at = timezone.now()
    review.full_clean()
    review.save()
    _replace_comments(review=review, comments=comments, seen_upto=seen_upto)

    notify(
        users=[submission.learner],
        kind=NotificationKind.REVIEW_PUBLISHED,
        template="review_published",
        context={
            "learner": display_name(submission.learner),
            "mentor": display_name(mentor),
            "project": submission.project.title,
            "iteration": iteration.number,
            "outcome": "approved"
            if review.verdict == Review.Verdict.APPROVE
            else "changes requested",
            "summary": review.summary,
            "comments": _comments_for_mail(review),
        },
        url=submission.get_absolute_url(),
    )
    return review


def _comments_for_mail(review: Review) -> list[dict]:
    """The comments as the plain-text e-mail shows them: where, the code there, the text."""
    comments = list(review.comments.order_by("order", "pk"))
    review._prefetched_objects_cache = {"comments": comments}
    attach_excerpts([review])
    return [
        {
            "where": (f"{c.path}:{c.line}" if c.line else c.path) or "General comment",
            "code": excerpt_as_text(c.excerpt) if c.excerpt else "",
            "body": c.body,
        }
        for c in comments
    ]


def _reply_recipients(*, submission: Submission, author) -> list:
    if author.pk != submission.learner_id:
        return [submission.learner]
    # The learner writes to the mentors who know the work: those who reviewed it or hold
    # the claim; with none yet, everyone mentoring the cohort.
    reviewer_ids = set(
        Review.objects.published()
        .filter(iteration__submission=submission)
        .values_list("mentor_id", flat=True)
    )
    if submission.claimed_by_id:
        reviewer_ids.add(submission.claimed_by_id)
    people = User.objects.order_by("pk")
    if reviewer_ids:
        return list(people.filter(pk__in=reviewer_ids))
    return list(
        people.filter(
            memberships__cohort_id=submission.cohort_id, memberships__role=Membership.Role.MENTOR
        )
    )


def _reply_posted(
    *, submission: Submission, author, body: str, at, url: str, in_thread=False, where=""
) -> None:
    """What every answer does after it is saved, in the general conversation or in a line
    comment's thread (`in_thread`, on `where` when the comment has a place): the learner's own
    answer counts for their pace, the other side is told."""
    if author.pk == submission.learner_id:
        learner_activity_record(learner_id=author.pk, cohort_id=submission.cohort_id, at=at)
    context = {
        "author": display_name(author),
        "learner": display_name(submission.learner),
        "project": submission.project.title,
        "to_learner": author.pk != submission.learner_id,
        "body": body,
        "in_thread": in_thread,
        "where": where,
    }
    notify(
        users=[
            user
            for user in _reply_recipients(submission=submission, author=author)
            if user.pk != author.pk
        ],
        kind=NotificationKind.REPLY_POSTED,
        template="reply_new",
        context=context,
        url=url,
    )


def _lock_for_replies(submission_id: int) -> None:
    # Answers on one submission queue up behind each other, so the second of two identical
    # posts sent at once sees the first (committed) before it decides.
    list(Submission.objects.select_for_update(of=("self",)).filter(pk=submission_id).values("pk"))


def _repeated_reply(replies, *, author, body: str):
    """The author's newest reply among `replies` when it is this very text, just posted; else
    None. One query."""
    newest = replies.filter(author=author).order_by("-created_at", "-pk").first()
    if newest is None or newest.body != body:
        return None
    if timezone.now() - newest.created_at > timedelta(seconds=REPLY_REPEAT_SECONDS):
        return None
    return newest


@transaction.atomic
def reply_create(*, submission: Submission, author, body: str) -> Reply:
    """Answer in the conversation under a submission; the other side is told. The same text
    posted again at once (a double click) is the reply already posted, told once."""
    _lock_for_replies(submission.pk)
    repeated = _repeated_reply(submission.replies.all(), author=author, body=body)
    if repeated is not None:
        return repeated
    reply = Reply(submission=submission, author=author, body=body)
    reply.full_clean()
    reply.save()
    _reply_posted(
        submission=submission,
        author=author,
        body=body,
        at=reply.created_at,
        url=f"{submission.get_absolute_url()}#conversation",
    )
    return reply


@transaction.atomic
def comment_reply_create(*, comment: ReviewComment, author, body: str) -> CommentReply:
    """Answer a published line comment in its thread; the other side is told. The same text
    posted again at once (a double click) is the answer already posted, told once."""
    if not comment.review.is_published:
        raise ReviewError("Only a published comment can be answered.")
    submission = comment.review.iteration.submission
    _lock_for_replies(submission.pk)
    repeated = _repeated_reply(comment.replies.all(), author=author, body=body)
    if repeated is not None:
        return repeated
    reply = CommentReply(comment=comment, author=author, body=body)
    reply.full_clean()
    reply.save()
    _reply_posted(
        submission=submission,
        author=author,
        body=body,
        at=reply.created_at,
        # The link opens this comment's review (an earlier one is folded to a line there).
        url=f"{submission.get_absolute_url()}?review={comment.review_id}#comment-{comment.pk}",
        in_thread=True,
        where=f"{comment.path}:{comment.line}" if comment.line else comment.path,
    )
    return reply


# --- Mock interviews and the readiness sign-off ----------------------------------------------


class InterviewError(Exception):
    """A mock-interview write that is no longer allowed (it was published meanwhile)."""


def _check_not_self(*, learner, mentor, what: str) -> None:
    if learner.pk == mentor.pk:
        raise InterviewError(f"You cannot {what} yourself; another mentor must.")


@transaction.atomic
def mock_interview_save(
    *,
    interview: MockInterview | None = None,
    learner=None,
    cohort=None,
    mentor,
    held_on,
    questions: str,
    ratings: list[dict],
) -> MockInterview:
    """Create a draft interview, or overwrite a draft: its date, questions and the ratings
    (`ratings`: dicts of area, rating, note; an area left out was not asked). A published
    interview never changes."""
    if interview is None:
        _check_not_self(learner=learner, mentor=mentor, what="interview")
        # One draft per mentor, learner and day: a second click overwrites the first draft.
        interview = MockInterview(learner=learner, cohort=cohort, mentor=mentor, held_on=held_on)
        try:
            with transaction.atomic():
                interview.save()
        except IntegrityError:
            interview = (
                MockInterview.objects.drafts()
                .select_for_update()
                .get(learner=learner, mentor=mentor, held_on=held_on)
            )
        else:
            interview = MockInterview.objects.select_for_update().get(pk=interview.pk)
    else:
        interview = MockInterview.objects.select_for_update().get(pk=interview.pk)
        if interview.is_published:
            raise InterviewError("This interview is published and can no longer change.")
    interview.held_on = held_on
    interview.questions = questions
    interview.full_clean()
    interview.save()
    interview.ratings.all().delete()
    for data in ratings:
        rating = MockInterviewRating(interview=interview, **data)
        rating.full_clean()
        rating.save()
    return interview


@transaction.atomic
def mock_interview_publish(*, interview: MockInterview) -> bool:
    """Show the interview to the learner; a second click changes nothing. Returns whether this
    call published it."""
    if not interview.ratings.exists():
        raise InterviewError("Rate at least one interview area before publishing.")
    published = MockInterview.objects.filter(pk=interview.pk, published_at__isnull=True).update(
        published_at=timezone.now()
    )
    if published:
        notify(
            users=[interview.learner],
            kind=NotificationKind.READINESS,
            template="mock_interview_published",
            context={
                "learner": display_name(interview.learner),
                "mentor": display_name(interview.mentor),
                "held_on": interview.held_on,
            },
            url=reverse("reviews:readiness"),
        )
    return bool(published)


@transaction.atomic
def readiness_sign_off(*, learner, cohort, mentor, note: str) -> ReadinessSignOff:
    """Sign the learner off as ready to apply in `cohort`, or change the note of the sign-off
    (the row is locked; two mentors signing at once end with one row, the later note)."""
    _check_not_self(learner=learner, mentor=mentor, what="sign off")
    sign_off = (
        ReadinessSignOff.objects.select_for_update().filter(learner=learner, cohort=cohort).first()
    )
    first = sign_off is None
    if first:
        sign_off = ReadinessSignOff(learner=learner, cohort=cohort)
    sign_off.mentor = mentor
    sign_off.note = note
    sign_off.signed_at = timezone.now()
    sign_off.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            sign_off.save()
    except IntegrityError:  # the other mentor's INSERT won: theirs stands, ours updates it
        ReadinessSignOff.objects.filter(learner=learner, cohort=cohort).update(
            mentor=mentor, note=note, signed_at=sign_off.signed_at
        )
        sign_off = ReadinessSignOff.objects.get(learner=learner, cohort=cohort)
        first = False
    if first:
        notify(
            users=[learner],
            kind=NotificationKind.READINESS,
            template="signed_off",
            context={
                "learner": display_name(learner),
                "mentor": display_name(mentor),
                "note": note,
            },
            url=reverse("reviews:readiness"),
        )
    return sign_off
