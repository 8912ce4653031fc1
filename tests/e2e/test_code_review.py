"""Issue 15's journey, with JavaScript and without: a mentor browses the files of a
resubmission, comments on a line by clicking it, reads the changes since iteration 1 with the
earlier comments in place and publishes; the learner sees the comment with its code and
answers in its thread. Every page is scanned with axe-core."""

import random
import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from curriculum.models import Project
from learners.demo_projects import demo_fetch_result
from learners.models import Cohort, Submission
from learners.services import submission_claim, submission_create, submission_resubmit
from learners.snapshots import snapshot_store
from reviews.models import CommentReply, Review
from reviews.services import review_publish
from tests.e2e.axe import assert_accessible
from tests.e2e.pages import log_in

pytestmark = pytest.mark.e2e
User = get_user_model()

REPO = "https://github.com/learner1/task-manager"
SHA_1 = "1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d"
SHA_2 = "2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e"
PROJECT = "Command-line task manager"
CONFIRM = "I have read this review through: publish it to the learner"


def _resubmission():
    """learner1's task manager: iteration 1 (the "needs-work" repository) reviewed with two
    line comments asking for changes, iteration 2 (the fixed one) waiting in the queue."""
    learner = User.objects.get(username="learner1")
    mentor = User.objects.get(username="mentor2")
    submission = submission_create(
        learner=learner,
        project=Project.objects.get(slug="command-line-task-manager"),
        cohort=Cohort.objects.get(slug="demo"),
        repo_url=REPO,
        commit_sha=SHA_1,
        notes="",
    )
    first = submission.iterations.get()
    rng = random.Random(15)
    snapshot_store(
        snapshot=first.snapshot,
        result=demo_fetch_result("needs-work", commit_sha=SHA_1, rng=rng),
    )
    submission_claim(submission=submission, mentor=mentor)
    review_publish(
        iteration=first,
        mentor=mentor,
        summary="It crashes on a first run, and a secret is committed.",
        verdict=Review.Verdict.REQUEST_CHANGES,
        comments=[
            {"path": "tasks/store.py", "line": 25, "body": "This crashes before any task."},
            {"path": ".env", "line": 2, "body": "Never commit a key."},
        ],
    )
    submission.refresh_from_db()
    submission_resubmit(submission=submission, repo_url=REPO, commit_sha=SHA_2, notes="Fixed.")
    second = submission.iterations.get(number=2)
    snapshot_store(
        snapshot=second.snapshot, result=demo_fetch_result("good", commit_sha=SHA_2, rng=rng)
    )
    return submission


def _claim_and_open_the_file(page, submission):
    log_in(page, "mentor1")
    page.locator(f'tr[data-submission="{submission.pk}"]').get_by_role(
        "button", name=f"Claim {PROJECT} by learner1"
    ).click()
    expect(page).to_have_url(re.compile(rf"/mentor/submissions/{submission.pk}/review/$"))
    files = page.get_by_role("region", name="Files at the commit of iteration 2")
    expect(files.get_by_role("link", name="tasks/store.py")).to_be_visible()
    assert_accessible(page)
    files.get_by_role("link", name="tasks/store.py").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("tasks/store.py")
    expect(page.locator("#L27")).to_contain_text("return [Task(**row)")
    assert_accessible(page)


def _read_the_changes(page, submission):
    page.goto(f"/mentor/submissions/{submission.pk}/review/")
    page.get_by_role("link", name="Changes since iteration 1").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Changes since iteration 1")
    carried = page.get_by_role("region", name="Code comments of the review of iteration 1")
    moved = carried.locator("li", has_text="This crashes before any task.")
    expect(moved).to_contain_text("moved")
    expect(moved.get_by_role("link", name="tasks/store.py:27")).to_be_visible()
    expect(carried.locator("li", has_text="Never commit a key.")).to_contain_text("file removed")
    expect(page.locator("#changed-files")).to_contain_text("tasks/store.py")
    # The earlier comment sits under its line in the diff too.
    expect(page.locator('[id="tasks/store.py-L27"] + tr.code-comments')).to_contain_text(
        "This crashes before any task."
    )
    assert_accessible(page)


def _publish(page, submission):
    page.goto(f"/mentor/submissions/{submission.pk}/review/")
    page.get_by_label("Summary").fill("Fixed, thank you. One more note on the store.")
    page.get_by_role("radio", name="Request changes").check()
    page.get_by_role("button", name="Publish review").click()
    # Not confirmed: nothing is published, the box says why.
    expect(page.locator("#id_confirm_publish")).to_be_visible()
    expect(page.get_by_text("Tick this box to publish")).to_be_visible()
    assert Review.objects.published().filter(iteration__number=2).count() == 0
    assert_accessible(page)
    page.get_by_label(CONFIRM).check()
    page.get_by_role("button", name="Publish review").click()
    expect(page).to_have_url(re.compile(rf"/submissions/{submission.pk}/$"))
    submission.refresh_from_db()
    assert submission.status == Submission.Status.CHANGES_REQUESTED


def _learner_answers(new_page, submission, *, javascript):
    page = new_page("learner", javascript=javascript)
    log_in(page, "learner1")
    page.goto(f"/submissions/{submission.pk}/")
    expect(page.locator("#review-to-act-on")).to_be_visible()
    comment = page.locator(".review-comment", has_text="An empty list is right here.")
    expect(comment.locator("table.code-excerpt")).to_contain_text("if not path.exists():")
    # The line opens in the file view here, with the line on GitHub beside it.
    expect(comment.get_by_role("link", name="tasks/store.py:25", exact=True)).to_have_attribute(
        "href", f"/submissions/{submission.pk}/iterations/2/files/tasks/store.py#L25"
    )
    expect(
        comment.get_by_role("link", name="tasks/store.py:25 in the repository")
    ).to_have_attribute("href", f"{REPO}/blob/{SHA_2}/tasks/store.py#L25")
    expect(page.get_by_role("link", name="Browse the files of iteration 2")).to_have_attribute(
        "href", f"/submissions/{submission.pk}/iterations/2/files/"
    )
    expect(
        page.get_by_role("link", name="Changes since iteration 1", exact=True)
    ).to_have_attribute("href", f"/submissions/{submission.pk}/iterations/2/changes/")
    assert_accessible(page)
    # The link opens the page again with this comment's answer box (no JavaScript needed).
    comment.get_by_role("link", name="Answer in this thread on tasks/store.py:25").click()
    expect(page).to_have_url(re.compile(r"\?review=\d+&answer=\d+#comment-\d+$"))
    if javascript:  # browsers skip autofocus at a #fragment: js/autofocus.js focuses the box
        expect(comment.get_by_label("Your answer")).to_be_focused()
    assert_accessible(page)
    comment.get_by_label("Your answer").fill("Thanks, I will keep it.")
    comment.get_by_role("button", name="Post answer").click()
    # Confirmed beside the answer, where the page lands.
    expect(page).to_have_url(re.compile(r"&posted=\d+#thread-reply-\d+$"))
    answer = page.locator(".thread-reply", has_text="Thanks, I will keep it.")
    expect(answer.get_by_role("status")).to_have_text("Your answer is posted in the thread.")
    assert_accessible(page)
    assert CommentReply.objects.get().body == "Thanks, I will keep it."


def test_code_review_with_javascript(demo_data, new_page):
    submission = _resubmission()
    page = new_page("mentor")
    _claim_and_open_the_file(page, submission)

    # A line number opens a comment box under its line; another line's box leaves a box with
    # text in it where it is, and Cancel gives the focus back to the line number.
    page.get_by_role("link", name="Comment on line 20").click()
    page.get_by_role("textbox", name="Comment on line 20").fill("Half a thought")
    page.get_by_role("link", name="Comment on line 25").click()
    box = page.locator("#L25 + tr.inline-comment-row")
    expect(box).to_be_visible()
    expect(page.get_by_role("textbox", name="Comment on line 25")).to_be_focused()
    expect(page.get_by_role("textbox", name="Comment on line 20")).to_have_value("Half a thought")
    assert_accessible(page)  # two boxes open: no id twice
    page.locator("#L20 + tr.inline-comment-row").get_by_role("button", name="Cancel").click()
    expect(page.get_by_role("link", name="Comment on line 20")).to_be_focused()
    expect(page.locator("tr.inline-comment-row")).to_have_count(1)
    # Esc closes an empty box, back to its line number; an empty box is never sent.
    box.get_by_role("textbox", name="Comment on line 25").press("Escape")
    expect(page.get_by_role("link", name="Comment on line 25")).to_be_focused()
    expect(page.locator("tr.inline-comment-row")).to_have_count(0)
    page.get_by_role("link", name="Comment on line 25").click()
    box.get_by_role("button", name="Add to my draft review").click()  # still empty
    expect(page).to_have_url(re.compile(r"/files/tasks/store\.py$"))  # the browser refused it
    # Spaces pass the browser's check; the server's refusal comes back in the box under line 25.
    box.get_by_role("textbox", name="Comment on line 25").fill("   ")
    box.get_by_role("button", name="Add to my draft review").click()
    expect(page).to_have_url(re.compile(r"/review/comments/$"))
    expect(page.locator("#rejected-comment")).to_have_count(0)
    expect(box).to_contain_text("Your comment on tasks/store.py, line 25")
    expect(box.get_by_text("Write the comment before adding it.")).to_have_count(1)
    expect(box.get_by_role("textbox", name="Comment on line 25")).to_be_focused()
    assert_accessible(page)
    box.get_by_role("textbox", name="Comment on line 25").fill("An empty list is right here.")
    assert_accessible(page)
    box.get_by_role("button", name="Add to my draft review").click()
    expect(page).to_have_url(re.compile(r"/files/tasks/store\.py#L25$"))
    expect(page.get_by_role("status")).to_contain_text("Your comment on tasks/store.py:25")
    expect(page.locator("#L25 + tr.code-comments")).to_contain_text("An empty list is right")
    assert_accessible(page)

    _read_the_changes(page, submission)
    _publish(page, submission)
    _learner_answers(new_page, submission, javascript=True)


def test_code_review_without_javascript(demo_data, new_page):
    submission = _resubmission()
    page = new_page("mentor", javascript=False)
    _claim_and_open_the_file(page, submission)

    # Without JavaScript the line number opens the review form, path and line filled in.
    page.get_by_role("link", name="Comment on line 25").click()
    expect(page).to_have_url(re.compile(r"/review/\?path=tasks%2Fstore\.py&line=25#new-comment$"))
    expect(page.locator("#add-comment")).to_be_hidden()  # js/review.js never ran
    row = page.locator("#new-comment")
    expect(row.get_by_label("Path")).to_have_value("tasks/store.py")
    expect(row.get_by_label("Line")).to_have_value("25")
    row.get_by_label("Comment").fill("An empty list is right here.")
    assert_accessible(page)
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("status")).to_contain_text("Draft saved")
    assert [(c.path, c.line) for c in Review.objects.get(iteration__number=2).comments.all()] == [
        ("tasks/store.py", 25)
    ]
    # Without the script's "Add another comment", the saved page brings a new blank row.
    expect(
        page.get_by_role("group", name="Comment 1", exact=True).get_by_label("Path")
    ).to_have_value("tasks/store.py")
    expect(
        page.get_by_role("group", name="Comment 2", exact=True).get_by_label("Path")
    ).to_have_value("")

    _read_the_changes(page, submission)
    _publish(page, submission)
    _learner_answers(new_page, submission, javascript=False)
