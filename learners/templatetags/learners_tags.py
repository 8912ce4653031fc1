from datetime import timedelta

from django import template
from django.utils import timezone
from django.utils.timesince import timesince

register = template.Library()


@register.filter
def ago(moment, now=None):
    """When something happened, in words: "just now" under a minute ("0 minutes ago" reads as a
    fault), else "3 hours, 5 minutes ago"."""
    if moment is None:
        return ""
    now = now or timezone.now()
    if now - moment < timedelta(minutes=1):
        return "just now"
    return f"{timesince(moment, now)} ago"
