import datetime
import re

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from curriculum.models import Project
from learners.models import ChecklistTick, Membership, Submission
from learners.services import submission_claim
from reviews.models import Review, ReviewComment
from tests.factories import (
    BugStoryFactory,
    ChecklistItemFactory,
    IterationFactory,
    MembershipFactory,
    ReviewCommentFactory,
    ReviewFactory,
    SubmissionFactory,
    UserFactory,
)

Status = Submission.Status


def _url(submission):
    return f"/mentor/submissions/{submission.pk}/review/"


def _messages(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def _post_data(*rows, summary="Good structure; two things to fix.", verdict="request_changes"):
    data = {
        "summary": summary,
        "verdict": verdict,
        # Only a publish reads it; a draft ignores it.
        "confirm_publish": "on",
        "comments-TOTAL_FORMS": str(len(rows) + 1),
        "comments-INITIAL_FORMS": "0",
        "comments-MIN_NUM_FORMS": "0",
        "comments-MAX_NUM_FORMS": "1000",
    }
    for index, (path, line, body) in enumerate([*rows, ("", "", "")]):
        data.update(
            {
                f"comments-{index}-path": path,
                f"comments-{index}-line": line,
                f"comments-{index}-body": body,
            }
        )
    return data


ROWS = [("app/main.py", "12", "Split this function."), ("tests/test_main.py", "", "Add a case.")]


def _state(submission):
    submission.refresh_from_db()
    return (submission.status, submission.claimed_by_id)


CLAIMED_AT = datetime.datetime(2026, 11, 24, 10, 2, tzinfo=datetime.UTC)


@pytest.fixture
def colleague(cohort):
    user = UserFactory(username="barbara", first_name="Barbara", last_name="Liskov")
    MembershipFactory(cohort=cohort, user=user, role=Membership.Role.MENTOR)
    return user


@pytest.fixture
def claimed_story(cohort, learner, mentor):
    """Ada's bug story about her task tracker, claimed by the cohort's mentor: no repository."""
    tracker = SubmissionFactory(learner=learner, cohort=cohort, project__title="Task tracker")
    story = SubmissionFactory(
        learner=learner,
        cohort=cohort,
        project__kind=Project.Kind.BUG_STORY,
        project__title="Tell me about a bug you fixed",
        status=Status.IN_REVIEW,
        claimed_by=mentor,
        claimed_at=timezone.now(),
    )
    BugStoryFactory(
        iteration__submission=story,
        iteration__number=1,
        iteration__commit_sha="",
        about_submission=tracker,
    )
    return story


# --- GET ----------------------------------------------------------------------------------------


def test_the_claimant_sees_the_work_beside_an_empty_review_form(client_for, mentor, claimed):
    iteration = claimed.iterations.get()
    iteration.notes = "I used **argparse**."
    iteration.save()
    ticked, _unticked = ChecklistItemFactory(text="README"), ChecklistItemFactory(text="Tests")
    ChecklistTick.objects.create(iteration=iteration, item=ticked)

    response = client_for(mentor).get(_url(claimed))

    assert response.status_code == 200
    content = response.content.decode()
    assert "<p>I used <strong>argparse</strong>.</p>" in content
    assert '<span class="visually-hidden">Ticked:</span>\n          README' in content
    assert '<span class="visually-hidden">Not ticked:</span>\n          Tests' in content
    assert '<ul id="rubric"><li>Add a task</li><li>List tasks</li></ul>' in content
    assert 'name="comments-TOTAL_FORMS" value="1"' in content
    assert [f'name="comments-{n}-body"' in content for n in range(2)] == [True, False]
    # The script copies the blank row (js/review.js): no empty form rendered beside it.
    assert '<fieldset class="border rounded p-2 mb-2 comment-row" data-blank-row="0">' in content
    assert "__prefix__" not in content
    assert '<button type="submit" name="save_draft"' in content
    assert '<button type="submit" name="publish"' in content


def test_the_iteration_links_out_without_endorsing_and_shortens_the_commit(
    client_for, mentor, claimed
):
    iteration = claimed.iterations.get()
    iteration.live_url = "https://ada.example.com/"
    iteration.save()

    content = client_for(mentor).get(_url(claimed)).content.decode()

    assert (
        '<a href="https://github.com/learner/project" rel="noopener noreferrer nofollow">'
    ) in content
    assert '<a href="https://ada.example.com/" rel="noopener noreferrer nofollow">' in content
    assert f'<code title="{iteration.commit_sha}">a1b2c3d</code>' in content


def test_a_projects_page_shows_its_files_checklist_and_automated_checks(
    client_for, mentor, claimed
):
    ChecklistItemFactory(text="README")

    content = client_for(mentor).get(_url(claimed)).content.decode()

    assert '<h2 class="h5" id="files-heading">Files at the commit of iteration 1</h2>' in content
    assert '<h2 class="h5" id="checklist-heading">Submission checklist</h2>' in content
    assert 'data-snapshot-status="none"' in content  # no snapshot: the section says why


def test_a_bug_storys_page_shows_its_parts_without_files_checklist_or_automated_checks(
    client_for, mentor, claimed_story
):
    ChecklistItemFactory(text="README")
    tracker = claimed_story.iterations.get().bug_story.about_submission

    content = client_for(mentor).get(_url(claimed_story)).content.decode()

    assert "<dt>How you tested the fix</dt>" in content
    assert f'<dd><a href="/submissions/{tracker.pk}/">Task tracker</a></dd>' in content
    assert 'id="files-heading"' not in content
    assert 'id="checklist-heading"' not in content
    assert "README" not in content
    assert "data-snapshot-status" not in content
    assert "Automated checks" not in content


def test_a_bug_storys_comments_are_on_the_whole_story_without_a_file_or_line(
    client_for, mentor, claimed_story
):
    client = client_for(mentor)

    content = client.get(_url(claimed_story)).content.decode()
    # A path or line posted anyway (a stale form, a hand-made request) is not stored.
    data = _post_data(("tracker/views.py", "7", "The cause is well found."), verdict="approve")
    response = client.post(_url(claimed_story), {**data, "publish": "1"})

    assert "A bug story has no files" in content
    assert 'name="comments-0-body"' in content
    assert 'name="comments-0-path"' not in content
    assert 'name="comments-0-line"' not in content
    assert response.status_code == 302
    [comment] = Review.objects.published().get().comments.all()
    assert (comment.path, comment.line, comment.body) == ("", None, "The cause is well found.")


def test_the_mentors_draft_prefills_the_form(client_for, mentor, claimed):
    draft = ReviewFactory(iteration=claimed.iterations.get(), mentor=mentor, summary="Half done")
    comment = ReviewCommentFactory(review=draft, path="app/cli.py", line=4, body="Why global?")

    response = client_for(mentor).get(_url(claimed))

    form, formset = response.context["form"], response.context["formset"]
    assert form.initial == {
        "summary": "Half done",
        "verdict": "request_changes",
        "comments_seen": comment.pk,
    }
    assert formset.initial == [{"path": "app/cli.py", "line": 4, "body": "Why global?"}]
    assert len(formset.forms) == 2  # the draft's comment and one blank row
    content = response.content.decode()
    assert content.count("data-blank-row=") == 1
    assert 'data-blank-row="1"' in content


def test_earlier_iterations_list_their_published_reviews_linked_to_the_submission_page(
    client_for, mentor, claimed
):
    first = claimed.iterations.get()
    review = ReviewFactory(
        iteration=first,
        mentor=UserFactory(first_name="Grace", last_name="Hopper"),
        summary="Needs tests.",
        published_at=CLAIMED_AT,
    )
    ReviewCommentFactory(review=review, path="app.py", line=3, body="Name this better.")
    ReviewFactory(iteration=first, summary="Someone's unpublished draft.")
    IterationFactory(submission=claimed, number=2)

    content = client_for(mentor).get(_url(claimed)).content.decode()

    earlier = content[content.index('<ul class="list-unstyled" id="earlier-iterations">') :]
    earlier = " ".join(earlier[: earlier.index("</ul>")].split())
    assert (
        '<li class="mb-2 earlier-iteration">Iteration 1: reviewed by Grace Hopper '
        '<time datetime="2026-11-24T10:02:00+00:00">24 Nov 2026</time>, '
        '<span class="badge status-badge status-changes_requested">Changes requested</span> · '
        f'<a href="/submissions/{claimed.pk}/?review={review.pk}#review-{review.pk}">'
        'Read the review<span class="visually-hidden"> of iteration 1</span></a> </li>'
    ) in earlier
    # The review in full, its comments and threads, are on the submission page.
    assert "Needs tests." not in content
    assert "Name this better." not in content
    assert "unpublished draft" not in content
    submission_page = (
        client_for(mentor)
        .get(f"/submissions/{claimed.pk}/", {"review": str(review.pk)})
        .content.decode()
    )
    assert f'id="review-{review.pk}"' in submission_page
    assert "<p>Needs tests.</p>" in submission_page


def test_an_earlier_iteration_without_a_published_review_says_so(client_for, mentor, claimed):
    IterationFactory(submission=claimed, number=2)

    content = client_for(mentor).get(_url(claimed)).content.decode()

    assert "Iteration 1:\n          no published review\n        </li>" in content


def test_a_published_review_reads_the_same_for_the_mentor_and_the_learner(
    client_for, learner, mentor, claimed
):
    review = ReviewFactory(
        iteration=claimed.iterations.get(), summary="Needs tests.", published_at=timezone.now()
    )
    ReviewCommentFactory(review=review, path="app.py", line=3, body="Name this better.")
    ReviewCommentFactory(review=review, path="", line=None, body="Tidy overall.")

    mentor_page = client_for(mentor).get(_url(claimed)).content.decode()
    learner_page = client_for(learner).get(f"/submissions/{claimed.pk}/").content.decode()

    def article(content):
        start = content.index(f'<article class="card mb-3 review" id="review-{review.pk}"')
        # The thread's answer forms differ (their CSRF token, where they lead back to).
        return re.sub(
            r"<form.*?</form>", "", content[start : content.index("</article>", start)], flags=re.S
        )

    assert article(mentor_page) == article(learner_page)
    assert "<p>Name this better.</p>" in article(mentor_page)


def test_without_the_claim_the_page_is_read_only_with_a_claim_button(
    client_for, mentor, submission
):
    content = client_for(mentor).get(_url(submission)).content.decode()

    assert 'name="publish"' not in content
    assert f'action="/mentor/submissions/{submission.pk}/claim/"' in content


def test_someone_elses_claim_is_named_and_staff_are_offered_a_take_over(
    client_for, colleague, mentor, staff, submission
):
    submission_claim(submission=submission, mentor=colleague)
    Submission.objects.filter(pk=submission.pk).update(claimed_at=CLAIMED_AT)

    mentor_page = client_for(mentor).get(_url(submission)).content.decode()
    staff_page = client_for(staff).get(_url(submission)).content.decode()

    assert (
        '<p id="claim-holder">Barbara Liskov has been reviewing this submission since '
        '<time datetime="2026-11-24T10:02:00+00:00">24 Nov, 10:02</time>.</p>'
    ) in mentor_page
    assert 'name="take_over"' not in mentor_page
    assert 'name="publish"' not in mentor_page
    assert (
        '<button type="submit" name="take_over" value="1" class="btn btn-outline-danger">'
        'Take over the review<span class="visually-hidden"> from Barbara Liskov</span></button>'
    ) in staff_page
    assert (
        '<p id="holder-draft">Barbara Liskov has not saved a draft of this iteration.</p>'
    ) in staff_page


def test_staff_are_told_the_holder_has_a_draft_that_stays_theirs(
    client_for, colleague, staff, submission
):
    submission_claim(submission=submission, mentor=colleague)
    ReviewFactory(iteration=submission.iterations.get(), mentor=colleague, summary="Half")

    content = client_for(staff).get(_url(submission)).content.decode()

    assert (
        '<p id="holder-draft">Barbara Liskov has an unpublished draft; it stays theirs. '
        "Once you take over, you see it read-only above your own form.</p>"
    ) in content
    assert "Half" not in content  # shown only once staff hold the claim


def test_after_a_take_over_staff_see_the_displaced_draft_read_only_above_their_form(
    client_for, colleague, staff, submission
):
    submission_claim(submission=submission, mentor=colleague)
    draft = ReviewFactory(
        iteration=submission.iterations.get(),
        mentor=colleague,
        summary="Good **tests**.",
        verdict="",
    )
    ReviewCommentFactory(review=draft, path="app/cli.py", line=4, body="Why global?")
    submission_claim(submission=submission, mentor=staff, take_over=True)

    response = client_for(staff).get(_url(submission))

    content = response.content.decode()
    drafts = content[content.index('<section aria-labelledby="other-drafts-heading"') :]
    drafts = drafts[: drafts.index("</section>")]
    assert "Barbara Liskov's unpublished draft</h4>" in drafts
    assert "No verdict yet" in drafts
    assert "<p>Good <strong>tests</strong>.</p>" in drafts
    assert "app/cli.py:4</a>" in drafts
    assert "<p>Why global?</p>" in drafts
    assert "<textarea" not in drafts  # read-only
    # Staff's own form comes after it, empty: the draft stays Barbara's.
    assert content.index('id="other-drafts"') < content.index('name="publish"')
    assert response.context["form"].initial == {"comments_seen": 0}


def test_a_mentor_never_sees_another_mentors_draft(client_for, colleague, mentor, claimed):
    ReviewFactory(iteration=claimed.iterations.get(), mentor=colleague, summary="Secret draft")

    content = client_for(mentor).get(_url(claimed)).content.decode()

    assert "Secret draft" not in content
    assert 'id="other-drafts"' not in content


def test_the_header_shows_the_status_with_the_shared_badge(client_for, mentor, claimed):
    content = client_for(mentor).get(_url(claimed)).content.decode()

    header = content[content.index("<h1") : content.index('id="work-heading"')]
    assert "· Iteration 1 · " in header
    assert '<span class="badge status-badge status-in_review">In review</span>' in header
    assert "text-bg-secondary" not in header


def test_the_commit_links_to_the_commit_on_its_host(client_for, mentor, claimed):
    iteration = claimed.iterations.get()

    content = client_for(mentor).get(_url(claimed)).content.decode()

    assert (
        f'<a href="https://github.com/learner/project/commit/{iteration.commit_sha}" '
        'rel="noopener noreferrer nofollow">'
        f'<code title="{iteration.commit_sha}">a1b2c3d</code></a>'
    ) in content


def test_the_claim_holder_can_release_from_the_review_page_with_what_it_does_explained(
    client_for, mentor, claimed
):
    content = client_for(mentor).get(_url(claimed)).content.decode()

    release = content[content.index('<div class="border-top mt-4 pt-3" id="release">') :]
    release = release[: release.index("</div>")]
    assert (
        "Releasing the claim returns this submission to the queue, where any mentor of the "
        "cohort can claim it. Your draft is kept and comes back if you claim it again."
    ) in release
    assert f'action="/mentor/submissions/{claimed.pk}/release/"' in release
    assert (
        '<button type="submit" class="btn btn-sm btn-outline-secondary">Release the claim'
        '<span class="visually-hidden"> on Ada Lovelace&#x27;s Task tracker</span></button>'
    ) in release


@pytest.mark.parametrize(
    ("status", "sentence"),
    [
        (
            Status.SUBMITTED,
            "This submission is waiting for a mentor. Claim it to start your review; no one "
            "else can claim it while you hold it.",
        ),
        (
            Status.CHANGES_REQUESTED,
            "Changes were requested on this submission; it is waiting for the learner to "
            "resubmit. There is nothing to review until then.",
        ),
        (
            Status.APPROVED,
            "This submission was approved on <time "
            'datetime="2026-11-24T10:02:00+00:00">24 Nov 2026</time>; there is nothing left '
            "to review.",
        ),
    ],
)
def test_without_a_claim_the_page_says_in_a_sentence_where_the_submission_stands(
    client_for, mentor, submission, status, sentence
):
    Submission.objects.filter(pk=submission.pk).update(
        status=status, approved_at=CLAIMED_AT if status == Status.APPROVED else None
    )

    content = client_for(mentor).get(_url(submission)).content.decode()

    assert f'<p id="review-status">{sentence}</p>' in content


@pytest.mark.parametrize("who", ["learner", "other_mentor", "other_learner"])
def test_the_review_page_is_404_outside_the_cohorts_mentors(client_for, request, claimed, who):
    user = request.getfixturevalue(who)

    assert client_for(user).get(_url(claimed)).status_code == 404
    assert client_for(user).post(_url(claimed), _post_data(*ROWS)).status_code == 404
    assert Review.objects.count() == 0


def test_staff_may_open_any_review_page(client_for, staff, claimed):
    assert client_for(staff).get(_url(claimed)).status_code == 200


def test_the_review_page_needs_a_login(client, claimed):
    response = client.get(_url(claimed))

    assert response.status_code == 302
    assert response.url == f"/accounts/login/?next={_url(claimed)}"


def test_the_review_page_refuses_other_methods(client_for, mentor, claimed):
    assert client_for(mentor).put(_url(claimed)).status_code == 405


def test_the_review_page_answers_head_like_get(client_for, mentor, claimed):
    response = client_for(mentor).head(_url(claimed))

    assert response.status_code == 200
    assert response.content == b""
    assert Review.objects.count() == 0


# --- POST ---------------------------------------------------------------------------------------


def test_save_draft_keeps_the_claim_and_stays_on_the_page(client_for, mentor, claimed):
    response = client_for(mentor).post(_url(claimed), {**_post_data(*ROWS), "save_draft": "1"})

    assert response.status_code == 302
    assert response.url == _url(claimed)
    assert _messages(response) == ["Draft saved. The learner sees nothing until you publish."]
    review = Review.objects.get()
    assert review.published_at is None
    assert list(review.comments.values_list("path", "line", "body")) == [
        ("app/main.py", 12, "Split this function."),
        ("tests/test_main.py", None, "Add a case."),
    ]
    assert _state(claimed) == (Status.IN_REVIEW, mentor.pk)


def test_publish_records_the_verdict_and_goes_to_the_submission_page(
    client_for, mentor, claimed, mailoutbox, deliver_mail
):
    response = client_for(mentor).post(_url(claimed), {**_post_data(*ROWS), "publish": "1"})
    deliver_mail()

    assert response.url == f"/submissions/{claimed.pk}/"
    assert _messages(response) == ["Your review is published; the learner has been told."]
    assert Review.objects.published().get().comments.count() == 2
    assert _state(claimed) == (Status.CHANGES_REQUESTED, None)
    assert [message.to for message in mailoutbox] == [["ada@example.com"]]


def test_a_double_click_on_publish_publishes_once(client_for, mentor, claimed):
    client = client_for(mentor)
    client.post(_url(claimed), {**_post_data(*ROWS), "publish": "1"})

    response = client.post(_url(claimed), {**_post_data(summary="Again"), "publish": "1"})

    assert response.url == f"/submissions/{claimed.pk}/"
    assert _messages(response) == [
        "Your review is published; the learner has been told.",  # from the first click
        "Your review of this iteration is already published.",
    ]
    assert list(Review.objects.values_list("summary", flat=True)) == [
        "Good structure; two things to fix."
    ]


def test_a_mentor_without_the_claim_cannot_publish(client_for, colleague, mentor, claimed):
    response = client_for(colleague).post(
        _url(claimed), {**_post_data(*ROWS, verdict="approve"), "publish": "1"}
    )

    assert response.status_code == 200
    assert Review.objects.count() == 0
    assert _state(claimed) == (Status.IN_REVIEW, mentor.pk)


@pytest.mark.parametrize("button", ["save_draft", "publish"])
def test_a_displaced_mentor_gets_their_text_back_with_who_took_over_and_when(
    client_for, mentor, staff, claimed, button
):
    # Mentor's tab is stale: staff took the claim at 10:02 while they were writing.
    submission_claim(submission=claimed, mentor=staff, take_over=True)
    Submission.objects.filter(pk=claimed.pk).update(claimed_at=CLAIMED_AT)
    staff.first_name, staff.last_name = "Sam", "Staff"
    staff.save()
    data = {**_post_data(*ROWS, summary="My careful summary."), button: "1"}

    response = client_for(mentor).post(_url(claimed), data)

    assert response.status_code == 200
    content = response.content.decode()
    assert (
        '<div class="alert alert-danger" role="alert" id="claim-lost">Sam Staff took over this '
        "review at 24 Nov, 10:02; your text is below — copy it or ask them to hand it back. "
        "Nothing was saved.</div>"
    ) in content
    assert 'id="id_summary">\nMy careful summary.</textarea>' in content
    assert 'value="request_changes"  id="id_verdict_1" checked>' in content
    assert 'value="app/main.py"' in content
    assert ">\nSplit this function.</textarea>" in content
    # Saving again could only fail the same way: the form is there to copy from.
    assert 'name="save_draft"' not in content
    assert 'name="publish"' not in content
    assert "cannot be saved or published: copy what you want to keep." in content
    assert _messages(response) == []
    assert Review.objects.count() == 0
    assert _state(claimed) == (Status.IN_REVIEW, staff.pk)


def test_a_displaced_mentor_is_told_the_time_alone_when_it_happened_today(
    client_for, mentor, staff, claimed
):
    submission_claim(submission=claimed, mentor=staff, take_over=True)
    claimed.refresh_from_db()

    response = client_for(mentor).post(_url(claimed), {**_post_data(), "save_draft": "1"})

    taken = timezone.localtime(claimed.claimed_at).strftime("%H:%M")
    assert f"took over this review at {taken}; your text is below" in response.content.decode()


def test_a_mentor_whose_claim_was_released_gets_their_text_back(client_for, mentor, claimed):
    Submission.objects.filter(pk=claimed.pk).update(
        status=Status.SUBMITTED, claimed_by=None, claimed_at=None
    )

    response = client_for(mentor).post(
        _url(claimed), {**_post_data(summary="Keep me."), "save_draft": "1"}
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert (
        "Your claim on this review was released; your text is below — copy it, claim the "
        "submission again and save it. Nothing was saved."
    ) in content
    assert 'id="id_summary">\nKeep me.</textarea>' in content
    assert 'name="publish"' not in content
    assert f'action="/mentor/submissions/{claimed.pk}/claim/"' in content  # claim it again
    assert Review.objects.count() == 0


def test_a_draft_with_only_a_comment_saves(client_for, mentor, claimed):
    data = {
        **_post_data(("app/main.py", "3", "Start here."), summary="", verdict=""),
        "save_draft": "1",
    }

    response = client_for(mentor).post(_url(claimed), data)

    assert response.status_code == 302
    review = Review.objects.get()
    assert (review.summary, review.verdict, review.published_at) == ("", "", None)
    assert list(review.comments.values_list("path", "line", "body")) == [
        ("app/main.py", 3, "Start here.")
    ]
    # Back on the page, the partial draft fills the form with nothing chosen yet.
    page = client_for(mentor).get(_url(claimed))
    assert page.context["form"].initial == {
        "summary": "",
        "verdict": "",
        "comments_seen": review.comments.get().pk,
    }


@pytest.mark.parametrize(
    ("summary", "verdict", "errors"),
    [
        (
            "",
            "approve",
            {"summary": ["Write a summary before publishing; a draft can do without one."]},
        ),
        ("Looks good.", "", {"verdict": ["Choose a verdict before publishing."]}),
    ],
)
def test_publishing_without_a_summary_or_a_verdict_is_a_field_error_and_publishes_nothing(
    client_for, mentor, claimed, summary, verdict, errors
):
    data = {**_post_data(*ROWS, summary=summary, verdict=verdict), "publish": "1"}

    response = client_for(mentor).post(_url(claimed), data)

    assert response.status_code == 200
    assert response.context["form"].errors == errors
    assert Review.objects.count() == 0
    assert _state(claimed) == (Status.IN_REVIEW, mentor.pk)


def test_bad_input_rerenders_the_form_with_errors_and_saves_nothing(client_for, mentor, claimed):
    data = {**_post_data(("", "7", "Which file?"), summary=""), "publish": "1"}

    response = client_for(mentor).post(_url(claimed), data)

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "summary": ["Write a summary before publishing; a draft can do without one."]
    }
    assert response.context["formset"].errors == [
        {"path": ["A line number needs a file path."]},
        {},
    ]
    content = response.content.decode()
    assert "A line number needs a file path." in content
    # Sent back, every row holds what was typed: the script copies the empty form instead.
    assert "data-blank-row" not in content
    assert content.count('<template id="comment-row-template">') == 1
    assert 'name="comments-__prefix__-body"' in content
    assert Review.objects.count() == 0
    assert ReviewComment.objects.count() == 0
    assert _state(claimed) == (Status.IN_REVIEW, mentor.pk)


@pytest.mark.parametrize("button", ["save_draft", "publish"])
def test_a_line_number_past_the_databases_range_is_a_field_error_not_a_crash(
    client_for, mentor, claimed, button
):
    data = {**_post_data(("app/main.py", "3000000000", "Off the end.")), button: "1"}

    response = client_for(mentor).post(_url(claimed), data)

    assert response.status_code == 200
    assert response.context["formset"].errors == [
        {"line": ["Ensure this value is less than or equal to 2147483647."]},
        {},
    ]
    assert Review.objects.count() == 0
    assert ReviewComment.objects.count() == 0
    assert _state(claimed) == (Status.IN_REVIEW, mentor.pk)


def test_a_rule_only_the_database_knows_becomes_a_form_error_not_a_crash(
    client_for, colleague, mentor, claimed
):
    # Someone else's review of this iteration is already published (data from before the
    # one-claim rule): the model's constraint, not the form, refuses a second one.
    ReviewFactory(iteration=claimed.iterations.get(), mentor=colleague, published_at=timezone.now())

    response = client_for(mentor).post(_url(claimed), {**_post_data(*ROWS), "publish": "1"})

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "Constraint “reviews_review_one_published_per_iteration” is violated."
    ]
    assert "reviews_review_one_published_per_iteration" in response.content.decode()
    assert Review.objects.filter(mentor=mentor).count() == 0
    assert _state(claimed) == (Status.IN_REVIEW, mentor.pk)


def test_a_post_without_the_management_form_is_a_form_error_not_a_crash(
    client_for, mentor, claimed
):
    response = client_for(mentor).post(
        _url(claimed),
        {"summary": "Ok", "verdict": "approve", "publish": "1", "confirm_publish": "on"},
    )

    assert response.status_code == 200
    assert list(response.context["formset"].non_form_errors()) == [
        "ManagementForm data is missing or has been tampered with. Missing fields: "
        "comments-TOTAL_FORMS, comments-INITIAL_FORMS. You may need to file a bug report "
        "if the issue persists."
    ]
    assert Review.objects.count() == 0


@pytest.mark.parametrize("earlier", [1, 10])
def test_the_review_page_issues_the_same_number_of_queries_for_1_and_10_earlier_rounds(
    client_for, mentor, claimed, earlier, django_assert_num_queries
):
    claimed.iterations.all().delete()
    for number in range(1, earlier + 1):
        iteration = IterationFactory(submission=claimed, number=number)
        ChecklistTick.objects.create(iteration=iteration, item=ChecklistItemFactory())
        review = ReviewFactory(iteration=iteration, published_at=timezone.now())
        ReviewCommentFactory(review=review)
        ReviewCommentFactory(review=review)
    latest = IterationFactory(submission=claimed, number=earlier + 1)
    draft = ReviewFactory(iteration=latest, mentor=mentor)
    for _ in range(earlier):
        ReviewCommentFactory(review=draft)
    client = client_for(mentor)

    # The session, the user, their roles, the submission, its iterations (with their
    # snapshots: the checks 0; a ready one adds 1, what did not pass) and their published
    # reviews, the draft and its comments, the
    # snapshot's files, the checklist, the conversation. The earlier rounds' comments are not
    # read: the page links their reviews on the submission page.
    with django_assert_num_queries(11):
        response = client.get(_url(claimed))

    assert len(response.context["earlier_iterations"]) == earlier


def test_a_bug_storys_review_page_reads_no_files_checklist_or_checks(
    client_for, mentor, claimed_story, django_assert_num_queries
):
    ChecklistItemFactory()
    earlier = claimed_story.iterations.get()
    ReviewFactory(iteration=earlier, published_at=timezone.now(), verdict="request_changes")
    BugStoryFactory(
        iteration__submission=claimed_story,
        iteration__number=2,
        iteration__commit_sha="",
        about_submission=earlier.bug_story.about_submission,
    )
    client = client_for(mentor)

    # The session, the user, their roles, the submission, its iterations (with their stories
    # and the work each is about) and their published reviews, the draft, the conversation:
    # no snapshot's files, no checklist.
    with django_assert_num_queries(8):
        response = client.get(_url(claimed_story))

    assert response.context["iteration"].number == 2
