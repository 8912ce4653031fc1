import threading

import pytest
from django.db import connection

from learners.models import Iteration, Submission
from learners.services import submission_create, submission_resubmit


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
