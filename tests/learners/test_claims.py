"""Claims that lapse after CLAIM_HOURS, renewals, the MAX_CLAIMS limit, and the history each
transition writes."""

import datetime
import threading

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from bootcamp.models import Notification
from learners.models import Submission, SubmissionEvent
from learners.selectors import review_turnaround
from learners.services import (
    TransitionError,
    submission_claim,
    submission_claim_renew,
    submission_claims_lapse,
    submission_create,
    submission_record_verdict,
    submission_release,
    submission_resubmit,
)
from tests.factories import IterationFactory, ReviewFactory, SubmissionFactory
from tests.learners.test_concurrency import run_together

Status = Submission.Status
Kind = SubmissionEvent.Kind


def _claimed(cohort, mentor, *, hours_ago, **kwargs):
    work = SubmissionFactory(
        cohort=cohort,
        status=Status.IN_REVIEW,
        claimed_by=mentor,
        claimed_at=timezone.now() - datetime.timedelta(hours=hours_ago),
        **kwargs,
    )
    IterationFactory(submission=work, number=1)
    return work


def _state(submission):
    submission.refresh_from_db()
    return submission.status, submission.claimed_by_id


def _history(submission):
    return list(
        SubmissionEvent.objects.filter(submission=submission)
        .order_by("at", "pk")
        .values_list("kind", "actor__username")
    )


# --- lapsing --------------------------------------------------------------------------------


def test_a_claim_older_than_claim_hours_goes_back_to_the_queue_with_its_draft(
    cohort, mentor, settings, deliver_mail
):
    settings.CLAIM_HOURS = 24
    old = _claimed(cohort, mentor, hours_ago=25)
    fresh = _claimed(cohort, mentor, hours_ago=23)
    draft = ReviewFactory(iteration=old.iterations.get(), mentor=mentor, summary="Half done.")

    lapsed = submission_claims_lapse()
    deliver_mail()

    assert [s.pk for s in lapsed] == [old.pk]
    assert _state(old) == (Status.SUBMITTED, None)
    assert old.claimed_at is None
    assert _state(fresh) == (Status.IN_REVIEW, mentor.pk)
    assert _history(old) == [(Kind.LAPSED, "linus")]
    # The draft is kept for whoever claims it next, as releasing keeps it.
    draft.refresh_from_db()
    assert (draft.summary, draft.published_at) == ("Half done.", None)
    [note] = Notification.objects.filter(user=mentor)
    assert note.kind == Notification.Kind.CLAIM_LAPSED
    assert note.url == f"/submissions/{old.pk}/"
    assert note.text == (
        f"Your claim on {old.learner.get_full_name()}'s project “{old.project.title}” lapsed"
    )
    [message] = mail.outbox
    assert message.to == [mentor.email]
    assert message.subject == f"[bootcamp] {note.text}"
    assert "more than 24 hours ago" in message.body


def test_the_lapse_command_reports_how_many_lapsed(cohort, mentor, capsys):
    _claimed(cohort, mentor, hours_ago=30)
    _claimed(cohort, mentor, hours_ago=40)

    call_command("lapse_claims")
    call_command("lapse_claims")

    assert capsys.readouterr().out == "2 claims lapsed.\n0 claims lapsed.\n"
    assert Submission.objects.filter(status=Status.IN_REVIEW).count() == 0


@pytest.mark.django_db(transaction=True)
def test_two_lapse_runs_at_once_lapse_each_claim_once(cohort, mentor):
    claims = [_claimed(cohort, mentor, hours_ago=30 + n) for n in range(6)]

    results = run_together(submission_claims_lapse, times=3)

    lapsed = sorted(s.pk for result in results for s in result)
    assert lapsed == sorted(s.pk for s in claims)
    assert SubmissionEvent.objects.filter(kind=Kind.LAPSED).count() == 6
    assert Notification.objects.filter(kind=Notification.Kind.CLAIM_LAPSED).count() == 6


def _in_thread(action, *, hold: threading.Event, done: threading.Event, results: list):
    """Run `action` in a transaction on another connection, keep it open until `hold` is set."""

    def worker():
        try:
            with transaction.atomic():
                results.append(action())
                done.set()
                hold.wait(timeout=30)
        except Exception as error:  # noqa: BLE001 - reported to the test
            results.append(error)
            done.set()
        finally:
            connection.close()

    thread = threading.Thread(target=worker)
    thread.start()
    return thread


@pytest.mark.django_db(transaction=True)
def test_a_lapse_while_another_run_holds_the_claims_skips_them(cohort, mentor):
    work = _claimed(cohort, mentor, hours_ago=30)
    hold, done, results = threading.Event(), threading.Event(), []
    thread = _in_thread(submission_claims_lapse, hold=hold, done=done, results=results)
    assert done.wait(timeout=30)

    assert submission_claims_lapse() == []  # the other run holds the row: skipped, not waited

    hold.set()
    thread.join(timeout=30)
    assert [s.pk for s in results[0]] == [work.pk]
    assert _history(work) == [(Kind.LAPSED, "linus")]


@pytest.mark.django_db(transaction=True)
def test_a_renewal_that_wins_the_race_keeps_the_claim(cohort, mentor):
    work = _claimed(cohort, mentor, hours_ago=30)
    hold, done, results = threading.Event(), threading.Event(), []
    thread = _in_thread(
        lambda: submission_claim_renew(submission=work, mentor=mentor),
        hold=hold,
        done=done,
        results=results,
    )
    assert done.wait(timeout=30)

    lapsed = submission_claims_lapse()  # the renewal holds the row: this run skips it

    hold.set()
    thread.join(timeout=30)
    assert lapsed == []
    assert _state(work) == (Status.IN_REVIEW, mentor.pk)
    assert timezone.now() - work.claimed_at < datetime.timedelta(minutes=1)
    assert _history(work) == [(Kind.RENEWED, "linus")]
    assert submission_claims_lapse() == []  # renewed: nothing to lapse any more


@pytest.mark.django_db(transaction=True)
def test_a_renewal_that_loses_the_race_is_told_the_claim_lapsed(cohort, mentor):
    work = _claimed(cohort, mentor, hours_ago=30)
    hold, done, results = threading.Event(), threading.Event(), []
    thread = _in_thread(submission_claims_lapse, hold=hold, done=done, results=results)
    assert done.wait(timeout=30)
    renewal = []
    renewing = threading.Thread(
        target=lambda: (
            renewal.append(_try(lambda: submission_claim_renew(submission=work, mentor=mentor))),
            connection.close(),
        )
    )
    renewing.start()
    renewing.join(timeout=0.5)
    assert renewing.is_alive()  # waiting for the lapse's row lock

    hold.set()
    thread.join(timeout=30)
    renewing.join(timeout=30)
    [error] = renewal
    assert isinstance(error, TransitionError)
    assert str(error) == (
        "You no longer hold a claim on this submission, so there is nothing to renew."
    )
    assert _state(work) == (Status.SUBMITTED, None)
    assert _history(work) == [(Kind.LAPSED, "linus")]


def _try(action):
    try:
        return action()
    except Exception as error:  # noqa: BLE001 - reported to the test
        return error


# --- renewing through the review page -------------------------------------------------------


def renew_url(submission):
    return f"/mentor/submissions/{submission.pk}/renew/"


def test_the_holder_renews_a_claim_from_the_review_page(client_for, cohort, mentor, settings):
    settings.CLAIM_HOURS = 24
    work = _claimed(cohort, mentor, hours_ago=20)
    client = client_for(mentor)

    page = client.get(f"/mentor/submissions/{work.pk}/review/").content.decode()
    response = client.post(renew_url(work))

    assert f'action="/mentor/submissions/{work.pk}/renew/"' in page
    assert response.status_code == 302
    assert response["Location"] == f"/mentor/submissions/{work.pk}/review/"
    work.refresh_from_db()
    expires = timezone.localtime(work.claimed_at + datetime.timedelta(hours=24))
    when = f"{expires:%H:%M}"  # later today, or on another day with its date
    if expires.date() != timezone.localdate():
        when = f"{expires.day} {expires:%b}, {when}"
    [message] = get_messages(response.wsgi_request)
    assert str(message) == (
        f"Your claim on {work.learner.get_full_name()}'s {work.project.title} is renewed "
        f"until {when}."
    )
    assert _history(work) == [(Kind.RENEWED, "linus")]


def test_renewing_someone_elses_claim_is_refused_and_changes_nothing(
    client_for, cohort, mentor, staff
):
    work = _claimed(cohort, mentor, hours_ago=2)
    before = Submission.objects.get(pk=work.pk).claimed_at

    response = client_for(staff).post(renew_url(work))

    assert response["Location"] == "/mentor/queue/"
    [message] = get_messages(response.wsgi_request)
    assert str(message) == (
        "You no longer hold a claim on this submission, so there is nothing to renew."
    )
    assert Submission.objects.get(pk=work.pk).claimed_at == before
    assert _history(work) == []


def test_renew_is_post_only_and_hidden_from_outsiders(client_for, cohort, mentor, other_mentor):
    work = _claimed(cohort, mentor, hours_ago=2)

    assert client_for(mentor).get(renew_url(work)).status_code == 405
    assert client_for(other_mentor).post(renew_url(work)).status_code == 404


# --- MAX_CLAIMS -----------------------------------------------------------------------------


def test_a_claim_beyond_max_claims_is_refused_with_a_clear_message(
    client_for, cohort, mentor, settings
):
    settings.MAX_CLAIMS = 2
    _claimed(cohort, mentor, hours_ago=1)
    _claimed(cohort, mentor, hours_ago=1)
    third = SubmissionFactory(cohort=cohort)
    IterationFactory(submission=third, number=1)

    response = client_for(mentor).post(f"/mentor/submissions/{third.pk}/claim/")

    assert response["Location"] == "/mentor/queue/"
    [message] = get_messages(response.wsgi_request)
    assert str(message) == (
        "You already hold 2 claims, the most anyone may hold at once (2). "
        "Publish or release one of them, then claim this one."
    )
    assert _state(third) == (Status.SUBMITTED, None)
    assert _history(third) == []


def test_a_double_click_on_a_claim_already_held_at_the_limit_is_not_refused(
    cohort, mentor, settings
):
    settings.MAX_CLAIMS = 1
    work = _claimed(cohort, mentor, hours_ago=1)

    assert submission_claim(submission=work, mentor=mentor).claimed_by_id == mentor.pk
    assert _history(work) == []


@pytest.mark.django_db(transaction=True)
def test_two_claims_at_once_by_a_mentor_one_short_of_the_limit_let_one_through(
    cohort, mentor, settings
):
    settings.MAX_CLAIMS = 1
    waiting = [SubmissionFactory(cohort=cohort) for _ in range(2)]
    turn = iter(waiting)
    lock = threading.Lock()

    def claim_next():
        with lock:
            submission = next(turn)
        return submission_claim(submission=submission, mentor=mentor)

    results = run_together(claim_next, times=2)

    assert sorted(type(result).__name__ for result in results) == [
        "Submission",
        "TransitionError",
    ]
    assert Submission.objects.filter(status=Status.IN_REVIEW, claimed_by=mentor).count() == 1


# --- the history ----------------------------------------------------------------------------


def test_every_transition_appends_to_the_history(cohort, learner, mentor, project, staff):
    work = submission_create(
        learner=learner, project=project, cohort=cohort, repo_url="https://github.com/ada/t"
    )
    submission_claim(submission=work, mentor=mentor)
    submission_release(submission=work, mentor=mentor)
    submission_claim(submission=work, mentor=mentor)
    submission_claim(submission=work, mentor=staff, take_over=True)
    submission_record_verdict(submission=work, mentor=staff, approved=False)
    submission_resubmit(submission=work, repo_url="https://github.com/ada/t")
    submission_claim(submission=work, mentor=mentor)
    submission_record_verdict(submission=work, mentor=mentor, approved=True)

    assert _history(work) == [
        (Kind.SUBMITTED, "ada"),
        (Kind.CLAIMED, "linus"),
        (Kind.RELEASED, "linus"),
        (Kind.CLAIMED, "linus"),
        (Kind.CLAIMED, "staffer"),
        (Kind.CHANGES_REQUESTED, "staffer"),
        (Kind.RESUBMITTED, "ada"),
        (Kind.CLAIMED, "linus"),
        (Kind.APPROVED, "linus"),
    ]


def test_a_refused_transition_writes_no_history(cohort, mentor):
    work = SubmissionFactory(cohort=cohort, status=Status.APPROVED)

    with pytest.raises(TransitionError):
        submission_claim(submission=work, mentor=mentor)
    with pytest.raises(TransitionError):
        submission_release(submission=work, mentor=mentor)

    assert _history(work) == []


def test_the_submission_page_shows_the_history(client_for, cohort, learner, mentor, project):
    mentor.first_name, mentor.last_name = "Linus", "T"
    mentor.save()
    work = submission_create(
        learner=learner, project=project, cohort=cohort, repo_url="https://github.com/ada/t"
    )
    submission_claim(submission=work, mentor=mentor)
    submission_claims_lapse(now=timezone.now() + datetime.timedelta(hours=30))

    content = client_for(learner).get(f"/submissions/{work.pk}/").content.decode()

    assert content.count('<li class="event-') == 3
    assert "— Claimed by Linus T</li>" in content
    assert "— Claim lapsed (held by Linus T)</li>" in content


# --- turnaround from the history ------------------------------------------------------------


def test_the_turnaround_counts_each_verdict_from_the_arrival_before_it(cohort, mentor):
    now = timezone.now()
    work = SubmissionFactory(cohort=cohort)
    other = SubmissionFactory(cohort=cohort)
    elsewhere = SubmissionFactory()

    def event(submission, kind, hours_ago):
        SubmissionEvent.objects.create(
            submission=submission,
            kind=kind,
            actor=mentor,
            at=now - datetime.timedelta(hours=hours_ago),
        )

    event(work, Kind.SUBMITTED, 400)
    event(work, Kind.CHANGES_REQUESTED, 390)  # 10 h, more than a week ago
    event(work, Kind.RESUBMITTED, 300)
    event(work, Kind.CLAIMED, 299)
    event(work, Kind.APPROVED, 296)  # 4 h, more than a week ago
    event(other, Kind.SUBMITTED, 10)
    event(other, Kind.APPROVED, 8)  # 2 h, this week
    event(elsewhere, Kind.SUBMITTED, 10)
    event(elsewhere, Kind.APPROVED, 1)  # another cohort's: not counted

    assert review_turnaround(cohort=cohort, now=now) == {
        "median_overall": datetime.timedelta(hours=4),
        "median_week": datetime.timedelta(hours=2),
        "reviewed_overall": 3,
        "reviewed_week": 1,
    }


def test_the_turnaround_of_a_cohort_without_verdicts_is_empty(cohort):
    assert review_turnaround(cohort=cohort) == {
        "median_overall": None,
        "median_week": None,
        "reviewed_overall": 0,
        "reviewed_week": 0,
    }
