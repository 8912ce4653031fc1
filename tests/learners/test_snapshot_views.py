"""Where the automated checks show (submission page, review page, queue, cohort CSV), the
section the page polls, and asking for the checks again."""

import csv
import datetime
import io

import pytest
from django.utils import timezone

from curriculum.models import AutomatedCheck
from learners.models import CheckResult, Snapshot, Submission
from learners.snapshots import snapshot_take
from tests.factories import ChecklistItemFactory

Status = Submission.Status
HOUR_AGO = datetime.timedelta(hours=1)


def _snapshot(iteration, *, status="ready", checks=(), **fields):
    defaults = {"requested_at": timezone.now() - HOUR_AGO}
    if status == "ready":
        defaults["commit_sha"] = iteration.commit_sha
    snapshot = Snapshot.objects.create(iteration=iteration, status=status, **{**defaults, **fields})
    for position, (key, result, summary, evidence) in enumerate(checks):
        CheckResult.objects.create(
            snapshot=snapshot,
            key=key,
            position=position,
            result=result,
            summary=summary,
            evidence=evidence,
        )
    snapshot.checks_passed = sum(result == "pass" for _, result, _, _ in checks)
    snapshot.checks_failed = sum(result == "fail" for _, result, _, _ in checks)
    snapshot.save()
    return snapshot


SECRET_FOUND = (
    "no-secrets",
    "fail",
    "1 possible secret committed, the first in config.py:3.",
    [{"file": "config.py", "line": 3, "text": "AWS Access Key: KEY = 'AKIA************'"}],
)
README_OK = ("readme", "pass", "README.md is there (190 words).", [{"file": "README.md"}])


def checks_url(submission, number=1):
    return f"/submissions/{submission.pk}/iterations/{number}/checks/"


def test_submission_page_shows_each_check_with_its_result_and_evidence(
    client_for, learner, make_submission
):
    submission = make_submission()
    _snapshot(submission.iterations.get(), checks=[README_OK, SECRET_FOUND])
    page = client_for(learner).get(submission.get_absolute_url()).content.decode()
    assert 'data-check="readme" data-result="pass"' in page
    assert 'data-check="no-secrets" data-result="fail"' in page
    assert "<strong>No secrets</strong>: 1 possible secret committed" in page
    assert (
        "<code>config.py:3</code> — <code>AWS Access Key: KEY = &#x27;AKIA************&#x27;</code>"
        in page
    )
    assert "2 passed" not in page
    assert "1 passed, 0 warnings, 1 failed." in page


def test_learners_tick_and_the_checks_result_show_side_by_side(
    client_for, learner, make_submission
):
    item = ChecklistItemFactory(
        text="No secrets committed", automated_check=AutomatedCheck.NO_SECRETS
    )
    ChecklistItemFactory(text="Unlinked item")
    submission = make_submission()
    iteration = submission.iterations.get()
    iteration.checklist_items.set([item])
    _snapshot(iteration, checks=[SECRET_FOUND])
    page = client_for(learner).get(submission.get_absolute_url()).content.decode()
    assert (
        f'<li data-checklist-item="{item.pk}" data-linked-check="no-secrets" '
        'data-linked-result="fail">'
    ) in page
    assert "☑</span> Ticked\n      “No secrets committed”;" in page
    assert "1 possible secret committed, the first in config.py:3." in page
    assert 'data-checklist-item="' + str(item.pk + 1) not in page


def test_pending_snapshot_shows_a_progress_state_that_polls_and_a_reload_link(
    client_for, learner, make_submission
):
    submission = make_submission()
    iteration = submission.iterations.get()
    _snapshot(iteration, status="pending")
    page = client_for(learner).get(submission.get_absolute_url()).content.decode()
    assert 'data-snapshot-status="pending"' in page
    assert f'data-poll-url="{checks_url(submission)}"' in page
    assert "Reading the repository and running the checks; this takes under a minute." in page
    assert f'<a href="/submissions/{submission.pk}/#checks-{iteration.pk}">Reload</a>' in page
    assert '<script src="/static/js/automated-checks.js" defer></script>' in page
    assert "Run the checks again" not in page


def test_failed_snapshot_shows_its_reason_and_message(client_for, learner, make_submission):
    submission = make_submission()
    _snapshot(
        submission.iterations.get(),
        status="failed",
        reason="not_found",
        message="The repository was not found, or it is private.",
    )
    page = client_for(learner).get(submission.get_absolute_url()).content.decode()
    assert (
        "<strong>The repository could not be read.</strong>\n"
        "    The repository was not found, or it is private.\n"
        "  </div>"
    ) in page
    assert "not found or private" not in page


def test_poll_answers_the_section_alone(client_for, learner, make_submission):
    submission = make_submission()
    _snapshot(submission.iterations.get(), checks=[README_OK])
    response = client_for(learner).get(checks_url(submission))
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<section class="automated-checks mb-3"')
    assert "<html" not in body
    assert 'data-snapshot-status="ready"' in body


@pytest.mark.parametrize(
    ("status", "section_queries"),
    [("ready", 3), ("pending", 1), ("failed", 1)],
)
def test_the_section_reads_checks_and_checklist_only_for_a_ready_snapshot(
    client_for, learner, make_submission, django_assert_num_queries, status, section_queries
):
    submission = make_submission()
    fields = {"reason": "not_found", "message": "No route."} if status == "failed" else {}
    checks = [README_OK, SECRET_FOUND] if status == "ready" else []
    _snapshot(submission.iterations.get(), status=status, checks=checks, **fields)
    client = client_for(learner)
    # The request's own four (session, user, submission, iteration; the fragment has no
    # navbar, so no roles), then the section's: the snapshot, and for a ready one its checks
    # and the checklist beside them.
    with django_assert_num_queries(4 + section_queries):
        response = client.get(checks_url(submission))
    assert response.status_code == 200
    assert f'data-snapshot-status="{status}"' in response.content.decode()


def test_poll_of_another_learners_submission_is_404(client_for, other_learner, make_submission):
    submission = make_submission()
    _snapshot(submission.iterations.get())
    assert client_for(other_learner).get(checks_url(submission)).status_code == 404
    assert client_for(other_learner).post(checks_url(submission)).status_code == 404


def test_poll_of_a_missing_iteration_is_404(client_for, learner, make_submission):
    submission = make_submission()
    assert client_for(learner).get(checks_url(submission, number=7)).status_code == 404


def test_checks_url_refuses_other_methods(client_for, learner, make_submission):
    submission = make_submission()
    assert client_for(learner).put(checks_url(submission)).status_code == 405


def test_learner_runs_the_checks_again_before_a_mentor_claims(client_for, learner, make_submission):
    submission = make_submission()
    iteration = submission.iterations.get()
    snapshot = _snapshot(iteration, checks=[SECRET_FOUND])
    client = client_for(learner)
    assert "Run the checks again" in client.get(submission.get_absolute_url()).content.decode()
    response = client.post(checks_url(submission), follow=True)
    assert response.redirect_chain == [
        (f"/submissions/{submission.pk}/#checks-{iteration.pk}", 302)
    ]
    assert "The checks are running again; results appear in a minute." in response.content.decode()
    snapshot.refresh_from_db()
    assert snapshot.status == "pending"
    assert snapshot.requested_at > timezone.now() - datetime.timedelta(seconds=5)


def test_checks_run_again_at_most_once_a_minute(client_for, learner, make_submission):
    submission = make_submission()
    snapshot = _snapshot(submission.iterations.get(), requested_at=timezone.now())
    response = client_for(learner).post(checks_url(submission), follow=True)
    assert "The checks ran less than a minute ago; ask again in" in response.content.decode()
    snapshot.refresh_from_db()
    assert snapshot.status == "ready"


def test_a_pending_snapshot_is_not_asked_for_twice(client_for, learner, make_submission):
    submission = make_submission()
    # Asked for two minutes ago: running, not yet lost (see STALE_AFTER).
    requested = timezone.now() - datetime.timedelta(minutes=2)
    _snapshot(submission.iterations.get(), status="pending", requested_at=requested)
    response = client_for(learner).post(checks_url(submission), follow=True)
    assert "The checks are already running." in response.content.decode()


def test_a_pending_snapshot_whose_worker_was_lost_may_be_asked_for_again(
    client_for, learner, make_submission
):
    submission = make_submission()
    snapshot = _snapshot(submission.iterations.get(), status="pending")  # an hour ago
    response = client_for(learner).post(checks_url(submission), follow=True)
    assert "The checks are running again" in response.content.decode()
    snapshot.refresh_from_db()
    assert snapshot.requested_at > timezone.now() - datetime.timedelta(seconds=5)


def test_learner_cannot_run_the_checks_again_once_claimed(
    client_for, learner, mentor, make_submission
):
    submission = make_submission(
        status=Status.IN_REVIEW, claimed_by=mentor, claimed_at=timezone.now()
    )
    snapshot = _snapshot(submission.iterations.get())
    client = client_for(learner)
    assert "Run the checks again" not in client.get(submission.get_absolute_url()).content.decode()
    response = client.post(checks_url(submission), follow=True)
    assert "A mentor has this submission now, so its checks stay as they are." in (
        response.content.decode()
    )
    snapshot.refresh_from_db()
    assert snapshot.status == "ready"


def test_learner_cannot_run_an_older_iterations_checks_again(client_for, learner, make_submission):
    submission = make_submission(iterations=2)
    snapshot = _snapshot(submission.iterations.get(number=1))
    response = client_for(learner).post(checks_url(submission, number=1), follow=True)
    assert "Only the latest iteration&#x27;s checks can be run again." in (
        response.content.decode()
    )
    snapshot.refresh_from_db()
    assert snapshot.status == "ready"


def test_mentor_runs_the_checks_again_while_reviewing(client_for, mentor, make_submission):
    submission = make_submission(
        status=Status.IN_REVIEW, claimed_by=mentor, claimed_at=timezone.now()
    )
    snapshot = _snapshot(submission.iterations.get(), status="failed", reason="timed_out")
    client_for(mentor).post(checks_url(submission))
    snapshot.refresh_from_db()
    assert (snapshot.status, snapshot.reason, snapshot.message) == ("pending", "", "")


def test_review_page_sums_up_the_checks_after_the_checklist_and_links_them_in_full(
    client_for, mentor, make_submission, django_assert_num_queries
):
    submission = make_submission(
        status=Status.IN_REVIEW, claimed_by=mentor, claimed_at=timezone.now()
    )
    iteration = submission.iterations.get()
    _snapshot(iteration, checks=[README_OK, SECRET_FOUND])
    client = client_for(mentor)
    page = client.get(f"/mentor/submissions/{submission.pk}/review/").content.decode()
    summary = page[page.index('<section class="mb-4" id="checks-summary"') :]
    summary = " ".join(summary[: summary.index("</section>")].split())
    assert page.index('id="checklist-heading"') < page.index('id="checks-summary"')
    assert (
        f"At commit <code>{iteration.commit_sha[:12]}</code>: 1 passed, 0 warnings, 1 failed. "
        f'<a href="/submissions/{submission.pk}/#checks-{iteration.pk}" id="checks-link">'
        "Each check with its evidence</a> is on the submission page, where you can also run"
        " them again."
    ) in summary
    # What did not pass is named, with its summary; the pass is only counted.
    assert (
        '<li><span class="badge text-bg-danger">Fail</span> No secrets: '
        "1 possible secret committed, the first in config.py:3.</li>"
    ) in summary
    assert summary.count("<li>") == 1
    assert "data-check=" not in page  # each check's evidence is on the submission page...
    submission_page = client.get(submission.get_absolute_url()).content.decode()
    assert f'id="checks-{iteration.pk}"' in submission_page
    assert 'data-check="no-secrets" data-result="fail"' in submission_page
    assert "Run the checks again" in submission_page  # ...where the mentor may run them again


@pytest.mark.parametrize("status", ["pending", "failed"])
def test_review_page_shows_a_snapshot_not_ready_as_the_section_does(
    client_for, mentor, make_submission, status
):
    submission = make_submission(
        status=Status.IN_REVIEW, claimed_by=mentor, claimed_at=timezone.now()
    )
    fields = {"reason": "not_found", "message": "No route."} if status == "failed" else {}
    _snapshot(submission.iterations.get(), status=status, **fields)
    page = client_for(mentor).get(f"/mentor/submissions/{submission.pk}/review/").content.decode()
    assert f'data-snapshot-status="{status}"' in page
    assert 'id="checks-summary"' not in page
    assert ("Run the checks again" in page) == (status == "failed")


def test_queue_shows_a_compact_pass_fail_count(client_for, mentor, make_submission):
    submission = make_submission()
    _snapshot(submission.iterations.get(), checks=[README_OK, SECRET_FOUND])
    page = client_for(mentor).get("/mentor/queue/").content.decode()
    assert (
        '<div class="small queue-checks" data-checks-passed="1" data-checks-failed="1">'
        "checks: 1 passed, 1 failed</div>"
    ) in page


def test_queue_counts_the_newest_iterations_checks(client_for, mentor, make_submission):
    submission = make_submission(iterations=2)
    _snapshot(submission.iterations.get(number=1), checks=[SECRET_FOUND])
    _snapshot(submission.iterations.get(number=2), checks=[README_OK])
    page = client_for(mentor).get("/mentor/queue/").content.decode()
    assert 'data-checks-passed="1" data-checks-failed="0"' in page


@pytest.mark.parametrize("n", [1, 11])
def test_submission_page_query_count_is_flat_in_the_checks(
    client_for, learner, make_submission, django_assert_num_queries, n
):
    submission = make_submission()
    for order in range(n):
        ChecklistItemFactory(automated_check=list(AutomatedCheck)[order].value)
    _snapshot(
        submission.iterations.get(),
        checks=[(key, "pass", "fine", []) for key in list(AutomatedCheck.values)[:n]],
    )
    client = client_for(learner)
    with django_assert_num_queries(11):  # the history 1; the checks 2 (the snapshot came along)
        page = client.get(submission.get_absolute_url()).content.decode()
    assert page.count('class="check-result mb-2"') == n


def test_cohort_csv_counts_each_learners_checks(
    client_for, staff, cohort, learner, make_submission
):
    submission = make_submission()
    _snapshot(submission.iterations.get(), checks=[README_OK, SECRET_FOUND])
    content = b"".join(
        client_for(staff).get(f"/cohorts/{cohort.slug}/progress.csv").streaming_content
    )
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    ada = dict(zip(rows[0], next(row for row in rows if row[0] == "ada"), strict=True))
    assert (ada["Automated checks passed"], ada["Automated checks failed"]) == ("1", "1")


def test_submitting_makes_a_pending_snapshot_of_what_the_learner_typed(
    client_for, learner, project
):
    client_for(learner).post(
        f"/projects/{project.slug}/submit/",
        {"repo_url": "https://github.com/ada/tasks", "commit_sha": "A1B2C3D"},
    )
    snapshot = Snapshot.objects.get()
    assert (snapshot.status, snapshot.requested_sha, snapshot.iteration.number) == (
        "pending",
        "a1b2c3d",
        1,
    )


def test_submit_form_accepts_a_loopback_repository_with_any_path(
    client_for, learner, project, settings
):
    settings.REPOSITORY_ALLOW_LOOPBACK = True
    data = {"repo_url": "http://127.0.0.1:9418/any/path/tasks.git"}
    response = client_for(learner).post(f"/projects/{project.slug}/submit/", data)
    assert response.status_code == 302
    assert Snapshot.objects.get().iteration.repo_url == data["repo_url"]


@pytest.mark.parametrize(
    ("hosts", "repo_url", "reason", "message"),
    [
        pytest.param(
            ["github.com"],
            "https://git.example.org/a/b",
            "host_not_allowed",
            "Repositories can be read from github.com only; git.example.org is not one of them.",
            id="a host the app does not read",
        ),
        pytest.param(
            ["nowhere.invalid"],
            "https://nowhere.invalid/a/b",
            "fetch_failed",  # the address may be right: the lookup failed, nothing refused it
            "nowhere.invalid could not be found.",
            id="an allowed host that does not resolve",
        ),
    ],
)
def test_an_unread_repository_is_accepted_then_failed_with_one_reason(
    client_for, learner, project, settings, hosts, repo_url, reason, message
):
    settings.REPOSITORY_HOSTS = hosts
    client = client_for(learner)
    client.post(f"/projects/{project.slug}/submit/", {"repo_url": repo_url})
    snapshot = Snapshot.objects.get()
    snapshot_take(snapshot_id=snapshot.pk)
    page = client.get(snapshot.iteration.submission.get_absolute_url()).content.decode()
    assert (
        f'<div class="alert alert-warning mb-2" data-snapshot-reason="{reason}">\n'
        "    <strong>The repository could not be read.</strong>\n"
        f"    {message}\n"
        "  </div>"
    ) in page
    assert "host not allowed" not in page.lower()


def test_iteration_without_a_snapshot_says_so(client_for, learner, make_submission):
    submission = make_submission()
    # An iteration saved before snapshots existed (the factory) has none.
    page = client_for(learner).get(submission.get_absolute_url()).content.decode()
    assert "it has no automated checks" in page


def test_staff_ask_for_snapshots_again_from_the_admin(client_for, staff, make_submission):
    submission = make_submission()
    snapshot = _snapshot(submission.iterations.get(), status="failed", reason="timed_out")
    client = client_for(staff)
    listing = client.get("/admin/learners/snapshot/")
    assert listing.status_code == 200
    response = client.post(
        "/admin/learners/snapshot/",
        {"action": "fetch_again", "_selected_action": [snapshot.pk]},
        follow=True,
    )
    assert "1 snapshot will be fetched again." in response.content.decode()
    snapshot.refresh_from_db()
    assert snapshot.status == "pending"
    detail = client.get(f"/admin/learners/snapshot/{snapshot.pk}/change/")
    assert detail.status_code == 200


def test_the_section_polled_shows_the_ticks_as_the_page_does(client_for, learner, make_submission):
    ticked = ChecklistItemFactory(text="No secrets", automated_check=AutomatedCheck.NO_SECRETS)
    unticked = ChecklistItemFactory(text="A README", automated_check=AutomatedCheck.README)
    submission = make_submission()
    iteration = submission.iterations.get()
    iteration.checklist_items.set([ticked])
    _snapshot(iteration, checks=[README_OK, SECRET_FOUND])
    client = client_for(learner)

    page = client.get(submission.get_absolute_url()).content.decode()
    polled = client.get(checks_url(submission)).content.decode()

    for content in (page, polled):
        assert "☑</span> Ticked\n      “No secrets”;" in content
        assert "☐</span> Not ticked\n      “A README”;" in content
        assert f'data-checklist-item="{unticked.pk}"' in content
