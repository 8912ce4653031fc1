"""The periodic jobs of the people side: the lapse of old claims and the daily digest."""

import datetime

from django.utils import timezone
from procrastinate.contrib.django import app

from bootcamp.models import Notification, NotificationPreference, OutboxMessage
from learners.models import Submission
from learners.tasks import claims_lapse, digests_send
from tests.factories import SubmissionFactory, UserFactory


def test_the_lapse_runs_every_ten_minutes_and_the_digest_daily():
    schedule = {
        (periodic.task.name, periodic.task.queue, periodic.cron)
        for periodic in app.periodic_registry.periodic_tasks.values()
    }

    assert ("learners.claims_lapse", "housekeeping", "*/10 * * * *") in schedule
    assert ("learners.digests_send", "mail", "0 7 * * *") in schedule


def test_a_claim_left_longer_than_claim_hours_is_back_in_the_queue_after_the_job(
    cohort, mentor, settings
):
    settings.CLAIM_HOURS = 24
    work = SubmissionFactory(
        cohort=cohort,
        status=Submission.Status.IN_REVIEW,
        claimed_by=mentor,
        claimed_at=timezone.now() - datetime.timedelta(hours=25),
    )

    claims_lapse(timestamp=int(timezone.now().timestamp()))

    work.refresh_from_db()
    assert (work.status, work.claimed_by) == (Submission.Status.SUBMITTED, None)


def test_the_digest_job_queues_one_digest_per_user(db):
    person = UserFactory()
    NotificationPreference.objects.create(
        user=person, kind=Notification.Kind.REPLY_POSTED, delivery="digest"
    )
    Notification.objects.create(
        user=person,
        kind=Notification.Kind.REPLY_POSTED,
        text="A reply",
        url="/",
        kept_for_digest=True,
    )

    digests_send(timestamp=0)
    digests_send(timestamp=0)

    assert list(OutboxMessage.objects.values_list("to", "template")) == [(person.email, "digest")]
