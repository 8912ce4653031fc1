from django.contrib import admin, messages
from django.utils.translation import ngettext

from bootcamp.mail import outbox_resend
from bootcamp.models import OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ("to", "subject", "status", "attempts", "created_at", "sent_at", "last_error")
    list_filter = ("status", "template")
    search_fields = ("to", "subject")
    date_hierarchy = "created_at"
    readonly_fields = (
        "template",
        "to",
        "from_email",
        "subject",
        "body",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "queued_at",
        "last_attempt_at",
        "sent_at",
    )
    actions = ("send_again",)

    def has_add_permission(self, request):
        return False

    @admin.action(description="Send again", permissions=["change"])
    def send_again(self, request, queryset):
        result = outbox_resend(messages=list(queryset))
        text = ngettext(
            "%(n)d message queued again.", "%(n)d messages queued again.", result.queued
        ) % {"n": result.queued}
        if result.skipped_sent:
            text += " " + ngettext(
                "%(n)d skipped: it was sent already.",
                "%(n)d skipped: they were sent already.",
                result.skipped_sent,
            ) % {"n": result.skipped_sent}
        level = messages.SUCCESS if result.queued else messages.WARNING
        self.message_user(request, text, level)
