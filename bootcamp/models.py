"""Models every app shares: the mail outbox, and the in-app notifications with their per-kind
preferences and digests. bootcamp imports no app: outbox rows name people by address only,
notifications by the user model."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class OutboxMessage(models.Model):
    """One e-mail to one recipient, written in the transaction of the work that caused it and
    sent by the `bootcamp.tasks.mail_send` job."""

    class Status(models.TextChoices):
        PENDING = "pending", "pending"
        SENT = "sent", "sent"
        FAILED = "failed", "failed"

    template = models.CharField(max_length=100, help_text="The templates/emails/ name.")
    to = models.EmailField(max_length=320)
    from_email = models.CharField(max_length=320)
    subject = models.CharField(max_length=998)
    body = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Retries stop MAIL_RETRY_HOURS after this; "send again" in the admin moves it to now.
    queued_at = models.DateTimeField()
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "outbox message"
        ordering = ("-created_at", "-pk")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["pending", "sent", "failed"]),
                name="outboxmessage_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(status="sent", sent_at__isnull=False) | ~Q(status="sent"),
                name="outboxmessage_sent_has_sent_at",
            ),
        ]
        indexes = [
            # The pruning job: sent messages older than PRUNE_AFTER_DAYS.
            models.Index(fields=["status", "sent_at"], name="outbox_status_sent_at_idx"),
        ]

    def __str__(self):
        return f"{self.subject} → {self.to}"


class NotificationKind(models.TextChoices):
    REVIEW_PUBLISHED = "review_published", "A review of my work was published"
    REPLY_POSTED = "reply_posted", "Someone replied on a submission I take part in"
    SUBMISSION_ARRIVED = "submission_arrived", "Work arrived in my review queue"
    CLAIM_LAPSED = "claim_lapsed", "A claim of mine lapsed"
    TAKEOVER_REQUESTED = "takeover_requested", "Another mentor asked to take over my claim"
    INVITATION_FAILED = "invitation_failed", "An invitation could not be sent"
    DUE_SOON = "due_soon", "A stage or project of mine is due within two days"
    DUE_PASSED = "due_passed", "A due date of mine passed"
    MENTOR_DIGEST = "mentor_digest", "Daily: overdue reviews and learners at risk"
    CODE_UNCHANGED = "code_unchanged", "A resubmission of mine had no code changed"
    READINESS = "readiness", "A mock interview or a sign-off of mine was published"


class Delivery(models.TextChoices):
    IMMEDIATELY = "immediately", "E-mail me each one"
    DIGEST = "digest", "One daily digest e-mail"
    OFF = "off", "No e-mail (the inbox only)"


# Kinds that are a daily digest themselves, one message a day: "each one" and "in the daily
# digest" would be the same e-mail, so they are e-mailed (as they come) or not.
DIGEST_KINDS = frozenset({NotificationKind.MENTOR_DIGEST})
DIGEST_KIND_CHOICES = [
    (Delivery.IMMEDIATELY.value, "E-mail it to me each day"),
    (Delivery.OFF.value, Delivery.OFF.label),
]


def delivery_choices(kind: str) -> list[tuple[str, str]]:
    """The deliveries a user may choose for `kind`, as the preferences form offers them."""
    return DIGEST_KIND_CHOICES if kind in DIGEST_KINDS else Delivery.choices


class NotificationDigest(models.Model):
    """One daily digest e-mail to one user: the row makes sending it once per day certain."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_digests"
    )
    day = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "day"], name="bootcamp_digest_once_a_day"),
        ]

    def __str__(self):
        return f"Digest for {self.user} on {self.day}"


class NotificationQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(user=user)

    def unread(self):
        return self.filter(read_at__isnull=True)

    def for_inbox(self, user):
        """The inbox page: the user's own, newest first (one query per page of rows)."""
        return self.for_user(user).order_by("-created_at", "-pk")


class Notification(models.Model):
    Kind = NotificationKind

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    text = models.CharField(max_length=300)
    # A path on this site (no host, no fragment): opening that page marks this read.
    url = models.CharField("URL", max_length=500)
    # What the e-mail's link adds to the path to open the very spot, such as an earlier
    # review's comment ("?review=3#comment-9"); the inbox links the same.
    url_suffix = models.CharField("URL query and fragment", max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    # Kept for the user's daily digest e-mail; `digest` is set once it went out in one.
    kept_for_digest = models.BooleanField(default=False)
    digest = models.ForeignKey(
        NotificationDigest,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notifications",
    )

    objects = NotificationQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=NotificationKind.values),
                name="bootcamp_notification_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(url__startswith="/"), name="bootcamp_notification_url_is_path"
            ),
        ]
        indexes = [
            # The inbox, newest first.
            models.Index(fields=["user", "-created_at"], name="bootcamp_notif_inbox"),
            # The unread count in the navigation and "opening a page marks it read".
            models.Index(
                fields=["user", "url"],
                condition=Q(read_at__isnull=True),
                name="bootcamp_notif_unread",
            ),
            # The daily digest: what is kept and not yet sent.
            models.Index(
                fields=["user"],
                condition=Q(kept_for_digest=True, digest__isnull=True),
                name="bootcamp_notif_digest_due",
            ),
        ]

    def __str__(self):
        return f"{self.user}: {self.text}"

    def get_absolute_url(self):
        return f"{self.url}{self.url_suffix}"


class NotificationPreference(models.Model):
    """How one user hears about one kind of notification; no row means the kind's default."""

    Delivery = Delivery

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    kind = models.CharField(max_length=30, choices=NotificationKind.choices)
    delivery = models.CharField(max_length=20, choices=Delivery.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="bootcamp_preference_unique"),
            models.CheckConstraint(
                condition=Q(kind__in=NotificationKind.values),
                name="bootcamp_preference_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(delivery__in=Delivery.values),
                name="bootcamp_preference_delivery_valid",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=sorted(DIGEST_KINDS), delivery=Delivery.DIGEST),
                name="bootcamp_preference_digest_kind_not_digested",
            ),
        ]

    def __str__(self):
        return f"{self.user}: {self.get_kind_display()} — {self.get_delivery_display()}"


# New submissions reach every mentor of a cohort: one e-mail each would bury them, so the
# default is a daily digest. Everything else concerns the user alone and goes at once.
DEFAULT_DELIVERY = {
    NotificationKind.SUBMISSION_ARRIVED: Delivery.DIGEST,
}


def default_delivery(kind: str) -> str:
    return DEFAULT_DELIVERY.get(kind, Delivery.IMMEDIATELY)
