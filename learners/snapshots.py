"""Writes to repository snapshots: request one for an iteration, take it (the worker's job,
learners/tasks.py: fetch, store, check), ask for it again.

The path of an iteration: the submit form's service saves it and calls `snapshot_request`
in the same transaction, which creates a pending Snapshot and defers the fetch job; the
worker runs `snapshot_take`, which fetches in a limited subprocess (learners.fetch), stores the
files content-addressed (one Blob per distinct text), runs learners.checks and records the
results, all in one transaction, or records the failure and its reason.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from procrastinate.contrib.django import app
from procrastinate.exceptions import AlreadyEnqueued

from bootcamp.models import NotificationKind
from bootcamp.notifications import notify
from bootcamp.people import display_name
from learners.checks import RepoFile, checks_run, mask_secrets
from learners.fetch import FetchFailed, FetchResult, Limits, fetch_repository
from learners.highlight import SNAPSHOT_HIGHLIGHT_BUDGET, source_lines, stored_highlighting
from learners.links import clone_url
from learners.models import (
    Blob,
    CheckResult,
    Iteration,
    Snapshot,
    SnapshotFile,
    Submission,
)

SNAPSHOT_TASK = "learners.snapshots_fetch"
RERUN_INTERVAL = timedelta(minutes=1)
# A pending snapshot this old lost its worker (a crash, a deploy): it may be asked for again.
STALE_AFTER = timedelta(minutes=5)
MB = 1024 * 1024
PATH_MAX = 1000  # SnapshotFile.path's max_length
UNREADABLE = "An unexpected error stopped the read."

logger = logging.getLogger(__name__)


class SnapshotRefused(Exception):
    """Asking for the checks again is not allowed now; the message says why."""


def limits_from_settings() -> Limits:
    return Limits(
        seconds=settings.REPOSITORY_FETCH_SECONDS,
        transfer_bytes=int(settings.REPOSITORY_MAX_DOWNLOAD_MB * MB),
        unpacked_bytes=int(settings.REPOSITORY_MAX_UNPACKED_MB * MB),
        files=settings.REPOSITORY_MAX_FILES,
        file_bytes=settings.REPOSITORY_MAX_FILE_KB * 1024,
        stored_bytes=int(settings.REPOSITORY_MAX_STORED_MB * MB),
        memory_bytes=settings.REPOSITORY_FETCH_MEMORY_MB * MB,
    )


def _defer_take(snapshot: Snapshot) -> None:
    """Queue the learner's fetch job in the current transaction (learners/tasks.py): the job
    row commits with the snapshot, or neither does."""
    _defer_for_learner(snapshot.iteration.submission.learner_id)


def _defer_for_learner(learner_id: int) -> bool:
    lock = f"repositories-learner-{learner_id}"
    task = app.configure_task(
        name=SNAPSHOT_TASK, queue="repositories", lock=lock, queueing_lock=lock
    )
    try:
        with transaction.atomic():  # a savepoint: the refused INSERT must not end the caller's
            task.defer(learner_id=learner_id)
    except AlreadyEnqueued:
        return False  # the learner's waiting job takes this snapshot too
    return True


def snapshots_take_for_learner(*, learner_id: int) -> int:
    """The job's body: take the learner's pending snapshots, oldest first, including any that
    arrive meanwhile. Returns how many were taken."""
    taken, seen = 0, set()
    while True:
        pending = (
            Snapshot.objects.filter(
                status=Snapshot.Status.PENDING, iteration__submission__learner_id=learner_id
            )
            .exclude(pk__in=seen)
            .order_by("requested_at", "pk")
            .values_list("pk", flat=True)
            .first()
        )
        if pending is None:
            return taken
        seen.add(pending)
        snapshot_take(snapshot_id=pending)
        taken += 1


def snapshots_requeue() -> int:
    """Queue a fetch job again for each learner with a snapshot pending longer than a fetch
    may take plus a minute (the periodic job, learners/tasks.py): a submission arriving just
    as the learner's job finished its last look can be left with no job. A learner whose job
    is still waiting is left alone (its queueing lock). Returns how many learners it queued."""
    cutoff = timezone.now() - timedelta(seconds=settings.REPOSITORY_FETCH_SECONDS + 60)
    learner_ids = (
        Snapshot.objects.filter(status=Snapshot.Status.PENDING, requested_at__lt=cutoff)
        .values_list("iteration__submission__learner_id", flat=True)
        .distinct()
        .order_by("iteration__submission__learner_id")
    )
    queued = 0
    for learner_id in learner_ids:
        with transaction.atomic():
            queued += _defer_for_learner(learner_id)
    return queued


def snapshot_request(*, iteration: Iteration) -> Snapshot:
    """A pending snapshot of a just-saved iteration, and its fetch job; call inside the
    transaction that saves the iteration."""
    snapshot = Snapshot(iteration=iteration, requested_sha=iteration.commit_sha)
    snapshot.full_clean(validate_unique=False)
    snapshot.save()
    _defer_take(snapshot)
    return snapshot


@transaction.atomic
def snapshot_rerun(*, snapshot: Snapshot, by_learner: bool) -> Snapshot:
    """Fetch and check again. A learner may ask on their latest iteration until a mentor
    claims it; anyone at most once a minute (a conditional UPDATE: two clicks, one job)."""
    iteration = snapshot.iteration
    if by_learner:
        submission = Submission.objects.get(pk=iteration.submission_id)
        latest = submission.iterations.order_by("-number").values_list("pk", flat=True).first()
        if latest != iteration.pk:
            raise SnapshotRefused("Only the latest iteration's checks can be run again.")
        if submission.status != Submission.Status.SUBMITTED:
            raise SnapshotRefused(
                "A mentor has this submission now, so its checks stay as they are."
            )
    now = timezone.now()
    updated = (
        Snapshot.objects.filter(pk=snapshot.pk, requested_at__lte=now - RERUN_INTERVAL)
        .exclude(status=Snapshot.Status.PENDING, requested_at__gt=now - STALE_AFTER)
        .update(
            status=Snapshot.Status.PENDING,
            reason="",
            message="",
            requested_at=now,
            finished_at=None,
        )
    )
    snapshot.refresh_from_db()
    if not updated:
        if snapshot.is_pending:
            raise SnapshotRefused("The checks are already running.")
        wait = int((snapshot.requested_at + RERUN_INTERVAL - now).total_seconds()) + 1
        raise SnapshotRefused(
            f"The checks ran less than a minute ago; ask again in {wait} second"
            f"{'s' if wait != 1 else ''}."
        )
    _defer_take(snapshot)
    return snapshot


@dataclass(frozen=True)
class _Claim:
    snapshot_id: int
    requested_at: object


def snapshot_take(*, snapshot_id: int) -> Snapshot | None:
    """The job: fetch the iteration's repository, store it and check it. Idempotent: a
    snapshot that is no longer pending is left alone, and a result arriving after someone
    asked again is dropped (the newer request's job records its own)."""
    snapshot = Snapshot.objects.select_related("iteration").filter(pk=snapshot_id).first()
    if snapshot is None or not snapshot.is_pending:
        return snapshot
    claim = _Claim(snapshot.pk, snapshot.requested_at)
    try:
        result = fetch_repository(
            url=clone_url(snapshot.iteration.repo_url),
            sha=snapshot.requested_sha,
            hosts=settings.REPOSITORY_HOSTS,
            allow_loopback=settings.REPOSITORY_ALLOW_LOOPBACK,
            limits=limits_from_settings(),
        )
        # Highlighting takes seconds on a large tree: done here, before the snapshot row is
        # locked and the transaction opened, not inside them.
        highlighted = snapshot_highlighting(result)
        return _record_result(claim, result, highlighted)
    except FetchFailed as failure:
        # git's own words may be in the message; they must not show a key either.
        message = mask_secrets(failure.message)
        return _record_failure(claim, reason=failure.reason, message=message)
    except Exception:
        # Anything else (a bug, a repository the store cannot hold) fails this snapshot for
        # good rather than leaving it pending, and the learner's job goes on to the next.
        logger.exception("snapshot %s could not be taken", claim.snapshot_id)
        return _record_failure(claim, reason=Snapshot.Reason.FETCH_FAILED, message=UNREADABLE)


def _locked(claim: _Claim) -> Snapshot | None:
    return (
        Snapshot.objects.select_for_update()
        .filter(
            pk=claim.snapshot_id, status=Snapshot.Status.PENDING, requested_at=claim.requested_at
        )
        .first()
    )


@transaction.atomic
def _record_failure(claim: _Claim, *, reason: str, message: str) -> Snapshot | None:
    snapshot = _locked(claim)
    if snapshot is None:
        return None
    snapshot.status = Snapshot.Status.FAILED
    snapshot.reason = reason
    snapshot.message = message
    snapshot.finished_at = timezone.now()
    snapshot.full_clean(validate_unique=False)
    snapshot.save()
    snapshot.files.all().delete()
    snapshot.checks.all().delete()
    return snapshot


@transaction.atomic
def _record_result(
    claim: _Claim, result: FetchResult, highlighted: dict[str, str | None]
) -> Snapshot | None:
    snapshot = _locked(claim)
    if snapshot is None:
        return None
    snapshot_store(snapshot=snapshot, result=result, highlighted=highlighted)
    return snapshot


def _unique_paths(paths: list[str]) -> list[str]:
    """The paths cut to PATH_MAX, a later duplicate (two long paths alike in their first
    PATH_MAX characters) marked " (2)", " (3)", … so each is stored once."""
    seen, unique = set(), []
    for path in paths:
        candidate, number = path[:PATH_MAX], 2
        while candidate in seen:
            suffix = f" ({number})"
            candidate, number = path[: PATH_MAX - len(suffix)] + suffix, number + 1
        seen.add(candidate)
        unique.append(candidate)
    return unique


def _unchanged_since(snapshot: Snapshot, result: FetchResult) -> int | None:
    """The previous iteration's number when its snapshot holds exactly this tree (one query
    for its files), else None."""
    iteration = snapshot.iteration
    if iteration.number <= 1:
        return None
    previous = SnapshotFile.objects.filter(
        snapshot__iteration__submission_id=iteration.submission_id,
        snapshot__iteration__number=iteration.number - 1,
        snapshot__status=Snapshot.Status.READY,
    ).values_list("path", "blob_sha")
    previous = set(previous)
    if previous and previous == {(f.path[:PATH_MAX], f.blob_sha) for f in result.files}:
        return iteration.number - 1
    return None


def _tell_code_unchanged(snapshot: Snapshot) -> None:
    iteration = snapshot.iteration
    submission = Submission.objects.select_related("learner", "project").get(
        pk=iteration.submission_id
    )
    notify(
        users=[submission.learner],
        kind=NotificationKind.CODE_UNCHANGED,
        template="code_unchanged",
        context={
            "learner": display_name(submission.learner),
            "project": submission.project.title,
            "iteration": iteration.number,
            "previous": snapshot.unchanged_since,
        },
        url=submission.get_absolute_url(),
    )


def _texts(result: FetchResult) -> dict:
    return {f.blob_sha: f for f in result.files if f.kind == SnapshotFile.Kind.TEXT}


def _stored(texts: dict) -> dict[str, bool]:
    """sha -> whether that blob is stored highlighted, for the texts already stored."""
    return dict(
        Blob.objects.filter(sha__in=list(texts))
        .annotate(is_done=Q(highlighted__isnull=False))
        .values_list("sha", "is_done")
    )


def snapshot_highlighting(result: FetchResult) -> dict[str, str | None]:
    """The stored highlighting of each text not stored highlighted yet, by blob sha (one
    query). Past SNAPSHOT_HIGHLIGHT_BUDGET characters, None: the file view highlights it when
    it is opened. A blob is highlighted by the first path it is seen under."""
    texts = _texts(result)
    stored = _stored(texts)
    budget = SNAPSHOT_HIGHLIGHT_BUDGET
    highlighted = {}
    for sha, f in texts.items():
        if stored.get(sha):
            continue
        if len(f.text) > budget:
            highlighted[sha] = None
            continue
        budget -= len(f.text)
        highlighted[sha] = stored_highlighting(path=f.path, text=f.text)
    return highlighted


def snapshot_store(
    *, snapshot: Snapshot, result: FetchResult, highlighted: dict[str, str | None] | None = None
) -> None:
    """Files, checks and the resolved commit of a fetched snapshot, replacing any earlier ones.
    Also used by seed_demo with generated projects. Runs inside the caller's transaction.
    `highlighted`: snapshot_highlighting(result), done before that transaction (else here)."""
    texts = _texts(result)
    if highlighted is None:
        highlighted = snapshot_highlighting(result)
    # Content-addressed: a text already stored (by this learner's last iteration, or anyone's)
    # is neither written nor highlighted again. One stored before highlighting existed is
    # highlighted now.
    stored = _stored(texts)
    done = {sha for sha, is_done in stored.items() if is_done}
    blobs = [
        Blob(
            sha=sha,
            text=f.text,
            size=f.size,
            highlighted=highlighted.get(sha),
            line_count=len(source_lines(f.text)),
        )
        for sha, f in texts.items()
        if sha not in done
    ]
    Blob.objects.bulk_create(blobs, ignore_conflicts=True, batch_size=500)
    stale = [blob for blob in blobs if blob.sha in stored]
    if stale:
        Blob.objects.bulk_update(stale, ["highlighted", "line_count"], batch_size=100)
    paths = _unique_paths([f.path for f in result.files])
    snapshot.files.all().delete()
    SnapshotFile.objects.bulk_create(
        [
            SnapshotFile(
                snapshot=snapshot,
                path=path,
                kind=f.kind,
                size=f.size,
                blob_sha=f.blob_sha,
                blob_id=f.blob_sha if f.kind == SnapshotFile.Kind.TEXT else None,
            )
            for f, path in zip(result.files, paths, strict=True)
        ],
        batch_size=1000,
    )
    outcomes = checks_run(
        files=[
            RepoFile(path=path, kind=f.kind, size=f.size, text=f.text, syntax_error=f.syntax_error)
            for f, path in zip(result.files, paths, strict=True)
        ],
        commits=result.commits,
    )
    snapshot.checks.all().delete()
    CheckResult.objects.bulk_create(
        CheckResult(
            snapshot=snapshot,
            key=outcome.key,
            position=position,
            result=outcome.result,
            summary=outcome.summary[:500],
            evidence=outcome.evidence,
        )
        for position, outcome in enumerate(outcomes)
    )
    counts = {value: sum(o.result == value for o in outcomes) for value in ("pass", "warn", "fail")}
    snapshot.status = Snapshot.Status.READY
    snapshot.reason = ""
    snapshot.message = ""
    snapshot.commit_sha = result.commit_sha
    snapshot.commits = result.commits
    snapshot.transferred_bytes = result.transferred_bytes
    snapshot.checks_passed = counts["pass"]
    snapshot.checks_warned = counts["warn"]
    snapshot.checks_failed = counts["fail"]
    snapshot.finished_at = timezone.now()
    was_unchanged = snapshot.unchanged_since is not None
    snapshot.unchanged_since = _unchanged_since(snapshot, result)
    snapshot.full_clean(validate_unique=False)
    snapshot.save()
    if snapshot.unchanged_since and not snapshot.requested_sha and not was_unchanged:
        # With a SHA the learner confirmed it was the same commit; without one they may not
        # know their push never happened. Told once: a snapshot taken again says nothing new.
        _tell_code_unchanged(snapshot)
    # The SHA the learner typed (short, or none: the default branch's head) becomes the full
    # one, so line links and the compare view work.
    Iteration.objects.filter(pk=snapshot.iteration_id).update(commit_sha=result.commit_sha)
    snapshot.iteration.commit_sha = result.commit_sha
