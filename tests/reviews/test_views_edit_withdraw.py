"""A learner edits or withdraws a submission while it waits unclaimed."""

import datetime
import threading

import pytest
from django.contrib.messages import get_messages
from django.db import connection, transaction
from django.utils import timezone

from bootcamp.models import Notification
from learners.models import Iteration, Submission, SubmissionEvent
from learners.services import (
    TransitionError,
    submission_claim,
    submission_edit,
    submission_withdraw,
)
from learners.snapshots import snapshot_request
from tests.factories import IterationFactory, ReviewFactory, SubmissionFactory

Status = Submission.Status
Kind = SubmissionEvent.Kind
SAME = {
    "repo_url": "https://github.com/learner/project",
    "commit_sha": "a1b2c3d4e5f6a7b8c9d0a1b2c3d4e5f6a7b8c9d0",
}


def edit_url(submission):
    return f"/submissions/{submission.pk}/edit/"


def withdraw_url(submission):
    return f"/submissions/{submission.pk}/withdraw/"


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_edit_form_is_prefilled_from_the_latest_iteration(client_for, learner, make_submission):
    submission = make_submission(iterations=2)

    response = client_for(learner).get(edit_url(submission))

    assert response.status_code == 200
    assert response.context["form"].initial == {**SAME, "live_url": "", "notes": "First version."}
    assert "checklist" not in response.context["form"].fields


def test_editing_notes_and_live_url_changes_the_latest_iteration_in_place(
    client_for, learner, make_submission
):
    submission = make_submission()

    response = client_for(learner).post(
        edit_url(submission),
        {**SAME, "live_url": "https://ada.example.com/", "notes": "Now with *tests*."},
    )

    assert response.status_code == 302
    assert response["Location"] == f"/submissions/{submission.pk}/"
    assert messages_of(response) == ["Iteration 1 is updated."]
    assert list(Iteration.objects.values_list("number", "live_url", "notes")) == [
        (1, "https://ada.example.com/", "Now with *tests*.")
    ]
    assert list(submission.events.values_list("kind", flat=True)) == []


def test_a_new_commit_on_an_unread_iteration_replaces_it_with_a_fresh_snapshot(
    client_for, learner, mentor, make_submission
):
    submission = make_submission()
    first = submission.iterations.get()
    old_snapshot = snapshot_request(iteration=first)
    before = Submission.objects.get(pk=submission.pk).submitted_at

    response = client_for(learner).post(
        edit_url(submission), {**SAME, "commit_sha": "bbbbbbb", "notes": "Fixed a bug."}
    )

    assert response.status_code == 302
    assert messages_of(response) == [
        "Iteration 1 now has the new repository or commit; its automated checks are running."
    ]
    assert list(submission.iterations.values_list("pk", "number", "commit_sha", "notes")) == [
        (first.pk, 1, "bbbbbbb", "Fixed a bug.")
    ]
    fresh = Iteration.objects.get(pk=first.pk).snapshot
    assert (fresh.pk != old_snapshot.pk, fresh.requested_sha) == (True, "bbbbbbb")
    submission.refresh_from_db()
    assert (submission.status, submission.submitted_at) == (Status.SUBMITTED, before)
    assert list(submission.events.values_list("kind", flat=True)) == []
    assert list(Notification.objects.values_list("user", "kind")) == [
        (mentor.pk, "submission_arrived")
    ]


@pytest.mark.parametrize("published", [False, True])
def test_a_new_commit_on_a_reviewed_or_drafted_iteration_makes_a_new_one(
    client_for, learner, mentor, make_submission, checklist, published
):
    submission = make_submission()
    first = submission.iterations.get()
    first.checklist_items.set(checklist)
    ReviewFactory(
        iteration=first, mentor=mentor, published_at=timezone.now() if published else None
    )
    before = Submission.objects.get(pk=submission.pk).submitted_at

    response = client_for(learner).post(
        edit_url(submission), {**SAME, "commit_sha": "bbbbbbb", "notes": "Fixed a bug."}
    )

    assert messages_of(response) == [
        "The new repository or commit is iteration 2; its automated checks are running."
    ]
    latest = submission.iterations.get(number=2)
    assert (latest.commit_sha, latest.notes) == ("bbbbbbb", "Fixed a bug.")
    assert sorted(latest.checklist_items.values_list("pk", flat=True)) == sorted(
        c.pk for c in checklist
    )
    assert latest.snapshot.requested_sha == "bbbbbbb"
    assert submission.iterations.get(number=1).commit_sha == SAME["commit_sha"]
    submission.refresh_from_db()
    assert (submission.status, submission.submitted_at) == (Status.SUBMITTED, before)
    assert list(submission.events.values_list("kind", flat=True)) == [Kind.RESUBMITTED]


def test_edits_tell_the_mentors_at_most_once_an_hour(learner, mentor, make_submission):
    submission = make_submission()
    edit = lambda sha: submission_edit(submission=submission, **{**SAME, "commit_sha": sha})  # noqa: E731

    edit("bbbbbbb")
    edit("ccccccc")
    Notification.objects.update(created_at=timezone.now() - datetime.timedelta(minutes=61))
    edit("ddddddd")

    assert Notification.objects.filter(user=mentor, kind="submission_arrived").count() == 2


def test_a_new_repository_on_an_unread_iteration_replaces_it_too(
    client_for, learner, make_submission
):
    submission = make_submission()

    client_for(learner).post(
        edit_url(submission), {**SAME, "repo_url": "https://github.com/ada/other"}
    )

    assert list(submission.iterations.values_list("number", "repo_url")) == [
        (1, "https://github.com/ada/other")
    ]


def test_edit_with_a_bad_link_is_a_form_error(client_for, learner, make_submission):
    submission = make_submission()

    response = client_for(learner).post(edit_url(submission), {**SAME, "live_url": "ftp://x"})

    assert response.status_code == 200
    assert response.context["form"].errors["live_url"][0].startswith("Use a web link")
    assert submission.iterations.get().live_url == ""


@pytest.mark.parametrize("status", [Status.IN_REVIEW, Status.APPROVED, Status.WITHDRAWN])
def test_edit_page_of_work_not_waiting_unclaimed_redirects_with_why(
    client_for, learner, make_submission, mentor, status
):
    claim = {"claimed_by": mentor, "claimed_at": timezone.now()} if status == "in_review" else {}
    submission = make_submission(status=status, **claim)

    response = client_for(learner).post(edit_url(submission), {**SAME, "notes": "Late."})

    assert response.status_code == 302
    assert response["Location"] == f"/submissions/{submission.pk}/"
    assert submission.iterations.get().notes == "First version."
    expected = {
        Status.IN_REVIEW: "A mentor is reviewing this submission, so it can no longer be "
        "changed; you can resubmit if they request changes.",
        Status.APPROVED: "This submission is approved; only work waiting unclaimed can be changed.",
        Status.WITHDRAWN: "This submission is withdrawn; only work waiting unclaimed can be "
        "changed.",
    }[status]
    assert messages_of(response) == [expected]


def test_edit_and_withdraw_are_404_for_anyone_but_the_learner(
    client_for, mentor, other_learner, make_submission
):
    submission = make_submission()
    for user in (mentor, other_learner):
        client = client_for(user)
        assert client.get(edit_url(submission)).status_code == 404
        assert client.post(withdraw_url(submission)).status_code == 404
    assert Submission.objects.get(pk=submission.pk).status == Status.SUBMITTED


def test_withdraw_answers_405_to_get(client_for, learner, make_submission):
    submission = make_submission()

    assert client_for(learner).get(withdraw_url(submission)).status_code == 405
    assert client_for(learner).put(edit_url(submission)).status_code == 405


def test_the_withdraw_button_asks_first(client_for, learner, make_submission):
    submission = make_submission()

    content = client_for(learner).get(f"/submissions/{submission.pk}/").content.decode()

    # One click opens the disclosure; only the button inside it posts.
    disclosure = content[content.index('<details class="d-inline-block align-top withdraw') :]
    disclosure = disclosure[: disclosure.index("</details>")]
    assert '<summary class="btn btn-outline-danger">Withdraw…</summary>' in disclosure
    assert f'action="{withdraw_url(submission)}"' in disclosure
    assert "No mentor will review it until you send it again." in disclosure
    assert content.count(f'action="{withdraw_url(submission)}"') == 1


def test_withdraw_records_the_event_and_leaves_the_queue(client_for, learner, make_submission):
    submission = make_submission()

    response = client_for(learner).post(withdraw_url(submission))

    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.status == Status.WITHDRAWN
    assert list(submission.events.values_list("kind", "actor")) == [(Kind.WITHDRAWN, learner.pk)]
    assert messages_of(response) == [
        f"{submission.project.title} is withdrawn: no mentor will review it. Resubmit it when "
        "you are ready."
    ]


def test_withdraw_twice_records_one_event(learner, make_submission):
    submission = make_submission()

    submission_withdraw(submission=submission)
    again = submission_withdraw(submission=submission)

    assert again.status == Status.WITHDRAWN
    assert submission.events.count() == 1


def test_withdraw_after_a_claim_is_refused(client_for, learner, mentor, make_submission):
    submission = make_submission()
    submission_claim(submission=submission, mentor=mentor)

    response = client_for(learner).post(withdraw_url(submission))

    assert messages_of(response) == [
        "A mentor has claimed this submission, so it can no longer be withdrawn."
    ]
    assert Submission.objects.get(pk=submission.pk).status == Status.IN_REVIEW


def test_withdrawn_work_is_resubmitted_as_a_new_iteration(client_for, learner, make_submission):
    submission = make_submission()
    submission_withdraw(submission=submission)

    page = client_for(learner).get(f"/submissions/{submission.pk}/resubmit/")
    assert page.status_code == 200
    assert "You withdrew this submission." in page.content.decode()
    client_for(learner).post(
        f"/submissions/{submission.pk}/resubmit/",
        {**SAME, "commit_sha": "ccccccc", "live_url": "", "notes": ""},
    )

    submission.refresh_from_db()
    assert submission.status == Status.SUBMITTED
    assert list(submission.events.values_list("kind", flat=True)) == [
        Kind.WITHDRAWN,
        Kind.RESUBMITTED,
    ]


def test_submit_page_of_withdrawn_work_leads_to_its_resubmit_page(
    client_for, learner, make_submission
):
    submission = make_submission()
    submission_withdraw(submission=submission)

    response = client_for(learner).get(f"/projects/{submission.project.slug}/submit/")

    assert response["Location"] == f"/submissions/{submission.pk}/resubmit/"


def test_submission_page_offers_edit_and_withdraw_only_while_unclaimed(
    client_for, learner, mentor, make_submission
):
    submission = make_submission()
    html = client_for(learner).get(submission.get_absolute_url()).content.decode()
    assert f'href="{edit_url(submission)}"' in html
    assert f'action="{withdraw_url(submission)}"' in html

    submission_claim(submission=submission, mentor=mentor)
    html = client_for(learner).get(submission.get_absolute_url()).content.decode()
    assert edit_url(submission) not in html
    assert withdraw_url(submission) not in html


def _hold_a_claim_open(submission, mentor, claimed, may_commit, errors):
    try:
        with transaction.atomic():
            submission_claim(submission=submission, mentor=mentor)
            claimed.set()
            assert may_commit.wait(timeout=10)
    except Exception as error:  # noqa: BLE001 - reported to the test
        errors.append(error)
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("action", ["edit", "withdraw"])
def test_edit_or_withdraw_racing_a_claim_waits_for_it_and_is_refused(
    cohort, learner, mentor, action
):
    """The claim's transaction is open (its UPDATE done, not committed) when the learner acts:
    the learner's conditional UPDATE waits for it and then matches no row."""
    submission = SubmissionFactory(cohort=cohort, learner=learner)
    IterationFactory(submission=submission, number=1)
    claimed, may_commit, errors = threading.Event(), threading.Event(), []
    holder = threading.Thread(
        target=_hold_a_claim_open, args=(submission, mentor, claimed, may_commit, errors)
    )
    holder.start()
    assert claimed.wait(timeout=10)
    threading.Timer(0.3, may_commit.set).start()

    if action == "edit":
        attempt = lambda: submission_edit(submission=submission, **SAME, notes="Sneaked in.")  # noqa: E731
    else:
        attempt = lambda: submission_withdraw(submission=submission)  # noqa: E731
    with pytest.raises(TransitionError):
        attempt()
    holder.join(timeout=30)

    assert errors == []
    submission.refresh_from_db()
    assert submission.status == Status.IN_REVIEW
    assert submission.iterations.get().notes == "First version."


@pytest.mark.django_db(transaction=True)
def test_a_claim_racing_a_withdrawal_is_refused(cohort, learner, mentor):
    submission = SubmissionFactory(cohort=cohort, learner=learner)
    IterationFactory(submission=submission, number=1)
    withdrawn, may_commit, errors = threading.Event(), threading.Event(), []

    def withdraw():
        try:
            with transaction.atomic():
                submission_withdraw(submission=submission)
                withdrawn.set()
                assert may_commit.wait(timeout=10)
        except Exception as error:  # noqa: BLE001 - reported to the test
            errors.append(error)
        finally:
            connection.close()

    holder = threading.Thread(target=withdraw)
    holder.start()
    assert withdrawn.wait(timeout=10)
    threading.Timer(0.3, may_commit.set).start()

    with pytest.raises(TransitionError, match="withdrawn; there is nothing to claim"):
        submission_claim(submission=submission, mentor=mentor)
    holder.join(timeout=30)

    assert errors == []
    assert Submission.objects.get(pk=submission.pk).status == Status.WITHDRAWN


@pytest.mark.parametrize(
    ("drafted", "text"),
    [
        (False, "a different repository or commit SHA replaces this iteration's"),
        (True, "a different repository or commit SHA becomes iteration 2"),
    ],
)
def test_the_edit_page_says_what_a_new_commit_will_do(
    client_for, learner, mentor, make_submission, drafted, text
):
    submission = make_submission()
    if drafted:
        ReviewFactory(iteration=submission.iterations.get(), mentor=mentor)

    content = client_for(learner).get(edit_url(submission)).content.decode()

    assert text in " ".join(content.split())
