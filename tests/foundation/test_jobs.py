"""The job queue with real workers (subprocesses) on the test database: transactional tests,
so a worker sees what the test commits."""

import os
import signal
import threading
import time

import pytest
from django.db import connection, transaction
from django.utils import timezone
from procrastinate.contrib.django.models import ProcrastinateJob

from bootcamp.mail import mail_queue, outbox_resend
from bootcamp.models import OutboxMessage
from bootcamp.tasks import mail_retry_delay, retry_stalled_jobs
from tests.foundation.jobs import (
    SMTPServer,
    free_port,
    run_worker_once,
    start_worker,
    stop_worker,
    wait_for,
)

pytestmark = pytest.mark.django_db(transaction=True)

INVITATION = {
    "cohort": "Demo cohort",
    "role": "learner",
    "username": "ada",
    "days": 3,
    "url": "http://127.0.0.1:8000/accounts/invitation/x/y/",
}


@pytest.fixture
def log(tmp_path):
    path = tmp_path / "worker.log"
    yield path
    if path.exists():  # shown when a test fails
        print(path.read_text())


def queue_invitation(address: str) -> OutboxMessage:
    mail_queue(template="invitation", context=INVITATION, recipients=[address])
    return OutboxMessage.objects.get(to=address)


def job_for(message: OutboxMessage) -> ProcrastinateJob:
    return ProcrastinateJob.objects.get(args__message_id=message.pk)


def tick_the_stalled_job_retry() -> None:
    """Queue the periodic job as its cron would, unless a worker's scheduler did already."""
    waiting = ProcrastinateJob.objects.filter(task_name=retry_stalled_jobs.name, status="todo")
    if not waiting.exists():
        retry_stalled_jobs.defer(timestamp=int(time.time()))


def test_retry_delay_doubles_up_to_a_minute():
    assert [mail_retry_delay(n) for n in range(1, 9)] == [2, 4, 8, 16, 32, 60, 60, 60]


def test_a_job_deferred_in_a_rolled_back_transaction_leaves_no_row_and_never_runs(log):
    port = free_port()

    def queue_then_fail():
        with transaction.atomic():
            mail_queue(template="invitation", context=INVITATION, recipients=["lost@example.com"])
            raise RuntimeError("the work that caused the e-mail fails")

    with pytest.raises(RuntimeError):
        queue_then_fail()
    kept = queue_invitation("kept@example.com")  # committed: the worker must send this one

    assert list(OutboxMessage.objects.values_list("to", flat=True)) == ["kept@example.com"]
    assert list(ProcrastinateJob.objects.values_list("args", flat=True)) == [
        {"message_id": kept.pk}
    ]
    with SMTPServer(port) as server:
        run_worker_once(port, log)

    assert server.recipients == ["kept@example.com"]


def test_a_worker_killed_mid_job_leaves_a_job_the_stalled_retry_runs_once(log):
    port = free_port()
    message = queue_invitation("ada@example.com")
    with SMTPServer(port) as server:
        server.recorder.hold = True  # the first delivery hangs in DATA
        worker = start_worker(port, log)
        try:
            assert server.recorder.holding.wait(timeout=30), "the worker never reached SMTP"
            os.kill(worker.pid, signal.SIGKILL)
            worker.wait(timeout=10)
        finally:
            stop_worker(worker)
        server.recorder.release.set()

        job = job_for(message)
        assert (job.status, job.attempts) == ("doing", 0)
        # The dead worker's heartbeat stops; Procrastinate counts it stalled after 30 s.
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE procrastinate_workers SET last_heartbeat = now() - interval '1 minute'"
            )
        # The periodic job's next tick, run by another worker: it puts the job back to todo,
        # and that worker then sends the message.
        tick_the_stalled_job_retry()
        run_worker_once(port, log, queues="housekeeping,mail")
        # A second run of both finds nothing stalled and nothing to send.
        tick_the_stalled_job_retry()
        run_worker_once(port, log, queues="housekeeping,mail")

    assert server.recipients == ["ada@example.com"]
    assert job_for(message).status == "succeeded"
    retries = ProcrastinateJob.objects.filter(task_name=retry_stalled_jobs.name)
    assert set(retries.values_list("status", flat=True)) == {"succeeded"}
    message.refresh_from_db()
    # The killed attempt rolled back with its connection: one attempt, one e-mail.
    assert (message.status, message.attempts) == ("sent", 1)


def test_retries_back_off_while_the_mail_server_is_down(log):
    port = free_port()  # nothing listens there
    message = queue_invitation("ada@example.com")

    delays = []
    for attempt in (1, 2):
        run_worker_once(port, log)
        message.refresh_from_db()
        job = job_for(message)
        assert (message.status, message.attempts, job.status, job.attempts) == (
            "pending",
            attempt,
            "todo",
            attempt,
        )
        assert message.last_error.startswith("ConnectionRefusedError:"), message.last_error
        delays.append((job.scheduled_at - message.last_attempt_at).total_seconds())
        time.sleep(max(0.0, (job.scheduled_at - timezone.now()).total_seconds()))

    assert [round(delay) for delay in delays] == [2, 4]


def test_two_jobs_for_one_message_send_it_once_and_the_second_never_waits_for_the_lock(log):
    port = free_port()
    message = queue_invitation("ada@example.com")
    outbox_resend(messages=[message])  # "send again" while it is pending: a second job
    first, second = ProcrastinateJob.objects.filter(args__message_id=message.pk).order_by("id")
    with SMTPServer(port) as server:
        server.recorder.hold, server.recorder.hold_reply = True, "250 OK"
        sending = start_worker(port, log)  # takes the first job and hangs in DATA
        try:
            assert server.recorder.holding.wait(timeout=30), "the worker never reached SMTP"
            # Another worker meanwhile: it must not wait for the row's lock (a worker that
            # hangs would hold it for long), nor take the job as done.
            started = time.monotonic()
            run_worker_once(port, log)
            assert time.monotonic() - started < 15
            second.refresh_from_db()
            assert (second.status, second.attempts) == ("todo", 1)

            server.recorder.release.set()
            wait_for(
                lambda: ProcrastinateJob.objects.filter(pk=first.pk, status="succeeded").exists(),
                timeout=30,
                what="the first job to finish",
            )
            second.refresh_from_db()
            time.sleep(max(0.0, (second.scheduled_at - timezone.now()).total_seconds()))
            wait_for(
                lambda: ProcrastinateJob.objects.filter(pk=second.pk, status="succeeded").exists(),
                timeout=30,
                what="the second job to find the message sent",
            )
        finally:
            stop_worker(sending)

    assert server.recipients == ["ada@example.com"]
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("sent", 1)


def test_send_again_while_a_worker_is_sending_waits_and_skips_the_message_it_sent(log):
    port = free_port()
    message = queue_invitation("ada@example.com")
    results = []

    def resend_in_own_connection():  # a staff member's request, beside the worker
        try:
            results.append(outbox_resend(messages=[message]))
        finally:
            connection.close()

    with SMTPServer(port) as server:
        server.recorder.hold, server.recorder.hold_reply = True, "250 OK"
        sending = start_worker(port, log)
        try:
            assert server.recorder.holding.wait(timeout=30), "the worker never reached SMTP"
            resend = threading.Thread(target=resend_in_own_connection)
            resend.start()  # waits for the row the worker holds
            time.sleep(0.5)
            assert results == []
            server.recorder.release.set()
            resend.join(timeout=30)
        finally:
            stop_worker(sending)

    [result] = results
    assert (result.queued, result.skipped_sent) == (0, 1)
    sent = OutboxMessage.objects.get(pk=message.pk)
    assert (sent.status, sent.sent_at is not None) == ("sent", True)
    assert ProcrastinateJob.objects.filter(args__message_id=message.pk).count() == 1
    assert server.recipients == ["ada@example.com"]
