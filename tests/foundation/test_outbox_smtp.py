"""Done-when of the outbox: with the mail server down every page answers at once and the
outbox keeps the messages with their errors; once a server listens, a running worker delivers
every one of them with no one doing anything. Real worker, real SMTP server on loopback."""

import time

import pytest

from bootcamp.models import Notification, NotificationPreference, OutboxMessage
from learners.models import Membership, Submission
from learners.services import submission_claim
from tests.factories import (
    CohortFactory,
    MembershipFactory,
    ProjectFactory,
    StaffFactory,
    UserFactory,
)
from tests.foundation.jobs import SMTPServer, free_port, start_worker, stop_worker, wait_for

WORK = {"repo_url": "https://github.com/ada/tasks", "commit_sha": "abcdef1", "notes": ""}
REVIEW = {
    "summary": "Good structure; two things to fix.",
    "verdict": "request_changes",
    "comments-TOTAL_FORMS": "1",
    "comments-INITIAL_FORMS": "0",
    "comments-MIN_NUM_FORMS": "0",
    "comments-MAX_NUM_FORMS": "1000",
    "comments-0-path": "",
    "comments-0-line": "",
    "comments-0-body": "",
    "publish": "1",
    "confirm_publish": "on",
}


def answered_at_once(response, started: float, location: str) -> None:
    assert (response.status_code, response["Location"]) == (302, location)
    assert time.monotonic() - started < 2, "a page waited for the mail server"


@pytest.mark.django_db(transaction=True)
def test_mail_queued_while_the_server_is_down_arrives_once_it_listens(client, tmp_path):
    cohort = CohortFactory(slug="demo-cohort", name="Demo cohort")
    learner = UserFactory(username="ada")
    mentor = UserFactory(username="linus")
    MembershipFactory(cohort=cohort, user=learner, role=Membership.Role.LEARNER)
    MembershipFactory(cohort=cohort, user=mentor, role=Membership.Role.MENTOR)
    # An e-mail for each new submission, not the mentors' default daily digest.
    NotificationPreference.objects.create(
        user=mentor, kind=Notification.Kind.SUBMISSION_ARRIVED, delivery="immediately"
    )
    project = ProjectFactory(slug="task-manager", title="Task manager")
    port = free_port()  # nothing listens here yet
    log = tmp_path / "worker.log"
    worker = start_worker(port, log)
    try:
        client.force_login(learner)
        started = time.monotonic()
        response = client.post(f"/projects/{project.slug}/submit/", WORK)
        submission = Submission.objects.get()
        answered_at_once(response, started, f"/submissions/{submission.pk}/")

        submission_claim(submission=submission, mentor=mentor)
        client.force_login(mentor)
        started = time.monotonic()
        response = client.post(f"/mentor/submissions/{submission.pk}/review/", REVIEW)
        answered_at_once(response, started, f"/submissions/{submission.pk}/")

        client.force_login(StaffFactory(username="staffer"))
        started = time.monotonic()
        invite = f"/admin/learners/cohort/{cohort.pk}/invite/"
        response = client.post(invite, {"emails": "new@example.com", "role": "learner"})
        answered_at_once(response, started, invite)

        expected = ["ada@example.com", "linus@example.com", "new@example.com"]
        assert sorted(OutboxMessage.objects.values_list("to", flat=True)) == expected
        # The worker tries, the server is down: each message stays pending with its error.
        wait_for(
            lambda: not OutboxMessage.objects.filter(attempts=0).exists(),
            timeout=30,
            what="a first attempt at every message",
        )
        for message in OutboxMessage.objects.all():
            assert message.status == "pending"
            assert message.last_error.startswith("ConnectionRefusedError:"), message.last_error

        with SMTPServer(port) as server:
            wait_for(lambda: len(server.recorder.messages) == 3, timeout=60, what="every message")
            assert server.recipients == expected
            wait_for(
                lambda: not OutboxMessage.objects.exclude(status="sent").exists(),
                timeout=10,
                what="every row marked sent",
            )
    finally:
        stop_worker(worker)
        print(log.read_text())
    assert worker.returncode == 0  # SIGTERM: a clean stop
