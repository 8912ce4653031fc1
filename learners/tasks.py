"""Periodic jobs of the people side: lapsing claims and the daily digest. Delivery is at
least once: each is safe to run twice. (The digest is bootcamp's, scheduled here: bootcamp's
tasks.py is imported by its mail module, which the digest itself needs.)"""

import logging

from procrastinate.contrib.django import app

from bootcamp.notifications import notifications_send_digests
from learners.services import submission_claims_lapse

logger = logging.getLogger(__name__)


@app.periodic(cron="*/10 * * * *")
@app.task(name="learners.claims_lapse", queue="housekeeping", queueing_lock="claims_lapse")
def claims_lapse(timestamp: int) -> None:
    """Return claims older than CLAIM_HOURS to the queue. Two runs at once lapse each once
    (learners.services.submission_claims_lapse skips the rows another run holds)."""
    lapsed = submission_claims_lapse()
    if lapsed:
        logger.info("%d claim(s) lapsed", len(lapsed))


@app.periodic(cron="0 7 * * *")
@app.task(name="learners.digests_send", queue="mail", queueing_lock="digests_send")
def digests_send(timestamp: int) -> None:
    """Each user's daily digest (07:00): once per user and day, however often this runs."""
    notifications_send_digests()
