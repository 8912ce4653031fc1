import re

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from learners.models import Iteration, Submission
from tests.factories import ReviewCommentFactory, ReviewFactory

Status = Submission.Status

NEW = {
    "repo_url": "https://github.com/ada/tasks",
    "live_url": "",
    "commit_sha": "bbbbbbb",
    "notes": "Fixed the tests.",
}


def url(submission):
    return f"/submissions/{submission.pk}/resubmit/"


def test_form_prefills_the_links_and_ticks_of_the_latest_iteration(
    client_for, learner, make_submission, checklist
):
    submission = make_submission(status=Status.CHANGES_REQUESTED, iterations=2)
    submission.iterations.get(number=1).checklist_items.set(checklist)
    latest = submission.iterations.get(number=2)
    latest.live_url = "https://ada.example.com/"
    latest.save(update_fields=["live_url"])
    latest.checklist_items.set([checklist[1]])

    response = client_for(learner).get(url(submission))

    assert response.status_code == 200
    assert response.context["form"].initial == {
        "repo_url": "https://github.com/learner/project",
        "live_url": "https://ada.example.com/",
        "checklist": [checklist[1].pk],
    }
    html = response.content.decode()
    checkboxes = re.findall(r'<input type="checkbox"[^>]*value="(\d+)"[^>]*?( checked)?>', html)
    assert checkboxes == [(str(checklist[0].pk), ""), (str(checklist[1].pk), " checked")]


def test_form_shows_the_latest_published_review_above_the_form(
    client_for, learner, mentor, make_submission
):
    submission = make_submission(status=Status.CHANGES_REQUESTED, iterations=2)
    first, second = submission.iterations.order_by("number")
    ReviewFactory(
        iteration=first, mentor=mentor, summary="Old advice.", published_at=timezone.now()
    )
    review = ReviewFactory(
        iteration=second,
        mentor=mentor,
        summary="Add **tests** for the API.",
        verdict="request_changes",
        published_at=timezone.now(),
    )
    ReviewCommentFactory(review=review, path="app/api.py", line=4, body="Validate this.")

    html = client_for(learner).get(url(submission)).content.decode()

    assert "Add <strong>tests</strong> for the API." in html
    assert "Validate this." in html
    assert "Old advice." not in html
    assert html.index("What your mentor asked for") < html.index("Your new iteration")


def test_form_without_a_published_review_shows_none(client_for, learner, mentor, make_submission):
    submission = make_submission(status=Status.CHANGES_REQUESTED)
    ReviewFactory(iteration=submission.iterations.get(), mentor=mentor, summary="A draft.")

    html = client_for(learner).get(url(submission)).content.decode()

    assert "What your mentor asked for" not in html
    assert "A draft." not in html


def test_resubmit_adds_iteration_and_reopens(client_for, learner, make_submission, checklist):
    submission = make_submission(status=Status.CHANGES_REQUESTED)
    before = submission.submitted_at

    response = client_for(learner).post(url(submission), {**NEW, "checklist": [checklist[0].pk]})

    assert response.status_code == 302
    assert response["Location"] == f"/submissions/{submission.pk}/"
    submission.refresh_from_db()
    assert submission.status == Status.SUBMITTED
    assert submission.submitted_at > before
    assert list(submission.iterations.values_list("number", "commit_sha")) == [
        (2, "bbbbbbb"),
        (1, "a1b2c3d4e5f6a7b8c9d0a1b2c3d4e5f6a7b8c9d0"),
    ]
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Your new iteration of Task manager is back in the queue."
    ]


def test_double_resubmit_adds_one_iteration(client_for, learner, make_submission):
    submission = make_submission(status=Status.CHANGES_REQUESTED)
    client = client_for(learner)

    client.post(url(submission), NEW)
    second = client.post(url(submission), NEW)

    assert second.status_code == 302
    assert submission.iterations.count() == 2


EXPLANATIONS = {
    Status.SUBMITTED: "This submission is waiting for a mentor; you can resubmit once a "
    "mentor has requested changes.",
    Status.IN_REVIEW: "A mentor is reviewing this submission right now; you can resubmit "
    "if they request changes.",
    Status.APPROVED: "This submission is approved; there is nothing to resubmit.",
}


@pytest.mark.parametrize("status", [Status.SUBMITTED, Status.IN_REVIEW, Status.APPROVED])
@pytest.mark.parametrize("method", ["get", "post"])
def test_resubmit_is_refused_unless_changes_requested(
    client_for, learner, mentor, make_submission, status, method
):
    extra = {"claimed_by": mentor, "claimed_at": timezone.now()} if status == "in_review" else {}
    submission = make_submission(status=status, **extra)

    response = getattr(client_for(learner), method)(url(submission), NEW)

    assert response.status_code == 302
    assert response["Location"] == f"/submissions/{submission.pk}/"
    assert [str(m) for m in get_messages(response.wsgi_request)] == [EXPLANATIONS[status]]
    assert Iteration.objects.count() == 1
    submission.refresh_from_db()
    assert submission.status == status


@pytest.mark.parametrize("who", ["other_learner", "mentor", "other_mentor", "staff"])
def test_only_its_learner_may_resubmit(client_for, request, make_submission, who):
    submission = make_submission(status=Status.CHANGES_REQUESTED)

    response = client_for(request.getfixturevalue(who)).post(url(submission), NEW)

    assert response.status_code == 404
    assert Iteration.objects.count() == 1


def test_bad_input_shows_the_error_and_changes_nothing(client_for, learner, make_submission):
    submission = make_submission(status=Status.CHANGES_REQUESTED)

    response = client_for(learner).post(url(submission), {**NEW, "repo_url": "javascript:x"})

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["repo_url"]
    assert Iteration.objects.count() == 1
    submission.refresh_from_db()
    assert submission.status == Status.CHANGES_REQUESTED


def test_empty_post_shows_the_required_error_and_changes_nothing(
    client_for, learner, make_submission
):
    submission = make_submission(status=Status.CHANGES_REQUESTED)

    response = client_for(learner).post(url(submission), {})

    assert response.status_code == 200
    assert response.context["form"].errors == {"repo_url": ["This field is required."]}
    assert Iteration.objects.count() == 1


def test_wrong_method_is_405(client_for, learner, make_submission):
    submission = make_submission(status=Status.CHANGES_REQUESTED)

    assert client_for(learner).delete(url(submission)).status_code == 405


def test_anonymous_is_sent_to_login(client, make_submission):
    submission = make_submission(status=Status.CHANGES_REQUESTED)

    response = client.get(url(submission))

    assert response["Location"] == f"/accounts/login/?next={url(submission)}"
