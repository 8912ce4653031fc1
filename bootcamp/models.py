"""What every app shares: the in-app notifications, their per-kind preferences and digests."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class NotificationKind(models.TextChoices):
    REVIEW_PUBLISHED = "review_published", "A review of my work was published"
    REPLY_POSTED = "reply_posted", "Someone replied on a submission I take part in"
    SUBMISSION_ARRIVED = "submission_arrived", "Work arrived in my review queue"
    CLAIM_LAPSED = "claim_lapsed", "A claim of mine lapsed"
    INVITATION_FAILED = "invitation_failed", "An invitation could not be sent"


class Delivery(models.TextChoices):
    IMMEDIATELY = "immediately", "E-mail me each one"
    DIGEST = "digest", "One daily digest e-mail"
    OFF = "off", "No e-mail (the inbox only)"


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
        return self.url


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
