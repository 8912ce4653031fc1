"""The three journeys of issue 7, in a real browser against the real roadmap and the demo
accounts. Every page a journey reaches is scanned with axe-core."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from playwright.sync_api import expect

from curriculum.models import Project
from learners.models import Cohort, Iteration, Submission
from learners.services import submission_claim, submission_create, submission_resubmit
from reviews.models import Review
from reviews.services import review_publish
from tests.e2e.axe import assert_accessible
from tests.e2e.pages import log_in, nav_link, overall_projects_approved

pytestmark = pytest.mark.e2e
User = get_user_model()

REPO = "https://github.com/learner1/task-manager"
SHA_1 = "1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d"
SHA_2 = "2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e"
OBJECTIVE = "Write functions with a single clear purpose, sensible parameters and return values"
PROJECT = "Command-line task manager"


def publish_review(submission, mentor, *, approved, summary, comments=()):
    """A mentor's claim and published review of the latest iteration, through the services."""
    submission_claim(submission=submission, mentor=mentor)
    review_publish(
        iteration=submission.iterations.order_by("-number").first(),
        mentor=mentor,
        summary=summary,
        verdict=Review.Verdict.APPROVE if approved else Review.Verdict.REQUEST_CHANGES,
        comments=list(comments),
    )


def test_learner_journey(demo_data, page):
    # Log in through the form: a learner lands on the dashboard, nothing approved yet.
    log_in(page, "learner1")
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your dashboard")
    assert_accessible(page)
    approved_before = overall_projects_approved(page)

    # Read a stage.
    nav_link(page, "Roadmap").click()
    # Each scan waits for the next page's own content first: a click does not wait for the
    # navigation it starts, and a scan too early would check the page before.
    expect(page.get_by_role("heading", level=1)).to_have_text("The roadmap")
    assert_accessible(page)
    page.get_by_role("link", name="Python fundamentals").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Stage 1: Python fundamentals")
    assert_accessible(page)

    # Tick an objective (a form POST, sent in the background by objectives.js): the row is
    # swapped in place and the focus stays on its button, not the top of the page.
    page.get_by_role("button", name=f"Mark as done: {OBJECTIVE}").click()
    expect(page.get_by_role("button", name=f"Done ✓ — undo: {OBJECTIVE}")).to_be_visible()
    expect(page.get_by_role("button", name=f"Done ✓ — undo: {OBJECTIVE}")).to_be_focused()
    expect(page.get_by_role("status")).to_have_text(f"Ticked: “{OBJECTIVE}”.")
    assert_accessible(page)

    # Open a project and its submit form.
    page.get_by_role("link", name=PROJECT).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(PROJECT)
    assert_accessible(page)
    page.get_by_role("link", name="Submit your project").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Submit {PROJECT}")
    assert_accessible(page)

    # A javascript: link is refused, with the reason next to the field, and nothing saved.
    page.get_by_label("Repository URL").fill("javascript:alert(1)")
    page.get_by_role("button", name="Submit", exact=True).click()
    repo_field = page.locator("#div_id_repo_url")
    expect(repo_field).to_contain_text("Use a web link that starts with https://")
    expect(page.get_by_label("Repository URL")).to_have_attribute("aria-invalid", "true")
    assert Submission.objects.count() == 0
    assert_accessible(page)

    # Submitted properly, it lands on the submission page.
    page.get_by_label("Repository URL").fill(REPO)
    page.get_by_label("Commit SHA").fill(SHA_1)
    page.get_by_label("Notes for your mentor").fill("The `add` command is **done**.")
    page.get_by_label("A README with setup, usage and how to run the tests").check()
    page.get_by_role("button", name="Submit", exact=True).click()
    submission = Submission.objects.get(learner__username="learner1")
    expect(page).to_have_url(re.compile(rf"/submissions/{submission.pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(PROJECT)
    expect(page.get_by_role("heading", name="Iteration 1 latest")).to_be_visible()
    expect(page.get_by_role("link", name=REPO)).to_have_attribute("href", REPO)
    expect(page.locator(".iteration-notes strong")).to_have_text("done")
    assert_accessible(page)
    assert Iteration.objects.filter(submission=submission).count() == 1

    # A mentor reviews it (the mentor's own journey drives these pages in the browser).
    mentor = User.objects.get(username="mentor1")
    publish_review(
        submission,
        mentor,
        approved=False,
        summary="Nice start. Two things to fix.",
        comments=[
            {"path": "tasks/cli.py", "line": 12, "body": "Validate the **due date** here."},
            {"path": "tasks/store.py", "line": 40, "body": "Close the file."},
        ],
    )

    # The navigation counts the unread notification; the inbox links to the submission.
    nav_link(page, "Dashboard").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your dashboard")
    main_nav = page.get_by_role("navigation", name="Main")
    expect(main_nav.locator("#unread-count")).to_have_text("1 unread")
    main_nav.get_by_role("link", name=re.compile(r"^Notifications")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Notifications")
    assert_accessible(page)
    page.get_by_role(
        "link", name=f"Mentor 1 reviewed your project “{PROJECT}”: changes requested"
    ).click()
    expect(page).to_have_url(re.compile(rf"/submissions/{submission.pk}/$"))
    expect(main_nav.locator("#unread-count")).to_have_count(0)  # opening it marked it read

    # The review is on the submission page, each comment linked to its line on GitHub.
    page.reload()
    reviews = page.get_by_role("region", name="Reviews")
    expect(reviews.get_by_role("heading", name="Iteration 1 reviewed by Mentor 1")).to_be_visible()
    expect(reviews.locator(".review-summary")).to_have_text("Nice start. Two things to fix.")
    expect(reviews.get_by_role("link", name="tasks/cli.py:12", exact=True)).to_have_attribute(
        "href", f"{REPO}/blob/{SHA_1}/tasks/cli.py#L12"
    )
    expect(reviews.get_by_role("link", name="tasks/store.py:40", exact=True)).to_have_attribute(
        "href", f"{REPO}/blob/{SHA_1}/tasks/store.py#L40"
    )
    assert_accessible(page)

    # Resubmit: the repository link is kept, the new commit goes in.
    page.get_by_role("link", name="Resubmit", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Resubmit {PROJECT}")
    expect(page.get_by_label("Repository URL")).to_have_value(REPO)
    assert_accessible(page)
    page.get_by_label("Commit SHA").fill(SHA_2)
    page.get_by_label("Notes for your mentor").fill("Due dates are validated; the file is closed.")
    page.get_by_role("button", name="Submit", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/submissions/{submission.pk}/$"))
    expect(page.get_by_role("heading", name="Iteration 2 latest")).to_be_visible()
    expect(page.get_by_role("heading", name="Iteration 1", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Compare changes since iteration 1")).to_have_attribute(
        "href", f"{REPO}/compare/{SHA_1}...{SHA_2}"
    )
    assert_accessible(page)

    # Approved, the dashboard's overall bar moves by one project.
    publish_review(submission, mentor, approved=True, summary="All fixed. Well done!")
    nav_link(page, "Dashboard").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your dashboard")
    assert_accessible(page)
    assert (approved_before, overall_projects_approved(page)) == (0, 1)


def test_mentor_journey(demo_data, page):
    learner = User.objects.get(username="learner1")
    project = Project.objects.get(slug="command-line-task-manager")
    submission = submission_create(
        learner=learner,
        project=project,
        cohort=Cohort.objects.get(slug="demo"),
        repo_url=REPO,
        commit_sha=SHA_1,
        notes="Please look at the storage code.",
    )

    # Log in: a mentor lands on the review queue, the new submission in it.
    log_in(page, "mentor1")
    expect(page).to_have_url(re.compile(r"/mentor/queue/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Review queue")
    expect(page.locator("#count-waiting")).to_have_text("1 waiting")
    assert_accessible(page)

    # Claim it from its row: the review page opens.
    row = page.locator(f'tr[data-submission="{submission.pk}"]')
    expect(row.get_by_role("link", name=PROJECT)).to_be_visible()
    row.get_by_role("button", name=f"Claim {PROJECT} by learner1").click()
    expect(page).to_have_url(re.compile(rf"/mentor/submissions/{submission.pk}/review/$"))
    expect(page.get_by_role("status")).to_contain_text("You are reviewing")
    assert_accessible(page)

    # A summary and two line comments, requesting changes.
    page.get_by_label("Summary").fill("Nice start. Two things to fix.")
    page.get_by_role("radio", name="Request changes").check()
    line_comments = [
        ("tasks/cli.py", "12", "Validate the due date here."),
        ("tasks/store.py", "40", "Close the file."),
    ]
    for number, (path, line, body) in enumerate(line_comments, start=1):
        if number > 1:  # one blank row; the script adds the next
            page.get_by_role("button", name="Add another comment").click()
        comment = page.get_by_role("group", name=f"Comment {number}", exact=True)
        comment.get_by_label("Path").fill(path)
        comment.get_by_label("Line").fill(line)
        comment.get_by_label("Comment").fill(body)
    page.get_by_label("I have read this review through: publish it to the learner").check()
    page.get_by_role("button", name="Publish review").click()

    # Published: back on the submission page, the review and its linked lines there.
    expect(page).to_have_url(re.compile(rf"/submissions/{submission.pk}/$"))
    expect(page.get_by_role("status")).to_have_text(
        "Your review is published; the learner has been told."
    )
    reviews = page.get_by_role("region", name="Reviews")
    expect(reviews.get_by_role("link", name="tasks/cli.py:12", exact=True)).to_have_attribute(
        "href", f"{REPO}/blob/{SHA_1}/tasks/cli.py#L12"
    )
    assert_accessible(page)
    submission.refresh_from_db()
    assert submission.status == Submission.Status.CHANGES_REQUESTED
    review = Review.objects.get(iteration__submission=submission)
    assert [(c.path, c.line) for c in review.comments.all()] == [
        ("tasks/cli.py", 12),
        ("tasks/store.py", 40),
    ]

    # The learner resubmits (their journey drives that form); the mentor approves iteration 2.
    submission_resubmit(
        submission=submission,
        repo_url=REPO,
        commit_sha=SHA_2,
        notes="Fixed both.",
    )
    nav_link(page, "Review queue").click()
    page.locator(f'tr[data-submission="{submission.pk}"]').get_by_role(
        "button", name=f"Claim {PROJECT} by learner1"
    ).click()
    expect(page.get_by_role("heading", name="Iteration 2", exact=True)).to_be_visible()
    expect(page.get_by_role("region", name="Earlier iterations")).to_contain_text("Iteration 1")
    assert_accessible(page)
    page.get_by_label("Summary").fill("All fixed. Well done!")
    page.get_by_role("radio", name="Approve").check()
    page.get_by_label("I have read this review through: publish it to the learner").check()
    page.get_by_role("button", name="Publish review").click()

    expect(page).to_have_url(re.compile(rf"/submissions/{submission.pk}/$"))
    # The new review in full, the earlier one a line that opens it.
    reviews = page.get_by_role("region", name="Reviews")
    expect(reviews.get_by_role("article")).to_have_count(1)
    reviews.get_by_role("link", name="Read the review of iteration 1").click()
    expect(page.get_by_role("region", name="Reviews").get_by_role("article")).to_have_count(2)
    assert_accessible(page)
    submission.refresh_from_db()
    assert submission.status == Submission.Status.APPROVED

    # The learner's progress, as their mentor follows it.
    nav_link(page, "Review queue").click()
    expect(page.locator("#queue-empty")).to_be_visible()
    assert_accessible(page)
    page.goto(f"/mentor/learners/{submission.cohort_id}/{learner.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Learner 1")
    assert_accessible(page)


def test_staff_journey(demo_data, page, new_page, live_server, settings, deliver_mail):
    # Links in e-mails are built from SITE_URL; point it at this test's server.
    settings.SITE_URL = live_server.url
    new_summary = "Write small, clear Python: functions, data structures, files and errors."

    log_in(page, "staff")
    expect(page).to_have_url(re.compile(r"/cohorts/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Cohorts")
    assert_accessible(page)
    # The cohort overview, where staff start their day.
    page.get_by_role("link", name="Demo cohort").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Demo cohort")
    assert_accessible(page)

    # The stage page as it is...
    page.goto("/stages/python-fundamentals/")
    expect(page.locator("p.lead")).not_to_have_text(new_summary)

    # Edit a stage's summary in the admin...
    nav_link(page, "Admin").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Site administration")
    assert_accessible(page)
    page.get_by_role("link", name="Stages", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Select stage to change")
    assert_accessible(page)
    page.get_by_role("link", name="Python fundamentals", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change stage")
    assert_accessible(page)
    page.get_by_label("Summary").fill(new_summary)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    assert_accessible(page)

    # ...and see it on the stage page.
    page.goto("/stages/python-fundamentals/")
    expect(page.locator("p.lead")).to_have_text(new_summary)
    assert_accessible(page)

    # Invite a learner by e-mail from the cohort's admin page.
    page.goto("/admin/learners/cohort/")
    assert_accessible(page)
    page.get_by_role("link", name="Demo cohort").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change cohort")
    assert_accessible(page)
    page.get_by_role("link", name="Invite by e-mail").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Invite people to Demo cohort")
    assert_accessible(page)
    page.get_by_label("People to invite").fill("Nora Newcomer <new.learner@example.com>")
    page.get_by_label("Role").select_option("learner")
    page.get_by_role("button", name="Send invitations").click()
    expect(page.locator(".messagelist")).to_contain_text(
        "Invitation queued for new.learner@example.com"
    )
    expect(page.get_by_role("cell", name="new.learner@example.com", exact=True)).to_be_visible()
    assert_accessible(page)

    # A mail job sends it (run here in this process, as a worker would); the invitee follows
    # the set-password link from the mail in their own browser.
    deliver_mail()
    assert [message.to for message in mail.outbox] == [["new.learner@example.com"]]
    link = re.search(r"^(http://\S+/accounts/invitation/\S+/)$", mail.outbox[0].body, re.M)[1]
    page = new_page("invitee")
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome — choose your password")
    assert_accessible(page)
    page.get_by_label(re.compile(r"\bNew password\W*$")).fill("a-long-fresh-passphrase")
    page.get_by_label("New password confirmation").fill("a-long-fresh-passphrase")
    page.get_by_role("button", name="Set password").click()

    # Choosing the password logs the new learner in: they land on their dashboard, named.
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    expect(page.get_by_role("status")).to_have_text(
        "Your password is set and you are logged in. Welcome!"
    )
    assert User.objects.get(email="new.learner@example.com").get_full_name() == "Nora Newcomer"
    assert_accessible(page)
