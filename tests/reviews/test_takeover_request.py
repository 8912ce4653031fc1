"""A mentor asks the holder of an idle claim to hand it over; the holder hears of it."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from bootcamp.models import Notification, OutboxMessage
from learners.models import Membership, Submission, SubmissionEvent
from learners.services import submission_takeover_request
from tests.factories import IterationFactory, MembershipFactory, SubmissionFactory, UserFactory

Status = Submission.Status
QUEUE = "/mentor/queue/"


@pytest.fixture
def colleague(cohort):
    user = UserFactory(username="barbara", first_name="Barbara", last_name="Liskov")
    MembershipFactory(cohort=cohort, user=user, role=Membership.Role.MENTOR)
    return user


def claimed_by(cohort, holder, *, hours_ago):
    work = SubmissionFactory(
        cohort=cohort,
        status=Status.IN_REVIEW,
        claimed_by=holder,
        claimed_at=timezone.now() - datetime.timedelta(hours=hours_ago),
        project__title="Task tracker",
        learner__first_name="Ada",
        learner__last_name="Lovelace",
    )
    IterationFactory(submission=work, number=1)
    return work


def url(work):
    return f"/mentor/submissions/{work.pk}/take-over/"


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_the_queue_offers_to_ask_only_for_claims_idle_long_enough(
    client_for, cohort, mentor, colleague, settings
):
    settings.TAKEOVER_IDLE_HOURS = 4
    idle = claimed_by(cohort, colleague, hours_ago=5)
    busy = claimed_by(cohort, colleague, hours_ago=1)
    own = claimed_by(cohort, mentor, hours_ago=6)

    content = client_for(mentor).get(QUEUE).content.decode()

    assert f'action="{url(idle)}"' in content
    assert f'action="{url(busy)}"' not in content
    assert f'action="{url(own)}"' not in content


def test_asking_notifies_the_holder_in_the_inbox_and_by_mail(client_for, cohort, mentor, colleague):
    work = claimed_by(cohort, colleague, hours_ago=5)

    response = client_for(mentor).post(url(work))

    assert response.status_code == 302
    assert response["Location"] == QUEUE
    assert messages_of(response) == [
        "Barbara Liskov is asked to hand over Ada Lovelace's Task tracker; you will see it back "
        "in the queue if they release it."
    ]
    subject = (
        f"{mentor.get_full_name()} asks to take over your review of Ada Lovelace’s “Task tracker”"
    )
    assert list(Notification.objects.values_list("user", "kind", "text", "url")) == [
        (colleague.pk, "takeover_requested", subject, f"/submissions/{work.pk}/")
    ]
    assert list(OutboxMessage.objects.values_list("to", "subject")) == [
        (colleague.email, f"[bootcamp] {subject}")
    ]
    assert list(work.events.values_list("kind", "actor")) == [
        (SubmissionEvent.Kind.TAKEOVER_REQUESTED, mentor.pk)
    ]
    work.refresh_from_db()
    assert (work.status, work.claimed_by_id) == (Status.IN_REVIEW, colleague.pk)


def test_asking_twice_notifies_once(client_for, cohort, mentor, colleague):
    work = claimed_by(cohort, colleague, hours_ago=5)
    client = client_for(mentor)

    client.post(url(work))
    response = client.post(url(work))

    # The first message was never shown (the redirect was not followed): both are queued.
    assert messages_of(response)[1:] == [
        "You have already asked Barbara Liskov to hand over this claim."
    ]
    assert Notification.objects.count() == 1


def test_asking_again_after_the_holder_renewed_and_went_idle_again_notifies_again(
    cohort, mentor, colleague
):
    work = claimed_by(cohort, colleague, hours_ago=5)
    assert submission_takeover_request(submission=work, mentor=mentor) is True
    # The holder renewed after the request, and that renewal is now 5 hours old too.
    hours = datetime.timedelta(hours=1)
    SubmissionEvent.objects.filter(submission=work).update(at=timezone.now() - 6 * hours)
    Submission.objects.filter(pk=work.pk).update(claimed_at=timezone.now() - 5 * hours)

    assert submission_takeover_request(submission=work, mentor=mentor) is True
    assert Notification.objects.filter(user=colleague).count() == 2


@pytest.mark.parametrize(
    ("hours_ago", "holder", "status", "message"),
    [
        (
            1,
            "colleague",
            Status.IN_REVIEW,
            "Barbara Liskov claimed it less than 4 hours ago; you can ask to take it over once "
            "the claim has been idle that long.",
        ),
        (5, "mentor", Status.IN_REVIEW, "You hold this claim yourself."),
        (
            None,
            None,
            Status.SUBMITTED,
            "No one holds a claim on this submission any more: claim it from the queue.",
        ),
    ],
)
def test_asking_when_it_makes_no_sense_is_refused_with_why(
    client_for, cohort, mentor, colleague, hours_ago, holder, status, message
):
    if status == Status.IN_REVIEW:
        work = claimed_by(
            cohort, {"colleague": colleague, "mentor": mentor}[holder], hours_ago=hours_ago
        )
    else:
        work = SubmissionFactory(cohort=cohort)

    response = client_for(mentor).post(url(work))

    assert response["Location"] == QUEUE
    assert messages_of(response) == [message]
    assert Notification.objects.count() == 0


def test_asking_is_404_outside_the_cohort_and_405_for_get(
    client_for, cohort, colleague, other_mentor, learner, mentor
):
    work = claimed_by(cohort, colleague, hours_ago=5)

    assert client_for(other_mentor).post(url(work)).status_code == 404
    assert client_for(learner).post(url(work)).status_code == 404
    assert client_for(mentor).get(url(work)).status_code == 405
    assert Notification.objects.count() == 0
