import logging
import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend

from bootcamp.models import Notification, NotificationPreference
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


def mail_each_submission(*mentors):
    """Mentors hear of new work in a daily digest unless they choose an e-mail for each."""
    for user in mentors:
        NotificationPreference.objects.create(
            user=user,
            kind=Notification.Kind.SUBMISSION_ARRIVED,
            delivery=NotificationPreference.Delivery.IMMEDIATELY,
        )


def test_mentors_are_not_mailed_each_submission_by_default(
    client_for, learner, mentor, project, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client_for(learner).post(f"/projects/{project.slug}/submit/", WORK)

    assert mail.outbox == []
    [note] = Notification.objects.all()
    assert (note.user, note.kept_for_digest) == (mentor, True)


def test_mentors_of_the_cohort_are_mailed_after_commit(
    client_for,
    learner,
    mentor,
    second_mentor,
    other_mentor,
    project,
    settings,
    django_capture_on_commit_callbacks,
):
    mail_each_submission(mentor, second_mentor)
    client = client_for(learner)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(f"/projects/{project.slug}/submit/", WORK)
    assert mail.outbox == []  # nothing before the commit
    assert len(callbacks) == 1

    callbacks[0]()

    submission = Submission.objects.get()
    [message] = mail.outbox
    assert message.to == sorted([mentor.email, second_mentor.email])
    assert (
        message.subject
        == f"[bootcamp] {learner.get_full_name()} submitted the project “Task manager”"
    )
    # The submission page, which links mentors on to the review page (no cross-app URL here).
    assert (
        f"Claim and review it from here:\n{settings.SITE_URL}/submissions/{submission.pk}/\n"
        in (message.body)
    )
    assert "https://github.com/ada/tasks" in message.body


def test_resubmitting_mails_the_mentors_too(
    client_for, learner, mentor, make_submission, django_capture_on_commit_callbacks
):
    mail_each_submission(mentor)
    submission = make_submission(status=Submission.Status.CHANGES_REQUESTED)

    with django_capture_on_commit_callbacks(execute=True):
        client_for(learner).post(f"/submissions/{submission.pk}/resubmit/", WORK)

    [message] = mail.outbox
    assert message.to == [mentor.email]
    assert message.subject == (
        f"[bootcamp] {learner.get_full_name()} resubmitted the project “Task manager” (iteration 2)"
    )
    assert "(iteration 2)" in message.body


def test_failing_mail_server_loses_nothing(
    client_for, learner, mentor, project, settings, caplog, django_capture_on_commit_callbacks
):
    mail_each_submission(mentor)
    settings.EMAIL_BACKEND = "tests.learners.test_mail.FailingBackend"
    caplog.set_level(logging.ERROR, logger="bootcamp.mail")

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(learner).post(f"/projects/{project.slug}/submit/", WORK)

    submission = Submission.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/submissions/{submission.pk}/"
    assert Iteration.objects.filter(submission=submission).count() == 1
    assert mail.outbox == []
    [record] = caplog.records
    subject = f"[bootcamp] {learner.get_full_name()} submitted the project “Task manager”"
    assert record.getMessage() == f"could not send {subject!r} to 1 recipient(s)"
    assert record.exc_info[0] is smtplib.SMTPException
