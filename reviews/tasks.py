"""reviews' jobs: the mentors' daily digest (reviews.reminders), hourly so that each cohort's
goes out at REMINDER_HOUR in its own time zone; once per mentor, cohort and day."""

import logging

from procrastinate.contrib.django import app

from reviews.reminders import mentor_digests_send

logger = logging.getLogger(__name__)


@app.periodic(cron="10 * * * *")
@app.task(name="reviews.mentor_digests_send", queue="mail", queueing_lock="mentor_digests_send")
def mentor_digests(timestamp: int) -> None:
    sent = mentor_digests_send()
    if sent:
        logger.info("%d mentor digest(s) sent", sent)
