"""How reviews' pages, messages and e-mails word things: a piece of work (the person, then
the project; never `str(submission)`, the admin's label), and a length of time.
"""

from datetime import timedelta

from django.utils import timezone
from django.utils.timesince import timesince

from bootcamp.people import display_name


def work_name(submission) -> str:
    """ "Learner 1's FastAPI CRUD app"; needs the submission's learner and project loaded."""
    return f"{display_name(submission.learner)}'s {submission.project.title}"


def duration(value, now=None):
    """A length of time in words, to its two largest units ("3 days, 5 hours", "4 hours"),
    "under a minute" rather than "0 minutes", which reads as a fault; "—" for none.

    `value` is a timedelta (a median wait) or a moment in the past (how long since then).
    The one time-humaniser of the project: the queue, the submission page, the cohort figures.
    """
    if value is None:
        return "—"
    now = now or timezone.now()
    since = now - value if isinstance(value, timedelta) else value
    if now - since < timedelta(minutes=1):
        return "under a minute"
    return timesince(since, now)
