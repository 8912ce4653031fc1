"""The jobs every app shares: sending the outbox, retrying stalled jobs, pruning.

Delivery is at least once (a worker may die after the work and before it records it), so
every job here is safe to run twice: it reads the row it is about and does nothing when that
work is done already.
"""

import logging
from datetime import timedelta

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from procrastinate import RetryDecision
from procrastinate.contrib.django import app
from procrastinate.retry import BaseRetryStrategy

from bootcamp.models import Notification, OutboxMessage

logger = logging.getLogger(__name__)

MAIL_RETRY_CAP_SECONDS = 60
# Jobs that fail for reasons other than the mail server (a bug, the database) stop after this.
OTHER_FAILURE_ATTEMPTS = 10


class MailNotSent(Exception):
    """The mail server refused or could not be reached; the job tries again later."""


def mail_retry_delay(attempt: int) -> int:
    """Seconds to wait after the attempt-th failure: 2, 4, 8, 16, 32, then 60 each time."""
    return min(2**attempt, MAIL_RETRY_CAP_SECONDS)


class MailRetry(BaseRetryStrategy):
    """Capped exponential back-off. mail_send itself gives up, marking the message failed,
    MAIL_RETRY_HOURS after it was queued, so this strategy sets no attempt limit of its own."""

    def get_retry_decision(self, *, exception, job):
        # job.attempts counts the attempts before this one.
        attempt = job.attempts + 1
        if not isinstance(exception, MailNotSent) and attempt >= OTHER_FAILURE_ATTEMPTS:
            return None
        return RetryDecision(retry_in={"seconds": mail_retry_delay(attempt)})


@app.task(name="bootcamp.mail_send", queue="mail", retry=MailRetry())
def mail_send(*, message_id: int) -> None:
    error = outbox_message_deliver(message_id=message_id)
    if error:
        raise MailNotSent(error)


def outbox_message_deliver(*, message_id: int) -> str:
    """Hand one pending message to the mail server; record the outcome on its row.

    Returns the error when it should be tried again, "" otherwise. The row stays locked while
    the server answers, so a second job for the same message (a "send again" click) waits and
    then finds it sent.
    """
    now = timezone.now()
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update()
            .filter(pk=message_id, status=OutboxMessage.Status.PENDING)
            .first()
        )
        if message is None:
            return ""  # sent or given up already, or pruned: nothing to do twice
        message.attempts += 1
        message.last_attempt_at = now
        try:
            connection = get_connection(settings.MAIL_DELIVERY_BACKEND, fail_silently=False)
            EmailMessage(
                message.subject,
                message.body,
                message.from_email,
                [message.to],
                connection=connection,
            ).send()
        except Exception as exc:  # a mail server fails in many ways (OSError, SMTPException…)
            message.last_error = f"{exc.__class__.__name__}: {exc}"[:2000]
            given_up = now - message.queued_at >= timedelta(hours=settings.MAIL_RETRY_HOURS)
            if given_up:
                message.status = OutboxMessage.Status.FAILED
                if message.template == "invitation":
                    _invitation_failed_notify(message=message)
            message.save(update_fields=["attempts", "last_attempt_at", "last_error", "status"])
            logger.warning("could not send outbox message %s: %s", message.pk, message.last_error)
            return "" if given_up else message.last_error
        message.status = OutboxMessage.Status.SENT
        message.sent_at = now
        message.save(update_fields=["attempts", "last_attempt_at", "status", "sent_at"])
    return ""


def _invitation_failed_notify(*, message: OutboxMessage) -> None:
    """Tell staff, in their inbox, that an invitation was given up on, linking the message in
    the admin (where "send again" is). No e-mail: mail is what is failing."""
    staff = get_user_model().objects.filter(is_staff=True, is_active=True)
    Notification.objects.bulk_create(
        Notification(
            user=user,
            kind=Notification.Kind.INVITATION_FAILED,
            text=f"The invitation to {message.to} could not be sent"[:300],
            url=reverse("admin:bootcamp_outboxmessage_change", args=[message.pk]),
        )
        for user in staff
    )


async def stalled_jobs_retry(job_manager) -> int:
    """Put the jobs of workers whose heartbeat stopped (killed, machine lost) back to `todo`.

    Procrastinate's documented recipe; returns how many were retried."""
    stalled = list(await job_manager.get_stalled_jobs())
    for job in stalled:
        await job_manager.retry_job(job)
    return len(stalled)


@app.periodic(cron="* * * * *")
@app.task(
    name="bootcamp.retry_stalled_jobs",
    queue="housekeeping",
    queueing_lock="retry_stalled_jobs",
    pass_context=True,
)
async def retry_stalled_jobs(context, timestamp: int) -> None:
    retried = await stalled_jobs_retry(context.app.job_manager)
    if retried:
        logger.warning("retried %d stalled job(s)", retried)


def outbox_prune(*, older_than) -> int:
    deleted, _ = OutboxMessage.objects.filter(
        status=OutboxMessage.Status.SENT, sent_at__lt=older_than
    ).delete()
    return deleted


def notifications_prune(*, older_than) -> int:
    deleted, _ = Notification.objects.filter(read_at__lt=older_than).delete()
    return deleted


PRUNERS = [outbox_prune, notifications_prune]


@app.periodic(cron="17 3 * * *")
@app.task(name="bootcamp.prune", queue="housekeeping", queueing_lock="prune", pass_context=True)
async def prune(context, timestamp: int) -> None:
    """Delete finished jobs and sent e-mails older than PRUNE_AFTER_DAYS (daily, 03:17)."""
    days = settings.PRUNE_AFTER_DAYS
    await context.app.job_manager.delete_old_jobs(
        nb_hours=days * 24, include_failed=True, include_cancelled=True, include_aborted=True
    )
    older_than = timezone.now() - timedelta(days=days)
    for pruner in PRUNERS:
        await sync_to_async(pruner)(older_than=older_than)
