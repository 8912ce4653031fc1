import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from procrastinate.contrib.django.models import ProcrastinateJob

from bootcamp.models import Notification, NotificationPreference, OutboxMessage
from learners.models import Iteration, Membership, Submission
from tests.factories import MembershipFactory, UserFactory

WORK = {"repo_url": "https://github.com/ada/tasks", "commit_sha": "abcdef1", "notes": ""}


class FailingBackend(BaseEmailBackend):
    """A mail server that is down."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPException("connection refused")


@pytest.fixture
def second_mentor(cohort):
    user = UserFactory(username="barbara", email="barbara@example.com")
    MembershipFactory(cohort=cohort, user=user, role=Membership.Role.MENTOR)
    return user


def mail_each_submission(*user_ids):
    """Mentors hear of new work in a daily digest unless they choose an e-mail for each."""
    for user_id in user_ids:
        NotificationPreference.objects.create(
            user_id=user_id,
            kind=Notification.Kind.SUBMISSION_ARRIVED,
            delivery=NotificationPreference.Delivery.IMMEDIATELY,
        )


def test_mentors_are_not_mailed_each_submission_by_default(client_for, learner, mentor, project):
    client_for(learner).post(f"/projects/{project.slug}/submit/", WORK)

    assert OutboxMessage.objects.count() == 0
    [note] = Notification.objects.all()
    assert (note.user, note.kept_for_digest) == (mentor, True)


def test_submitting_queues_one_message_and_one_mail_job_per_mentor_of_the_cohort(
    client_for, learner, mentor, second_mentor, other_mentor, project, settings
):
    mail_each_submission(*Membership.objects.filter(role="mentor").values_list("user", flat=True))
    client_for(learner).post(f"/projects/{project.slug}/submit/", WORK)

    submission = Submission.objects.get()
    messages = list(OutboxMessage.objects.order_by("to"))
    assert [(m.to, m.status, m.template) for m in messages] == [
        ("barbara@example.com", "pending", "submission_new"),
        ("linus@example.com", "pending", "submission_new"),
    ]
    name = learner.get_full_name()
    assert (
        messages[0].subject == f"[bootcamp] {name} submitted the project “Task manager” for review"
    )
    assert messages[0].body == (
        "Hello,\n\n"
        f"{name} has submitted the project “Task manager” for review, in Demo cohort.\n\n"
        "The repository is at https://github.com/ada/tasks\n\n"
        "You can claim it and review it from this page:\n"
        f"{settings.SITE_URL}/submissions/{submission.pk}/\n"
    )
    jobs = ProcrastinateJob.objects.filter(
        args__message_id__in=[m.pk for m in messages], task_name="bootcamp.mail_send"
    ).order_by("id")
    assert [(j.queue_name, j.task_name, j.status, j.args) for j in jobs] == [
        ("mail", "bootcamp.mail_send", "todo", {"message_id": m.pk}) for m in messages
    ]
    assert mail.outbox == []  # the worker sends, not the request


def test_the_mail_job_sends_each_message_once(
    client_for, learner, mentor, second_mentor, project, deliver_mail
):
    mail_each_submission(*Membership.objects.filter(role="mentor").values_list("user", flat=True))
    client_for(learner).post(f"/projects/{project.slug}/submit/", WORK)

    deliver_mail()
    deliver_mail()  # a job run twice (at-least-once delivery) sends nothing more

    assert sorted(message.to for message in mail.outbox) == [
        ["barbara@example.com"],
        ["linus@example.com"],
    ]
    assert list(OutboxMessage.objects.values_list("status", "attempts")) == [("sent", 1)] * 2


def test_resubmitting_mails_the_mentors_with_the_iteration(
    client_for, learner, mentor, make_submission, deliver_mail
):
    submission = make_submission(status=Submission.Status.CHANGES_REQUESTED)

    mail_each_submission(*Membership.objects.filter(role="mentor").values_list("user", flat=True))
    client_for(learner).post(f"/submissions/{submission.pk}/resubmit/", WORK)
    deliver_mail()

    [message] = mail.outbox
    name = learner.get_full_name()
    assert message.to == [mentor.email]
    assert (
        message.subject == f"[bootcamp] {name} resubmitted the project “Task manager” (iteration 2)"
    )
    assert (
        f"{name} has resubmitted the project “Task manager” in Demo cohort: this is iteration 2."
        in (message.body)
    )


def test_a_failing_mail_server_keeps_the_message_pending_with_its_error(
    client_for, learner, mentor, project, settings, deliver_mail
):
    settings.MAIL_DELIVERY_BACKEND = "tests.learners.test_mail.FailingBackend"

    mail_each_submission(*Membership.objects.filter(role="mentor").values_list("user", flat=True))
    response = client_for(learner).post(f"/projects/{project.slug}/submit/", WORK)
    deliver_mail()

    submission = Submission.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/submissions/{submission.pk}/"
    assert Iteration.objects.filter(submission=submission).count() == 1
    assert mail.outbox == []
    assert list(OutboxMessage.objects.values_list("status", "attempts", "last_error")) == [
        ("pending", 1, "SMTPException: connection refused")
    ]
