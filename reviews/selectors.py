"""Reads for the mentor's pages and the review parts of the submission page."""

from datetime import datetime, timedelta
from typing import NamedTuple

from django.conf import settings
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    JSONField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    prefetch_related_objects,
)
from django.db.models.functions import JSONObject
from django.urls import reverse
from django.utils import timezone

from bootcamp.people import name_of
from curriculum.models import ChecklistItem
from learners.claims import claim_expires_at, claim_is_idle
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
from reviews.wording import duration

Status = Submission.Status


def _latest_iteration_number():
    """The number of the submission's newest iteration, as a subquery on each row."""
    return Subquery(
        Iteration.objects.filter(submission=OuterRef("pk")).order_by("-number").values("number")[:1]
    )


def _latest_iteration():
    """The submission's newest iteration as a JSON object on each row: its number and its
    snapshot's checks (`checks_status` null without a snapshot). One correlated subquery
    where four (the number, the status, the two counts) cost the queue about 4,000 function
    calls to build and compile."""
    return _newest_as_json(
        Iteration.objects.order_by("-number"),
        number="number",
        checks_status="snapshot__status",
        checks_passed="snapshot__checks_passed",
        checks_failed="snapshot__checks_failed",
    )


def _last_step():
    """The newest step of the submission's history as a JSON object on each row: its kind and
    who acted (null names when no one did); null without a history."""
    return _newest_as_json(
        SubmissionEvent.objects.order_by("-at", "-pk"),
        kind="kind",
        username="actor__username",
        first_name="actor__first_name",
        last_name="actor__last_name",
    )


def _newest_as_json(ordered, **fields):
    """The first row of `ordered` (a submission's iterations or events, newest first) for
    each submission row, as one JSON object of `fields`."""
    return Subquery(
        ordered.filter(submission=OuterRef("pk")).values(row=JSONObject(**fields))[:1],
        output_field=JSONField(),
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


def queue_scope(user):
    """Every submission the user's queue lists: waiting or claimed (by anyone), in the cohorts
    they mentor (every cohort for staff). A mentor's cohorts are read here, one small query:
    the rows' query and the counts at the top both filter on these ids."""
    return _queue_scope(user, cohorts_listed=True, every_claim=True)


# The columns a page of the queue reads (`values_list`: no model instances for 15 rows and
# their learner, project, stage, cohort and holder); `queue_rows` turns them into QueueRows.
_QUEUE_COLUMNS = (
    "pk",
    "cohort_id",
    "learner_id",
    "learner__username",
    "learner__first_name",
    "learner__last_name",
    "cohort__name",
    "project__title",
    "project__stage__title",
    "status",
    "claimed_by_id",
    "claimed_by__username",
    "claimed_by__first_name",
    "claimed_by__last_name",
    "claimed_at",
    "submitted_at",
    "latest_iteration",
    "last_step",
    "claim_renewed",
)


def for_queue(user, *, now=None, scope=None):
    """The queue page's rows: what the user can act on (waiting, or claimed by them) first,
    then colleagues' claims, each oldest wait first; filter and page them, then read a page
    with `queue_rows`. Claims held by others are rows too, with their holder and age, rather
    than work that vanished from the queue. `scope`: `queue_scope(user)`, when the caller
    has it already.

    The cohorts are listed because the rows join five tables and annotate subqueries: with
    the cohorts as a subquery too, PostgreSQL spent 5.6 ms planning the rows' query (1.2 ms
    with the ids, when it annotated four subqueries; docs/PERFORMANCE.md)."""
    now = now or timezone.now()
    scope = queue_scope(user) if scope is None else scope
    return scope.annotate(
        latest_iteration=_latest_iteration(),
        last_step=_last_step(),
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
    ).order_by("is_colleagues_claim", "submitted_at", "pk")


class QueueRow(NamedTuple):
    """One row of the queue, with its names, links and lengths of time made once."""

    pk: int
    learner_name: str
    learner_username: str
    learner_url: str  # their progress in this cohort
    cohort_name: str
    url: str  # the submission page, with its history
    project_title: str
    stage_title: str
    iteration_number: int | None
    checks_status: str | None  # the newest iteration's snapshot: pending, ready, failed
    checks_passed: int | None
    checks_failed: int | None
    submitted_at: datetime
    waited: str  # "3 days, 5 hours"
    is_overdue: bool
    status: Submission.Status
    # The claim: who holds it ("" when unclaimed), since when, and when it lapses.
    held_by_you: bool
    holder_name: str
    claimed_at: datetime | None
    claimed_ago: str
    claim_renewed: bool
    lapses_in: str
    # What the row's button does: claim (a POST) or open the review page; and, for another
    # mentor's idle claim, where to ask for it.
    claim_url: str
    review_url: str
    takeover_url: str
    # The newest step of the history (the whole history is on the submission page).
    last_kind: str
    last_label: str
    last_actor_name: str
    last_actor_is_you: bool


# A submission with no iteration yet: `_latest_iteration` is null.
_NO_ITERATION = {
    "number": None,
    "checks_status": None,
    "checks_passed": None,
    "checks_failed": None,
}


def queue_rows(page_rows, *, user, now) -> list[QueueRow]:
    """A page of `for_queue` as QueueRows (one query, the rows read as tuples)."""
    # The columns are chosen after the Paginator's count, which then joins no other table.
    page_rows = list(page_rows.values_list(*_QUEUE_COLUMNS))
    overdue = overdue_cutoff(now)
    rows = []
    for (
        pk,
        cohort_id,
        learner_id,
        learner_username,
        learner_first,
        learner_last,
        cohort_name,
        project_title,
        stage_title,
        status,
        claimed_by_id,
        holder_username,
        holder_first,
        holder_last,
        claimed_at,
        submitted_at,
        latest_iteration,
        last_step,
        claim_renewed,
    ) in page_rows:
        in_review = status == Status.IN_REVIEW
        latest = latest_iteration or _NO_ITERATION
        held_by_you = in_review and claimed_by_id == user.pk
        last_kind = last_step["kind"] if last_step else ""
        last_actor_name = (
            name_of(last_step["first_name"], last_step["last_name"], last_step["username"])
            if last_step and last_step["username"]
            else ""
        )
        rows.append(
            QueueRow(
                pk=pk,
                learner_name=name_of(learner_first, learner_last, learner_username),
                learner_username=learner_username,
                learner_url=reverse("reviews:learner-progress", args=[cohort_id, learner_id]),
                cohort_name=cohort_name,
                url=reverse("reviews:submission-detail", args=[pk]),
                project_title=project_title,
                stage_title=stage_title,
                iteration_number=latest["number"],
                checks_status=latest["checks_status"],
                checks_passed=latest["checks_passed"],
                checks_failed=latest["checks_failed"],
                # In the site's time zone, as every page's <time datetime> (|date:"c").
                submitted_at=timezone.localtime(submitted_at),
                waited=duration(submitted_at, now),
                is_overdue=submitted_at < overdue,
                status=Status(status),
                held_by_you=held_by_you,
                holder_name=(
                    name_of(holder_first, holder_last, holder_username) if in_review else ""
                ),
                claimed_at=timezone.localtime(claimed_at) if claimed_at else None,
                claimed_ago=duration(claimed_at, now) if in_review else "",
                claim_renewed=claim_renewed,
                lapses_in=duration(now, claim_expires_at(claimed_at)) if in_review else "",
                claim_url="" if in_review else reverse("reviews:claim", args=[pk]),
                review_url=reverse("reviews:review", args=[pk]) if in_review else "",
                takeover_url=(
                    reverse("reviews:takeover-request", args=[pk])
                    if in_review and not held_by_you and claim_is_idle(claimed_at, now=now)
                    else ""
                ),
                last_kind=last_kind,
                last_label=SubmissionEvent.Kind(last_kind).label if last_kind else "",
                last_actor_name=last_actor_name,
                last_actor_is_you=bool(last_step) and last_step["username"] == user.username,
            )
        )
    return rows


def queue_counts(user, *, now=None, scope=None) -> dict:
    """The numbers at the top of the queue, unfiltered (one query; `scope`: `queue_scope`,
    when the caller has it already). Overdue counts the work the user can act on, not
    colleagues' claims."""
    scope = queue_scope(user) if scope is None else scope
    late = Q(submitted_at__lt=overdue_cutoff(now))
    if not user.is_staff:
        late &= Q(status=Status.SUBMITTED) | Q(claimed_by=user)
    return scope.aggregate(
        waiting=Count("pk", filter=waiting_q()),
        in_review_by_you=Count("pk", filter=Q(status=Status.IN_REVIEW, claimed_by=user)),
        overdue=Count("pk", filter=late),
    )


def _comments_with_threads():
    replies = CommentReply.objects.select_related("author").order_by("created_at", "pk")
    return ReviewComment.objects.order_by("order", "pk").prefetch_related(
        Prefetch("replies", queryset=replies)
    )


def iterations_for_review_page(submission) -> list[Iteration]:
    """Newest first, each with its snapshot (not its commits) and, for a bug story, its story,
    and its `published_reviews` with their mentors (two queries). The page shows the newest
    iteration's reviews in full and the earlier ones as a line linking to the submission page,
    so only the newest iteration's reviews get their comments and threads (two more, when it
    has one)."""
    reviews = Review.objects.published().select_related("mentor").order_by("published_at", "pk")
    # A bug story's parts, and the work it is about, are shown with it (as on the submission
    # page: learners.selectors.submission_iterations).
    related = ["bug_story__about_submission__project"] if submission.project.is_bug_story else []
    iterations = list(
        submission.iterations.order_by("-number")
        # The automated checks section reads the snapshot from here (no query of its own).
        .select_related("snapshot", *related)
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


def with_changes_bases(iterations: list[Iteration], *, reviews: list[Review]) -> list[Iteration]:
    """Give each of `iterations` its `changes_base`: the number of the iteration the changes
    view compares it with (the one review_to_compare() finds), or None when no earlier review
    requested changes. Read from `reviews`, all the submission's published reviews with their
    iteration (published_reviews_for's): no query."""
    asked = [
        review.iteration.number
        for review in reviews
        if review.verdict == Review.Verdict.REQUEST_CHANGES
    ]
    for iteration in iterations:
        earlier = [number for number in asked if number < iteration.number]
        iteration.changes_base = max(earlier) if earlier else None
    return iterations


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
