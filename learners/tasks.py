"""learners' jobs.

- Fetching and checking repository snapshots, on the `repositories` queue, whose own workers
  keep a slow fetch from delaying any e-mail. One job per learner: it takes every pending
  snapshot of theirs, oldest first. Its queueing lock keeps at most one such job waiting per
  learner (a second submission finds it queued and is taken by it), and its lock runs one at a
  time per learner, so one learner's many pushes cannot fill the workers. Idempotent:
  snapshot_take leaves anything not pending alone.
- Periodic: snapshots pending too long with no job queued again (every minute), lapsing
  claims and the daily digest, each safe to run twice. (The digest is bootcamp's, scheduled
  here: bootcamp's tasks.py is imported by its mail module, which the digest itself needs.)
"""

import logging

from procrastinate.contrib.django import app

from bootcamp.notifications import notifications_send_digests
from learners.reminders import learner_reminders_send
from learners.services import submission_claims_lapse
from learners.snapshots import SNAPSHOT_TASK, snapshots_requeue, snapshots_take_for_learner

logger = logging.getLogger(__name__)


@app.task(name=SNAPSHOT_TASK, queue="repositories")
def snapshots_fetch(*, learner_id: int) -> None:
    snapshots_take_for_learner(learner_id=learner_id)


@app.periodic(cron="* * * * *")
@app.task(
    name="learners.snapshots_requeue",
    queue="housekeeping",
    queueing_lock="snapshots_requeue",
)
def snapshots_requeue_pending(timestamp: int) -> None:
    """Every minute: a fetch job again for snapshots that have waited too long with none."""
    snapshots_requeue()


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


@app.periodic(cron="5 * * * *")
@app.task(name="learners.reminders_send", queue="mail", queueing_lock="reminders_send")
def reminders_send(timestamp: int) -> None:
    """Hourly: due-date reminders to learners of each cohort whose REMINDER_HOUR has come in
    its time zone; once per learner and date, a missed one at the next run (learners.reminders)."""
    sent = learner_reminders_send()
    if sent:
        logger.info("%d due-date reminder(s) sent", sent)
