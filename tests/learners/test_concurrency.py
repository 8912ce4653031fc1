import threading
import time

import pytest
from django.db import connection, transaction
from django.utils import timezone

from learners.models import Iteration, LearnerProgress, Submission
from learners.services import submission_create, submission_record_verdict, submission_resubmit
from tests.factories import ProjectFactory, StageFactory, SubmissionFactory, UserFactory


def run_together(action, times=2):
    """Run `action` in `times` threads released at the same moment; return results/errors."""
    barrier = threading.Barrier(times)
    results = []

    def worker():
        try:
            barrier.wait()
            results.append(action())
        except Exception as error:  # noqa: BLE001 - reported to the test
            results.append(error)
        finally:
            connection.close()  # each thread has its own connection

    threads = [threading.Thread(target=worker) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_submits_make_one_submission_and_one_iteration(learner, project, cohort):
    results = run_together(
        lambda: submission_create(
            learner=learner, project=project, cohort=cohort, repo_url="https://github.com/a/b"
        ),
        times=4,
    )

    submission = Submission.objects.get()
    assert [result.pk for result in results] == [submission.pk] * 4
    assert list(Iteration.objects.values_list("submission", "number")) == [(submission.pk, 1)]


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_resubmits_add_one_iteration(make_submission):
    submission = make_submission(status=Submission.Status.CHANGES_REQUESTED)

    results = run_together(
        lambda: submission_resubmit(submission=submission, repo_url="https://github.com/a/b")
    )

    assert sorted(type(result).__name__ for result in results) == [
        "Submission",
        "TransitionError",
    ]
    assert sorted(submission.iterations.values_list("number", flat=True)) == [1, 2]


def _lock_waiters():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE wait_event_type = 'Lock' AND datname = current_database()"
        )
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_two_approvals_at_once_for_one_learner_both_count(cohort, learner):
    """The first approval holds its transaction open until the second waits on a lock; the
    second, counting only after the first commits, must count both approvals."""
    stage = StageFactory()
    first, second = (
        SubmissionFactory(
            cohort=cohort,
            learner=learner,
            project=ProjectFactory(stage=stage, order=order),
            status=Submission.Status.IN_REVIEW,
            claimed_by=UserFactory(),
            claimed_at=timezone.now(),
        )
        for order in (1, 2)
    )
    first_done, may_commit = threading.Event(), threading.Event()
    errors = []

    def approve(submission, *, hold):
        try:
            with transaction.atomic():
                submission_record_verdict(
                    submission=submission, mentor=submission.claimed_by, approved=True
                )
                if hold:
                    first_done.set()
                    assert may_commit.wait(timeout=10)
        except Exception as error:  # noqa: BLE001 - reported to the test
            errors.append(error)
        finally:
            connection.close()

    holder = threading.Thread(target=approve, args=(first,), kwargs={"hold": True})
    holder.start()
    assert first_done.wait(timeout=10)
    waiter = threading.Thread(target=approve, args=(second,), kwargs={"hold": False})
    waiter.start()
    deadline = time.monotonic() + 10
    while _lock_waiters() == 0 and time.monotonic() < deadline:
        time.sleep(0.02)
    may_commit.set()
    holder.join(timeout=30)
    waiter.join(timeout=30)

    assert errors == []
    assert list(LearnerProgress.objects.values_list("learner_id", "approved_required")) == [
        (learner.pk, 2)
    ]
