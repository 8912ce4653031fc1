"""The outbox in the admin, its retry window, and pruning."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from procrastinate.contrib.django.models import ProcrastinateJob

from bootcamp.mail import mail_queue
from bootcamp.models import Notification, OutboxMessage
from bootcamp.tasks import outbox_message_deliver, prune
from tests.factories import OutboxMessageFactory, StaffFactory
from tests.foundation.jobs import free_port, job_deferred, run_worker_once

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/bootcamp/outboxmessage/"
DAY = 24 * 3600


def test_mail_queue_drops_empty_and_repeated_addresses_and_renders_without_escaping(
    mailoutbox, deliver_mail
):
    mail_queue(
        template="invitation",
        context={
            "cohort": "Ada & Grace <2026>",
            "role": "learner",
            "username": "ada",
            "days": 1,
            "url": "http://x/",
        },
        recipients=["ada@example.com", "", "ada@example.com", "  "],
    )
    deliver_mail()

    [message] = mailoutbox
    assert message.to == ["ada@example.com"]
    assert message.subject == "[bootcamp] You are invited to Ada & Grace <2026>"
    assert "only for the next 1 day; once you have chosen it you are logged in:\n" in message.body


def test_a_message_refused_for_longer_than_the_retry_window_is_marked_failed(settings):
    settings.MAIL_DELIVERY_BACKEND = "tests.learners.test_mail.FailingBackend"
    settings.MAIL_RETRY_HOURS = 24
    fresh = OutboxMessageFactory()
    old = OutboxMessageFactory(queued_at=timezone.now() - timedelta(hours=24, minutes=1))

    assert outbox_message_deliver(message_id=fresh.pk) == "SMTPException: connection refused"
    assert outbox_message_deliver(message_id=old.pk) == ""  # given up: no retry

    fresh.refresh_from_db()
    old.refresh_from_db()
    assert (fresh.status, fresh.attempts) == ("pending", 1)
    assert (old.status, old.attempts, old.last_error) == (
        "failed",
        1,
        "SMTPException: connection refused",
    )


def test_staff_see_the_outbox_with_attempts_and_errors(client_for, staff):
    OutboxMessageFactory(to="ada@example.com", attempts=3, last_error="OSError: down")

    page = client_for(staff).get(CHANGELIST)

    assert page.status_code == 200
    html = page.content.decode()
    assert "ada@example.com" in html
    assert "OSError: down" in html
    assert client_for(staff).get(f"{CHANGELIST}add/").status_code == 403


@pytest.mark.parametrize("who", ["learner", "mentor"])
def test_the_outbox_is_closed_to_non_staff(client_for, request, who):
    response = client_for(request.getfixturevalue(who)).get(CHANGELIST)

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_send_again_requeues_a_failed_message_with_a_fresh_window(client_for, staff, deliver_mail):
    failed = OutboxMessageFactory(
        status="failed", attempts=40, queued_at=timezone.now() - timedelta(days=2)
    )
    jobs_before = ProcrastinateJob.objects.count()

    response = client_for(staff).post(
        CHANGELIST, {"action": "send_again", "_selected_action": [failed.pk]}
    )

    assert response.status_code == 302
    failed.refresh_from_db()
    assert failed.status == "pending"
    assert timezone.now() - failed.queued_at < timedelta(minutes=1)
    assert ProcrastinateJob.objects.count() == jobs_before + 1
    deliver_mail()
    assert [m.to for m in mail.outbox] == [[failed.to]]
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == ("sent", 41)


@pytest.mark.django_db(transaction=True)
def test_prune_deletes_finished_jobs_and_sent_mail_older_than_the_setting(tmp_path):
    # The worker's PRUNE_AFTER_DAYS is the default, 30.
    now = timezone.now()
    old_sent = OutboxMessageFactory(status="sent", sent_at=now - timedelta(days=31))
    kept = [
        OutboxMessageFactory(status="sent", sent_at=now - timedelta(days=29)),
        OutboxMessageFactory(status="failed", queued_at=now - timedelta(days=90)),
        OutboxMessageFactory(status="pending", queued_at=now - timedelta(days=90)),
    ]
    old_jobs = [
        job_deferred(seconds_ago=31 * DAY, status="succeeded"),
        job_deferred(seconds_ago=31 * DAY, status="failed"),
    ]
    recent_job = job_deferred(seconds_ago=29 * DAY, status="succeeded")
    waiting = job_deferred(seconds_ago=31 * DAY)

    prune_job = prune.defer(timestamp=0)
    run_worker_once(free_port(), tmp_path / "worker.log", queues="housekeeping")

    assert not OutboxMessage.objects.filter(pk=old_sent.pk).exists()
    assert set(OutboxMessage.objects.values_list("pk", flat=True)) == {m.pk for m in kept}
    remaining = set(ProcrastinateJob.objects.values_list("id", flat=True))
    assert remaining.isdisjoint(old_jobs)
    assert {recent_job, waiting, prune_job} <= remaining


@pytest.mark.parametrize("count", [1, 5])
def test_mail_queue_costs_the_same_queries_for_one_recipient_or_many(
    count, django_assert_num_queries
):
    context = {"cohort": "Demo", "role": "learner", "username": "ada", "days": 1, "url": "/"}
    recipients = [f"p{n}@example.com" for n in range(count)]

    # SAVEPOINT, the messages' INSERT, the jobs' INSERT, RELEASE SAVEPOINT.
    with django_assert_num_queries(4):
        mail_queue(template="invitation", context=context, recipients=recipients)

    assert OutboxMessage.objects.count() == count


def test_an_invitation_given_up_on_tells_each_staff_member_in_their_inbox(settings, staff):
    settings.MAIL_DELIVERY_BACKEND = "tests.learners.test_mail.FailingBackend"
    settings.MAIL_RETRY_HOURS = 24
    other_staff = StaffFactory(username="other-staff")
    StaffFactory(username="gone", is_active=False)
    long_ago = timezone.now() - timedelta(hours=25)
    invitation = OutboxMessageFactory(to="new@example.com", queued_at=long_ago)
    reset = OutboxMessageFactory(template="password_reset", queued_at=long_ago)
    fresh = OutboxMessageFactory(to="soon@example.com")

    for message in (invitation, reset, fresh):
        outbox_message_deliver(message_id=message.pk)

    notes = Notification.objects.order_by("user__username")
    assert [(n.user, n.kind, n.text, n.url) for n in notes] == [
        (
            person,
            "invitation_failed",
            "The invitation to new@example.com could not be sent",
            f"/admin/bootcamp/outboxmessage/{invitation.pk}/change/",
        )
        for person in (other_staff, staff)
    ]
