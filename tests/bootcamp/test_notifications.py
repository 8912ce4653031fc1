"""notify(): an inbox row per person, e-mail as each prefers, all inside the caller's
transaction; and the events that call it."""

import datetime

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from bootcamp.models import Notification, NotificationPreference, OutboxMessage
from bootcamp.notifications import notifications_send_digests, notify
from bootcamp.tasks import notifications_prune
from learners.models import Submission
from reviews.models import Review
from reviews.services import reply_create, review_publish
from tests.factories import IterationFactory, ProjectFactory, SubmissionFactory, UserFactory
from tests.learners.test_concurrency import run_together

Kind = Notification.Kind
Delivery = NotificationPreference.Delivery


def _prefer(user, kind, delivery):
    NotificationPreference.objects.create(user=user, kind=kind, delivery=delivery)


def _notify(users, kind=Kind.REPLY_POSTED):
    notify(
        users=users,
        kind=kind,
        template="reply_new",
        context={
            "author": "Ada",
            "learner": "Ada",
            "project": "Task tracker",
            "to_learner": False,
            "body": "Done.",
        },
        url="/submissions/7/#conversation",
    )


def test_each_user_gets_an_inbox_row_and_mail_as_they_prefer(db, deliver_mail):
    now_person, digest_person, silent_person = UserFactory.create_batch(3)
    _prefer(digest_person, Kind.REPLY_POSTED, Delivery.DIGEST)
    _prefer(silent_person, Kind.REPLY_POSTED, Delivery.OFF)

    _notify([now_person, digest_person, silent_person, now_person])
    deliver_mail()

    rows = Notification.objects.order_by("user_id")
    assert [(n.user, n.text, n.url, n.kept_for_digest) for n in rows] == [
        (now_person, "Ada replied about their project “Task tracker”", "/submissions/7/", False),
        (digest_person, "Ada replied about their project “Task tracker”", "/submissions/7/", True),
        (silent_person, "Ada replied about their project “Task tracker”", "/submissions/7/", False),
    ]
    [message] = mail.outbox
    assert message.to == [now_person.email]
    assert message.subject == "[bootcamp] Ada replied about their project “Task tracker”"
    assert message.body == (
        "Ada replied about their project “Task tracker”:\n\nDone.\n\n"
        "You can answer on this page:\nhttp://127.0.0.1:8000/submissions/7/#conversation\n"
    )


@pytest.mark.django_db(transaction=True)
def test_a_notification_in_a_transaction_that_rolls_back_leaves_nothing():
    person = UserFactory()

    def failing_work():
        with transaction.atomic():
            _notify([person])
            raise RuntimeError("the work failed")

    with pytest.raises(RuntimeError):
        failing_work()

    assert Notification.objects.count() == 0
    assert OutboxMessage.objects.count() == 0


def test_new_submissions_reach_mentors_in_the_digest_by_default(db):
    mentor = UserFactory()

    _notify([mentor], kind=Kind.SUBMISSION_ARRIVED)
    _notify([mentor], kind=Kind.CLAIM_LAPSED)

    assert dict(Notification.objects.values_list("kind", "kept_for_digest")) == {
        Kind.SUBMISSION_ARRIVED: True,
        Kind.CLAIM_LAPSED: False,
    }


# --- the events -----------------------------------------------------------------------------


@pytest.fixture
def claimed(cohort, learner, mentor):
    learner.first_name, learner.last_name = "Ada", "Lovelace"
    learner.save()
    mentor.first_name, mentor.last_name = "Linus", "Torvalds"
    mentor.save()
    work = SubmissionFactory(
        learner=learner,
        cohort=cohort,
        project__title="Task tracker",
        status=Submission.Status.IN_REVIEW,
        claimed_by=mentor,
        claimed_at=timezone.now(),
    )
    IterationFactory(submission=work, number=1)
    return work


def test_a_published_review_tells_the_learner_only(claimed, learner, mentor, other_learner):
    review_publish(
        iteration=claimed.iterations.get(),
        mentor=mentor,
        summary="Lovely.",
        verdict=Review.Verdict.APPROVE,
        comments=[],
    )

    [note] = Notification.objects.all()
    assert (note.user, note.kind, note.text, note.url) == (
        learner,
        Kind.REVIEW_PUBLISHED,
        "Linus Torvalds reviewed your project “Task tracker”: approved",
        f"/submissions/{claimed.pk}/",
    )


def test_a_reply_tells_the_other_side_not_the_author(claimed, learner, mentor):
    reply_create(submission=claimed, author=learner, body="Fixed it.")
    reply_create(submission=claimed, author=mentor, body="Thanks.")

    assert list(Notification.objects.order_by("pk").values_list("user", "text")) == [
        (mentor.pk, "Ada Lovelace replied about their project “Task tracker”"),
        (learner.pk, "Linus Torvalds replied about your project “Task tracker”"),
    ]


def test_a_submission_tells_every_mentor_of_the_cohort(
    client_for, cohort, learner, mentor, other_mentor
):
    project = ProjectFactory()
    learner.first_name, learner.last_name = "Ada", "Lovelace"
    learner.save()
    client_for(learner).post(
        f"/projects/{project.slug}/submit/", {"repo_url": "https://github.com/ada/t"}
    )

    submission = Submission.objects.get()
    [note] = Notification.objects.all()
    assert (note.user, note.kind, note.text, note.url) == (
        mentor,
        Kind.SUBMISSION_ARRIVED,
        f"Ada Lovelace submitted the project “{project.title}” for review",
        f"/submissions/{submission.pk}/",
    )


# --- the daily digest -----------------------------------------------------------------------


def test_the_digest_sends_one_mail_per_user_once_a_day(db, deliver_mail):
    keen, busy = UserFactory.create_batch(2)
    for person in (keen, busy):
        _prefer(person, Kind.REPLY_POSTED, Delivery.DIGEST)
    _notify([keen, busy])
    _notify([busy])
    now = timezone.now()

    first = notifications_send_digests(now=now)
    _notify([busy])  # after today's digest: waits for tomorrow's
    again = notifications_send_digests(now=now)
    deliver_mail()

    assert (first, again) == (2, 0)
    assert sorted((m.to[0], m.subject) for m in mail.outbox) == sorted(
        [
            (keen.email, "[bootcamp] Your daily digest: 1 notification"),
            (busy.email, "[bootcamp] Your daily digest: 2 notifications"),
        ]
    )
    busy_mail = next(m for m in mail.outbox if m.to == [busy.email])
    # Each item links where its own e-mail would have: the page and the spot on it.
    assert (
        busy_mail.body.count(
            "- Ada replied about their project “Task tracker”\n"
            "  http://127.0.0.1:8000/submissions/7/#conversation\n"
        )
        == 2
    )
    assert "http://127.0.0.1:8000/notifications/" in busy_mail.body

    mail.outbox.clear()
    tomorrow = notifications_send_digests(now=now + datetime.timedelta(days=1))
    deliver_mail()
    assert tomorrow == 1
    [message] = mail.outbox
    assert (message.to, message.subject) == (
        [busy.email],
        "[bootcamp] Your daily digest: 1 notification",
    )


@pytest.mark.django_db(transaction=True)
def test_two_digest_runs_at_once_send_each_digest_once():
    people = UserFactory.create_batch(3)
    for person in people:
        _prefer(person, Kind.REPLY_POSTED, Delivery.DIGEST)
    _notify(people)

    results = run_together(notifications_send_digests, times=2)

    assert sum(results) == 3
    digests = OutboxMessage.objects.filter(template="digest")
    assert sorted(digests.values_list("to", flat=True)) == sorted(p.email for p in people)


def test_pruning_deletes_only_notifications_read_before_the_cutoff(db):
    person = UserFactory()
    now = timezone.now()
    old = now - datetime.timedelta(days=40)
    Notification.objects.create(
        user=person, kind=Kind.REPLY_POSTED, text="old", url="/", read_at=old
    )
    Notification.objects.create(
        user=person, kind=Kind.REPLY_POSTED, text="new", url="/", read_at=now
    )
    Notification.objects.create(user=person, kind=Kind.REPLY_POSTED, text="unread", url="/")

    assert notifications_prune(older_than=now - datetime.timedelta(days=30)) == 1
    assert sorted(Notification.objects.values_list("text", flat=True)) == ["new", "unread"]
