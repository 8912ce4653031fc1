"""The mail outbox: every e-mail is a row written in the transaction of the work that caused
it, and a job on the `mail` queue sends it (bootcamp/tasks.py). Nothing is sent for work that
rolls back; a mail server that is down delays mail and loses none."""

from dataclasses import dataclass

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.template import Context
from django.template.loader import get_template
from django.utils import timezone

from bootcamp.models import OutboxMessage
from bootcamp.tasks import mail_send


def absolute_url(path: str) -> str:
    """Links in e-mails come from SITE_URL only: there is no request after the fact."""
    return f"{settings.SITE_URL}{path}"


def _render(name: str, context: dict) -> str:
    # Plain text: no HTML escaping, so "Ada & Grace" stays as written.
    return get_template(name).template.render(Context(context, autoescape=False))


@transaction.atomic
def mail_queue(*, template: str, context: dict, recipients: list[str]) -> None:
    """Render templates/emails/<template>_subject.txt and _body.txt and queue one message per
    recipient, in the current transaction (each with its job on the `mail` queue).

    The subject gets bootcamp's prefix, so people can filter its mail. Empty and repeated
    addresses are dropped."""
    addresses = sorted({address.strip() for address in recipients if address and address.strip()})
    if not addresses:
        return
    context = {"site_url": settings.SITE_URL, **context}
    subject = " ".join(_render(f"emails/{template}_subject.txt", context).split())
    body = _render(f"emails/{template}_body.txt", context).strip() + "\n"
    _queue(
        template=template,
        subject=f"{settings.EMAIL_SUBJECT_PREFIX}{subject}",
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipients=addresses,
    )


def _queue(*, template, subject, body, from_email, recipients) -> list[OutboxMessage]:
    now = timezone.now()
    messages = [
        OutboxMessage(
            template=template,
            to=address,
            from_email=from_email,
            subject=subject,
            body=body,
            queued_at=now,
        )
        for address in recipients
    ]
    for message in messages:
        # Addresses are checked where they are entered; the database checks the constraints
        # on INSERT (validating them here would cost two queries per message).
        message.full_clean(exclude=["to"], validate_constraints=False)
    OutboxMessage.objects.bulk_create(messages)
    # The Django connector defers on Django's own connection: the job rows commit or roll
    # back with the messages. One INSERT for all of them.
    mail_send.batch_defer(*({"message_id": message.pk} for message in messages))
    return messages


@dataclass
class ResendResult:
    queued: int = 0
    skipped_sent: int = 0


@transaction.atomic
def outbox_resend(*, messages) -> ResendResult:
    """Staff's "send again": failed and pending messages go back to pending with a fresh retry
    window and a new job; sent ones are left alone (and counted as skipped).

    The rows are locked first, so a worker sending one of them right now finishes before this
    reads its status: a message it has just sent is skipped, never sent twice."""
    ids = [message.pk for message in messages]
    resendable = [OutboxMessage.Status.FAILED, OutboxMessage.Status.PENDING]
    locked = list(
        OutboxMessage.objects.select_for_update()
        .filter(pk__in=ids)
        .order_by("pk")
        .values_list("pk", "status")
    )
    chosen = [pk for pk, status in locked if status in resendable]
    if chosen:
        OutboxMessage.objects.filter(pk__in=chosen, status__in=resendable).update(
            status=OutboxMessage.Status.PENDING, queued_at=timezone.now()
        )
        mail_send.batch_defer(*({"message_id": message_id} for message_id in chosen))
    skipped = sum(1 for _, status in locked if status == OutboxMessage.Status.SENT)
    return ResendResult(queued=len(chosen), skipped_sent=skipped)


class OutboxBackend(BaseEmailBackend):
    """EMAIL_BACKEND for mail Django sends itself (password reset): into the outbox too.

    The outbox keeps plain text only: a message with HTML alternatives or attachments is
    refused (ValueError) rather than sent without them. Django's password reset sends plain
    text unless an html_email_template_name is given, which we never do."""

    def send_messages(self, email_messages):
        with transaction.atomic():
            for message in email_messages:
                extras = getattr(message, "alternatives", None) or message.attachments
                if extras or message.content_subtype != "plain":
                    raise ValueError(
                        "The outbox sends plain text only: no HTML alternatives or attachments."
                    )
                _queue(
                    template="django",
                    subject=message.subject,
                    body=message.body,
                    from_email=message.from_email or settings.DEFAULT_FROM_EMAIL,
                    recipients=sorted(set(message.recipients())),
                )
        return len(email_messages)
