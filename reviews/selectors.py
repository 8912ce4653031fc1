"""Reads for the mentor's pages and the review parts of the submission page."""

from datetime import timedelta

from django.conf import settings
from django.db.models import (
    BooleanField,
    Count,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    prefetch_related_objects,
)
from django.utils import timezone

from curriculum.models import ChecklistItem
from learners.highlight import blob_lines, source_lines
from learners.models import (
    Blob,
    ChecklistTick,
    Cohort,
    Iteration,
    Membership,
    Snapshot,
    SnapshotFile,
    Submission,
    SubmissionEvent,
    waiting_q,
)
from reviews.code import excerpt
from reviews.models import CommentReply, Reply, Review, ReviewComment

Status = Submission.Status


def _latest_iteration_number():
    """The number of the submission's newest iteration, as a subquery on each row."""
    return Subquery(
        Iteration.objects.filter(submission=OuterRef("pk")).order_by("-number").values("number")[:1]
    )


def _latest_snapshot(field: str):
    """A field of the snapshot of the submission's newest iteration, as a subquery on each row."""
    return Subquery(
        Snapshot.objects.filter(iteration__submission=OuterRef("pk"))
        .order_by("-iteration__number")
        .values(field)[:1]
    )


def overdue_cutoff(now=None):
    now = now or timezone.now()
    return now - timedelta(hours=settings.REVIEW_OVERDUE_HOURS)


def _queue_scope(user, *, cohorts_listed=False, every_claim=False):
    """What waits for `user`. `cohorts_listed`: read a mentor's cohorts first (one small
    query) and filter on their ids, not on the subquery `reviewable_by` nests. `every_claim`:
    the claims other mentors hold too (the queue's rows), not only the user's own."""
    waiting = Q(status=Status.SUBMITTED)
    if user.is_staff or every_claim:
        waiting |= Q(status=Status.IN_REVIEW)
    else:
        waiting |= Q(status=Status.IN_REVIEW, claimed_by=user)
    if cohorts_listed and not user.is_staff:
        cohorts = list(Cohort.objects.reviewable_by(user).values_list("pk", flat=True))
        return Submission.objects.filter(cohort__in=cohorts).filter(waiting)
    return Submission.objects.reviewable_by(user).filter(waiting)


def for_queue(user, *, now=None):
    """The queue page's rows: what the user can act on (waiting, or claimed by them) first,
    then colleagues' claims, each oldest wait first, with everything a row shows (two queries:
    the rows, then the history of the page's rows; a mentor's cohorts one more, first).
    Claims held by others are rows too, with their holder and age, rather than work that
    vanished from the queue.

    The cohorts are listed because the rows join five tables and annotate four subqueries:
    with the cohorts as a subquery too, PostgreSQL spent 5.6 ms planning the rows' query
    (1.2 ms with the ids; docs/PERFORMANCE.md)."""
    now = now or timezone.now()
    return (
        _queue_scope(user, cohorts_listed=True, every_claim=True)
        .select_related("learner", "project__stage", "cohort", "claimed_by")
        .prefetch_related(
            Prefetch("events", queryset=SubmissionEvent.objects.for_history(), to_attr="history")
        )
        .annotate(
            iteration_number=_latest_iteration_number(),
            checks_status=_latest_snapshot("status"),
            checks_passed=_latest_snapshot("checks_passed"),
            checks_failed=_latest_snapshot("checks_failed"),
            is_overdue=ExpressionWrapper(
                Q(submitted_at__lt=overdue_cutoff(now)), output_field=BooleanField()
            ),
            # When the claim lapses (NULL when unclaimed).
            claim_expires_at=ExpressionWrapper(
                F("claimed_at") + timedelta(hours=settings.CLAIM_HOURS),
                output_field=DateTimeField(),
            ),
            # Another mentor may ask to take it over (learners.services.claim_is_idle).
            claim_is_idle=ExpressionWrapper(
                Q(claimed_at__lte=now - timedelta(hours=settings.TAKEOVER_IDLE_HOURS)),
                output_field=BooleanField(),
            ),
            # claimed_at is the renewal's moment when the holder renewed (the same `now`).
            claim_renewed=Exists(
                SubmissionEvent.objects.filter(
                    submission=OuterRef("pk"),
                    kind=SubmissionEvent.Kind.RENEWED,
                    at=OuterRef("claimed_at"),
                )
            ),
            # A colleague's claim: shown, but after the work this user can act on.
            is_colleagues_claim=ExpressionWrapper(
                Q(status=Status.IN_REVIEW) & ~Q(claimed_by=user.pk), output_field=BooleanField()
            ),
        )
        .order_by("is_colleagues_claim", "submitted_at", "pk")
    )


def queue_counts(user, *, now=None) -> dict:
    """The numbers at the top of the queue, unfiltered (one query)."""
    return _queue_scope(user).aggregate(
        waiting=Count("pk", filter=waiting_q()),
        in_review_by_you=Count("pk", filter=Q(status=Status.IN_REVIEW, claimed_by=user)),
        overdue=Count("pk", filter=Q(submitted_at__lt=overdue_cutoff(now))),
    )


def _comments_with_threads():
    replies = CommentReply.objects.select_related("author").order_by("created_at", "pk")
    return ReviewComment.objects.order_by("order", "pk").prefetch_related(
        Prefetch("replies", queryset=replies)
    )


def iterations_for_review_page(submission) -> list[Iteration]:
    """Newest first, each with its snapshot (not its commits) and its `published_reviews`
    with their mentors (two queries). The page shows the newest iteration's reviews in full
    and the earlier ones as a line linking to the submission page, so only the newest
    iteration's reviews get their comments and threads (two more, when it has one)."""
    reviews = Review.objects.published().select_related("mentor").order_by("published_at", "pk")
    iterations = list(
        submission.iterations.order_by("-number")
        # The automated checks section reads the snapshot from here (no query of its own).
        .select_related("snapshot")
        .defer("snapshot__commits")
        .prefetch_related(Prefetch("reviews", queryset=reviews, to_attr="published_reviews"))
    )
    if iterations:
        prefetch_related_objects(
            iterations[0].published_reviews,
            Prefetch("comments", queryset=_comments_with_threads()),
        )
    return iterations


def review_to_compare_among(iterations: list[Iteration]) -> Review | None:
    """review_to_compare() of the newest of `iterations` (iterations_for_review_page's), read
    from their published reviews: no query."""
    for earlier in iterations[1:]:
        asked = [
            review
            for review in earlier.published_reviews
            if review.verdict == Review.Verdict.REQUEST_CHANGES
        ]
        if asked:
            return max(asked, key=lambda review: (review.published_at, review.pk))
    return None


def checklist_for(iteration: Iteration) -> list[dict]:
    """The full published checklist, each item marked ticked or not for this iteration (one
    query)."""
    ticked = ChecklistTick.objects.filter(iteration=iteration, item=OuterRef("pk"))
    items = ChecklistItem.objects.annotate(ticked=Exists(ticked)).filter(
        Q(is_published=True) | Q(ticked=True)
    )
    return [{"item": item, "ticked": item.ticked} for item in items]


def draft_for(*, iteration: Iteration, mentor) -> Review | None:
    comments = ReviewComment.objects.order_by("order", "pk")
    return (
        Review.objects.drafts()
        .filter(iteration=iteration, mentor=mentor)
        .prefetch_related(Prefetch("comments", queryset=comments))
        .first()
    )


def drafts_by_others(*, iteration: Iteration, mentor) -> list[Review]:
    """Other mentors' unpublished drafts of this iteration, with comments (two queries)."""
    comments = ReviewComment.objects.order_by("order", "pk")
    return list(
        Review.objects.drafts()
        .filter(iteration=iteration)
        .exclude(mentor=mentor)
        .select_related("mentor")
        .prefetch_related(Prefetch("comments", queryset=comments))
        .order_by("updated_at", "pk")
    )


def published_review_by(*, iteration: Iteration, mentor) -> Review | None:
    return Review.objects.published().filter(iteration=iteration, mentor=mentor).first()


def published_reviews_for(submission, *, in_full=None) -> list[Review]:
    """Every published review of the submission, newest first (the one to act on leads), with
    its iteration and mentor. The newest, and the one whose id is `in_full`, are shown in
    full: they come with their comments, threads and code excerpts, and `in_full` True; the
    others are a line on the page, `in_full` False. Four queries, however many reviews."""
    reviews = list(
        Review.objects.published()
        .filter(iteration__submission=submission)
        .select_related("iteration", "mentor")
        .order_by("-published_at", "-pk")
    )
    for index, review in enumerate(reviews):
        review.in_full = index == 0 or review.pk == in_full
    shown = [review for review in reviews if review.in_full]
    prefetch_related_objects(shown, Prefetch("comments", queryset=_comments_with_threads()))
    attach_excerpts(shown)
    return reviews


def attach_excerpts(reviews) -> None:
    """Give each line comment of `reviews` its `excerpt`: the lines around it at the reviewed
    commit (reviews.code.excerpt; empty when the file or line is not in the snapshot). One
    query for all the files commented on, none when no comment has a line."""
    wanted = {
        (review.iteration_id, comment.path)
        for review in reviews
        for comment in review.comments.all()
        if comment.path and comment.line
    }
    files = {}
    if wanted:
        rows = (
            SnapshotFile.objects.filter(
                snapshot__iteration_id__in={iteration for iteration, _ in wanted},
                snapshot__status=Snapshot.Status.READY,
                path__in={path for _, path in wanted},
                blob__isnull=False,
            )
            .select_related("blob")
            .annotate(iteration_id=F("snapshot__iteration_id"))
        )
        for row in rows:
            files[(row.iteration_id, row.path)] = row
    split = {}  # (iteration, path) -> its lines, split once however many comments it has
    for review in reviews:
        for comment in review.comments.all():
            comment.excerpt = []
            key = (review.iteration_id, comment.path)
            row = files.get(key)
            if row is not None and comment.line:
                if key not in split:
                    split[key] = (blob_lines(row.blob, path=row.path), source_lines(row.blob.text))
                html_lines, text_lines = split[key]
                comment.excerpt = excerpt(
                    html_lines=html_lines, text_lines=text_lines, line=comment.line
                )


def snapshot_files_for(iteration: Iteration) -> list[SnapshotFile]:
    """The files of the iteration's ready snapshot by path, without their text, each with
    `line_count` (None for a file that is not text). One query."""
    return list(
        SnapshotFile.objects.filter(
            snapshot__iteration=iteration, snapshot__status=Snapshot.Status.READY
        )
        .annotate(line_count=F("blob__line_count"))
        .only("path", "kind", "size", "blob_sha", "blob_id")
        .order_by("path")
    )


# The largest line number the comment forms take (a PostgreSQL integer).
LINE_MAX = 2_147_483_647


def comment_line_limits(files: list[SnapshotFile]) -> dict[str, int | None]:
    """What a comment may point at in each file (CommentForm's `files`): a text file's line
    count; any line for a text file too large to store (or not yet counted), since its lines
    cannot be counted here; None, no line at all, for a binary file, a symlink or a
    submodule."""
    limits = {}
    for entry in files:
        if entry.kind == SnapshotFile.Kind.TEXT or entry.kind == SnapshotFile.Kind.TOO_LARGE:
            limits[entry.path] = LINE_MAX if entry.line_count is None else entry.line_count
        else:
            limits[entry.path] = None
    return limits


def snapshot_file_for(iteration: Iteration, path: str) -> SnapshotFile | None:
    """One file of the iteration's ready snapshot with its blob (one query)."""
    return (
        SnapshotFile.objects.filter(
            snapshot__iteration=iteration, snapshot__status=Snapshot.Status.READY, path=path
        )
        .select_related("blob")
        .first()
    )


def load_blobs(files: dict, *, blob_paths) -> dict:
    """Give the snapshot_files_for() entries (path -> SnapshotFile) in `blob_paths` their
    `loaded_blob` (text and highlighting: what the page shows); the others None. One query."""
    wanted = {files[path].blob_id for path in blob_paths if path in files and files[path].blob_id}
    blobs = {blob.sha: blob for blob in Blob.objects.filter(sha__in=wanted)} if wanted else {}
    for entry in files.values():
        entry.loaded_blob = blobs.get(entry.blob_id)
    return files


def file_comments_for(*, iteration: Iteration, path: str, viewer) -> list[ReviewComment]:
    """The line comments on one file of an iteration the viewer may see: published ones and
    the viewer's own draft's. One query."""
    return list(
        ReviewComment.objects.filter(review__iteration=iteration, path=path, line__isnull=False)
        .filter(Q(review__published_at__isnull=False) | Q(review__mentor=viewer))
        .select_related("review__mentor")
        .order_by("line", "review__published_at", "order", "pk")
    )


def review_to_compare(iteration: Iteration, *, with_comments: bool = True) -> Review | None:
    """The published review that asked for the changes this iteration answers: the newest one
    requesting changes on an earlier iteration (one query; its comments, a second)."""
    reviews = (
        Review.objects.published()
        .filter(
            iteration__submission_id=iteration.submission_id,
            iteration__number__lt=iteration.number,
            verdict=Review.Verdict.REQUEST_CHANGES,
        )
        .select_related("iteration")
        .order_by("-iteration__number", "-published_at")
    )
    if with_comments:
        comments = ReviewComment.objects.order_by("order", "pk")
        reviews = reviews.prefetch_related(Prefetch("comments", queryset=comments))
    return reviews.first()


def replies_for(submission) -> list[Reply]:
    """The conversation, oldest first, each reply with its author, `author_is_mentor`
    (mentors the submission's cohort now) and the `role` its badge shows, in one query."""
    mentors = Membership.objects.filter(
        cohort_id=submission.cohort_id, role=Membership.Role.MENTOR, user_id=OuterRef("author_id")
    )
    replies = list(
        Reply.objects.filter(submission=submission)
        .select_related("author")
        .annotate(author_is_mentor=Exists(mentors))
        .order_by("created_at", "pk")
    )
    for reply in replies:
        if reply.author_id == submission.learner_id:
            reply.role = "Learner"
        elif reply.author_is_mentor:
            reply.role = "Mentor"
        elif reply.author.is_staff:
            reply.role = "Staff"
        else:
            reply.role = "Former mentor"
    return replies


def submissions_of_learner(*, cohort, learner):
    return (
        Submission.objects.filter(cohort=cohort, learner=learner)
        .select_related("project__stage", "claimed_by")
        .annotate(iteration_number=_latest_iteration_number())
        .order_by("project__stage__number", "project__order")
    )


def submission_latest_review(*, submission: Submission) -> Review | None:
    """The newest published review, with what reviews/includes/published_review.html shows
    (its iteration, mentor and comments). Two queries."""
    return (
        Review.objects.published()
        .filter(iteration__submission=submission)
        .select_related("iteration", "mentor")
        .prefetch_related("comments")
        .order_by("-published_at", "-pk")
        .first()
    )
