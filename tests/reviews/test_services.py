import threading

import pytest
from django.core.exceptions import ValidationError
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection, transaction
from django.utils import timezone

from bootcamp.models import Notification, OutboxMessage
from learners.models import Membership, Submission
from reviews.models import Reply, Review, ReviewComment
from reviews.services import ReviewError, reply_create, review_publish, review_save_draft
from tests.factories import (
    IterationFactory,
    MembershipFactory,
    ReviewCommentFactory,
    ReviewFactory,
    SubmissionFactory,
    UserFactory,
    ready_snapshot,
)

Status = Submission.Status
COMMENTS = [
    {"path": "app/main.py", "line": 12, "body": "Split this function."},
    {"path": "", "line": None, "body": "Nice commit messages overall."},
]


class BrokenMailServer(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise ConnectionRefusedError("mail server down")


def _review_kwargs(submission, mentor, **overrides):
    kwargs = {
        "iteration": submission.iterations.order_by("number").first(),
        "mentor": mentor,
        "summary": "Solid start; see the comments.",
        "verdict": Review.Verdict.REQUEST_CHANGES,
        "comments": COMMENTS,
    }
    kwargs.update(overrides)
    return kwargs


def _state(submission):
    submission.refresh_from_db()
    return (submission.status, submission.claimed_by_id)


# --- drafts -------------------------------------------------------------------------------------


def test_save_draft_stores_an_unpublished_review_with_its_comments_in_order(claimed, mentor):
    review = review_save_draft(**_review_kwargs(claimed, mentor))

    assert review.published_at is None
    assert list(review.comments.values_list("order", "path", "line", "body")) == [
        (0, "app/main.py", 12, "Split this function."),
        (1, "", None, "Nice commit messages overall."),
    ]
    assert _state(claimed) == (Status.IN_REVIEW, mentor.pk)


def test_saving_a_draft_again_overwrites_the_one_draft_and_replaces_its_comments(claimed, mentor):
    first = review_save_draft(**_review_kwargs(claimed, mentor))
    second = review_save_draft(
        **_review_kwargs(
            claimed,
            mentor,
            summary="Rewritten.",
            verdict=Review.Verdict.APPROVE,
            comments=[{"path": "README.md", "line": None, "body": "Add setup steps."}],
        )
    )

    assert second.pk == first.pk
    assert Review.objects.count() == 1
    assert (second.summary, second.verdict) == ("Rewritten.", "approve")
    assert list(ReviewComment.objects.values_list("path", "line", "body")) == [
        ("README.md", None, "Add setup steps.")
    ]


def test_save_draft_without_the_claim_is_refused_and_saves_nothing(submission, mentor):
    with pytest.raises(ReviewError, match="Claim this submission"):
        review_save_draft(**_review_kwargs(submission, mentor))

    assert Review.objects.count() == 0


def test_a_draft_may_hold_only_comments(claimed, mentor):
    review = review_save_draft(**_review_kwargs(claimed, mentor, summary="", verdict=""))

    assert (review.summary, review.verdict, review.published_at) == ("", "", None)
    assert review.comments.count() == 2


@pytest.mark.parametrize(
    "missing", [{"summary": ""}, {"summary": " \n "}, {"verdict": ""}, {"verdict": "merge"}]
)
def test_publishing_without_a_summary_or_a_verdict_is_refused_and_changes_nothing(
    claimed, mentor, missing
):
    with pytest.raises(
        ReviewError, match="^A review needs a summary and a verdict to be published"
    ):
        review_publish(**_review_kwargs(claimed, mentor, **missing))

    assert Review.objects.count() == 0
    assert _state(claimed) == (Status.IN_REVIEW, mentor.pk)
    assert OutboxMessage.objects.count() == 0


def test_a_published_review_cannot_be_edited_as_a_draft(claimed, mentor):
    iteration = claimed.iterations.get()
    ReviewFactory(iteration=iteration, mentor=mentor, summary="Final.", published_at=timezone.now())

    with pytest.raises(ReviewError, match="published and can no longer be changed"):
        review_save_draft(**_review_kwargs(claimed, mentor, summary="Sneaky edit."))

    assert Review.objects.get().summary == "Final."


# --- publishing ---------------------------------------------------------------------------------


def test_publish_requesting_changes_moves_the_status_clears_the_claim_and_keeps_comments(
    claimed, mentor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        review = review_publish(**_review_kwargs(claimed, mentor))

    review.refresh_from_db()
    assert review.published_at is not None
    assert review.comments.count() == 2
    claimed.refresh_from_db()
    assert (claimed.status, claimed.claimed_by_id, claimed.claimed_at) == (
        Status.CHANGES_REQUESTED,
        None,
        None,
    )


def test_publish_approving_marks_the_submission_approved(claimed, mentor):
    review_publish(**_review_kwargs(claimed, mentor, verdict=Review.Verdict.APPROVE))

    claimed.refresh_from_db()
    assert claimed.status == Status.APPROVED
    assert claimed.approved_at is not None


def test_publish_turns_the_existing_draft_into_the_published_review(claimed, mentor):
    draft = review_save_draft(**_review_kwargs(claimed, mentor, summary="Draft text."))

    published = review_publish(**_review_kwargs(claimed, mentor, summary="Final text."))

    assert published.pk == draft.pk
    assert list(Review.objects.values_list("summary", flat=True)) == ["Final text."]
    assert Review.objects.published().count() == 1


def test_publish_emails_the_learner_the_summary_and_a_link(
    claimed, mentor, learner, mailoutbox, deliver_mail
):
    review_publish(**_review_kwargs(claimed, mentor))
    assert mailoutbox == []  # queued in the transaction; the mail job sends it

    deliver_mail()
    [message] = mailoutbox
    name = mentor.get_full_name()
    assert message.to == ["ada@example.com"]
    assert (
        message.subject
        == f"[bootcamp] {name} reviewed your project “Task tracker”: changes requested"
    )
    assert message.body == (
        "Hello Ada Lovelace,\n\n"
        f"{name} has reviewed iteration 1 of your project “Task tracker”. The verdict: "
        "changes requested.\n\n"
        f"{name} wrote:\n\n"
        "Solid start; see the comments.\n\n"
        "app/main.py:12:\n"
        "Split this function.\n\n"
        "General comment:\n"
        "Nice commit messages overall.\n\n"
        "The full review, with the comments on your code, is on this page:\n"
        f"http://127.0.0.1:8000/submissions/{claimed.pk}/\n"
    )


def test_the_email_shows_the_code_around_each_line_comment_as_plain_text(
    claimed, mentor, mailoutbox, deliver_mail
):
    code = "".join(f"line_{n} = {n}\n" for n in range(1, 21))
    ready_snapshot(claimed.iterations.get(), {"app/main.py": code})

    review_publish(**_review_kwargs(claimed, mentor))
    deliver_mail()

    [message] = mailoutbox
    assert (
        "app/main.py:12:\n"
        "  10 | line_10 = 10\n"
        "  11 | line_11 = 11\n"
        "> 12 | line_12 = 12\n"
        "  13 | line_13 = 13\n"
        "  14 | line_14 = 14\n"
        "Split this function.\n"
    ) in message.body
    assert "<span" not in message.body


def test_publish_with_a_broken_mail_server_still_publishes(
    claimed, mentor, settings, mailoutbox, deliver_mail
):
    settings.MAIL_DELIVERY_BACKEND = "tests.reviews.test_services.BrokenMailServer"

    review_publish(**_review_kwargs(claimed, mentor))
    deliver_mail()

    assert Review.objects.published().count() == 1
    assert _state(claimed) == (Status.CHANGES_REQUESTED, None)
    assert list(OutboxMessage.objects.values_list("status", "last_error")) == [
        ("pending", "ConnectionRefusedError: mail server down")
    ]


def test_publishing_twice_publishes_once_and_returns_the_same_review(
    claimed, mentor, mailoutbox, deliver_mail
):
    first = review_publish(**_review_kwargs(claimed, mentor))
    second = review_publish(**_review_kwargs(claimed, mentor, summary="Second click."))
    deliver_mail()

    assert second.pk == first.pk
    assert list(Review.objects.values_list("summary", flat=True)) == [
        "Solid start; see the comments."
    ]
    assert ReviewComment.objects.count() == 2
    deliver_mail()
    assert len(mailoutbox) == 1


def test_only_the_mentor_holding_the_claim_may_publish(claimed, cohort, mentor):
    colleague = UserFactory(username="barbara")
    MembershipFactory(cohort=cohort, user=colleague, role=Membership.Role.MENTOR)

    with pytest.raises(ReviewError, match="Claim this submission"):
        review_publish(**_review_kwargs(claimed, colleague))

    assert Review.objects.count() == 0
    assert _state(claimed) == (Status.IN_REVIEW, mentor.pk)


@pytest.mark.parametrize("service", [review_save_draft, review_publish])
def test_a_learner_who_is_also_staff_cannot_review_their_own_work(cohort, learner, service):
    # Ada joins the staff, who may review any cohort, and holds the claim on her own work.
    learner.is_staff = True
    learner.save(update_fields=["is_staff"])
    own = SubmissionFactory(
        learner=learner,
        cohort=cohort,
        status=Status.IN_REVIEW,
        claimed_by=learner,
        claimed_at=timezone.now(),
    )
    IterationFactory(submission=own, number=1)

    with pytest.raises(ReviewError) as refused:
        service(**_review_kwargs(own, learner, verdict=Review.Verdict.APPROVE))

    assert str(refused.value) == (
        "You cannot review your own work; another mentor must. Nothing was saved."
    )
    assert Review.objects.count() == 0
    assert _state(own) == (Status.IN_REVIEW, learner.pk)


def test_publishing_an_older_iteration_is_refused(claimed, mentor):
    older = claimed.iterations.get()
    IterationFactory(submission=claimed, number=2)

    with pytest.raises(ReviewError, match="newer iteration"):
        review_publish(**_review_kwargs(claimed, mentor, iteration=older))

    assert Review.objects.count() == 0
    assert _state(claimed) == (Status.IN_REVIEW, mentor.pk)


def test_a_failure_after_the_status_change_leaves_nothing_half_done(claimed, mentor):
    # The draft the mentor saved earlier must survive the failed publish untouched.
    draft = review_save_draft(**_review_kwargs(claimed, mentor, summary="My draft."))
    # A line without a path breaks reviews_reviewcomment_line_needs_path; it is saved after
    # the status has moved, so the whole publish must roll back.
    broken = [*COMMENTS, {"path": "", "line": 3, "body": "Where?"}]

    with pytest.raises(ValidationError, match="reviews_reviewcomment_line_needs_path"):
        review_publish(**_review_kwargs(claimed, mentor, summary="Final.", comments=broken))

    draft.refresh_from_db()
    assert (draft.summary, draft.published_at) == ("My draft.", None)
    assert draft.comments.count() == 2
    claimed.refresh_from_db()
    assert (claimed.status, claimed.claimed_by_id) == (Status.IN_REVIEW, mentor.pk)
    assert claimed.claimed_at is not None


def test_a_database_constraint_failure_after_the_status_change_rolls_everything_back(
    claimed, mentor
):
    # Another mentor's published review of the same iteration: the one-published-per-iteration
    # constraint fails when ours is saved, after submission_record_verdict has run.
    ReviewFactory(iteration=claimed.iterations.get(), published_at=timezone.now())

    with pytest.raises(ValidationError):
        review_publish(**_review_kwargs(claimed, mentor))

    assert Review.objects.filter(mentor=mentor).count() == 0
    assert _state(claimed) == (Status.IN_REVIEW, mentor.pk)


# --- replies ------------------------------------------------------------------------------------


def test_a_mentors_reply_emails_the_learner(submission, mentor, mailoutbox, deliver_mail):
    reply = reply_create(submission=submission, author=mentor, body="Any questions?")
    deliver_mail()

    assert Reply.objects.get() == reply
    [message] = mailoutbox
    name = mentor.get_full_name()
    assert message.to == ["ada@example.com"]
    assert message.subject == f"[bootcamp] {name} replied about your project “Task tracker”"
    assert message.body == (
        f"{name} replied about your project “Task tracker”:\n\n"
        "Any questions?\n\n"
        "You can answer on this page:\n"
        f"http://127.0.0.1:8000/submissions/{submission.pk}/#conversation\n"
    )


def test_a_learners_reply_emails_the_mentors_who_reviewed_or_hold_the_claim(
    claimed, cohort, learner, mentor, mailoutbox, deliver_mail
):
    reviewer = UserFactory(username="margaret")
    MembershipFactory(cohort=cohort, user=reviewer, role=Membership.Role.MENTOR)
    MembershipFactory(cohort=cohort, user=UserFactory(username="bystander"), role="mentor")
    ReviewFactory(iteration=claimed.iterations.get(), mentor=reviewer, published_at=timezone.now())
    ReviewFactory(iteration=claimed.iterations.get(), mentor=UserFactory(username="drafter"))

    reply_create(submission=claimed, author=learner, body="I have a question.")
    deliver_mail()

    assert [message.to for message in mailoutbox] == [
        ["linus@example.com"],
        ["margaret@example.com"],
    ]
    assert (
        mailoutbox[0].subject
        == "[bootcamp] Ada Lovelace replied about their project “Task tracker”"
    )
    assert mailoutbox[0].body.startswith(
        "Ada Lovelace replied about their project “Task tracker”:\n\nI have a question.\n\n"
    )


def test_a_learners_reply_with_no_reviewer_yet_emails_all_the_cohorts_mentors(
    submission,
    cohort,
    learner,
    mentor,
    other_mentor,
    mailoutbox,
    deliver_mail,
):
    MembershipFactory(cohort=cohort, user=UserFactory(username="barbara"), role="mentor")

    reply_create(submission=submission, author=learner, body="Is this on track?")
    deliver_mail()

    assert [message.to for message in mailoutbox] == [
        ["barbara@example.com"],
        ["linus@example.com"],
    ]


def test_an_empty_reply_is_refused(submission, learner):
    with pytest.raises(ValidationError):
        reply_create(submission=submission, author=learner, body="")

    assert Reply.objects.count() == 0


def test_published_comment_factory_rows_are_ordered_by_order(claimed, mentor):
    review = ReviewFactory(iteration=claimed.iterations.get(), mentor=mentor)
    ReviewCommentFactory(review=review, order=2, path="b.py")
    ReviewCommentFactory(review=review, order=1, path="a.py")

    assert list(review.comments.values_list("path", flat=True)) == ["a.py", "b.py"]


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_publishes_by_the_claimant_publish_once(mailoutbox, deliver_mail):
    mentor = UserFactory(username="linus")
    work = SubmissionFactory(learner=UserFactory(username="ada"))
    MembershipFactory(cohort=work.cohort, user=mentor, role=Membership.Role.MENTOR)
    IterationFactory(submission=work, number=1)
    Submission.objects.filter(pk=work.pk).update(
        status=Status.IN_REVIEW, claimed_by=mentor, claimed_at=timezone.now()
    )
    barrier = threading.Barrier(2)
    results = []

    def click():
        try:
            barrier.wait(timeout=10)
            results.append(review_publish(**_review_kwargs(work, mentor)).pk)
        finally:
            connection.close()

    threads = [threading.Thread(target=click) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    published = Review.objects.published().get()
    assert results == [published.pk, published.pk]
    assert ReviewComment.objects.count() == 2
    deliver_mail()
    assert len(mailoutbox) == 1


@pytest.mark.django_db(transaction=True)
def test_a_reply_posted_while_the_same_one_is_being_saved_waits_and_is_that_one():
    """The first post's transaction is open (its reply saved, not committed) when the second
    arrives: the second waits for the submission's lock, then finds the first reply."""
    learner = UserFactory(username="ada")
    work = SubmissionFactory(learner=learner)
    mentor = UserFactory(username="linus")
    MembershipFactory(cohort=work.cohort, user=mentor, role=Membership.Role.MENTOR)
    IterationFactory(submission=work, number=1)
    posted, may_commit, firsts, errors = threading.Event(), threading.Event(), [], []

    def first_click():
        try:
            with transaction.atomic():
                firsts.append(reply_create(submission=work, author=learner, body="Done.").pk)
                posted.set()
                assert may_commit.wait(timeout=10)
        except Exception as error:  # noqa: BLE001 - reported to the test
            errors.append(error)
        finally:
            connection.close()  # the thread opened its own connection

    holder = threading.Thread(target=first_click)
    holder.start()
    assert posted.wait(timeout=10)
    threading.Timer(0.3, may_commit.set).start()

    second = reply_create(submission=work, author=learner, body="Done.")
    holder.join(timeout=30)

    assert errors == []
    assert list(Reply.objects.values_list("pk", flat=True)) == firsts == [second.pk]
    assert Notification.objects.count() == 1
