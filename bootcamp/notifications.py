"""Notifications: one inbox row per person and event, and e-mail as each person prefers.

`notify()` is called by the services that cause an event, inside their transaction, so the
inbox rows and the e-mail commit (or roll back) with the work. Each user's preference for the
kind decides the e-mail: sent now, kept for the daily digest, or none.
"""

from urllib.parse import urlsplit

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.template import Context
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone

from bootcamp.mail import absolute_url, mail_queue
from bootcamp.models import (
    Delivery,
    Notification,
    NotificationDigest,
    NotificationKind,
    NotificationPreference,
    default_delivery,
)

Kind = NotificationKind

# The kinds each role hears about, in the order the preferences page lists them. An invitation
# that failed is told to staff in the inbox only (bootcamp.tasks): mail is what failed.
LEARNER_KINDS = [
    Kind.REVIEW_PUBLISHED,
    Kind.REPLY_POSTED,
    Kind.DUE_SOON,
    Kind.DUE_PASSED,
    Kind.CODE_UNCHANGED,
    Kind.READINESS,
]
MENTOR_KINDS = [
    Kind.SUBMISSION_ARRIVED,
    Kind.REPLY_POSTED,
    Kind.CLAIM_LAPSED,
    Kind.TAKEOVER_REQUESTED,
    Kind.MENTOR_DIGEST,
]


def _path(url: str) -> str:
    """The page a notification is about, as opening it shows in request.path."""
    return urlsplit(url).path or "/"


def _suffix(url: str) -> str:
    """What follows the path in `url`: its query and fragment, as written."""
    parts = urlsplit(url)
    return (f"?{parts.query}" if parts.query else "") + (
        f"#{parts.fragment}" if parts.fragment else ""
    )


def _subject(template: str, context: dict) -> str:
    """The e-mail's subject, which is also the inbox's one line: plain text, as mail_queue
    renders it (no HTML escaping; the inbox page escapes it when it shows it)."""
    rendered = get_template(f"emails/{template}_subject.txt").template.render(
        Context(context, autoescape=False)
    )
    return " ".join(rendered.split())


def notify(*, users, kind: str, template: str, context: dict, url: str) -> None:
    """Tell each of `users` about one event: an inbox row each, and e-mail as they prefer.

    `template` names templates/emails/<template>_subject.txt (also the inbox's one line) and
    _body.txt; they get `context` plus `url`, the page's absolute address. Two queries, and
    mail_queue's two when someone wants the e-mail now.
    """
    people = list({user.pk: user for user in users if user is not None}.values())
    if not people:
        return
    context = {**context, "url": absolute_url(url)}
    subject = _subject(template, context)
    chosen = dict(
        NotificationPreference.objects.filter(user__in=people, kind=kind).values_list(
            "user_id", "delivery"
        )
    )
    now = timezone.now()
    rows, immediately = [], []
    for user in people:
        delivery = chosen.get(user.pk, default_delivery(kind))
        rows.append(
            Notification(
                user=user,
                kind=kind,
                text=subject[:300],
                url=_path(url),
                url_suffix=_suffix(url),
                created_at=now,
                kept_for_digest=delivery == Delivery.DIGEST,
            )
        )
        if delivery == Delivery.IMMEDIATELY and user.is_active:
            immediately.append(user.email)
    Notification.objects.bulk_create(rows)
    mail_queue(template=template, context=context, recipients=immediately)


def notifications_mark_read(*, user, url: str) -> int:
    """Mark the user's unread notifications about the page at `url` read; returns how many."""
    return (
        Notification.objects.for_user(user)
        .unread()
        .filter(url=_path(url))
        .update(read_at=timezone.now())
    )


def notifications_mark_all_read(*, user) -> int:
    return Notification.objects.for_user(user).unread().update(read_at=timezone.now())


# --- Preferences ----------------------------------------------------------------------------


def preference_kinds(*, is_learner: bool, is_reviewer: bool) -> list[str]:
    """The kinds of notification a learner and/or a reviewer (mentor, staff) can receive."""
    kinds = list(LEARNER_KINDS) if is_learner else []
    if is_reviewer:
        kinds += [kind for kind in MENTOR_KINDS if kind not in kinds]
    return kinds


def notification_preferences(*, user, kinds) -> dict[str, str]:
    """The user's delivery for each kind, defaults filled in (one query)."""
    chosen = dict(
        NotificationPreference.objects.filter(user=user, kind__in=kinds).values_list(
            "kind", "delivery"
        )
    )
    return {kind: chosen.get(kind, default_delivery(kind)) for kind in kinds}


@transaction.atomic
def notification_preferences_set(*, user, deliveries: dict[str, str]) -> None:
    """Store the user's delivery for each kind given; idempotent."""
    for kind, delivery in deliveries.items():
        preference = NotificationPreference.objects.filter(user=user, kind=kind).first()
        preference = preference or NotificationPreference(user=user, kind=kind)
        preference.delivery = delivery
        preference.full_clean(validate_unique=False, validate_constraints=False)
        try:
            with transaction.atomic():
                preference.save()
        except IntegrityError:
            # The same form posted twice at once: the other request stored it first.
            NotificationPreference.objects.filter(user=user, kind=kind).update(delivery=delivery)


# --- The daily digest -----------------------------------------------------------------------


def notifications_send_digests(*, now=None) -> int:
    """One e-mail per user with the notifications kept for their digest; returns how many.

    Idempotent per user and day: the NotificationDigest row of (user, day) is created once,
    and a second run on the same day (or one running beside this) finds it and sends nothing.
    Notifications kept after today's digest went out wait for tomorrow's.
    """
    now = now or timezone.now()
    day = timezone.localdate(now)
    due = Notification.objects.filter(kept_for_digest=True, digest__isnull=True)
    user_ids = sorted(set(due.values_list("user_id", flat=True)))
    users = get_user_model().objects.in_bulk(user_ids)
    sent = 0
    for user_id in user_ids:
        if _digest_send(user=users[user_id], day=day, now=now):
            sent += 1
    return sent


@transaction.atomic
def _digest_send(*, user, day, now) -> bool:
    try:
        with transaction.atomic():
            digest = NotificationDigest.objects.create(user=user, day=day, created_at=now)
    except IntegrityError:
        return False  # today's digest went out already
    items = list(
        Notification.objects.select_for_update()
        .filter(user=user, kept_for_digest=True, digest__isnull=True)
        .order_by("created_at", "pk")
    )
    if not items:
        transaction.set_rollback(True)
        return False
    Notification.objects.filter(pk__in=[item.pk for item in items]).update(digest=digest)
    if user.is_active:
        mail_queue(
            template="digest",
            context={
                "items": [
                    {"text": item.text, "url": absolute_url(item.get_absolute_url())}
                    for item in items
                ],
                "inbox_url": absolute_url(reverse("learners:notifications")),
            },
            recipients=[user.email],
        )
    return True
