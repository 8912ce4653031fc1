import threading
import time

import pytest
from django.contrib.messages import get_messages
from django.db import connection, transaction
from django.utils import timezone

from learners.models import Membership, Submission
from learners.services import TransitionError, submission_claim, submission_release
from tests.factories import (
    IterationFactory,
    MembershipFactory,
    StaffFactory,
    SubmissionFactory,
    UserFactory,
)

Status = Submission.Status


def _messages(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def _state(submission):
    submission.refresh_from_db()
    return (submission.status, submission.claimed_by_id)


@pytest.fixture
def colleague(cohort):
    user = UserFactory(username="barbara", first_name="Barbara", last_name="Liskov")
    MembershipFactory(cohort=cohort, user=user, role=Membership.Role.MENTOR)
    return user


# --- claim --------------------------------------------------------------------------------------


def test_claiming_takes_the_mentor_to_the_review_page(client_for, mentor, submission):
    response = client_for(mentor).post(f"/mentor/submissions/{submission.pk}/claim/")

    assert response.status_code == 302
    assert response.url == f"/mentor/submissions/{submission.pk}/review/"
    assert _messages(response) == [
        "You are reviewing Ada Lovelace's Task tracker. No one else can claim it now."
    ]
    assert _state(submission) == (Status.IN_REVIEW, mentor.pk)


def test_a_claim_held_by_someone_else_sends_you_back_naming_the_holder(
    client_for, colleague, mentor, submission
):
    submission_claim(submission=submission, mentor=colleague)

    response = client_for(mentor).post(f"/mentor/submissions/{submission.pk}/claim/")

    assert response.url == "/mentor/queue/"
    assert _messages(response) == ["Barbara Liskov is already reviewing this submission."]
    assert _state(submission) == (Status.IN_REVIEW, colleague.pk)


def test_a_mentor_cannot_take_over_a_claim(client_for, colleague, mentor, submission):
    submission_claim(submission=submission, mentor=colleague)

    client_for(mentor).post(f"/mentor/submissions/{submission.pk}/claim/", {"take_over": "1"})

    assert _state(submission) == (Status.IN_REVIEW, colleague.pk)


def test_staff_may_take_over_a_claim(client_for, colleague, staff, submission):
    submission_claim(submission=submission, mentor=colleague)

    response = client_for(staff).post(
        f"/mentor/submissions/{submission.pk}/claim/", {"take_over": "1"}
    )

    assert response.url == f"/mentor/submissions/{submission.pk}/review/"
    assert _state(submission) == (Status.IN_REVIEW, staff.pk)


def test_claiming_approved_work_is_refused_with_a_message(client_for, mentor, submission):
    Submission.objects.filter(pk=submission.pk).update(status=Status.APPROVED)

    response = client_for(mentor).post(f"/mentor/submissions/{submission.pk}/claim/")

    assert response.url == "/mentor/queue/"
    assert _messages(response) == ["This submission is approved; there is nothing to claim."]


def test_claim_answers_get_with_405(client_for, mentor, submission):
    assert client_for(mentor).get(f"/mentor/submissions/{submission.pk}/claim/").status_code == 405


@pytest.mark.parametrize("who", ["learner", "other_mentor"])
def test_claim_by_someone_outside_the_cohort_is_404(client_for, request, submission, who):
    user = request.getfixturevalue(who)

    response = client_for(user).post(f"/mentor/submissions/{submission.pk}/claim/")

    assert response.status_code == 404
    assert _state(submission) == (Status.SUBMITTED, None)


def test_claim_of_an_unknown_submission_is_404(client_for, mentor, db):
    assert client_for(mentor).post("/mentor/submissions/999999/claim/").status_code == 404


def test_claim_needs_a_login(client, submission):
    response = client.post(f"/mentor/submissions/{submission.pk}/claim/")

    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


# --- release ------------------------------------------------------------------------------------


def test_releasing_puts_the_work_back_in_the_queue(client_for, mentor, claimed):
    response = client_for(mentor).post(f"/mentor/submissions/{claimed.pk}/release/")

    assert response.url == "/mentor/queue/"
    assert _messages(response) == [
        "Ada Lovelace's Task tracker is back in the queue for any mentor. "
        "Any draft you saved stays yours."
    ]
    assert _state(claimed) == (Status.SUBMITTED, None)


def test_releasing_someone_elses_claim_is_refused(client_for, colleague, mentor, claimed):
    response = client_for(colleague).post(f"/mentor/submissions/{claimed.pk}/release/")

    assert _messages(response) == ["You do not hold a claim on this submission."]
    assert _state(claimed) == (Status.IN_REVIEW, mentor.pk)


def test_release_answers_get_with_405(client_for, mentor, claimed):
    assert client_for(mentor).get(f"/mentor/submissions/{claimed.pk}/release/").status_code == 405


def test_release_by_a_mentor_of_another_cohort_is_404(client_for, other_mentor, mentor, claimed):
    response = client_for(other_mentor).post(f"/mentor/submissions/{claimed.pk}/release/")

    assert response.status_code == 404
    assert _state(claimed) == (Status.IN_REVIEW, mentor.pk)


# --- two mentors at once ------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_mentors_claiming_at_once_exactly_one_wins_and_the_other_is_told_who():
    cohort_mentors = [
        UserFactory(username="first", first_name="Frances", last_name="Allen"),
        UserFactory(username="second", first_name="Radia", last_name="Perlman"),
    ]
    work = SubmissionFactory()
    for user in cohort_mentors:
        MembershipFactory(cohort=work.cohort, user=user, role=Membership.Role.MENTOR)
    IterationFactory(submission=work, number=1)
    barrier = threading.Barrier(len(cohort_mentors))
    outcomes = {}

    def attempt(user):
        try:
            barrier.wait(timeout=10)
            submission_claim(submission=work, mentor=user)
            outcomes[user.username] = "won"
        except TransitionError as error:
            outcomes[user.username] = str(error)
        finally:
            connection.close()  # each thread opened its own connection

    threads = [threading.Thread(target=attempt, args=(user,)) for user in cohort_mentors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    work.refresh_from_db()
    winner = work.claimed_by
    loser = next(user for user in cohort_mentors if user != winner)
    assert work.status == Status.IN_REVIEW
    assert work.claimed_at <= timezone.now()
    assert outcomes == {
        winner.username: "won",
        loser.username: f"{winner.get_full_name()} is already reviewing this submission.",
    }


def _wait_until_another_connection_waits_for_a_lock(timeout=10.0):
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.02)
    raise AssertionError("the take-over never waited for the row lock")


@pytest.mark.django_db(transaction=True)
def test_a_take_over_of_a_claim_released_meanwhile_says_so_instead_of_claiming_success(client):
    holder = UserFactory(username="barbara", first_name="Barbara", last_name="Liskov")
    work = SubmissionFactory(
        learner__username="ada",
        learner__first_name="Ada",
        learner__last_name="Lovelace",
        project__title="Task tracker",
    )
    MembershipFactory(cohort=work.cohort, user=holder, role=Membership.Role.MENTOR)
    IterationFactory(submission=work, number=1)
    submission_claim(submission=work, mentor=holder)
    staff = StaffFactory(username="staffer")
    locked = threading.Event()

    def release_while_the_take_over_waits():
        # Hold the row while staff's take-over reads "in review" and then queues behind us;
        # release the claim and commit, so the take-over's UPDATE finds nothing to take.
        try:
            with transaction.atomic():
                Submission.objects.select_for_update().get(pk=work.pk)
                locked.set()
                _wait_until_another_connection_waits_for_a_lock()
                submission_release(submission=work, mentor=holder)
        finally:
            connection.close()  # the thread opened its own connection

    releaser = threading.Thread(target=release_while_the_take_over_waits)
    releaser.start()
    assert locked.wait(timeout=10)
    client.force_login(staff)
    response = client.post(f"/mentor/submissions/{work.pk}/claim/", {"take_over": "1"})
    releaser.join(timeout=30)

    assert response.url == "/mentor/queue/"
    assert _messages(response) == [
        "The claim on Ada Lovelace's Task tracker was released before you could take it over; "
        "it is waiting in the queue. Claim it there to review it."
    ]
    assert _state(work) == (Status.SUBMITTED, None)


def test_a_missed_claim_or_a_lost_review_on_withdrawn_work_says_the_learner_withdrew_it(db):
    from reviews.views import _claim_lost, _claim_missed

    work = SubmissionFactory(status=Status.WITHDRAWN)

    assert _claim_missed(work) == "The learner withdrew it; nothing to review until they resubmit."
    assert _claim_lost(work) == (
        "The learner withdrew it; nothing to review until they resubmit. Your text is below — "
        "copy it if you need it. Nothing was saved."
    )
