r"""Writes to cohorts, submissions and their status. The status moves only as DESIGN.md draws:

    submitted --claim--> in_review --approve--> approved
      ^   |                 |  \--release / claim lapses--> submitted
      |   +--withdraw--> withdrawn --resubmit--> submitted
      |              request changes
      |                     v
      +---resubmit--- changes_requested

While it is submitted (unclaimed) the learner may also edit the latest iteration's notes
and live URL; a new repository or commit makes a new iteration instead.

Each transition is one conditional UPDATE inside a transaction, so two people acting at
once cannot both win: the loser's UPDATE matches no row and they are told why.
"""

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Max, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from bootcamp.mail import absolute_url, mail_queue
from bootcamp.models import Notification, NotificationKind
from bootcamp.notifications import notify
from bootcamp.people import display_name
from curriculum.models import (
    Objective,
    Project,
    ReadinessStatement,
    counted_projects_key,
)
from learners.claims import claim_is_idle
from learners.models import (
    BugStory,
    ChecklistTick,
    Cohort,
    Extension,
    Iteration,
    LearnerProgress,
    Membership,
    ObjectiveCheck,
    Portfolio,
    ProjectDueDate,
    ReadinessTick,
    Reminder,
    Snapshot,
    StageTarget,
    Submission,
    SubmissionEvent,
    approved_required_q,
)
from learners.pacing import (
    calendar_key,
    read_calendar,
    spread_dates,
    stage_dates,
    stages_with_counts,
)
from learners.progress import stage_is_complete, stage_is_counted
from learners.snapshots import snapshot_request

User = get_user_model()

Status = Submission.Status
Event = SubmissionEvent.Kind


# How often an edit with a new repository or commit tells the mentors again.
EDIT_NOTIFY_INTERVAL = timedelta(hours=1)

# The states a learner sends a new iteration from.
RESUBMITTABLE = (Status.CHANGES_REQUESTED, Status.WITHDRAWN)


class TransitionError(Exception):
    """A status change that is not allowed from the submission's current state."""


def _refresh(submission_id: int) -> Submission:
    return Submission.objects.select_related("claimed_by").get(pk=submission_id)


def _record(*, submission_id: int, kind: str, actor, at) -> SubmissionEvent:
    """Append one step to the submission's history, inside the caller's transaction."""
    event = SubmissionEvent(submission_id=submission_id, kind=kind, actor=actor, at=at)
    event.full_clean()
    event.save()
    return event


def _check_claim_limit(mentor) -> None:
    """Refuse a claim beyond MAX_CLAIMS. Locks the mentor's user row first, so two claims by
    the same mentor at once are counted one after the other (one query for each)."""
    User.objects.select_for_update().filter(pk=mentor.pk).values_list("pk").first()
    held = Submission.objects.filter(status=Status.IN_REVIEW, claimed_by=mentor).count()
    if held >= settings.MAX_CLAIMS:
        raise TransitionError(
            f"You already hold {held} claims, the most anyone may hold at once "
            f"({settings.MAX_CLAIMS}). Publish or release one of them, then claim this one."
        )


@transaction.atomic
def submission_claim(*, submission: Submission, mentor, take_over: bool = False) -> Submission:
    """Claim a submitted submission for review. Staff may take over someone else's claim."""
    if submission.learner_id == mentor.pk:
        raise TransitionError("You cannot review your own work.")
    current = _refresh(submission.pk)
    if current.status == Status.IN_REVIEW and current.claimed_by_id == mentor.pk:
        return current  # a double click on "Claim": already theirs
    _check_claim_limit(mentor)
    now = timezone.now()
    # Only in the cohort the claimer saw it in: a deferral moving it meanwhile wins.
    here = Submission.objects.filter(pk=submission.pk, cohort_id=submission.cohort_id)
    waiting = here.filter(status=Status.SUBMITTED)
    if waiting.update(status=Status.IN_REVIEW, claimed_by=mentor, claimed_at=now, updated_at=now):
        _record(submission_id=submission.pk, kind=Event.CLAIMED, actor=mentor, at=now)
        return _refresh(submission.pk)
    current = _refresh(submission.pk)
    if current.cohort_id != submission.cohort_id:
        raise TransitionError("This work moved to another cohort.")
    if current.status == Status.IN_REVIEW:
        if current.claimed_by_id == mentor.pk:
            return current
        if take_over:
            taken = here.filter(status=Status.IN_REVIEW).update(
                claimed_by=mentor, claimed_at=now, updated_at=now
            )
            if taken:
                _record(submission_id=submission.pk, kind=Event.CLAIMED, actor=mentor, at=now)
            current = _refresh(submission.pk)
            if current.cohort_id != submission.cohort_id:
                raise TransitionError("This work moved to another cohort.")
            return current
        raise TransitionError(
            f"{display_name(current.claimed_by)} is already reviewing this submission."
        )
    raise TransitionError(
        f"This submission is {current.get_status_display().lower()}; there is nothing to claim."
    )


@transaction.atomic
def submission_release(*, submission: Submission, mentor) -> Submission:
    """Give a claim back to the queue. Only its holder (or staff) may release it."""
    claimed = Submission.objects.filter(pk=submission.pk, status=Status.IN_REVIEW)
    if not mentor.is_staff:
        claimed = claimed.filter(claimed_by=mentor)
    now = timezone.now()
    if not claimed.update(
        status=Status.SUBMITTED, claimed_by=None, claimed_at=None, updated_at=now
    ):
        raise TransitionError("You do not hold a claim on this submission.")
    _record(submission_id=submission.pk, kind=Event.RELEASED, actor=mentor, at=now)
    return _refresh(submission.pk)


@transaction.atomic
def submission_claim_renew(*, submission: Submission, mentor) -> Submission:
    """Restart the holder's claim, so it lapses CLAIM_HOURS from now instead.

    A lapse running at the same moment locks the row first or waits for this UPDATE: either
    the claim is renewed and the lapse skips it, or it lapsed and this matches no row.
    """
    now = timezone.now()
    renewed = Submission.objects.filter(
        pk=submission.pk, status=Status.IN_REVIEW, claimed_by=mentor
    ).update(claimed_at=now, updated_at=now)
    if not renewed:
        raise TransitionError(
            "You no longer hold a claim on this submission, so there is nothing to renew."
        )
    _record(submission_id=submission.pk, kind=Event.RENEWED, actor=mentor, at=now)
    return _refresh(submission.pk)


@transaction.atomic
def submission_takeover_request(*, submission: Submission, mentor) -> bool:
    """Ask the holder of an idle claim to hand it over: they are notified (inbox and e-mail).

    Once per asker and claim: a second click, or a second request before the holder renews,
    notifies no one again. The submission row is locked, so two clicks at once count once.
    Returns whether the holder was notified now.
    """
    locked = (
        Submission.objects.select_for_update(of=("self",))
        .select_related("claimed_by", "learner", "project")
        .get(pk=submission.pk)
    )
    if submission.learner_id == mentor.pk:
        raise TransitionError("You cannot review your own work.")
    if locked.status != Status.IN_REVIEW:
        raise TransitionError(
            "No one holds a claim on this submission any more: claim it from the queue."
        )
    if locked.claimed_by_id == mentor.pk:
        raise TransitionError("You hold this claim yourself.")
    if not claim_is_idle(locked.claimed_at):
        raise TransitionError(
            f"{display_name(locked.claimed_by)} claimed it less than "
            f"{settings.TAKEOVER_IDLE_HOURS} hours ago; you can ask to take it over once the "
            "claim has been idle that long."
        )
    asked = locked.events.filter(
        kind=Event.TAKEOVER_REQUESTED, actor=mentor, at__gte=locked.claimed_at
    ).exists()
    if asked:
        return False
    _record(submission_id=locked.pk, kind=Event.TAKEOVER_REQUESTED, actor=mentor, at=timezone.now())
    notify(
        users=[locked.claimed_by],
        kind=NotificationKind.TAKEOVER_REQUESTED,
        template="takeover_requested",
        context={
            "mentor": display_name(mentor),
            "learner": display_name(locked.learner),
            "project": locked.project.title,
            "hours": settings.TAKEOVER_IDLE_HOURS,
        },
        url=locked.get_absolute_url(),
    )
    return True


@transaction.atomic
def submission_claims_lapse(*, now=None) -> list[Submission]:
    """Return every claim older than CLAIM_HOURS to the queue; the drafts stay their mentors'.

    Safe to run twice at once: each run locks the rows it lapses and skips rows another run
    (or a renewal) holds, so every claim lapses once. Returns the lapsed submissions, each
    with `lapsed_from`, the mentor who held it.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(hours=settings.CLAIM_HOURS)
    lapsing = list(
        Submission.objects.select_for_update(of=("self",), skip_locked=True)
        .filter(status=Status.IN_REVIEW, claimed_at__lt=cutoff)
        .select_related("claimed_by", "learner", "project", "cohort")
        .order_by("pk")
    )
    if not lapsing:
        return []
    Submission.objects.filter(pk__in=[s.pk for s in lapsing]).update(
        status=Status.SUBMITTED, claimed_by=None, claimed_at=None, updated_at=now
    )
    SubmissionEvent.objects.bulk_create(
        SubmissionEvent(submission=s, kind=Event.LAPSED, actor=s.claimed_by, at=now)
        for s in lapsing
    )
    for submission in lapsing:
        submission.lapsed_from = submission.claimed_by
        submission.status = Status.SUBMITTED
        submission.claimed_by = submission.claimed_at = None
        _notify_lapse(submission=submission, mentor=submission.lapsed_from)
    return lapsing


@transaction.atomic
def submission_record_verdict(*, submission: Submission, mentor, approved: bool) -> Submission:
    """in_review -> approved / changes_requested, clearing the claim.

    Called by reviews.services.review_publish inside its own transaction, so the review
    and the status change commit together or not at all (this one nests as a savepoint).
    """
    now = timezone.now()
    new_status = Status.APPROVED if approved else Status.CHANGES_REQUESTED
    updated = Submission.objects.filter(
        pk=submission.pk, status=Status.IN_REVIEW, claimed_by=mentor
    ).update(
        status=new_status,
        claimed_by=None,
        claimed_at=None,
        approved_at=now if approved else None,
        updated_at=now,
    )
    if not updated:
        raise TransitionError("Only the mentor holding the claim can publish a verdict.")
    kind = Event.APPROVED if approved else Event.CHANGES_REQUESTED
    _record(submission_id=submission.pk, kind=kind, actor=mentor, at=now)
    # Approvals move the count and the pace; requested changes the pace.
    learner_progress_refresh(cohort_id=submission.cohort_id, learner_ids=[submission.learner_id])
    return _refresh(submission.pk)


@transaction.atomic
def submission_reopen(*, submission: Submission, submitted_at) -> None:
    """changes_requested or withdrawn -> submitted when a new iteration arrives (part of a
    resubmit)."""
    updated = Submission.objects.filter(pk=submission.pk, status__in=RESUBMITTABLE).update(
        status=Status.SUBMITTED, submitted_at=submitted_at, updated_at=submitted_at
    )
    if not updated:
        raise TransitionError("You can resubmit only after a mentor has requested changes.")
    _record(
        submission_id=submission.pk,
        kind=Event.RESUBMITTED,
        actor=submission.learner,
        at=submitted_at,
    )


def learner_progress_refresh(*, cohort_id: int, learner_ids=None) -> None:
    """Recount LearnerProgress for these learners' work in the cohort, whether or not they are
    still in it (when None: every learner of it and every row it has), from their submissions
    and today's curriculum. Three queries (four when None).

    Safe against two approvals for one learner at once: each transaction creates the row if
    missing, locks it, and only then counts, so the later one waits for the earlier to commit
    and counts its approval too (PostgreSQL's READ COMMITTED gives each statement a fresh
    snapshot). Rows are locked in learner order, so two recounts cannot deadlock.
    """
    if learner_ids is None:
        # Its learners, and whoever has a row from before they left it: every row fresh.
        learner_ids = (
            Membership.objects.filter(cohort_id=cohort_id, role=Membership.Role.LEARNER)
            .values_list("user_id", flat=True)
            .union(
                LearnerProgress.objects.filter(cohort_id=cohort_id).values_list(
                    "learner_id", flat=True
                )
            )
        )
    learner_ids = sorted(set(learner_ids))
    with transaction.atomic():
        LearnerProgress.objects.bulk_create(
            [LearnerProgress(cohort_id=cohort_id, learner_id=pk) for pk in learner_ids],
            ignore_conflicts=True,
        )
        rows = LearnerProgress.objects.filter(cohort_id=cohort_id, learner_id__in=learner_ids)
        list(rows.select_for_update().order_by("learner_id").values_list("pk"))
        approved = (
            Submission.objects.approved_required()
            .filter(cohort_id=cohort_id, learner_id=OuterRef("learner_id"))
            .values("learner_id")
            .annotate(n=Count("pk"))
            .values("n")
        )
        # The count and the curriculum's key in one statement: one snapshot for both.
        rows.update(
            approved_required=Coalesce(Subquery(approved), 0),
            counted_key=counted_projects_key(),
        )
        _pace_refresh(cohort_id=cohort_id, learner_ids=learner_ids)


def _pace_refresh(*, cohort_id: int, learner_ids: list[int]) -> None:
    """The pace fields of the (locked) rows: the earliest date of a stage not complete, the
    latest activity, the most changes requested on one project. Six queries and one UPDATE
    per distinct (date, stage, changes) value, whatever the number of learners.

    Replies live in `reviews`, which this app cannot read: a reply moves last_active_at
    through learner_activity_record, and a recount never moves it back."""
    stages = {stage.pk: stage for stage in stages_with_counts()}
    targets, extensions = read_calendar(cohort_id)
    key = calendar_key(targets=targets, extensions=extensions, stages=stages.values())
    done = defaultdict(dict)
    for row in (
        Submission.objects.filter(
            cohort_id=cohort_id, learner_id__in=learner_ids, status=Status.APPROVED
        )
        .values("learner_id", stage_id=F("project__stage_id"))
        .annotate(
            approved=Count("pk", filter=Q(project__is_published=True)),
            approved_required=Count("pk", filter=approved_required_q()),
        )
        .order_by()
    ):
        done[row["learner_id"]][row["stage_id"]] = row
    changes = {}
    for learner_id, project_id, n in (
        SubmissionEvent.objects.filter(
            kind=Event.CHANGES_REQUESTED,
            submission__cohort_id=cohort_id,
            submission__learner_id__in=learner_ids,
        )
        # Approved since: the changes were made, no longer a reason to worry.
        .exclude(submission__status=Status.APPROVED)
        .values_list("submission__learner_id", "submission__project_id")
        .annotate(n=Count("pk"))
        .order_by("submission__learner_id", "-n", "submission__project_id")
    ):
        changes.setdefault(learner_id, (n, project_id))
    rows = LearnerProgress.objects.filter(cohort_id=cohort_id, learner_id__in=learner_ids)
    # The latest activity in SQL, one statement; GREATEST skips NULLs and keeps a reply's time.
    learner = OuterRef("learner_id")
    rows.update(
        last_active_at=Greatest(
            "last_active_at",
            _latest(
                Iteration.objects.filter(
                    submission__cohort_id=cohort_id, submission__learner=learner
                ),
                "submitted_at",
            ),
            _latest(ObjectiveCheck.objects.filter(learner=learner), "checked_at"),
            _latest(Membership.objects.filter(cohort_id=cohort_id, user=learner), "joined_at"),
        )
    )
    # The rest from what was read: a few distinct values, so one UPDATE per value rather than
    # a CASE per row (bulk_update took seconds for a cohort of 3,000).
    by_values = defaultdict(list)
    for learner_id in learner_ids:
        complete = set()
        for stage_id, counts in done[learner_id].items():
            if stage_id in stages and stage_is_complete(
                required=stages[stage_id].required,
                approved_required=counts["approved_required"],
                approved=counts["approved"],
            ):
                complete.add(stage_id)
        dates = stage_dates(
            stages=stages.values(), targets=targets, extensions=extensions, learner_id=learner_id
        )
        open_dates = [
            (on, stages[stage_id].number, stage_id)
            for stage_id, on in dates.items()
            if stage_id not in complete
        ]
        first = min(open_dates, default=None)
        most, project_id = changes.get(learner_id, (0, None))
        finished = all(
            stage.pk in complete
            for stage in stages.values()
            if stage_is_counted(published_projects=stage.published_projects)
        )
        values = (
            first[0] if first else None,
            first[2] if first else None,
            most,
            project_id,
            finished,
        )
        by_values[values].append(learner_id)
    for (behind_from, stage_id, most, project_id, finished), ids in by_values.items():
        LearnerProgress.objects.filter(cohort_id=cohort_id, learner_id__in=ids).update(
            behind_from=behind_from,
            behind_stage_id=stage_id,
            changes_requested_most=most,
            changes_requested_project_id=project_id,
            all_stages_complete=finished,
            pace_key=key,
        )


def _latest(queryset, field_name):
    return Subquery(queryset.order_by(f"-{field_name}").values(field_name)[:1])


def learner_activity_record(*, learner_id: int, at, cohort_id: int | None = None) -> None:
    """The learner did something (a submission, a tick, a reply): their progress rows (in
    `cohort_id`, else every cohort's) remember the latest; never moves back. An UPDATE, and
    with `cohort_id` an INSERT of the row if it is missing (the overview counts it in full the
    next time it looks: it was counted with no key)."""
    rows = LearnerProgress.objects.filter(learner_id=learner_id)
    if cohort_id is not None:
        LearnerProgress.objects.bulk_create(
            [LearnerProgress(cohort_id=cohort_id, learner_id=learner_id)], ignore_conflicts=True
        )
        rows = rows.filter(cohort_id=cohort_id)
    rows.filter(Q(last_active_at__lt=at) | Q(last_active_at__isnull=True)).update(last_active_at=at)


# --- Submitting work ------------------------------------------------------------------------


def _mentors(cohort) -> list:
    return list(
        User.objects.filter(
            memberships__cohort=cohort, memberships__role=Membership.Role.MENTOR, is_active=True
        )
    )


def _notify_mentors(*, submission: Submission, iteration: Iteration) -> None:
    """Tell the cohort's mentors that work is waiting for them (by default in a digest)."""
    # The submission page links its mentors on to the review page: no other app's URL here.
    notify(
        users=[m for m in _mentors(submission.cohort) if m.pk != submission.learner_id],
        kind=NotificationKind.SUBMISSION_ARRIVED,
        template="submission_new",
        context={
            "first": iteration.number == 1,
            "learner": display_name(submission.learner),
            "project": submission.project.title,
            "iteration": iteration.number,
            "cohort": submission.cohort.name,
            "repo_url": iteration.repo_url,
        },
        url=submission.get_absolute_url(),
    )


def _notify_lapse(*, submission: Submission, mentor) -> None:
    notify(
        users=[mentor],
        kind=NotificationKind.CLAIM_LAPSED,
        template="claim_lapsed",
        context={
            "learner": display_name(submission.learner),
            "project": submission.project.title,
            "hours": settings.CLAIM_HOURS,
        },
        url=submission.get_absolute_url(),
    )


def _iteration_add(
    *,
    submission: Submission,
    number: int,
    submitted_at,
    repo_url: str,
    live_url: str,
    commit_sha: str,
    notes: str,
    checklist_items,
    bug_story: dict | None = None,
) -> Iteration:
    iteration = Iteration(
        submission=submission,
        number=number,
        repo_url=repo_url,
        live_url=live_url or "",
        commit_sha=(commit_sha or "").strip().lower(),
        notes=notes or "",
        submitted_at=submitted_at,
    )
    iteration.full_clean()
    iteration.save()
    learner_activity_record(
        learner_id=submission.learner_id, cohort_id=submission.cohort_id, at=submitted_at
    )
    ChecklistTick.objects.bulk_create(
        ChecklistTick(iteration=iteration, item=item) for item in checklist_items
    )
    if bug_story is not None:
        # A bug story is text: no repository to fetch, no automated checks.
        story = BugStory(iteration=iteration, **bug_story)
        story.full_clean()
        story.save()
    else:
        snapshot_request(iteration=iteration)
    return iteration


@transaction.atomic
def submission_create(
    *,
    learner,
    project: Project,
    cohort: Cohort,
    repo_url: str = "",
    live_url: str = "",
    commit_sha: str = "",
    notes: str = "",
    checklist_items=(),
    bug_story: dict | None = None,
) -> Submission:
    """A learner's first submission of a project: the Submission and its iteration 1.
    `bug_story` (the BugStory fields) for a project of kind bug story.

    A double POST must not make two iterations: the row is locked when it exists, and when two
    requests race to create it the unique constraint lets one INSERT through and the other
    returns that same submission untouched.
    """
    lookup = {"learner": learner, "project": project, "cohort": cohort}
    existing = Submission.objects.select_for_update().filter(**lookup).first()
    if existing is not None:
        return existing
    now = timezone.now()
    submission = Submission(**lookup, status=Status.SUBMITTED, submitted_at=now)
    # The unique constraint is checked by the INSERT below, race-free; not by a SELECT here.
    submission.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            submission.save()
    except IntegrityError:
        return Submission.objects.select_for_update().get(**lookup)
    iteration = _iteration_add(
        submission=submission,
        number=1,
        submitted_at=now,
        repo_url=repo_url,
        live_url=live_url,
        commit_sha=commit_sha,
        notes=notes,
        checklist_items=checklist_items,
        bug_story=bug_story,
    )
    _record(submission_id=submission.pk, kind=Event.SUBMITTED, actor=learner, at=now)
    _notify_mentors(submission=submission, iteration=iteration)
    return submission


@transaction.atomic
def submission_resubmit(
    *,
    submission: Submission,
    repo_url: str = "",
    live_url: str = "",
    commit_sha: str = "",
    notes: str = "",
    checklist_items=(),
    bug_story: dict | None = None,
) -> Submission:
    """Add iteration n+1 after a mentor requested changes, and put the work back in the queue."""
    locked = (
        Submission.objects.select_for_update(of=("self",))
        .select_related("learner", "project", "cohort")
        .get(pk=submission.pk)
    )
    if locked.status not in RESUBMITTABLE:
        # A second click on "Resubmit" lands here once the first has reopened it.
        raise TransitionError("You can resubmit only after a mentor has requested changes.")
    last = locked.iterations.aggregate(last=Max("number"))["last"] or 0
    now = timezone.now()
    iteration = _iteration_add(
        submission=locked,
        number=last + 1,
        submitted_at=now,
        repo_url=repo_url,
        live_url=live_url,
        commit_sha=commit_sha,
        notes=notes,
        checklist_items=checklist_items,
        bug_story=bug_story,
    )
    submission_reopen(submission=locked, submitted_at=now)
    _notify_mentors(submission=locked, iteration=iteration)
    locked.refresh_from_db(fields=["status", "submitted_at", "updated_at"])
    return locked


NOT_EDITABLE = (
    "A mentor has claimed this submission, so it can no longer be changed; you can resubmit "
    "if they request changes."
)


def _lock_unclaimed(submission: Submission) -> bool:
    """Lock the submission's row if it is still submitted (unclaimed): one conditional UPDATE.

    A mentor's claim is an UPDATE of the same row: whichever comes second waits for the
    first to commit and then finds the status changed, so an edit never slips in after a
    claim, nor a claim after a withdrawal.
    """
    return bool(
        Submission.objects.filter(pk=submission.pk, status=Status.SUBMITTED).update(
            updated_at=timezone.now()
        )
    )


@transaction.atomic
def submission_edit(
    *,
    submission: Submission,
    repo_url: str,
    live_url: str = "",
    commit_sha: str = "",
    notes: str = "",
) -> Iteration:
    """Change the latest iteration while the submission waits unclaimed.

    The notes and the live URL change in place. A different repository or commit on an
    iteration no mentor has reviewed or drafted on yet replaces its repository and commit in
    place too, with a fresh snapshot (the old one and its checks go): nobody has read it, so
    there is nothing to keep apart. Once a review or a draft exists on it, the new work
    becomes iteration n+1 (with the latest's checklist ticks and a snapshot of its own).
    Either way the submission keeps its place in the queue (`submitted_at` stays), and the
    cohort's mentors hear of new work at most once an hour per submission
    (EDIT_NOTIFY_INTERVAL). Returns the iteration that now is the latest.
    """
    if not _lock_unclaimed(submission):
        raise TransitionError(NOT_EDITABLE)
    latest = submission.iterations.order_by("-number").first()
    commit_sha = (commit_sha or "").strip().lower()
    if latest.repo_url == repo_url and latest.commit_sha == commit_sha:
        latest.live_url = live_url or ""
        latest.notes = notes or ""
        latest.full_clean()
        latest.save(update_fields=["live_url", "notes"])
        return latest
    now = timezone.now()
    locked = Submission.objects.select_related("learner", "project", "cohort").get(pk=submission.pk)
    if not latest.reviews.exists():
        latest.repo_url, latest.commit_sha = repo_url, commit_sha
        latest.live_url, latest.notes = live_url or "", notes or ""
        latest.full_clean()
        latest.save(update_fields=["repo_url", "commit_sha", "live_url", "notes"])
        Snapshot.objects.filter(iteration=latest).delete()  # its job then finds nothing
        snapshot_request(iteration=latest)
        learner_activity_record(learner_id=locked.learner_id, cohort_id=locked.cohort_id, at=now)
        iteration = latest
    else:
        iteration = _iteration_add(
            submission=locked,
            number=latest.number + 1,
            submitted_at=now,
            repo_url=repo_url,
            live_url=live_url,
            commit_sha=commit_sha,
            notes=notes,
            checklist_items=list(latest.checklist_items.all()),
        )
        _record(submission_id=submission.pk, kind=Event.RESUBMITTED, actor=locked.learner, at=now)
    Submission.objects.filter(pk=submission.pk).update(updated_at=now)
    told = Notification.objects.filter(
        kind=NotificationKind.SUBMISSION_ARRIVED,
        url=locked.get_absolute_url(),
        created_at__gt=now - EDIT_NOTIFY_INTERVAL,
    )
    if not told.exists():
        _notify_mentors(submission=locked, iteration=iteration)
    return iteration


@transaction.atomic
def submission_withdraw(*, submission: Submission) -> Submission:
    """submitted -> withdrawn, by its learner, before any mentor claims it. The iterations
    stay; resubmitting sends the work again."""
    now = timezone.now()
    withdrawn = Submission.objects.filter(pk=submission.pk, status=Status.SUBMITTED).update(
        status=Status.WITHDRAWN, updated_at=now
    )
    if not withdrawn:
        current = _refresh(submission.pk)
        if current.status == Status.WITHDRAWN:
            return current  # a double click: already withdrawn
        raise TransitionError(
            "A mentor has claimed this submission, so it can no longer be withdrawn."
            if current.status == Status.IN_REVIEW
            else f"This submission is {current.get_status_display().lower()}; only work "
            "waiting unclaimed can be withdrawn."
        )
    _record(submission_id=submission.pk, kind=Event.WITHDRAWN, actor=submission.learner, at=now)
    return _refresh(submission.pk)


# --- Objectives -----------------------------------------------------------------------------


@transaction.atomic
def objective_check_set(*, learner, objective: Objective, done: bool) -> bool:
    """Tick (done) or untick the objective; idempotent, so a double click changes nothing more.

    Returns whether this call changed anything.
    """
    checks = ObjectiveCheck.objects.filter(learner=learner, objective=objective)
    if not done:
        deleted, _ = checks.delete()
        return bool(deleted)
    # get_or_create retries the SELECT when a simultaneous request won the INSERT.
    check, created = ObjectiveCheck.objects.get_or_create(learner=learner, objective=objective)
    if created:
        learner_activity_record(learner_id=learner.pk, at=check.checked_at)
    return created


@transaction.atomic
def readiness_tick_set(*, learner, statement: ReadinessStatement, done: bool) -> bool:
    """Tick or untick a readiness statement; idempotent. Returns whether anything changed."""
    ticks = ReadinessTick.objects.filter(learner=learner, statement=statement)
    if not done:
        deleted, _ = ticks.delete()
        return bool(deleted)
    _, created = ReadinessTick.objects.get_or_create(learner=learner, statement=statement)
    return created


# --- The portfolio --------------------------------------------------------------------------


@transaction.atomic
def portfolio_save(
    *, learner, slug: str, bio: str, is_published: bool, allow_indexing: bool
) -> Portfolio:
    """Create or change the learner's portfolio settings (the one row per learner is locked,
    so two saves at once apply in turn); the form has checked the slug is not theirs."""
    values = {"slug": slug, "bio": bio, "is_published": is_published}
    values["allow_indexing"] = allow_indexing
    portfolio = Portfolio.objects.select_for_update().filter(learner=learner).first()
    if portfolio is None:
        portfolio = Portfolio(learner=learner, **values)
        # Uniqueness is the INSERT's to check, race-free (the form has asked already).
        portfolio.full_clean(validate_unique=False, validate_constraints=False)
        try:
            with transaction.atomic():
                portfolio.save()
            return portfolio
        except IntegrityError:
            # A second click won the INSERT: change that row. Otherwise the address went to
            # someone else a moment ago, and full_clean below says so.
            portfolio = (
                Portfolio.objects.select_for_update().filter(learner=learner).first() or portfolio
            )
    for name, value in values.items():
        setattr(portfolio, name, value)
    portfolio.full_clean()
    portfolio.save()
    return portfolio


@transaction.atomic
def portfolios_unpublish(*, queryset) -> int:
    """Staff take portfolios offline (the learners may publish them again); returns how many
    were published."""
    return queryset.filter(is_published=True).update(is_published=False)


# --- Deferrals -----------------------------------------------------------------------------


class MoveRefused(ValueError):
    """The learner cannot be moved to that cohort; the message says why."""


@dataclass
class MoveResult:
    """What a deferral moved: the submissions, and the extensions kept or dropped (each as
    its stage or project, for staff to read)."""

    submissions: int
    extensions_moved: list = field(default_factory=list)
    extensions_dropped: list = field(default_factory=list)


def _move_extensions(*, learner, from_cohort: Cohort, to_cohort: Cohort) -> tuple[list, list]:
    """The learner's extensions go with them where the new cohort dates the same stage or
    project (a later date for a date it does not have means nothing), unless they already
    have one there for it; the rest are deleted. (moved, dropped), as their stage or project."""
    extensions = Extension.objects.filter(cohort=from_cohort, learner=learner)
    there = Extension.objects.filter(cohort=to_cohort, learner=learner)
    keep = (
        extensions.filter(
            Q(stage__in=StageTarget.objects.filter(cohort=to_cohort).values("stage"))
            | Q(project__in=ProjectDueDate.objects.filter(cohort=to_cohort).values("project"))
        )
        .exclude(stage__in=there.filter(stage__isnull=False).values("stage"))
        .exclude(project__in=there.filter(project__isnull=False).values("project"))
    )
    kept = set(keep.values_list("pk", flat=True))
    moved, dropped = [], []
    for extension in extensions.select_related("stage", "project").order_by("due_on", "pk"):
        (moved if extension.pk in kept else dropped).append(
            str(extension.stage or extension.project)
        )
    extensions.filter(pk__in=kept).update(cohort=to_cohort)
    extensions.exclude(pk__in=kept).delete()
    return moved, dropped


def _notify_moved_claim(*, submission: Submission, mentor, to_cohort: Cohort) -> None:
    """Tell a mentor their claim went back to the queue because the learner moved (as a
    lapse does); they no longer see the work, so the link is their queue."""
    notify(
        users=[mentor],
        kind=NotificationKind.CLAIM_LAPSED,
        template="claim_moved",
        context={
            "learner": display_name(submission.learner),
            "project": submission.project.title,
            "cohort": to_cohort.name,
        },
        url=reverse("reviews:queue"),
    )


@transaction.atomic
def learner_move(*, membership: Membership, to_cohort: Cohort, actor) -> MoveResult:
    """Defer a learner: their place and all their work in one cohort move to another.

    The submissions keep their iterations, reviews, conversation and history; a claim held
    by a mentor of the old cohort goes back to the queue (recorded as released by `actor`),
    as those mentors no longer see the work, and its holder is told. The new cohort's mentors
    are told of the work waiting for review. Extensions move where the new cohort has the same
    date (see _move_extensions). The old cohort's progress row goes, the new one's is counted.
    """
    locked = (
        Membership.objects.select_for_update(of=("self",))
        .select_related("user", "cohort")
        .get(pk=membership.pk)
    )
    learner, from_cohort = locked.user, locked.cohort
    if locked.role != Membership.Role.LEARNER:
        raise MoveRefused("Only learners are moved between cohorts; change a mentor's cohorts.")
    if from_cohort.pk == to_cohort.pk:
        raise MoveRefused(f"{display_name(learner)} is in {to_cohort} already.")
    if Membership.objects.filter(cohort=to_cohort, user=learner).exists():
        raise MoveRefused(
            f"{display_name(learner)} already has a place in {to_cohort}: remove one of the "
            "two places instead."
        )
    work = Submission.objects.filter(learner=learner, cohort=from_cohort)
    list(work.select_for_update().values_list("pk"))
    clashes = Submission.objects.filter(
        learner=learner, cohort=to_cohort, project__in=work.values("project")
    ).select_related("project")
    if clashes:
        raise MoveRefused(
            f"{display_name(learner)} has work on the same projects in {to_cohort} already "
            f"({', '.join(s.project.title for s in clashes)}); nothing was moved."
        )
    now = timezone.now()
    claimed = list(
        work.filter(status=Status.IN_REVIEW).select_related("claimed_by", "learner", "project")
    )
    work.filter(pk__in=[s.pk for s in claimed]).update(
        status=Status.SUBMITTED, claimed_by=None, claimed_at=None, updated_at=now
    )
    SubmissionEvent.objects.bulk_create(
        SubmissionEvent(submission_id=s.pk, kind=Event.RELEASED, actor=actor, at=now)
        for s in claimed
    )
    moved = work.update(cohort=to_cohort, updated_at=now)
    locked.cohort = to_cohort
    locked.joined_at = now
    locked.full_clean()
    locked.save(update_fields=["cohort", "joined_at"])
    extensions_moved, extensions_dropped = _move_extensions(
        learner=learner, from_cohort=from_cohort, to_cohort=to_cohort
    )
    LearnerProgress.objects.filter(cohort=from_cohort, learner=learner).delete()
    learner_progress_refresh(cohort_id=to_cohort.pk, learner_ids=[learner.pk])
    for submission in claimed:
        _notify_moved_claim(
            submission=submission, mentor=submission.claimed_by, to_cohort=to_cohort
        )
    waiting = Submission.objects.filter(
        learner=learner, cohort=to_cohort, status=Status.SUBMITTED
    ).select_related("learner", "project", "cohort")
    for submission in waiting.order_by("pk"):
        latest = submission.iterations.order_by("-number").first()
        if latest is not None:
            _notify_mentors(submission=submission, iteration=latest)
    return MoveResult(moved, extensions_moved, extensions_dropped)


# --- Invitations ----------------------------------------------------------------------------


@dataclass
class InviteResult:
    users_created: list = field(default_factory=list)
    memberships_created: list = field(default_factory=list)
    # Each list holds users. An invitation e-mail is queued for `emailed` (the admin's outbox
    # and the invite page show when it is sent, or that it failed).
    emailed: list = field(default_factory=list)
    # Already in the cohort with this role and a password of their own: nothing to send.
    already_members: list = field(default_factory=list)
    # Added, but they chose a password before (another cohort): they know the way in.
    added_with_password: list = field(default_factory=list)
    # Deactivated accounts: added to the cohort like anyone else (so reactivating them is
    # enough), but sent nothing.
    inactive: list = field(default_factory=list)
    # Already in the cohort with the other role: left alone, staff decide.
    role_conflicts: list = field(default_factory=list)


def _username_for(email: str) -> str:
    """The e-mail's local part, reduced to what usernames allow, made unique with -2, -3, …"""
    local = email.split("@", 1)[0].lower()
    base = re.sub(r"[^\w.+-]", "", local)[:140] or "user"
    taken = set(
        User.objects.filter(username__iregex=rf"^{re.escape(base)}(-[0-9]+)?$").values_list(
            "username", flat=True
        )
    )
    taken = {name.lower() for name in taken}
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def _split_name(name: str) -> tuple[str, str]:
    """ "Ada King Lovelace" -> ("Ada", "King Lovelace"): the first word, then the rest."""
    first, _, last = " ".join(name.split()).partition(" ")
    first_max = User._meta.get_field("first_name").max_length
    last_max = User._meta.get_field("last_name").max_length
    return first[:first_max], last[:last_max]


def _send_invitation(*, user, cohort: Cohort, role: str) -> None:
    path = reverse(
        "invitation-confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    mail_queue(
        template="invitation",
        context={
            "cohort": cohort.name,
            "role": Membership.Role(role).label.lower(),
            "username": user.get_username(),
            "first_name": user.first_name,
            "days": max(1, settings.PASSWORD_RESET_TIMEOUT // (24 * 3600)),
            "url": absolute_url(path),
        },
        recipients=[user.email],
    )


@transaction.atomic
def cohort_invite(
    *, cohort: Cohort, emails: list[str], role: str, names: dict | None = None
) -> InviteResult:
    """Create (or find) a user per address, add them to the cohort, and e-mail a set-password link.

    `names` maps an address to the person's name: a new account gets it, and so does an
    existing one that has no name yet. Idempotent: re-inviting an address creates no second
    user or membership. Only people who have not chosen a password yet get a (fresh) link;
    active users already know the way in.
    """
    result = InviteResult()
    names = {address.lower(): name for address, name in (names or {}).items() if name.strip()}
    for email in dict.fromkeys(address.strip().lower() for address in emails if address.strip()):
        user = User.objects.filter(email__iexact=email).order_by("pk").first()
        first, last = _split_name(names.get(email, ""))
        if user is None:
            user = User(
                username=_username_for(email), email=email, first_name=first, last_name=last
            )
            user.set_unusable_password()
            user.full_clean()
            user.save()
            result.users_created.append(user)
        elif first and not (user.first_name or user.last_name):
            user.first_name, user.last_name = first, last
            user.save(update_fields=["first_name", "last_name"])
        membership, created = Membership.objects.get_or_create(
            cohort=cohort, user=user, defaults={"role": role}
        )
        if created:
            result.memberships_created.append(membership)
        elif membership.role != role:
            result.role_conflicts.append(membership)
            continue
        if not user.is_active:
            result.inactive.append(user)
        elif not user.has_usable_password():
            _send_invitation(user=user, cohort=cohort, role=role)
            result.emailed.append(user)
        elif created:
            result.added_with_password.append(user)
        else:
            result.already_members.append(user)
    return result


class InvitationNotPending(ValueError):
    """The person chose a password (or left the cohort) since the page was shown."""


@transaction.atomic
def cohort_invitation_resend(*, cohort: Cohort, user) -> None:
    """A fresh set-password link for someone invited to the cohort who has not used theirs;
    every link sent before stops working.

    The token of a set-password link depends on the password hash: a new unusable password
    changes it, so only the newest link works. The user row is locked, so someone choosing
    a password at this moment either finishes first (and is refused here) or after.
    """
    membership = (
        Membership.objects.select_related("user")
        .select_for_update(of=("user",))
        .filter(cohort=cohort, user=user, user__is_active=True)
        .first()
    )
    if membership is None or membership.user.has_usable_password():
        raise InvitationNotPending(
            "Only people invited to this cohort who have no password yet can be sent a fresh "
            "invitation: this person has chosen a password or left the cohort."
        )
    invitee = membership.user
    invitee.set_unusable_password()
    invitee.save(update_fields=["password"])
    _send_invitation(user=invitee, cohort=cohort, role=membership.role)


# --- The cohort's calendar and reminders ----------------------------------------------------


@transaction.atomic
def cohort_stages_spread(*, cohort: Cohort) -> list[StageTarget]:
    """Give each counted stage (published, with a published project: learners.progress) a
    target date, spread evenly over the cohort's dates (the last stage ends with the cohort);
    replaces the cohort's existing targets of those stages. A stage with nothing to submit
    gets no date: it could never be met."""
    cohort = Cohort.objects.select_for_update().get(pk=cohort.pk)
    stages = [
        stage
        for stage in stages_with_counts()
        if stage_is_counted(published_projects=stage.published_projects)
    ]
    dates = spread_dates(starts_on=cohort.starts_on, ends_on=cohort.ends_on, count=len(stages))
    targets = []
    for stage, due_on in zip(stages, dates, strict=True):
        target, _ = StageTarget.objects.update_or_create(
            cohort=cohort, stage=stage, defaults={"due_on": due_on}
        )
        targets.append(target)
    learner_progress_refresh(cohort_id=cohort.pk)  # the pace against the new dates
    return targets


def reminder_record(*, user, kind: str, about: str, day, now=None) -> bool:
    """Record that a reminder goes out to `user` about `about` on `day`; False when it went
    out already. Call it in the transaction that notifies: the row and the message commit
    together, so a second run (or one beside it) sends nothing."""
    try:
        with transaction.atomic():
            Reminder.objects.create(
                user=user, kind=kind, about=about, day=day, sent_at=now or timezone.now()
            )
    except IntegrityError:
        return False
    return True
