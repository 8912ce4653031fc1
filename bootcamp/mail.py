"""E-mail that goes out after the transaction commits and never takes a request down."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

logger = logging.getLogger(__name__)


def absolute_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _send(subject: str, body: str, recipients: list[str]) -> None:
    try:
        send_mail(subject, body, None, recipients, fail_silently=False)
    except Exception:
        # The work is saved already; a mail server outage must not lose it or show a 500.
        logger.exception("could not send %r to %d recipient(s)", subject, len(recipients))


def send_after_commit(*, subject: str, body: str, recipients: list[str]) -> None:
    """Queue one plain-text e-mail for when the current transaction commits.

    Every subject gets the same prefix, so people can filter bootcamp's mail.
    """
    subject = f"{settings.EMAIL_SUBJECT_PREFIX}{subject}"
    recipients = sorted({address for address in recipients if address})
    if not recipients:
        return
    transaction.on_commit(lambda: _send(subject, body, recipients))
