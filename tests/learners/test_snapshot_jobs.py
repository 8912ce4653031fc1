"""The fetch is a job on the `repositories` queue, deferred with the iteration, at most one
waiting and one running per learner; a real worker takes it."""

import subprocess
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from procrastinate.contrib.django.models import ProcrastinateJob

from learners.demo_projects import demo_project
from learners.models import Snapshot
from learners.services import submission_create
from learners.tasks import snapshots_fetch
from tests.factories import ProjectFactory
from tests.foundation.jobs import ROOT, free_port, worker_command, worker_env


def _submit(learner, cohort, url, slug):
    return submission_create(
        learner=learner, project=ProjectFactory(slug=slug), cohort=cohort, repo_url=url
    )


@pytest.mark.django_db
def test_submitting_defers_one_fetch_job_for_the_learner(learner, cohort):
    _submit(learner, cohort, "https://github.com/ada/tasks", "tasks")
    job = ProcrastinateJob.objects.get()
    lock = f"repositories-learner-{learner.pk}"
    assert (job.task_name, job.queue_name, job.status, job.args) == (
        "learners.snapshots_fetch",
        "repositories",
        "todo",
        {"learner_id": learner.pk},
    )
    assert (job.lock, job.queueing_lock) == (lock, lock)


@pytest.mark.django_db
def test_a_second_submission_joins_the_waiting_job_which_takes_both(git_server, learner, cohort):
    git_server.repository("one", *demo_project("good"))
    git_server.repository("two", *demo_project("needs-work"))
    _submit(learner, cohort, git_server.url("one"), "one")
    _submit(learner, cohort, git_server.url("two"), "two")
    job = ProcrastinateJob.objects.get()  # the second defer found it queued

    snapshots_fetch(**job.args)

    assert list(Snapshot.objects.order_by("pk").values_list("status", "checks_failed")) == [
        ("ready", 0),
        ("ready", 4),
    ]


@pytest.mark.django_db
def test_another_learners_submission_gets_its_own_job(learner, other_learner, cohort):
    _submit(learner, cohort, "https://github.com/ada/tasks", "tasks")
    _submit(other_learner, cohort, "https://github.com/grace/tasks", "tasks-2")
    assert sorted(ProcrastinateJob.objects.values_list("args__learner_id", flat=True)) == sorted(
        [learner.pk, other_learner.pk]
    )


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_fetches_and_checks_the_submission(git_server, learner, cohort, tmp_path):
    shas = git_server.repository("real", *demo_project("good"))
    submission = _submit(learner, cohort, git_server.url("real"), "real")
    env = {**worker_env(free_port()), "REPOSITORY_ALLOW_LOOPBACK": "on"}
    result = subprocess.run(
        worker_command(wait=False, queues="repositories"),
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    snapshot = Snapshot.objects.get(iteration__submission=submission)
    assert (snapshot.status, snapshot.commit_sha, snapshot.checks_passed) == ("ready", shas[-1], 11)
    job = ProcrastinateJob.objects.get(task_name="learners.snapshots_fetch")
    assert job.status == "succeeded"


@pytest.mark.django_db
def test_snapshot_take_command_fetches_named_iterations_again(git_server, learner, cohort):
    git_server.repository("again", *demo_project("good"))
    submission = _submit(learner, cohort, git_server.url("again"), "again")
    iteration = submission.iterations.get()
    out = StringIO()
    call_command("snapshot_take", str(iteration.pk), stdout=out)
    assert out.getvalue().endswith("11 passed, 0 warned, 0 failed\n")
    assert Snapshot.objects.get().status == "ready"


@pytest.mark.django_db
def test_snapshot_take_command_says_what_it_needs():
    with pytest.raises(CommandError, match="Name iteration ids, or use --pending or --watch."):
        call_command("snapshot_take")
    with pytest.raises(CommandError, match=r"No snapshot for iteration\(s\) \[999\]."):
        call_command("snapshot_take", "999")
