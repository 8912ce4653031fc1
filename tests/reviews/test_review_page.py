import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from learners.models import ChecklistTick, Membership, Submission
from learners.services import submission_claim
from reviews.models import Review, ReviewComment
from tests.factories import (
    ChecklistItemFactory,
    IterationFactory,
    MembershipFactory,
    ReviewCommentFactory,
    ReviewFactory,
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


@pytest.fixture
def colleague(cohort):
    user = UserFactory(username="barbara", first_name="Barbara", last_name="Liskov")
    MembershipFactory(cohort=cohort, user=user, role=Membership.Role.MENTOR)
    return user


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
    assert 'name="comments-TOTAL_FORMS" value="3"' in content
    assert [f'name="comments-{n}-body"' in content for n in range(4)] == [True, True, True, False]
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


def test_the_mentors_draft_prefills_the_form(client_for, mentor, claimed):
    draft = ReviewFactory(iteration=claimed.iterations.get(), mentor=mentor, summary="Half done")
    ReviewCommentFactory(review=draft, path="app/cli.py", line=4, body="Why global?")

    response = client_for(mentor).get(_url(claimed))

    form, formset = response.context["form"], response.context["formset"]
    assert form.initial == {"summary": "Half done", "verdict": "request_changes"}
    assert formset.initial == [{"path": "app/cli.py", "line": 4, "body": "Why global?"}]
    assert len(formset.forms) == 4  # the draft's comment and three blank rows


def test_earlier_iterations_show_with_their_published_reviews(client_for, mentor, claimed):
    first = claimed.iterations.get()
    ReviewCommentFactory(
        review=ReviewFactory(iteration=first, summary="Needs tests.", published_at=timezone.now()),
        path="app.py",
        line=3,
        body="Name this better.",
    )
    ReviewFactory(iteration=first, summary="Someone's unpublished draft.")
    IterationFactory(submission=claimed, number=2)

    content = client_for(mentor).get(_url(claimed)).content.decode()

    assert "<summary>Iteration #1 · 1 review</summary>" in content
    assert "<p>Needs tests.</p>" in content
    assert (
        f'<a href="https://github.com/learner/project/blob/{first.commit_sha}/app.py#L3" '
        'rel="noopener noreferrer nofollow">app.py:3</a>'
    ) in content
    assert "unpublished draft" not in content


def test_a_published_review_reads_the_same_for_the_mentor_and_the_learner(
    client_for, learner, mentor, claimed
):
    review = ReviewFactory(
        iteration=claimed.iterations.get(), summary="Needs tests.", published_at=timezone.now()
    )
    ReviewCommentFactory(review=review, path="app.py", line=3, body="Name this better.")
    ReviewCommentFactory(review=review, path="", line=None, body="Tidy overall.")
    IterationFactory(submission=claimed, number=2)

    mentor_page = client_for(mentor).get(_url(claimed)).content.decode()
    learner_page = client_for(learner).get(f"/submissions/{claimed.pk}/").content.decode()

    def article(content):
        start = content.index(f'<article class="card mb-3 review" id="review-{review.pk}"')
        return content[start : content.index("</article>", start)]

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

    mentor_page = client_for(mentor).get(_url(submission)).content.decode()
    staff_page = client_for(staff).get(_url(submission)).content.decode()

    assert '<p id="claim-holder">Barbara Liskov is reviewing this submission.</p>' in mentor_page
    assert 'name="take_over"' not in mentor_page
    assert 'name="publish"' not in mentor_page
    assert '<input type="hidden" name="take_over" value="1">' in staff_page


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
    assert _messages(response) == ["Draft saved. Only you can see it until you publish."]
    review = Review.objects.get()
    assert review.published_at is None
    assert list(review.comments.values_list("path", "line", "body")) == [
        ("app/main.py", 12, "Split this function."),
        ("tests/test_main.py", None, "Add a case."),
    ]
    assert _state(claimed) == (Status.IN_REVIEW, mentor.pk)


def test_publish_records_the_verdict_and_goes_to_the_submission_page(
    client_for, mentor, claimed, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(mentor).post(_url(claimed), {**_post_data(*ROWS), "publish": "1"})

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

    assert response.url == _url(claimed)
    assert _messages(response) == ["Claim this submission before reviewing it; nothing was saved."]
    assert Review.objects.count() == 0
    assert _state(claimed) == (Status.IN_REVIEW, mentor.pk)


def test_bad_input_rerenders_the_form_with_errors_and_saves_nothing(client_for, mentor, claimed):
    data = {**_post_data(("", "7", "Which file?"), summary=""), "publish": "1"}

    response = client_for(mentor).post(_url(claimed), data)

    assert response.status_code == 200
    assert response.context["form"].errors == {"summary": ["This field is required."]}
    assert response.context["formset"].errors == [
        {"path": ["A line number needs a file path."]},
        {},
    ]
    assert "A line number needs a file path." in response.content.decode()
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
        _url(claimed), {"summary": "Ok", "verdict": "approve", "publish": "1"}
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

    with django_assert_num_queries(11):
        response = client.get(_url(claimed))

    assert len(response.context["earlier_iterations"]) == earlier
