"""The jobs every app shares: sending the outbox, retrying stalled jobs, pruning.

Delivery is at least once (a worker may die after the work and before it records it), so
every job here is safe to run twice: it reads the row it is about and does nothing when that
work is done already.
"""

import logging
import smtplib
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


class MailNotSent(Exception):
    """The mail server refused or could not be reached, or another job is sending the same
    message right now; the job tries again later."""


def mail_retry_delay(attempt: int) -> int:
    """Seconds to wait after the attempt-th failure: 2, 4, 8, 16, 32, then 60 each time."""
    return min(2**attempt, MAIL_RETRY_CAP_SECONDS)


class MailRetry(BaseRetryStrategy):
    """Capped exponential back-off, whatever the failure. mail_send itself gives up, marking
    the message failed, MAIL_RETRY_HOURS after it was queued, so this strategy sets no attempt
    limit: a job failing for another reason (the database away, a bug) keeps its message
    pending and keeps trying, so the message is sent, or marked failed, once that is over."""

    def get_retry_decision(self, *, exception, job):
        # job.attempts counts the attempts before this one.
        return RetryDecision(retry_in={"seconds": mail_retry_delay(job.attempts + 1)})


@app.task(name="bootcamp.mail_send", queue="mail", retry=MailRetry())
def mail_send(*, message_id: int) -> None:
    error = outbox_message_deliver(message_id=message_id)
    if error:
        raise MailNotSent(error)


def _permanent(exc: Exception) -> bool:
    """A refusal the server means for good for this message (5xx to its sender, its
    recipient or its content): retrying it cannot succeed. A 5xx to our login or on
    connecting is about our configuration, not the message, and stays retried."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        return bool(codes) and all(code >= 500 for code in codes)
    refusals = (smtplib.SMTPSenderRefused, smtplib.SMTPDataError)
    return isinstance(exc, refusals) and exc.smtp_code >= 500


def outbox_message_deliver(*, message_id: int) -> str:
    """Hand one pending message to the mail server; record the outcome on its row.

    Returns the error when it should be tried again, "" otherwise. The row stays locked while
    the server answers. A second job for the same message (a "send again" click) does not wait
    for that lock, which a stuck worker might hold for long: it skips the row and, while the
    message is still pending, asks to be tried again later, when it finds the message sent.
    A permanent refusal (5xx, every recipient refused) marks the message failed at once.
    """
    now = timezone.now()
    with transaction.atomic():
        pending = OutboxMessage.objects.filter(pk=message_id, status=OutboxMessage.Status.PENDING)
        message = pending.select_for_update(skip_locked=True).first()
        if message is None:
            if pending.exists():
                return "Another job is sending this message; trying again later."
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
            given_up = _permanent(exc) or (
                now - message.queued_at >= timedelta(hours=settings.MAIL_RETRY_HOURS)
            )
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


@app.periodic(cron="* * * * *")
@app.task(
    name="bootcamp.retry_stalled_jobs",
    queue="housekeeping",
    queueing_lock="retry_stalled_jobs",
    pass_context=True,
)
async def retry_stalled_jobs(context, timestamp: int) -> None:
    """Put the jobs of workers whose heartbeat stopped (killed, machine lost) back to `todo`:
    Procrastinate's documented recipe."""
    job_manager = context.app.job_manager
    stalled = list(await job_manager.get_stalled_jobs())
    for job in stalled:
        await job_manager.retry_job(job)
    if stalled:
        logger.warning("retried %d stalled job(s)", len(stalled))


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
