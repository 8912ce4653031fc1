import datetime

import pytest
from django.db.models import ProtectedError
from django.utils import timezone

from learners.models import ChecklistTick, Iteration, ObjectiveCheck, Submission
from learners.services import (
    TransitionError,
    objective_check_set,
    submission_claim,
    submission_create,
    submission_record_verdict,
    submission_release,
    submission_reopen,
    submission_resubmit,
)
from tests.factories import ObjectiveFactory, SubmissionFactory, UserFactory

Status = Submission.Status


@pytest.fixture
def claimed(make_submission, mentor):
    submission = make_submission(status=Status.SUBMITTED)
    return submission_claim(submission=submission, mentor=mentor)


# --- claim ----------------------------------------------------------------------------------


def test_claim_from_submitted_puts_it_in_review_for_the_mentor(make_submission, mentor):
    submission = make_submission(status=Status.SUBMITTED)

    claimed = submission_claim(submission=submission, mentor=mentor)

    assert claimed.status == Status.IN_REVIEW
    assert claimed.claimed_by == mentor
    assert claimed.claimed_at is not None


def test_claim_by_second_mentor_is_refused_naming_the_holder(claimed, cohort, mentor):
    second = UserFactory(username="margaret", first_name="Margaret", last_name="Hamilton")

    with pytest.raises(TransitionError) as error:
        submission_claim(submission=claimed, mentor=second)

    assert str(error.value) == f"{mentor.get_full_name()} is already reviewing this submission."
    claimed.refresh_from_db()
    assert claimed.claimed_by == mentor


def test_claim_again_by_the_holder_is_not_an_error(claimed, mentor):
    claimed_at = claimed.claimed_at

    again = submission_claim(submission=claimed, mentor=mentor)

    assert (again.status, again.claimed_by, again.claimed_at) == (
        Status.IN_REVIEW,
        mentor,
        claimed_at,
    )


def test_staff_may_take_over_a_claim(claimed, staff):
    taken = submission_claim(submission=claimed, mentor=staff, take_over=True)

    assert taken.status == Status.IN_REVIEW
    assert taken.claimed_by == staff


@pytest.mark.parametrize("status", [Status.CHANGES_REQUESTED, Status.APPROVED])
def test_claim_is_refused_when_there_is_nothing_waiting(make_submission, mentor, status):
    submission = make_submission(status=status)

    with pytest.raises(TransitionError, match="there is nothing to claim"):
        submission_claim(submission=submission, mentor=mentor)

    submission.refresh_from_db()
    assert (submission.status, submission.claimed_by) == (status, None)


def test_a_learner_cannot_claim_their_own_work(make_submission, learner):
    submission = make_submission(status=Status.SUBMITTED)

    with pytest.raises(TransitionError) as error:
        submission_claim(submission=submission, mentor=learner)

    assert str(error.value) == "You cannot review your own work."
    submission.refresh_from_db()
    assert (submission.status, submission.claimed_by) == (Status.SUBMITTED, None)


def test_staff_cannot_take_over_the_review_of_their_own_work(cohort, project, mentor):
    author = UserFactory(username="boss", is_staff=True)
    submission = SubmissionFactory(learner=author, project=project, cohort=cohort)
    submission_claim(submission=submission, mentor=mentor)

    with pytest.raises(TransitionError) as error:
        submission_claim(submission=submission, mentor=author, take_over=True)

    assert str(error.value) == "You cannot review your own work."
    submission.refresh_from_db()
    assert submission.claimed_by == mentor


def test_deleting_a_mentor_who_holds_a_claim_is_refused_and_the_claim_kept(claimed, mentor):
    with pytest.raises(ProtectedError):
        mentor.delete()

    claimed.refresh_from_db()
    assert (claimed.status, claimed.claimed_by) == (Status.IN_REVIEW, mentor)


# --- release --------------------------------------------------------------------------------


def test_release_by_the_holder_puts_it_back_in_the_queue(claimed, mentor):
    released = submission_release(submission=claimed, mentor=mentor)

    assert (released.status, released.claimed_by, released.claimed_at) == (
        Status.SUBMITTED,
        None,
        None,
    )


def test_release_by_another_mentor_is_refused(claimed, mentor):
    other = UserFactory()

    with pytest.raises(TransitionError, match="You do not hold a claim"):
        submission_release(submission=claimed, mentor=other)

    claimed.refresh_from_db()
    assert (claimed.status, claimed.claimed_by) == (Status.IN_REVIEW, mentor)


def test_release_by_staff_is_allowed(claimed, staff):
    released = submission_release(submission=claimed, mentor=staff)

    assert (released.status, released.claimed_by) == (Status.SUBMITTED, None)


def test_release_of_an_unclaimed_submission_is_refused(make_submission, mentor):
    submission = make_submission(status=Status.SUBMITTED)

    with pytest.raises(TransitionError):
        submission_release(submission=submission, mentor=mentor)


# --- verdict --------------------------------------------------------------------------------


def test_verdict_approve_by_the_claimant_approves_and_clears_the_claim(claimed, mentor):
    judged = submission_record_verdict(submission=claimed, mentor=mentor, approved=True)

    assert (judged.status, judged.claimed_by, judged.claimed_at) == (Status.APPROVED, None, None)
    assert judged.approved_at is not None


def test_verdict_request_changes_by_the_claimant_clears_the_claim(claimed, mentor):
    judged = submission_record_verdict(submission=claimed, mentor=mentor, approved=False)

    assert (judged.status, judged.claimed_by, judged.approved_at) == (
        Status.CHANGES_REQUESTED,
        None,
        None,
    )


def test_verdict_by_a_mentor_without_the_claim_is_refused(claimed, mentor):
    with pytest.raises(TransitionError, match="Only the mentor holding the claim"):
        submission_record_verdict(submission=claimed, mentor=UserFactory(), approved=True)

    claimed.refresh_from_db()
    assert (claimed.status, claimed.claimed_by) == (Status.IN_REVIEW, mentor)


@pytest.mark.parametrize("status", [Status.SUBMITTED, Status.CHANGES_REQUESTED, Status.APPROVED])
def test_verdict_outside_review_is_refused(make_submission, mentor, status):
    submission = make_submission(status=status)

    with pytest.raises(TransitionError):
        submission_record_verdict(submission=submission, mentor=mentor, approved=True)

    submission.refresh_from_db()
    assert submission.status == status


# --- reopen ---------------------------------------------------------------------------------


def test_reopen_after_changes_requested_puts_it_back_in_the_queue(make_submission):
    submission = make_submission(status=Status.CHANGES_REQUESTED)
    when = timezone.now() + datetime.timedelta(hours=1)

    submission_reopen(submission=submission, submitted_at=when)

    submission.refresh_from_db()
    assert (submission.status, submission.submitted_at) == (Status.SUBMITTED, when)


@pytest.mark.parametrize("status", [Status.SUBMITTED, Status.APPROVED])
def test_reopen_is_refused_unless_changes_were_requested(make_submission, status):
    submission = make_submission(status=status)

    with pytest.raises(TransitionError, match="only after a mentor has requested changes"):
        submission_reopen(submission=submission, submitted_at=timezone.now())

    submission.refresh_from_db()
    assert submission.status == status


def test_reopen_is_refused_while_in_review(claimed):
    with pytest.raises(TransitionError):
        submission_reopen(submission=claimed, submitted_at=timezone.now())

    claimed.refresh_from_db()
    assert claimed.status == Status.IN_REVIEW


# --- create and resubmit --------------------------------------------------------------------

WORK = {
    "repo_url": "https://github.com/ada/tasks",
    "live_url": "",
    "commit_sha": "ABCDEF1",
    "notes": "Please look at the tests.",
}


def test_create_makes_the_submission_and_iteration_one(learner, project, cohort, checklist):
    submission = submission_create(
        learner=learner, project=project, cohort=cohort, checklist_items=checklist[:1], **WORK
    )

    iteration = Iteration.objects.get()
    assert (submission.status, submission.learner, submission.cohort) == (
        Status.SUBMITTED,
        learner,
        cohort,
    )
    assert (iteration.submission, iteration.number, iteration.commit_sha) == (
        submission,
        1,
        "abcdef1",
    )
    assert iteration.submitted_at == submission.submitted_at
    assert list(iteration.checklist_items.all()) == [checklist[0]]


def test_create_twice_returns_the_first_submission_untouched(learner, project, cohort):
    first = submission_create(learner=learner, project=project, cohort=cohort, **WORK)

    second = submission_create(
        learner=learner,
        project=project,
        cohort=cohort,
        repo_url="https://github.com/ada/other",
        notes="second click",
    )

    assert second.pk == first.pk
    assert Submission.objects.count() == 1
    assert list(Iteration.objects.values_list("number", "repo_url")) == [(1, WORK["repo_url"])]


def test_resubmit_adds_the_next_iteration_and_reopens(make_submission, checklist):
    submission = make_submission(status=Status.CHANGES_REQUESTED, iterations=2)

    reopened = submission_resubmit(submission=submission, checklist_items=checklist, **WORK)

    assert reopened.status == Status.SUBMITTED
    newest = submission.iterations.order_by("-number").first()
    assert newest.number == 3
    assert reopened.submitted_at == newest.submitted_at
    assert ChecklistTick.objects.filter(iteration=newest).count() == 2


@pytest.mark.parametrize("status", [Status.SUBMITTED, Status.IN_REVIEW, Status.APPROVED])
def test_resubmit_is_refused_unless_changes_were_requested(make_submission, mentor, status):
    extra = {"claimed_by": mentor, "claimed_at": timezone.now()} if status == "in_review" else {}
    submission = make_submission(status=status, **extra)

    with pytest.raises(TransitionError):
        submission_resubmit(submission=submission, **WORK)

    assert submission.iterations.count() == 1
    submission.refresh_from_db()
    assert submission.status == status


# --- objectives -----------------------------------------------------------------------------


def test_objective_check_set_ticks_once_however_often_it_is_called(learner):
    objective = ObjectiveFactory()

    assert objective_check_set(learner=learner, objective=objective, done=True) is True
    assert objective_check_set(learner=learner, objective=objective, done=True) is False
    assert list(ObjectiveCheck.objects.values_list("learner", "objective")) == [
        (learner.pk, objective.pk)
    ]


def test_objective_check_set_unticks_once_however_often_it_is_called(learner):
    objective = ObjectiveFactory()
    objective_check_set(learner=learner, objective=objective, done=True)

    assert objective_check_set(learner=learner, objective=objective, done=False) is True
    assert objective_check_set(learner=learner, objective=objective, done=False) is False
    assert ObjectiveCheck.objects.count() == 0
