r"""Writes to cohorts, submissions and their status. The status moves only as DESIGN.md draws:

    submitted --claim--> in_review --approve--> approved
        ^                   |  \--release--> submitted
        |            request changes
        |                   v
        +---resubmit--- changes_requested

Each transition is one conditional UPDATE inside a transaction, so two people acting at
once cannot both win: the loser's UPDATE matches no row and they are told why.
"""

from django.db import transaction
from django.utils import timezone

from learners.models import Submission

Status = Submission.Status


class TransitionError(Exception):
    """A status change that is not allowed from the submission's current state."""


def _refresh(submission_id: int) -> Submission:
    return Submission.objects.select_related("claimed_by").get(pk=submission_id)


@transaction.atomic
def submission_claim(*, submission: Submission, mentor, take_over: bool = False) -> Submission:
    """Claim a submitted submission for review. Staff may take over someone else's claim."""
    now = timezone.now()
    waiting = Submission.objects.filter(pk=submission.pk, status=Status.SUBMITTED)
    if waiting.update(status=Status.IN_REVIEW, claimed_by=mentor, claimed_at=now, updated_at=now):
        return _refresh(submission.pk)
    current = _refresh(submission.pk)
    if current.status == Status.IN_REVIEW:
        if current.claimed_by_id == mentor.pk:
            return current  # a double click on "Claim": already theirs
        if take_over:
            Submission.objects.filter(pk=current.pk, status=Status.IN_REVIEW).update(
                claimed_by=mentor, claimed_at=now, updated_at=now
            )
            return _refresh(submission.pk)
        holder = current.claimed_by.get_full_name() or current.claimed_by.get_username()
        raise TransitionError(f"{holder} is already reviewing this submission.")
    raise TransitionError(
        f"This submission is {current.get_status_display().lower()}; there is nothing to claim."
    )


@transaction.atomic
def submission_release(*, submission: Submission, mentor) -> Submission:
    """Give a claim back to the queue. Only its holder (or staff) may release it."""
    claimed = Submission.objects.filter(pk=submission.pk, status=Status.IN_REVIEW)
    if not mentor.is_staff:
        claimed = claimed.filter(claimed_by=mentor)
    if not claimed.update(
        status=Status.SUBMITTED, claimed_by=None, claimed_at=None, updated_at=timezone.now()
    ):
        raise TransitionError("You do not hold a claim on this submission.")
    return _refresh(submission.pk)


def submission_record_verdict(*, submission: Submission, mentor, approved: bool) -> Submission:
    """in_review -> approved / changes_requested, clearing the claim.

    Called by reviews.services.review_publish inside its own transaction, so the review
    and the status change commit together or not at all.
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
    return _refresh(submission.pk)


def submission_reopen(*, submission: Submission, submitted_at) -> None:
    """changes_requested -> submitted when a new iteration arrives (part of a resubmit)."""
    updated = Submission.objects.filter(pk=submission.pk, status=Status.CHANGES_REQUESTED).update(
        status=Status.SUBMITTED, submitted_at=submitted_at, updated_at=submitted_at
    )
    if not updated:
        raise TransitionError("You can resubmit only after a mentor has requested changes.")
