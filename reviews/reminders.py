"""The mentors' daily digest: each mentor of a cohort, once a day at REMINDER_HOUR in the
cohort's time zone, hears about its reviews overdue (no verdict after REVIEW_OVERDUE_HOURS)
and its learners at risk (reviews.overview.cohort_at_risk), when there is any, until the
cohort's last day. Once per mentor, cohort and day (learners.Reminder), through the inbox and
the e-mail each mentor chose.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from bootcamp.models import NotificationKind
from bootcamp.notifications import notify
from bootcamp.people import display_name
from learners.models import Membership, Reminder, Submission
from learners.reminders import each_cohort
from learners.services import reminder_record
from reviews.overview import UNREVIEWED, cohort_at_risk
from reviews.selectors import overdue_cutoff

User = get_user_model()


def mentor_digests_send(*, now=None) -> int:
    """Every cohort's mentor digests due now; returns how many went out. Idempotent."""
    return each_cohort(cohort_mentor_digest_send, now=now or timezone.now())


def cohort_mentor_digest_send(*, cohort, today, now) -> int:
    """The digests of one cohort's mentors for its local `today`; none after its last day (the
    learners' last reminders come a day later, not these). One query when every mentor has
    had today's already."""
    if today > cohort.ends_on:
        return 0
    about = f"cohort:{cohort.pk}"
    mentors = list(
        User.objects.filter(
            memberships__cohort=cohort,
            memberships__role=Membership.Role.MENTOR,
            is_active=True,
        )
        .exclude(
            pk__in=Reminder.objects.filter(
                kind=Reminder.Kind.MENTOR_DIGEST, about=about, day=today
            ).values("user_id")
        )
        .order_by("pk")
    )
    if not mentors:
        return 0
    overdue = list(
        Submission.objects.filter(
            cohort=cohort, status__in=UNREVIEWED, submitted_at__lt=overdue_cutoff(now)
        )
        .select_related("learner", "project", "claimed_by")
        .order_by("submitted_at", "pk")
    )
    at_risk = cohort_at_risk(cohort, now=now)
    if not overdue and not at_risk.count:
        return 0
    sent = 0
    for mentor in mentors:
        # Overdue: what waits for anyone, and what this mentor holds; not others' claims.
        theirs = [s for s in overdue if s.claimed_by_id in (None, mentor.pk)]
        if not theirs and not at_risk.count:
            continue
        context = {
            "cohort": cohort.name,
            "hours": settings.REVIEW_OVERDUE_HOURS,
            "overdue": [
                {
                    "learner": display_name(s.learner),
                    "project": s.project.title,
                    "yours": s.claimed_by_id == mentor.pk,
                    "days": (now - s.submitted_at).days,
                }
                for s in theirs
            ],
            "at_risk": [
                {"learner": display_name(user), "reasons": "; ".join(pace.reasons)}
                for user, pace in at_risk.learners
            ],
            "at_risk_count": at_risk.count,
        }
        if _digest_send(mentor=mentor, cohort=cohort, today=today, now=now, context=context):
            sent += 1
    return sent


@transaction.atomic
def _digest_send(*, mentor, cohort, today, now, context) -> bool:
    if not reminder_record(
        user=mentor,
        kind=Reminder.Kind.MENTOR_DIGEST,
        about=f"cohort:{cohort.pk}",
        day=today,
        now=now,
    ):
        return False
    notify(
        users=[mentor],
        kind=NotificationKind.MENTOR_DIGEST,
        template="mentor_digest",
        context=context,
        url=cohort.get_absolute_url(),
    )
    return True
