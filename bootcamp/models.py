"""Models every app shares. bootcamp imports no app: these rows name people by address only."""

from django.db import models
from django.db.models import Q


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
