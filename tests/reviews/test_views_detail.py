import pytest
from django.utils import timezone

from learners.models import Submission, SubmissionEvent
from tests.factories import IterationFactory

Status = Submission.Status


def url(submission):
    return f"/submissions/{submission.pk}/"


# --- access ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status_code"),
    [
        ("learner", 200),
        ("mentor", 200),
        ("staff", 200),
        ("other_learner", 404),
        ("other_mentor", 404),
    ],
)
def test_who_may_see_a_submission(client_for, request, make_submission, who, status_code):
    submission = make_submission()

    response = client_for(request.getfixturevalue(who)).get(url(submission))

    assert response.status_code == status_code


def test_anonymous_is_sent_to_login(client, make_submission):
    submission = make_submission()

    response = client.get(url(submission))

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={url(submission)}"


def test_unknown_id_is_404(client_for, staff):
    assert client_for(staff).get("/submissions/999999/").status_code == 404


def test_wrong_method_is_405(client_for, learner, make_submission):
    assert client_for(learner).post(url(make_submission())).status_code == 405


# --- content --------------------------------------------------------------------------------


def test_iterations_show_newest_first_with_links_sha_notes_and_checklist(
    client_for, learner, make_submission, checklist
):
    submission = make_submission(status=Status.CHANGES_REQUESTED)
    IterationFactory(
        submission=submission,
        number=2,
        repo_url="https://github.com/ada/tasks",
        live_url="https://ada.example.com/",
        commit_sha="bbbbbbbbbbbb",
        notes="Fixed *it*.<script>alert(1)</script>",
    ).checklist_items.set([checklist[1]])

    html = client_for(learner).get(url(submission)).content.decode()

    assert html.index("Iteration 2") < html.index("Iteration 1")
    assert (
        '<a href="https://ada.example.com/" rel="noopener noreferrer nofollow">'
        "https://ada.example.com/</a>"
    ) in html
    assert '<code title="bbbbbbbbbbbb">bbbbbbb</code>' in html
    assert "Fixed <em>it</em>." in html
    assert "<script>alert(1)" not in html
    assert "<li>Tests</li>" in html
    assert html.count("No checklist items ticked.") == 1


def test_compare_link_between_iterations_on_the_same_github_repo(
    client_for, learner, make_submission
):
    submission = make_submission(status=Status.CHANGES_REQUESTED)
    submission.iterations.update(repo_url="https://github.com/ada/tasks.git", commit_sha="aaaaaaa")
    IterationFactory(
        submission=submission,
        number=2,
        repo_url="https://github.com/ada/tasks.git",
        commit_sha="bbbbbbb",
    )
    IterationFactory(
        submission=submission, number=3, repo_url="https://github.com/ada/tasks", commit_sha=""
    )

    html = client_for(learner).get(url(submission)).content.decode()

    assert html.count("Compare changes") == 1
    assert 'href="https://github.com/ada/tasks/compare/aaaaaaa...bbbbbbb"' in html


def test_commit_sha_links_to_the_commit_on_github(client_for, learner, make_submission):
    submission = make_submission()
    submission.iterations.update(repo_url="https://github.com/ada/tasks", commit_sha="abcdef12")

    html = client_for(learner).get(url(submission)).content.decode()

    assert (
        '<a href="https://github.com/ada/tasks/commit/abcdef12" rel="noopener noreferrer nofollow">'
        '<code title="abcdef12">abcdef1</code></a>'
    ) in html


def test_commit_sha_on_an_unknown_host_is_shown_without_a_link(
    client_for, learner, make_submission
):
    submission = make_submission()
    submission.iterations.update(repo_url="https://example.com/ada/tasks", commit_sha="abcdef12")

    html = client_for(learner).get(url(submission)).content.decode()

    assert '<code title="abcdef12">abcdef1</code>' in html
    assert "/commit/" not in html


def test_a_submission_sent_seconds_ago_was_sent_under_a_minute_ago(
    client_for, learner, make_submission
):
    submission = make_submission(submitted_at=timezone.now())

    html = client_for(learner).get(url(submission)).content.decode()

    assert "It is waiting for a mentor (sent under a minute ago)." in html
    assert "0 minutes" not in html


@pytest.mark.parametrize(
    ("status", "text"),
    [
        (Status.SUBMITTED, "It is waiting for a mentor"),
        (Status.IN_REVIEW, "is reviewing it now"),
        (Status.CHANGES_REQUESTED, "Your mentor asked for changes."),
        (Status.APPROVED, "well done"),
    ],
)
def test_learner_is_told_what_happens_next(
    client_for, learner, mentor, make_submission, status, text
):
    extra = {"claimed_by": mentor, "claimed_at": timezone.now()} if status == "in_review" else {}
    submission = make_submission(status=status, **extra)

    response = client_for(learner).get(url(submission))

    assert text in response.content.decode()
    assert ("Resubmit</a>" in response.content.decode()) == (status == Status.CHANGES_REQUESTED)


@pytest.mark.parametrize(
    ("status", "text"),
    [
        (Status.SUBMITTED, "Claim it to review it"),
        (Status.IN_REVIEW, "You claimed it"),
        (Status.CHANGES_REQUESTED, "It returns to the queue when the learner resubmits."),
        (Status.APPROVED, "Nothing more to do."),
    ],
)
def test_mentor_is_told_what_happens_next_and_offered_the_review_page(
    client_for, mentor, make_submission, status, text
):
    extra = {"claimed_by": mentor, "claimed_at": timezone.now()} if status == "in_review" else {}
    submission = make_submission(status=status, **extra)

    html = client_for(mentor).get(url(submission)).content.decode()

    assert text in html
    assert f'href="/mentor/submissions/{submission.pk}/review/"' in html
    assert "Resubmit</a>" not in html


def test_staff_are_offered_the_review_page(client_for, staff, make_submission):
    submission = make_submission()

    html = client_for(staff).get(url(submission)).content.decode()

    assert f'href="/mentor/submissions/{submission.pk}/review/"' in html


def test_learner_is_not_offered_the_review_page(client_for, learner, mentor, make_submission):
    submission = make_submission()
    link = (
        f'<a class="btn btn-outline-primary" href="/mentor/submissions/{submission.pk}/review/">'
        "Open the review page</a>"
    )

    as_learner = client_for(learner).get(url(submission))
    as_mentor = client_for(mentor).get(url(submission))

    assert (as_learner.status_code, as_mentor.status_code) == (200, 200)
    assert as_learner.content.decode().count(link) == 0
    assert as_mentor.content.decode().count(link) == 1


def test_page_shows_the_reviews_and_the_conversation(client_for, learner, make_submission):
    submission = make_submission()

    html = client_for(learner).get(url(submission)).content.decode()

    assert html.count('<h2 id="reviews-heading" class="h4">Reviews</h2>') == 1
    assert html.count("No review yet. A mentor's review appears here once it is published") == 1
    assert html.count(f'<form method="post" action="/submissions/{submission.pk}/replies/"') == 1


def test_the_empty_reviews_and_conversation_speak_to_who_reads_them(
    client_for, learner, mentor, make_submission
):
    submission = make_submission()

    as_learner = client_for(learner).get(url(submission)).content.decode()
    as_mentor = client_for(mentor).get(url(submission)).content.decode()

    assert "once it is published, and you will get an e-mail." in as_learner
    assert "explain a choice you made" in as_learner
    assert "once it is published." in as_mentor
    assert "you will get an e-mail" not in as_mentor
    assert "Ask the learner about a choice they made or answer their question" in as_mentor


# --- query count ----------------------------------------------------------------------------


@pytest.mark.parametrize("iterations", [1, 10])
def test_query_count_is_flat(
    client_for, learner, make_submission, checklist, django_assert_num_queries, iterations
):
    submission = make_submission(status=Status.CHANGES_REQUESTED, iterations=iterations)
    for iteration in submission.iterations.all():
        iteration.checklist_items.set(checklist)
        SubmissionEvent.objects.create(submission=submission, kind="resubmitted", actor=learner)
    client = client_for(learner)

    with django_assert_num_queries(9):  # the checks 0 (no snapshot), the history 1
        response = client.get(url(submission))

    assert response.content.decode().count("Iteration ") >= iterations


# --- archived curriculum ------------------------------------------------------------------


@pytest.mark.parametrize("archived", ["project", "stage"])
def test_an_archived_project_is_named_without_a_link_for_the_learner(
    client_for, learner, make_submission, project, archived
):
    submission = make_submission()
    target = project if archived == "project" else project.stage
    target.is_published = False
    target.save()

    html = client_for(learner).get(url(submission)).content.decode()

    assert f'href="{project.get_absolute_url()}"' not in html
    assert '<li class="breadcrumb-item">Task manager</li>' in html


def test_staff_still_get_the_archived_project_link(client_for, staff, make_submission, project):
    submission = make_submission()
    project.is_published = False
    project.save()

    html = client_for(staff).get(url(submission)).content.decode()

    assert f'<a href="{project.get_absolute_url()}">Task manager</a>' in html
