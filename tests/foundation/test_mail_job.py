"""The mail job's edges: "send again" on sent mail, failures that are not the mail server's,
permanent refusals (aiosmtpd on loopback), what the outbox refuses, the periodic jobs."""

from datetime import timedelta

import pytest
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone
from procrastinate.contrib.django import app
from procrastinate.contrib.django.models import ProcrastinateJob
from procrastinate.jobs import Job

from bootcamp.mail import OutboxBackend
from bootcamp.models import OutboxMessage
from bootcamp.tasks import MailRetry, outbox_message_deliver, prune, retry_stalled_jobs
from tests.factories import OutboxMessageFactory
from tests.foundation.jobs import SMTPServer, free_port

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/bootcamp/outboxmessage/"


def test_send_again_requeues_failed_and_pending_and_leaves_sent_mail_alone(client_for, staff):
    sent_at = timezone.now() - timedelta(hours=1)
    sent = OutboxMessageFactory(status="sent", sent_at=sent_at, attempts=1)
    failed = OutboxMessageFactory(status="failed", attempts=40)
    pending = OutboxMessageFactory(status="pending", attempts=2)
    jobs_before = ProcrastinateJob.objects.count()

    response = client_for(staff).post(
        CHANGELIST,
        {"action": "send_again", "_selected_action": [sent.pk, failed.pk, pending.pk]},
        follow=True,
    )

    assert [str(m) for m in response.context["messages"]] == [
        "2 messages queued again. 1 skipped: it was sent already."
    ]
    sent.refresh_from_db()
    assert (sent.status, sent.sent_at) == ("sent", sent_at)
    assert set(OutboxMessage.objects.values_list("pk", "status")) == {
        (sent.pk, "sent"),
        (failed.pk, "pending"),
        (pending.pk, "pending"),
    }
    new_jobs = ProcrastinateJob.objects.order_by("id")[jobs_before:]
    assert sorted(job.args["message_id"] for job in new_jobs) == sorted([failed.pk, pending.pk])


def test_a_mail_job_failing_for_another_reason_keeps_retrying_through_its_window():
    # Not the mail server (the database away, a bug): before, the job gave up after 10
    # attempts and left its message pending for ever. 1,439 attempts a minute apart is a day.
    for attempts in (9, 10, 100, 1439):
        job = Job(
            queue="mail",
            lock=None,
            queueing_lock=None,
            task_name="bootcamp.mail_send",
            attempts=attempts,
        )
        decision = MailRetry().get_retry_decision(exception=RuntimeError("db away"), job=job)
        assert decision is not None, attempts
        assert decision.retry_at - timezone.now() <= timedelta(seconds=60), attempts


@pytest.fixture
def smtp(settings):
    port = free_port()
    settings.MAIL_DELIVERY_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    with SMTPServer(port) as server:
        yield server


def test_a_recipient_the_server_refuses_for_good_is_marked_failed_at_once(smtp):
    smtp.recorder.refuse = {
        "nobody@example.com": "550 5.1.1 no such user",
        "full@example.com": "452 4.2.2 mailbox full",
    }
    gone = OutboxMessageFactory(to="nobody@example.com")
    later = OutboxMessageFactory(to="full@example.com")

    assert outbox_message_deliver(message_id=gone.pk) == ""  # no retry
    assert outbox_message_deliver(message_id=later.pk).startswith("SMTPRecipientsRefused:")

    gone.refresh_from_db()
    later.refresh_from_db()
    assert (gone.status, gone.attempts) == ("failed", 1)
    assert gone.last_error == (
        "SMTPRecipientsRefused: {'nobody@example.com': (550, b'5.1.1 no such user')}"
    )
    assert (later.status, later.attempts) == ("pending", 1)
    assert smtp.recorder.messages == []


def test_the_outbox_backend_refuses_html_and_attachments_rather_than_drop_them():
    html = EmailMultiAlternatives("Hi", "text", to=["ada@example.com"])
    html.attach_alternative("<p>text</p>", "text/html")
    attached = EmailMultiAlternatives("Hi", "text", to=["ada@example.com"])
    attached.attach("notes.txt", "some notes", "text/plain")

    for message in (html, attached):
        with pytest.raises(ValueError, match="plain text only"):
            OutboxBackend().send_messages([message])

    assert OutboxMessage.objects.count() == 0


def test_the_housekeeping_jobs_are_registered_with_their_schedules():
    schedules = {
        periodic.task.name: periodic.cron
        for periodic in app.periodic_registry.periodic_tasks.values()
    }

    assert schedules[retry_stalled_jobs.name] == "* * * * *"
    assert schedules[prune.name] == "17 3 * * *"
