"""When a claim lapses and when others may ask for it: arithmetic on `claimed_at`, no query,
so pages (reviews.selectors, reviews.views) and the writes in learners.services share it."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone


def claim_expires_at(claimed_at):
    """When a claim taken at `claimed_at` lapses."""
    return claimed_at + timedelta(hours=settings.CLAIM_HOURS)


def claim_is_idle(claimed_at, *, now=None) -> bool:
    """Whether another mentor may ask to take over a claim taken (or renewed) at `claimed_at`."""
    now = now or timezone.now()
    return claimed_at <= now - timedelta(hours=settings.TAKEOVER_IDLE_HOURS)
