"""The cohort's pace on the mentors' pages and the learner's dashboard: behind, at risk, on
track, due dates in words, and the mentors' digest."""

import csv
import datetime
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from bootcamp.models import Notification, OutboxMessage
from learners.models import (
    Extension,
    LearnerProgress,
    Membership,
    ProjectDueDate,
    Reminder,
    StageTarget,
    Submission,
    SubmissionEvent,
)
from learners.services import submission_claim, submission_record_verdict
from reviews import reminders
from reviews.overview import CohortGrid, cohort_at_risk, cohort_figures, cohorts_for_list
from reviews.reminders import cohort_mentor_digest_send, mentor_digests_send
from reviews.selectors import queue_counts
from reviews.services import reply_create
from reviews.tasks import mentor_digests
from tests.factories import (
    CohortFactory,
    IterationFactory,
    MembershipFactory,
    ObjectiveCheckFactory,
    ObjectiveFactory,
    ProjectFactory,
    StageFactory,
    SubmissionFactory,
    UserFactory,
)

Status = Submission.Status
DAY = datetime.timedelta(days=1)


@pytest.fixture
def course(db):
    s1 = StageFactory(number=1, slug="basics", title="Basics")
    s2 = StageFactory(number=2, slug="workflow", title="Workflow")
    return {
        "stages": [s1, s2],
        "p1": ProjectFactory(stage=s1, order=1, slug="p1", title="Calculator"),
        "p2": ProjectFactory(stage=s2, order=1, slug="p2", title="Todo app"),
        "p2b": ProjectFactory(stage=s2, order=2, slug="p2b", title="Blog"),
        "objective": ObjectiveFactory(stage=s1, order=1),
    }


def join(cohort, username, role=Membership.Role.LEARNER, joined_at=None, **names):
    user = UserFactory(username=username, **names)
    MembershipFactory(cohort=cohort, user=user, role=role, joined_at=joined_at or timezone.now())
    return user


@pytest.fixture
def paced(cohort, course):
    """Stage 1 was due yesterday, stage 2 is due in 10 days. Ada finished stage 1; Bob did
    not; Cleo did not either but has an extension until next week."""
    today = cohort.today()
    StageTarget.objects.create(cohort=cohort, stage=course["stages"][0], due_on=today - DAY)
    StageTarget.objects.create(cohort=cohort, stage=course["stages"][1], due_on=today + 10 * DAY)
    ada = join(cohort, "ada", first_name="Ada", last_name="Lovelace")
    bob = join(cohort, "bob", first_name="Bob", last_name="Kahn")
    cleo = join(cohort, "cleo", first_name="Cleo", last_name="Patra")
    SubmissionFactory(cohort=cohort, learner=ada, project=course["p1"], status=Status.APPROVED)
    Extension.objects.create(
        cohort=cohort, learner=cleo, stage=course["stages"][0], due_on=today + 7 * DAY
    )
    return {"ada": ada, "bob": bob, "cleo": cleo, "today": today}


def detail_url(cohort):
    return reverse("reviews:cohort-detail", kwargs={"slug": cohort.slug})


def test_the_grid_marks_who_is_behind_with_text(cohort, paced):
    rows = {row.user.username: row for row in CohortGrid(cohort).all_rows()}

    assert [cell.stage.number for cell in rows["bob"].behind] == [1]
    assert rows["bob"].cells[0].due.text == "1 day late"
    assert rows["ada"].behind == []
    assert rows["cleo"].behind == []  # her extension runs for a week
    assert rows["cleo"].cells[0].due.text == "due in 7 days"


def test_the_overview_lists_those_at_risk_with_why_and_counts_on_track(
    client_for, cohort, mentor, paced
):
    response = client_for(mentor).get(detail_url(cohort))

    html = response.content.decode()
    at_risk = response.context["at_risk"]
    assert [(user.username, pace.reasons) for user, pace in at_risk.learners] == [
        ("bob", ["behind on stage 1's date"])
    ]
    assert (at_risk.count, at_risk.on_track, at_risk.total) == (1, 2, 3)
    assert 'id="figure-on-track">2<' in html
    assert "behind schedule" in html
    assert "behind: 1 day late" in html
    assert html.index('id="at-risk-heading"') < html.index('id="figures-heading"')


def test_the_overview_names_the_first_few_at_risk_and_links_the_csv_for_the_rest(
    client_for, cohort, mentor, paced, monkeypatch
):
    monkeypatch.setattr("reviews.cohort_views.AT_RISK_ON_PAGE", 1)
    Extension.objects.filter(learner=paced["cleo"]).delete()  # now behind as well

    html = client_for(mentor).get(detail_url(cohort)).content.decode()

    section = html[html.index('id="at-risk"') : html.index('id="figures-heading"')]
    assert re.findall(r'<a class="fw-semibold" href="[^"]+">([^<]+)</a>', section) == ["Bob Kahn"]
    assert '<span class="badge text-bg-danger">2</span>' in section
    assert (
        '<p class="small text-body-secondary mt-1 mb-0" id="at-risk-more">The first 1 of 2, '
        "furthest behind and longest idle first; "
        f'<a href="/cohorts/{cohort.slug}/progress.csv" download>the progress CSV</a> lists '
        "every learner with the reasons.</p>"
    ) in section


def test_idle_learners_are_at_risk(cohort, course, settings):
    settings.AT_RISK_IDLE_DAYS = 7
    now = timezone.now()
    long_ago = now - 10 * DAY
    join(cohort, "idle", joined_at=long_ago)
    ticked = join(cohort, "ticked", joined_at=long_ago)
    ObjectiveCheckFactory(learner=ticked, objective=course["objective"], checked_at=now - DAY)
    replied = join(cohort, "replied", joined_at=long_ago)
    old = SubmissionFactory(cohort=cohort, learner=replied, project=course["p1"])
    IterationFactory(submission=old, number=1, submitted_at=long_ago)
    reply_create(submission=old, author=replied, body="Working on it.")
    pushed = join(cohort, "pushed", joined_at=long_ago)
    recent = SubmissionFactory(cohort=cohort, learner=pushed, project=course["p1"])
    IterationFactory(submission=recent, number=1, submitted_at=now - 3 * DAY)
    join(cohort, "newcomer", joined_at=now - DAY)

    at_risk = cohort_at_risk(cohort, now=now)

    assert [(user.username, pace.reasons) for user, pace in at_risk.learners] == [
        ("idle", ["no submission, tick or reply for 10 days"])
    ]


def test_idleness_counts_from_the_cohorts_start_for_those_invited_before_it(
    cohort, course, settings
):
    settings.AT_RISK_IDLE_DAYS = 7
    now = timezone.now()
    cohort.starts_on = cohort.today(now) - 3 * DAY
    cohort.save()
    join(cohort, "early", joined_at=now - 20 * DAY)

    assert cohort_at_risk(cohort, now=now).learners == []  # three days in: not idle yet

    cohort.starts_on = cohort.today(now) - 10 * DAY
    cohort.save()
    at_risk = cohort_at_risk(cohort, now=now)
    assert [(user.username, pace.reasons) for user, pace in at_risk.learners] == [
        ("early", ["no submission, tick or reply for 10 days"])  # not 20: from the start
    ]


def test_a_learner_who_completed_every_stage_is_not_idle(cohort, course, settings):
    settings.AT_RISK_IDLE_DAYS = 7
    now = timezone.now()
    long_ago = now - 30 * DAY
    done = join(cohort, "done", joined_at=long_ago)
    nearly = join(cohort, "nearly", joined_at=long_ago)
    for learner, projects in ((done, ["p1", "p2", "p2b"]), (nearly, ["p1", "p2"])):
        for project in projects:
            submission = SubmissionFactory(
                cohort=cohort, learner=learner, project=course[project], status=Status.APPROVED
            )
            IterationFactory(submission=submission, number=1, submitted_at=long_ago)

    at_risk = cohort_at_risk(cohort, now=now)

    assert [user.username for user, _ in at_risk.learners] == ["nearly"]
    assert LearnerProgress.objects.get(learner=done).all_stages_complete is True


def test_changes_requested_twice_on_one_project_is_a_risk(cohort, course):
    learner = join(cohort, "ada")
    submission = SubmissionFactory(
        cohort=cohort, learner=learner, project=course["p1"], status=Status.CHANGES_REQUESTED
    )
    for _ in range(2):
        SubmissionEvent.objects.create(
            submission=submission, kind=SubmissionEvent.Kind.CHANGES_REQUESTED
        )
    once = SubmissionFactory(cohort=cohort, learner=join(cohort, "bob"), project=course["p1"])
    SubmissionEvent.objects.create(submission=once, kind=SubmissionEvent.Kind.CHANGES_REQUESTED)

    at_risk = cohort_at_risk(cohort)

    assert [(user.username, pace.reasons) for user, pace in at_risk.learners] == [
        ("ada", ["changes requested 2 times on Calculator"])
    ]


def test_changes_requested_twice_stop_counting_once_the_project_is_approved(cohort, course, mentor):
    learner = join(cohort, "ada")
    submission = SubmissionFactory(cohort=cohort, learner=learner, project=course["p1"])
    for _ in range(2):
        SubmissionEvent.objects.create(
            submission=submission, kind=SubmissionEvent.Kind.CHANGES_REQUESTED
        )
    assert [user.username for user, _ in cohort_at_risk(cohort).learners] == ["ada"]

    submission_claim(submission=submission, mentor=mentor)
    submission_record_verdict(submission=submission, mentor=mentor, approved=True)

    assert LearnerProgress.objects.get(learner=learner).changes_requested_most == 0
    assert cohort_at_risk(cohort).learners == []


def test_the_csv_lists_the_stages_behind_separated(client_for, cohort, mentor, paced):
    StageTarget.objects.filter(cohort=cohort, stage__number=2).update(due_on=paced["today"] - DAY)
    response = client_for(mentor).get(
        reverse("reviews:cohort-progress-csv", kwargs={"slug": cohort.slug})
    )
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = {row[0]: row for row in csv.reader(io.StringIO(body))}
    bob = dict(zip(rows["Username"], rows["bob"], strict=True))

    assert bob["Behind on stages"] == "1; 2"


def test_the_csv_has_the_pace_columns(client_for, cohort, mentor, paced):
    response = client_for(mentor).get(
        reverse("reviews:cohort-progress-csv", kwargs={"slug": cohort.slug})
    )
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = {row[0]: row for row in csv.reader(io.StringIO(body))}
    header = rows["Username"]
    bob = dict(zip(header, rows["bob"], strict=True))
    ada = dict(zip(header, rows["ada"], strict=True))
    assert bob["1. Basics"] == "not started (behind: 1 day late)"
    assert (bob["Behind on stages"], bob["At risk because"]) == ("1", "behind on stage 1's date")
    assert (ada["1. Basics"], ada["Behind on stages"], ada["At risk because"]) == (
        "complete",
        "",
        "",
    )
    # The grid's "1 of 3" for Ada: the CSV's approved count is the same number.
    assert (ada["Required projects approved"], ada["Required projects"]) == ("1", "3")


# The dashboard ----------------------------------------------------------------------------


def test_the_dashboard_says_when_each_stage_and_project_is_due(client_for, cohort, paced, course):
    ProjectDueDate.objects.create(
        cohort=cohort, project=course["p2b"], due_on=paced["today"] + 3 * DAY
    )

    response = client_for(paced["bob"]).get(reverse("reviews:dashboard"))

    html = response.content.decode()
    assert [(item.stage.number, item.due.text) for item in response.context["progress"]] == [
        (1, "1 day late"),
        (2, "due in 10 days"),
    ]
    assert [(p.title, due.text) for p, due in response.context["project_dates"]] == [
        ("Blog", "due in 3 days")
    ]
    assert "1 day late" in html
    assert "Due in 3 days" in html


def test_the_dashboard_never_calls_a_stage_with_nothing_to_submit_late(
    client_for, cohort, paced, course
):
    empty = StageFactory(number=3, slug="empty", title="Empty")
    StageTarget.objects.create(cohort=cohort, stage=empty, due_on=paced["today"] - 5 * DAY)

    response = client_for(paced["bob"]).get(reverse("reviews:dashboard"))

    assert [
        (item.stage.number, item.due.text if item.due else None)
        for item in response.context["progress"]
    ] == [(1, "1 day late"), (2, "due in 10 days"), (3, None)]
    assert "5 days late" not in response.content.decode()


def test_what_to_do_next_puts_the_project_due_soonest_first(client_for, cohort, paced, course):
    ada = paced["ada"]  # stage 1 done: stage 2 is next, Todo app first in the roadmap
    ProjectDueDate.objects.create(
        cohort=cohort, project=course["p2b"], due_on=paced["today"] + 2 * DAY
    )

    step = client_for(ada).get(reverse("reviews:dashboard")).context["next_step"]

    assert (step.kind, step.project.title, step.due.text) == ("submit", "Blog", "due in 2 days")


def test_a_late_submission_comes_before_requested_changes_not_late(client_for, cohort, course):
    today = cohort.today()
    learner = join(cohort, "ada")
    StageTarget.objects.create(cohort=cohort, stage=course["stages"][0], due_on=today - DAY)
    ProjectDueDate.objects.create(cohort=cohort, project=course["p2"], due_on=today + 9 * DAY)
    SubmissionFactory(
        cohort=cohort, learner=learner, project=course["p2"], status=Status.CHANGES_REQUESTED
    )

    step = client_for(learner).get(reverse("reviews:dashboard")).context["next_step"]

    assert (step.kind, step.project.title, step.due.text) == ("submit", "Calculator", "1 day late")


def test_a_late_submission_comes_before_requested_changes_with_no_date(client_for, cohort, course):
    today = cohort.today()
    learner = join(cohort, "ada")
    undated = ProjectFactory(stage=StageFactory(number=3, slug="later"), title="Chat")
    StageTarget.objects.create(cohort=cohort, stage=course["stages"][0], due_on=today - DAY)
    SubmissionFactory(
        cohort=cohort, learner=learner, project=undated, status=Status.CHANGES_REQUESTED
    )

    step = client_for(learner).get(reverse("reviews:dashboard")).context["next_step"]

    assert (step.kind, step.project.title, step.due.text) == ("submit", "Calculator", "1 day late")


def test_requested_changes_with_no_date_come_before_work_not_late(client_for, cohort, course):
    learner = join(cohort, "ada")
    undated = ProjectFactory(stage=StageFactory(number=3, slug="later"), title="Chat")
    StageTarget.objects.create(
        cohort=cohort, stage=course["stages"][0], due_on=cohort.today() + 5 * DAY
    )
    SubmissionFactory(
        cohort=cohort, learner=learner, project=undated, status=Status.CHANGES_REQUESTED
    )

    step = client_for(learner).get(reverse("reviews:dashboard")).context["next_step"]

    assert (step.kind, step.project.title, step.due) == ("resubmit", "Chat", None)


def test_the_dashboard_without_dates_shows_none(client_for, cohort, course):
    learner = join(cohort, "ada")

    response = client_for(learner).get(reverse("reviews:dashboard"))

    assert [item.due for item in response.context["progress"]] == [None, None]
    assert response.context["next_step"].due is None
    assert 'id="project-dates"' not in response.content.decode()


# The mentors' digest ----------------------------------------------------------------------


def test_mentors_get_one_digest_a_day_with_overdue_reviews_and_learners_at_risk(
    cohort, mentor, paced, course, settings
):
    settings.REVIEW_OVERDUE_HOURS = 48
    now = timezone.now()
    other = join(cohort, "grace", role=Membership.Role.MENTOR)
    SubmissionFactory(
        cohort=cohort,
        learner=paced["cleo"],
        project=course["p1"],
        submitted_at=now - 3 * DAY,
    )
    SubmissionFactory(
        cohort=cohort,
        learner=paced["ada"],
        project=course["p2"],
        status=Status.IN_REVIEW,
        claimed_by=other,
        claimed_at=now,
        submitted_at=now - 4 * DAY,
    )

    first = cohort_mentor_digest_send(cohort=cohort, today=paced["today"], now=now)
    again = cohort_mentor_digest_send(cohort=cohort, today=paced["today"], now=now)

    assert (first, again) == (2, 0)
    mail = {m.to: m for m in OutboxMessage.objects.filter(template="mentor_digest")}
    assert set(mail) == {mentor.email, other.email}
    assert mail[mentor.email].subject == (
        "[bootcamp] Demo cohort today: 1 overdue review, 1 learner at risk"
    )
    assert "- Cleo Patra: Calculator, waiting 3 days\n" in mail[mentor.email].body
    assert "Bob Kahn: behind on stage 1's date" in mail[mentor.email].body
    assert "(you hold the claim)" in mail[other.email].body
    assert Notification.objects.filter(user=mentor, kind="mentor_digest").count() == 1
    assert Reminder.objects.filter(kind="mentor_digest").count() == 2


def test_no_digest_when_nothing_is_overdue_and_no_one_is_at_risk(cohort, mentor, course):
    join(cohort, "ada")

    assert cohort_mentor_digest_send(cohort=cohort, today=cohort.today(), now=timezone.now()) == 0
    assert OutboxMessage.objects.count() == 0


def test_mentors_get_digests_until_the_cohorts_last_day(cohort, mentor, paced, settings):
    settings.REMINDER_HOUR = 0
    now = timezone.now()
    cohort.starts_on, cohort.ends_on = paced["today"] - 30 * DAY, paced["today"]
    cohort.save()
    assert mentor_digests_send(now=now) == 1  # Bob is behind: the last day has its digest

    assert mentor_digests_send(now=now + DAY) == 0  # ended yesterday
    assert mentor_digests_send(now=now + 5 * DAY) == 0
    assert Reminder.objects.filter(kind="mentor_digest").count() == 1


def test_a_mentor_who_had_todays_digest_costs_one_query(
    cohort, mentor, paced, django_assert_num_queries
):
    now = timezone.now()
    assert cohort_mentor_digest_send(cohort=cohort, today=paced["today"], now=now) == 1

    with django_assert_num_queries(1):  # the mentors not sent one today: none; nothing counted
        assert cohort_mentor_digest_send(cohort=cohort, today=paced["today"], now=now) == 0


def test_a_failing_cohort_does_not_stop_the_other_digests(
    cohort, mentor, paced, settings, monkeypatch
):
    settings.REMINDER_HOUR = 0
    broken = CohortFactory(name="Broken")
    real = reminders.cohort_at_risk

    def at_risk(of, **kwargs):
        if of == broken:
            raise RuntimeError("boom")
        return real(of, **kwargs)

    monkeypatch.setattr(reminders, "cohort_at_risk", at_risk)
    MembershipFactory(cohort=broken, user=mentor, role=Membership.Role.MENTOR)

    assert reminders.mentor_digests_send(now=timezone.now()) == 1
    assert list(Reminder.objects.values_list("about", flat=True)) == [f"cohort:{cohort.pk}"]


def test_a_cohort_without_dates_has_everyone_on_track(cohort, course):
    join(cohort, "ada")
    CohortFactory()  # another cohort's dates do not count here

    assert cohort_at_risk(cohort).on_track == 1


# Sorting by a stage's progress -------------------------------------------------------------


@pytest.fixture
def sortable(cohort, course):
    """Stage 2 has two required projects: Zoe approved both, Al one, Mo none."""
    zoe, al = join(cohort, "zoe"), join(cohort, "al")
    join(cohort, "mo")
    for learner, projects in ((zoe, ["p2", "p2b"]), (al, ["p2"])):
        for project in projects:
            SubmissionFactory(
                cohort=cohort, learner=learner, project=course[project], status=Status.APPROVED
            )
    return cohort


def test_stage_headers_sort_by_that_stages_progress(client_for, sortable, mentor):
    client = client_for(mentor)

    least = client.get(detail_url(sortable), {"sort": "stage-2"})
    most = client.get(detail_url(sortable), {"sort": "-stage-2"})

    assert [row.user.username for row in least.context["rows"]] == ["mo", "al", "zoe"]
    assert [row.user.username for row in most.context["rows"]] == ["zoe", "al", "mo"]
    html = least.content.decode()
    assert '<th scope="col" class="small" aria-sort="ascending"><a href="?sort=-stage-2"' in html
    assert '<th scope="col" class="small" aria-sort="none"><a href="?sort=stage-1"' in html
    assert "sorted by stage 2&#x27;s progress, least first" in html


@pytest.mark.parametrize("sort", ["stage-9", "stage-x", "-stage-", "x" * 50])
def test_a_sort_by_no_such_stage_falls_back_to_names(client_for, sortable, mentor, sort):
    client = client_for(mentor)
    by_name = client.get(detail_url(sortable))
    response = client.get(detail_url(sortable), {"sort": sort})

    assert response.status_code == 200
    assert response.context["sort"] == "name"
    names = [row.user.username for row in response.context["rows"]]
    assert names == [row.user.username for row in by_name.context["rows"]]
    assert sorted(names) == ["al", "mo", "zoe"]


@pytest.mark.parametrize("n", [1, 5])
def test_sorting_by_a_stage_is_flat_in_queries(
    client_for, cohort, course, mentor, n, django_assert_num_queries
):
    for i in range(n):
        learner = join(cohort, f"learner{i}")
        SubmissionFactory(
            cohort=cohort, learner=learner, project=course["p1"], status=Status.APPROVED
        )
    client = client_for(mentor)
    client.get(detail_url(cohort))  # the per-process figures' cache, as in the overview's test

    # session, user, roles, the cohort, the stages, the calendar's two, the check for
    # progress rows to recount, the learners' count and page, the page's work and ticks, the
    # at-risk count and list, the figures' live queue counts, the learners signed off as
    # ready to apply
    with django_assert_num_queries(16):
        response = client.get(detail_url(cohort), {"sort": "-stage-1"})

    assert len(response.context["rows"]) == n


def test_the_phone_gets_its_own_drawing_of_the_chart(client_for, cohort, mentor, course):
    join(cohort, "ada")

    html = client_for(mentor).get(detail_url(cohort)).content.decode()

    assert '<svg class="cohort-chart d-none d-md-block"' in html
    assert '<svg class="cohort-chart d-md-none"' in html
    assert 'viewBox="0 0 380 260"' in html
    assert 'aria-labelledby="chart-narrow-title chart-narrow-desc"' in html


def test_a_date_changed_anywhere_is_followed_at_the_next_look(cohort, paced, course):
    assert cohort_at_risk(cohort).behind == 1  # Bob
    # Staff move stage 1's date a week on, here straight in the database, as a shell would.
    StageTarget.objects.filter(cohort=cohort, stage=course["stages"][0]).update(
        due_on=paced["today"] + 7 * DAY
    )

    assert cohort_at_risk(cohort).behind == 0
    # And back: Cleo's extension still keeps her on track.
    StageTarget.objects.filter(cohort=cohort, stage=course["stages"][0]).update(
        due_on=paced["today"] - DAY
    )
    Extension.objects.filter(learner=paced["cleo"]).update(due_on=paced["today"] - 2 * DAY)

    at_risk = cohort_at_risk(cohort)
    assert sorted(user.username for user, _ in at_risk.learners) == ["bob", "cleo"]


def test_a_stage_that_starts_to_count_is_followed_at_the_next_look(cohort, course):
    """A dated stage with no published project never counts; once an optional project is
    published in it (no required project changes, so the curriculum's key stays), the rows
    counted before are recounted: the learner is behind on it."""
    empty = StageFactory(number=3, slug="empty", title="Empty")
    StageTarget.objects.create(cohort=cohort, stage=empty, due_on=cohort.today() - DAY)
    join(cohort, "ada")
    assert cohort_at_risk(cohort).learners == []

    ProjectFactory(stage=empty, slug="extra", is_required=False)

    at_risk = cohort_at_risk(cohort)
    assert [(user.username, pace.reasons) for user, pace in at_risk.learners] == [
        ("ada", ["behind on stage 3's date"])
    ]


def test_an_approval_takes_the_learner_off_the_behind_list_at_once(cohort, paced, course, mentor):
    submission = SubmissionFactory(cohort=cohort, learner=paced["bob"], project=course["p1"])
    cohort_at_risk(cohort)  # every row counted
    submission_claim(submission=submission, mentor=mentor)
    submission_record_verdict(submission=submission, mentor=mentor, approved=True)

    assert LearnerProgress.objects.get(learner=paced["bob"]).behind_from == (
        paced["today"] + 10 * DAY
    )
    assert cohort_at_risk(cohort).learners == []


# "Waiting" means one thing -------------------------------------------------------------------


def test_the_queue_the_cohort_list_and_the_overview_count_the_same_waiting_work(
    client_for, cohort, mentor, course
):
    ada, bob = join(cohort, "ada"), join(cohort, "bob")
    SubmissionFactory(cohort=cohort, learner=ada, project=course["p1"])
    SubmissionFactory(cohort=cohort, learner=bob, project=course["p1"])
    SubmissionFactory(
        cohort=cohort,
        learner=ada,
        project=course["p2"],
        status=Status.IN_REVIEW,
        claimed_by=mentor,
        claimed_at=timezone.now(),
    )

    listed = cohorts_for_list(mentor).get(pk=cohort.pk).waiting_count
    figures = cohort_figures(cohort, learners=2, now=timezone.now())
    queue = queue_counts(mentor)

    assert (queue["waiting"], listed, figures.waiting) == (2, 2, 2)
    assert (queue["in_review_by_you"], figures.in_review) == (1, 1)
    states = {
        row.user.username: [cell.state.key for cell in row.cells]
        for row in CohortGrid(cohort).all_rows()
    }
    assert states == {"ada": ["waiting", "in_review"], "bob": ["waiting", "not_started"]}


def test_the_mentor_digest_job_runs_as_the_worker_would(cohort, mentor, paced, settings):
    settings.REMINDER_HOUR = 0

    mentor_digests(timestamp=0)
    mentor_digests(timestamp=0)

    assert OutboxMessage.objects.filter(template="mentor_digest", to=mentor.email).count() == 1
