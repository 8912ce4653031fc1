import csv
import datetime
import io
import re
from importlib import import_module

import pytest
from django.apps import apps as django_apps
from django.urls import reverse
from django.utils import timezone

from curriculum.models import Project, Stage, counted_projects_key
from curriculum.services import curriculum_set_published
from learners.models import LearnerProgress, Membership, Submission, SubmissionEvent
from learners.services import learner_progress_refresh, submission_record_verdict
from reviews.cohort_views import spreadsheet_safe
from reviews.overview import (
    CohortGrid,
    cohort_figures,
    cohort_weekly,
    weekly_chart,
)
from tests.factories import (
    CohortFactory,
    IterationFactory,
    MembershipFactory,
    ObjectiveCheckFactory,
    ObjectiveFactory,
    ProjectFactory,
    ReviewFactory,
    StageFactory,
    SubmissionFactory,
    UserFactory,
)

Status = Submission.Status
HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)


@pytest.fixture
def curriculum(db):
    """Stage 1: two required projects and an optional one; stages 2 and 3: one each.

    An unpublished stage 4 must not show up anywhere.
    """
    s1 = StageFactory(number=1, slug="basics", title="Basics")
    s2 = StageFactory(number=2, slug="workflow", title="Workflow")
    s3 = StageFactory(number=3, slug="testing", title="Testing")
    s4 = StageFactory(number=4, slug="archived", title="Archived", is_published=False)
    return {
        "stages": [s1, s2, s3, s4],
        "p1a": ProjectFactory(stage=s1, order=1, slug="p1a"),
        "p1b": ProjectFactory(stage=s1, order=2, slug="p1b"),
        "p1c": ProjectFactory(stage=s1, order=3, slug="p1c", is_required=False),
        "p2": ProjectFactory(stage=s2, order=1, slug="p2"),
        "p3": ProjectFactory(stage=s3, order=1, slug="p3"),
        "p4": ProjectFactory(stage=s4, order=1, slug="p4"),
        "objective1": ObjectiveFactory(stage=s1, order=1),
    }


def add_learner(cohort, username, first="", last=""):
    user = UserFactory(username=username, first_name=first, last_name=last)
    MembershipFactory(cohort=cohort, user=user, role=Membership.Role.LEARNER)
    return user


def add_submission(cohort, learner, project, status, *, mentor=None, submitted_at=None, **extra):
    if status == Status.IN_REVIEW:
        extra.update(claimed_by=mentor or UserFactory(), claimed_at=timezone.now())
    if status == Status.APPROVED:
        extra.setdefault("approved_at", timezone.now())
    submission = SubmissionFactory(
        cohort=cohort,
        learner=learner,
        project=project,
        status=status,
        submitted_at=submitted_at or timezone.now(),
        **extra,
    )
    if status == Status.APPROVED:  # as submission_record_verdict does when it approves
        learner_progress_refresh(cohort_id=cohort.pk, learner_ids=[learner.pk])
    return submission


def states_by_user(cohort, stage_index=0):
    rows = CohortGrid(cohort).all_rows()
    return {row.user.username: row.cells[stage_index].state.key for row in rows}


# Access ---------------------------------------------------------------------------------


def detail_url(cohort):
    return reverse("reviews:cohort-detail", kwargs={"slug": cohort.slug})


def csv_url(cohort):
    return reverse("reviews:cohort-progress-csv", kwargs={"slug": cohort.slug})


@pytest.mark.parametrize("url", [detail_url, csv_url])
def test_anonymous_is_sent_to_login(client, cohort, url):
    response = client.get(url(cohort))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("url", [detail_url, csv_url])
def test_learner_of_the_cohort_gets_404(client_for, cohort, learner, url):
    assert client_for(learner).get(url(cohort)).status_code == 404


@pytest.mark.parametrize("url", [detail_url, csv_url])
def test_mentor_of_another_cohort_gets_404(client_for, cohort, other_mentor, url):
    assert client_for(other_mentor).get(url(cohort)).status_code == 404


@pytest.mark.parametrize("url", [detail_url, csv_url])
def test_mentor_of_the_cohort_and_staff_get_200(client_for, cohort, mentor, staff, url):
    assert client_for(mentor).get(url(cohort)).status_code == 200
    assert client_for(staff).get(url(cohort)).status_code == 200


@pytest.mark.parametrize("url", [detail_url, csv_url])
def test_post_is_not_allowed(client_for, cohort, mentor, url):
    assert client_for(mentor).post(url(cohort)).status_code == 405


def test_unknown_cohort_is_404_even_for_staff(client_for, staff):
    url = reverse("reviews:cohort-detail", kwargs={"slug": "no-such-cohort"})

    assert client_for(staff).get(url).status_code == 404


def test_cohort_page_says_so_when_there_are_no_learners(client_for, cohort, mentor, curriculum):
    response = client_for(mentor).get(detail_url(cohort))

    assert "This cohort has no learners yet." in response.content.decode()


# The grid -------------------------------------------------------------------------------


def test_each_cell_state_follows_the_rules(cohort, curriculum, mentor):
    c = curriculum
    add_learner(cohort, "nothing")
    checked = add_learner(cohort, "checked")
    ObjectiveCheckFactory(learner=checked, objective=c["objective1"])
    both = add_learner(cohort, "both")
    add_submission(cohort, both, c["p1a"], Status.CHANGES_REQUESTED)
    add_submission(cohort, both, c["p1b"], Status.SUBMITTED)
    submitted = add_learner(cohort, "submitted")
    add_submission(cohort, submitted, c["p1a"], Status.SUBMITTED)
    reviewing = add_learner(cohort, "reviewing")
    add_submission(cohort, reviewing, c["p1a"], Status.IN_REVIEW, mentor=mentor)
    half = add_learner(cohort, "half")
    add_submission(cohort, half, c["p1a"], Status.APPROVED)
    done = add_learner(cohort, "done")
    add_submission(cohort, done, c["p1a"], Status.APPROVED)
    add_submission(cohort, done, c["p1b"], Status.APPROVED)
    done_plus = add_learner(cohort, "done-plus")
    add_submission(cohort, done_plus, c["p1a"], Status.APPROVED)
    add_submission(cohort, done_plus, c["p1b"], Status.APPROVED)
    add_submission(cohort, done_plus, c["p1c"], Status.SUBMITTED)

    assert states_by_user(cohort) == {
        "nothing": "not_started",
        "checked": "in_progress",
        "both": "changes_requested",
        "submitted": "waiting",
        "reviewing": "in_review",
        "half": "in_progress",
        "done": "complete",
        "done-plus": "complete",
    }


def test_work_in_another_cohort_does_not_count(cohort, curriculum):
    ada = add_learner(cohort, "ada")
    add_submission(CohortFactory(), ada, curriculum["p1a"], Status.SUBMITTED)

    assert states_by_user(cohort) == {"ada": "not_started"}


def test_grid_shows_published_stages_only_and_words_with_the_colours(
    client_for, cohort, curriculum, mentor
):
    ada = add_learner(cohort, "ada", "Ada", "Lovelace")
    add_submission(cohort, ada, curriculum["p1a"], Status.CHANGES_REQUESTED)
    add_submission(cohort, ada, curriculum["p2"], Status.APPROVED)

    html = client_for(mentor).get(detail_url(cohort)).content.decode()

    assert "1. Basics" in html
    assert "Archived" not in html
    # The row's header names the learner and each column's the stage (th scope="row" and
    # scope="col"), which is what a screen reader says with each cell.
    assert '<th scope="row"><a href="/mentor/learners/' in html
    cells = re.findall(
        r'<td class="state-cell"><span class="badge ([^"]+)">([^<]+)</span></td>', html
    )
    assert cells == [
        ("text-bg-danger", "changes requested"),
        ("text-bg-success", "complete"),
        ("text-bg-light border", "not started"),
    ]


def test_overall_progress_counts_required_published_projects(cohort, curriculum):
    ada = add_learner(cohort, "ada")
    add_submission(cohort, ada, curriculum["p1a"], Status.APPROVED)
    add_submission(cohort, ada, curriculum["p1c"], Status.APPROVED)  # optional
    add_submission(cohort, ada, curriculum["p4"], Status.APPROVED)  # archived stage
    add_submission(cohort, ada, curriculum["p2"], Status.SUBMITTED)

    (row,) = CohortGrid(cohort).all_rows()

    assert (row.approved_required, row.required, row.percent) == (1, 4, 25)
    assert (row.approved, row.waiting) == (3, 1)


@pytest.fixture
def three_paced(cohort, curriculum):
    """Ada 2 of 4 required approved, Barbara 4 of 4, Charles none."""
    c = curriculum
    ada = add_learner(cohort, "ada", "Ada", "Lovelace")
    barbara = add_learner(cohort, "barbara", "Barbara", "Liskov")
    charles = add_learner(cohort, "charles", "Charles", "Babbage")
    for project in ("p1a", "p1b"):
        add_submission(cohort, ada, c[project], Status.APPROVED)
    for project in ("p1a", "p1b", "p2", "p3"):
        add_submission(cohort, barbara, c[project], Status.APPROVED)
    return {"ada": ada, "barbara": barbara, "charles": charles}


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("name", ["ada", "barbara", "charles"]),
        ("-name", ["charles", "barbara", "ada"]),
        ("progress", ["charles", "ada", "barbara"]),
        ("-progress", ["barbara", "ada", "charles"]),
        ("bogus", ["ada", "barbara", "charles"]),
        ("", ["ada", "barbara", "charles"]),
    ],
)
def test_grid_sorts_by_name_and_progress(client_for, cohort, mentor, three_paced, sort, expected):
    response = client_for(mentor).get(detail_url(cohort), {"sort": sort})

    html = response.content.decode()
    order = re.findall(r'<span class="small text-body-secondary">(\w+)</span></th>', html)
    assert order == expected
    assert response.context["sort"] == (
        sort if sort in {"-name", "progress", "-progress"} else "name"
    )
    caption = re.search(r'<caption class="visually-hidden">(Each learner.*?)</caption>', html)[1]
    assert caption == "Each learner's state in each stage, sorted by " + (
        {"-name": "name, Z to A", "progress": "progress, least first"}.get(sort)
        or ("progress, most first" if sort == "-progress" else "name, A to Z")
    )


def shown_usernames(response):
    return re.findall(
        r'<span class="small text-body-secondary">(\w+)</span></th>', response.content.decode()
    )


def test_name_order_is_the_shown_name_in_any_case_then_the_username(
    client_for, cohort, mentor, curriculum
):
    add_learner(cohort, "zed", "ann")  # shown as "ann"
    add_learner(cohort, "bob")  # no name: shown as "bob"
    add_learner(cohort, "amy", "Carl", "Young")
    add_learner(cohort, "abe", "Carl", "Young")  # the same name: the username decides

    response = client_for(mentor).get(detail_url(cohort))

    assert shown_usernames(response) == ["zed", "bob", "abe", "amy"]


@pytest.mark.parametrize(
    ("sort", "page", "expected"),
    [
        ("-progress", 1, ["barbara", "ada"]),
        ("-progress", 2, ["charles"]),
        ("progress", 2, ["barbara"]),
        ("-name", 2, ["ada"]),
    ],
)
def test_each_page_of_the_grid_continues_the_order(
    client_for, cohort, mentor, three_paced, monkeypatch, sort, page, expected
):
    monkeypatch.setattr("reviews.cohort_views.LEARNERS_PER_PAGE", 2)

    response = client_for(mentor).get(detail_url(cohort), {"sort": sort, "page": page})

    assert shown_usernames(response) == expected
    assert response.context["figures"].learners == 3


def test_progress_ties_are_in_name_order(client_for, cohort, mentor, curriculum):
    for username in ("cid", "ann", "bob"):
        learner = add_learner(cohort, username)
        add_submission(cohort, learner, curriculum["p1a"], Status.APPROVED)
    add_learner(cohort, "dan")

    response = client_for(mentor).get(detail_url(cohort), {"sort": "-progress"})

    assert shown_usernames(response) == ["ann", "bob", "cid", "dan"]


def progress_rows(cohort):
    return dict(
        LearnerProgress.objects.filter(cohort=cohort).values_list(
            "learner__username", "approved_required"
        )
    )


def test_approving_moves_the_learner_up_the_progress_order(
    client_for, cohort, mentor, three_paced, curriculum
):
    charles = three_paced["charles"]
    for project in ("p1a", "p1b", "p2"):
        submission = add_submission(cohort, charles, curriculum[project], Status.IN_REVIEW)
        submission_record_verdict(
            submission=submission, mentor=submission.claimed_by, approved=True
        )

    response = client_for(mentor).get(detail_url(cohort), {"sort": "-progress"})

    assert progress_rows(cohort) == {"ada": 2, "barbara": 4, "charles": 3}
    assert shown_usernames(response) == ["barbara", "charles", "ada"]


def test_requesting_changes_counts_them_on_the_progress_row(cohort, three_paced, curriculum):
    submission = add_submission(cohort, three_paced["charles"], curriculum["p1a"], Status.IN_REVIEW)

    submission_record_verdict(submission=submission, mentor=submission.claimed_by, approved=False)

    assert progress_rows(cohort) == {"ada": 2, "barbara": 4, "charles": 0}
    row = LearnerProgress.objects.get(learner=three_paced["charles"])
    assert (row.changes_requested_most, row.changes_requested_project.slug) == (1, "p1a")


def archive_stage_1(curriculum):
    curriculum_set_published(
        queryset=Stage.objects.filter(pk=curriculum["stages"][0].pk), is_published=False
    )


def make_p1a_and_p1b_optional(curriculum):
    # However staff change it: here straight in the database, as a shell would.
    Project.objects.filter(slug__in=["p1a", "p1b"]).update(is_required=False)


@pytest.mark.parametrize("change", [archive_stage_1, make_p1a_and_p1b_optional])
def test_the_progress_order_follows_a_curriculum_change_at_once(
    client_for, cohort, mentor, three_paced, curriculum, change
):
    for project in ("p2", "p3"):
        add_submission(cohort, three_paced["charles"], curriculum[project], Status.APPROVED)
    client = client_for(mentor)
    before = shown_usernames(client.get(detail_url(cohort), {"sort": "-progress"}))

    change(curriculum)
    after = shown_usernames(client.get(detail_url(cohort), {"sort": "-progress"}))

    assert before == ["barbara", "ada", "charles"]
    assert after == ["barbara", "charles", "ada"]
    assert progress_rows(cohort) == {"ada": 0, "barbara": 2, "charles": 2}
    assert not LearnerProgress.objects.exclude(counted_key=counted_projects_key()).exists()


def test_a_recount_also_refreshes_a_learner_who_left_the_cohort(
    client_for, cohort, mentor, three_paced, curriculum
):
    Membership.objects.filter(user=three_paced["ada"]).delete()
    archive_stage_1(curriculum)

    client_for(mentor).get(detail_url(cohort), {"sort": "progress"})

    assert progress_rows(cohort) == {"ada": 0, "barbara": 2, "charles": 0}
    assert not LearnerProgress.objects.exclude(counted_key=counted_projects_key()).exists()


def test_approving_the_work_of_a_learner_who_left_the_cohort_counts_it(
    cohort, three_paced, curriculum
):
    charles = three_paced["charles"]
    submission = add_submission(cohort, charles, curriculum["p1a"], Status.IN_REVIEW)
    Membership.objects.filter(user=charles).delete()

    submission_record_verdict(submission=submission, mentor=submission.claimed_by, approved=True)

    assert progress_rows(cohort) == {"ada": 2, "barbara": 4, "charles": 1}


def test_the_migration_fills_one_row_per_learner(cohort, three_paced):
    fill_progress = import_module("learners.migrations.0003_learnerprogress").fill_progress
    LearnerProgress.objects.all().delete()

    fill_progress(django_apps, None)

    assert progress_rows(cohort) == {"ada": 2, "barbara": 4, "charles": 0}


def test_overall_cell_shows_the_percentage_over_the_count(client_for, cohort, mentor, three_paced):
    html = client_for(mentor).get(detail_url(cohort), {"sort": "name"}).content.decode()

    cells = re.findall(r'<td class="overall-cell">\s*(.*?)\s*</td>', html, re.S)
    assert cells[0] == (
        '<span class="overall">50%</span>\n'
        '            <span class="d-block small text-body-secondary">2 of 4'
        '<span class="visually-hidden"> required projects approved</span></span>'
    )
    assert len(cells) == 3


def test_sort_header_marks_the_current_order(client_for, cohort, mentor, three_paced):
    html = client_for(mentor).get(detail_url(cohort), {"sort": "-progress"}).content.decode()

    assert '<th scope="col" aria-sort="descending">\n            <a href="?sort=progress">' in html
    assert '<th scope="col" aria-sort="none">\n            <a href="?sort=name">' in html


# The figures ----------------------------------------------------------------------------


def reviewed_iteration(cohort, learner, project, *, arrived, waited, mentor):
    submission = add_submission(cohort, learner, project, Status.CHANGES_REQUESTED)
    iteration = IterationFactory(submission=submission, number=1, submitted_at=arrived)
    ReviewFactory(iteration=iteration, mentor=mentor, published_at=arrived + waited)
    # The turnaround is read from the history the services write with each transition.
    Kind = SubmissionEvent.Kind
    SubmissionEvent.objects.bulk_create(
        [
            SubmissionEvent(submission=submission, kind=Kind.SUBMITTED, actor=learner, at=arrived),
            SubmissionEvent(
                submission=submission,
                kind=Kind.CHANGES_REQUESTED,
                actor=mentor,
                at=arrived + waited,
            ),
        ]
    )
    return iteration


@pytest.fixture
def turnaround(cohort, curriculum, mentor):
    """This week: waits of 2 h, 4 h and 10 h; three weeks ago: 30 h; plus a draft-only one."""
    now = timezone.now()
    ada = add_learner(cohort, "ada")
    for project, hours in (("p1a", 2), ("p1b", 4), ("p1c", 10)):
        reviewed_iteration(
            cohort,
            ada,
            curriculum[project],
            arrived=now - 3 * DAY,
            waited=hours * HOUR,
            mentor=mentor,
        )
    reviewed_iteration(
        cohort, ada, curriculum["p2"], arrived=now - 21 * DAY, waited=30 * HOUR, mentor=mentor
    )
    drafted = IterationFactory(
        submission=add_submission(cohort, ada, curriculum["p3"], Status.IN_REVIEW, mentor=mentor),
        number=1,
        submitted_at=now - 5 * HOUR,
    )
    ReviewFactory(iteration=drafted, mentor=mentor, published_at=None)
    return now


def test_median_time_to_first_review_this_week_and_overall(cohort, turnaround):
    figures = cohort_figures(cohort, learners=1, now=turnaround)

    assert figures.median_week == 4 * HOUR
    assert figures.median_overall == 7 * HOUR  # median of 2, 4, 10, 30 h
    assert (figures.reviewed_week, figures.reviewed_overall) == (3, 4)


def test_median_is_empty_without_reviews(cohort):
    figures = cohort_figures(cohort, learners=0)

    assert (figures.median_week, figures.median_overall) == (None, None)


@pytest.fixture
def queue(cohort, curriculum, mentor):
    """Waiting: submitted 49 h ago, submitted 47 h ago, in review since 60 h ago."""
    now = timezone.now()
    amy, bob = add_learner(cohort, "amy"), add_learner(cohort, "bob")
    add_submission(cohort, amy, curriculum["p1a"], Status.SUBMITTED, submitted_at=now - 49 * HOUR)
    add_submission(cohort, amy, curriculum["p1b"], Status.SUBMITTED, submitted_at=now - 47 * HOUR)
    add_submission(
        cohort,
        bob,
        curriculum["p1a"],
        Status.IN_REVIEW,
        mentor=mentor,
        submitted_at=now - 60 * HOUR,
    )
    # Neither of these waits for a mentor, however old.
    add_submission(
        cohort, bob, curriculum["p1b"], Status.CHANGES_REQUESTED, submitted_at=now - 100 * HOUR
    )
    add_submission(cohort, bob, curriculum["p2"], Status.APPROVED, submitted_at=now - 100 * HOUR)
    return now


def test_waiting_and_overdue_counts(cohort, queue, settings):
    settings.REVIEW_OVERDUE_HOURS = 48

    figures = cohort_figures(cohort, learners=2, now=queue)

    # Waiting: not claimed yet (as the queue counts); the claimed one is in review. Overdue:
    # no verdict after 48 h, claimed or not.
    assert (figures.learners, figures.waiting, figures.in_review, figures.overdue) == (2, 2, 1, 2)


def test_figures_are_shown_humanised(client_for, cohort, mentor, turnaround, queue):
    html = client_for(mentor).get(detail_url(cohort)).content.decode()

    assert 'id="figure-learners">3<' in html
    assert 'id="figure-waiting">2<' in html  # the queue's two not claimed yet
    assert 'id="figure-in-review">2 more in review<' in html  # its claim, the drafted one
    assert 'id="figure-overdue">2<' in html
    assert 'id="figure-median-week">4\xa0hours<' in html
    assert 'id="figure-median-overall">7\xa0hours<' in html


# The weekly chart -----------------------------------------------------------------------


def noon(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


@pytest.fixture
def weekly_work(curriculum):
    """A cohort in its third week: 1 iteration in week 1, 2 in week 2 (1 approval), 0 in 3."""
    today = timezone.localdate()
    cohort = CohortFactory(slug="weekly", starts_on=today - 16 * DAY, ends_on=today + 90 * DAY)
    ada = add_learner(cohort, "ada")
    start = cohort.starts_on
    first = add_submission(cohort, ada, curriculum["p1a"], Status.SUBMITTED)
    IterationFactory(submission=first, number=1, submitted_at=noon(start))
    second = add_submission(
        cohort, ada, curriculum["p1b"], Status.APPROVED, approved_at=noon(start + 10 * DAY)
    )
    IterationFactory(submission=second, number=1, submitted_at=noon(start + 7 * DAY))
    IterationFactory(submission=second, number=2, submitted_at=noon(start + 8 * DAY))
    return cohort


def test_weekly_counts_iterations_and_approvals_per_cohort_week(weekly_work):
    weekly = cohort_weekly(weekly_work)

    assert [(w.number, w.submissions, w.approvals) for w in weekly.weeks] == [
        (1, 1, 0),
        (2, 2, 1),
        (3, 0, 0),
    ]
    assert weekly.weeks[2].ends == timezone.localdate()
    assert weekly.approvals_per_week == pytest.approx(1 / 3)
    assert weekly.approvals_last_7_days == 1


def test_weekly_is_empty_before_the_cohort_starts(db):
    today = timezone.localdate()
    cohort = CohortFactory(starts_on=today + 3 * DAY, ends_on=today + 60 * DAY)

    assert cohort_weekly(cohort).weeks == []
    assert weekly_chart(cohort_weekly(cohort)) is None


def test_chart_is_inline_svg_and_its_table_has_the_same_numbers(client_for, weekly_work, staff):
    html = client_for(staff).get(detail_url(weekly_work)).content.decode()

    assert '<svg class="cohort-chart d-none d-md-block"' in html
    assert 'role="img" aria-labelledby="chart-title chart-desc"' in html
    assert '<title id="chart-title">Submissions and approvals per week in ' in html
    assert "style=" not in html
    wide, narrow = html.split('<svg class="cohort-chart d-md-none"')
    bars = re.findall(
        r"<title>Week (\d+) \([^)]*\): (\d+) submissions?, (\d+) approvals?</title>", wide
    )
    # The phone's drawing has the same bars.
    assert re.findall(r"<title>Week (\d+) \([^)]*\): (\d+) submissions?", narrow) == [
        bar[:2] for bar in bars
    ]
    table = re.findall(
        r'<th scope="row">(\d+)</th>\s*<td>[^<]*</td>\s*'
        r'<td class="text-end">(\d+)</td>\s*<td class="text-end">(\d+)</td>',
        html,
    )
    assert bars == [("1", "1", "0"), ("2", "2", "1"), ("3", "0", "0")]
    assert table == bars


def test_chart_bar_heights_scale_to_the_axis(weekly_work):
    chart = weekly_chart(cohort_weekly(weekly_work))

    assert chart.y_max == 5  # the peak is 2; the axis never goes below 5
    assert [label for _, label in chart.ticks] == [0, 1, 2, 3, 4, 5]
    heights = [bar["height"] for group in chart.groups for bar in group["bars"]]
    one = chart.plot_height / 5
    assert heights == pytest.approx([one, 0, 2 * one, one, 0, 0], abs=0.05)


# CSV ------------------------------------------------------------------------------------


def read_csv(response):
    body = b"".join(response.streaming_content)
    return body, list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_csv_rows_match_the_grid(client_for, cohort, mentor, three_paced, settings):
    settings.REVIEW_OVERDUE_HOURS = 48
    response = client_for(mentor).get(csv_url(cohort))

    body, rows = read_csv(response)
    today = timezone.localdate().isoformat()
    assert body.startswith(b"\xef\xbb\xbf")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="demo-cohort-progress-{today}.csv"'
    )
    header = [
        "Username",
        "Full name",
        "E-mail",
        "1. Basics",
        "2. Workflow",
        "3. Testing",
        "Overall %",
        "Required projects approved",
        "Required projects",
        "Submissions waiting",
        "In review",
        "Automated checks passed",
        "Automated checks failed",
        "Behind on stages",
        "Last activity",
        "At risk because",
        "Ready to apply",
    ]
    # One table: a header and one row per learner, nothing below it.
    assert rows == [
        header,
        ["ada", "Ada Lovelace", "ada@example.com", "complete", "not started", "not started"]
        + ["50", "2", "4", "0", "0", "", "", "", today, "", ""],
        ["barbara", "Barbara Liskov", "barbara@example.com", "complete", "complete", "complete"]
        + ["100", "4", "4", "0", "0", "", "", "", today, "", ""],
        ["charles", "Charles Babbage", "charles@example.com"]
        + ["not started", "not started", "not started"]
        + ["0", "0", "4", "0", "0", "", "", "", today, "", ""],
    ]


def test_csv_figures_part_is_its_own_table(client_for, cohort, mentor, three_paced, settings):
    settings.REVIEW_OVERDUE_HOURS = 48
    response = client_for(mentor).get(csv_url(cohort), {"part": "figures"})

    _, rows = read_csv(response)
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == (
        f'attachment; filename="demo-cohort-figures-{today}.csv"'
    )
    assert rows == [
        ["Figure", "Value"],
        ["Learners", "3"],
        ["Learners on track", "3"],
        ["Learners at risk", "0"],
        ["Waiting for review", "0"],
        ["In review", "0"],
        ["Overdue (no verdict after 48 h)", "0"],
        ["Median time to a verdict, last 7 days (hours)", ""],
        ["Median time to a verdict, overall (hours)", ""],
        # Six approvals today, in the cohort's fifth week (it started 30 days ago): 6 / 5.
        ["Approvals per week", "1.2"],
        ["Learners ready to apply", "0"],
    ]


def test_csv_unknown_part_answers_the_table(client_for, cohort, mentor, three_paced):
    _, rows = read_csv(client_for(mentor).get(csv_url(cohort), {"part": "<script>"}))

    assert [row[0] for row in rows] == ["Username", "ada", "barbara", "charles"]


def test_csv_escapes_formula_like_cells(client_for, cohort, staff, curriculum):
    for username, first in [
        ("calc", "=cmd|' /C calc'!A0"),
        ("plus", "+1"),
        ("minus", "-1"),
        ("at", "@SUM(1)"),
    ]:
        add_learner(cohort, username, first)

    _, rows = read_csv(client_for(staff).get(csv_url(cohort)))

    assert [row[1] for row in rows[1:5]] == ["'+1", "'-1", "'=cmd|' /C calc'!A0", "'@SUM(1)"]


def test_csv_figures_are_the_pages_figures_in_hours(
    client_for, cohort, mentor, turnaround, queue, settings
):
    settings.REVIEW_OVERDUE_HOURS = 48
    client = client_for(mentor)

    html = client.get(detail_url(cohort)).content.decode()
    _, rows = read_csv(client.get(csv_url(cohort), {"part": "figures"}))

    assert rows == [
        ["Figure", "Value"],
        ["Learners", "3"],
        ["Learners on track", "3"],
        ["Learners at risk", "0"],
        ["Waiting for review", "2"],
        ["In review", "2"],
        ["Overdue (no verdict after 48 h)", "2"],
        ["Median time to a verdict, last 7 days (hours)", "4.0"],
        ["Median time to a verdict, overall (hours)", "7.0"],
        ["Approvals per week", "0.2"],
        ["Learners ready to apply", "0"],
    ]
    for figure, value in [
        ("learners", "3"),
        ("waiting", "2"),
        ("on-track", "3"),
        ("overdue", "2"),
        ("median-week", "4\xa0hours"),
        ("median-overall", "7\xa0hours"),
        ("approvals", "0.2"),
    ]:
        assert f'id="figure-{figure}">{value}<' in html


@pytest.mark.parametrize(
    ("value", "safe"),
    [
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("plain", "plain"),
        ("a=b", "a=b"),
        (-1, -1),
        (50, 50),
    ],
)
def test_spreadsheet_safe(value, safe):
    assert spreadsheet_safe(value) == safe


# Query counts ---------------------------------------------------------------------------


@pytest.fixture
def busy_cohort(cohort, curriculum, mentor):
    def build(n):
        now = timezone.now()
        for i in range(n):
            learner = add_learner(cohort, f"learner{i}", "Learner", str(i))
            ObjectiveCheckFactory(learner=learner, objective=curriculum["objective1"])
            for project, status in (("p1a", Status.APPROVED), ("p2", Status.SUBMITTED)):
                submission = add_submission(cohort, learner, curriculum[project], status)
                iteration = IterationFactory(
                    submission=submission, number=1, submitted_at=now - 30 * HOUR
                )
                if status == Status.APPROVED:
                    ReviewFactory(
                        iteration=iteration,
                        mentor=mentor,
                        verdict="approve",
                        published_at=now - 20 * HOUR,
                    )
        return cohort

    return build


@pytest.mark.parametrize("n", [3, 30])
def test_overview_query_count_is_flat(
    client_for, busy_cohort, mentor, n, django_assert_num_queries
):
    cohort = busy_cohort(n)
    client = client_for(mentor)

    # session, user, the mentor's roles, the cohort, the grid's stages, whether a progress row
    # was counted before a curriculum change, the learners' count and their page (sorted by
    # the database), the calendar's two (stage dates, extensions) and the check for progress
    # rows to recount (which the progress order needed anyway), the page's work and ticks
    # (not their pace: the page does not show it), the at-risk count and list, the figures'
    # two, the weekly counts' two, the learners signed off as ready to apply
    with django_assert_num_queries(19):
        response = client.get(detail_url(cohort), {"sort": "-progress"})

    assert response.status_code == 200
    assert len(response.context["page"].object_list) == min(n, 25)  # a page of 25 learners


@pytest.mark.parametrize("n", [3, 30])
def test_csv_query_count_is_flat(client_for, busy_cohort, mentor, n, django_assert_num_queries):
    cohort = busy_cohort(n)
    client = client_for(mentor)

    # session, user, the cohort (its mentors in a subquery), the grid's stages, the calendar's
    # two, the check for progress rows to recount, the learners, their work, ticks and
    # progress rows (their pace), the automated checks' counts
    with django_assert_num_queries(12):
        _, rows = read_csv(client.get(csv_url(cohort)))

    assert len(rows) == n + 1


@pytest.mark.parametrize("n", [3, 30])
def test_csv_figures_query_count_is_flat(
    client_for, busy_cohort, mentor, n, django_assert_num_queries
):
    cohort = busy_cohort(n)
    client = client_for(mentor)

    # session, user, the cohort, the learners' count, the figures' two, the weekly counts'
    # two, the stages, the calendar's two, the check for progress rows to recount, the
    # at-risk count and list, the learners signed off as ready
    with django_assert_num_queries(15):
        _, rows = read_csv(client.get(csv_url(cohort), {"part": "figures"}))

    assert rows[1] == ["Learners", str(n)]


# The cohort list ------------------------------------------------------------------------


def list_url():
    return reverse("reviews:cohort-list")


def test_cohort_list_shows_a_mentors_cohorts_with_counts(client_for, cohort, mentor, learner):
    CohortFactory(name="Someone else's")
    add_submission(cohort, learner, ProjectFactory(), Status.SUBMITTED)

    response = client_for(mentor).get(list_url())

    cohorts = list(response.context["page"].object_list)
    assert [(c.name, c.learner_count, c.waiting_count) for c in cohorts] == [("Demo cohort", 1, 1)]


def test_cohort_list_shows_staff_every_cohort(client_for, cohort, staff):
    CohortFactory(name="Another", starts_on=cohort.starts_on - DAY)

    response = client_for(staff).get(list_url())

    assert [c.name for c in response.context["page"].object_list] == ["Demo cohort", "Another"]


def test_cohort_list_is_404_for_learners(client_for, learner):
    assert client_for(learner).get(list_url()).status_code == 404


def test_cohort_list_empty_state_for_staff(client_for, staff):
    html = client_for(staff).get(list_url()).content.decode()

    assert "There are no cohorts yet." in html


def test_cohort_list_refuses_post(client_for, mentor):
    assert client_for(mentor).post(list_url()).status_code == 405


def test_cohort_list_query_count_is_flat(client_for, staff, django_assert_num_queries):
    for _ in range(5):
        CohortFactory()
    client = client_for(staff)

    with django_assert_num_queries(5):
        response = client.get(list_url())

    assert len(response.context["page"].object_list) == 5


def test_staff_reach_the_overview_from_the_cohort_admin_page(client_for, cohort, staff):
    client = client_for(staff)
    change = client.get(reverse("admin:learners_cohort_change", args=[cohort.pk]))
    (view_on_site,) = re.findall(
        r'<a href="([^"]+)" class="viewsitelink">', change.content.decode()
    )

    response = client.get(view_on_site)

    assert response.status_code == 302
    assert response.url.endswith(detail_url(cohort))


def test_the_grid_pages_keep_the_sort_order(client_for, cohort, mentor, curriculum, monkeypatch):
    monkeypatch.setattr("reviews.cohort_views.LEARNERS_PER_PAGE", 2)
    for name in ("ann", "bob", "cid"):
        add_learner(cohort, name)

    html = client_for(mentor).get(detail_url(cohort), {"sort": "-name"}).content.decode()

    assert '<nav aria-label="Learner pages">' in html
    assert 'href="?sort=-name&amp;page=2">Next</a>' in html


def test_the_cohort_list_pages(client_for, staff):
    for n in range(26):
        CohortFactory(slug=f"cohort-{n}")

    html = client_for(staff).get(list_url(), {"page": 2}).content.decode()

    assert '<nav aria-label="Cohort pages">' in html
    assert 'href="?page=1">Previous</a>' in html
    assert "Page 2 of 2" in html


# Performance-driven rendering and caching ---------------------------------------------------


def test_grid_rows_escape_names_and_stage_titles(client_for, cohort, mentor, curriculum):
    stage = curriculum["stages"][0]
    stage.title = "<b>Bold</b> & co"
    stage.save()
    learner = add_learner(cohort, "evil", first="<script>alert(1)</script>", last="&")

    html = client_for(mentor).get(detail_url(cohort)).content.decode()

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp;</a>" in html
    assert 'title="Sort by this stage\'s progress">1. &lt;b&gt;Bold&lt;/b&gt; &amp; co</a>' in html
    assert f'href="/mentor/learners/{cohort.pk}/{learner.pk}/"' in html


def test_turnaround_and_weekly_are_reused_for_a_minute_then_recounted(
    client_for, cohort, staff, curriculum, django_assert_num_queries
):
    from django.core.cache import cache

    client = client_for(staff)
    client.get(detail_url(cohort))  # fills the per-process cache
    # No learners here: once the count says so, neither a page of them nor their work and
    # ticks are read, three queries fewer than with learners.
    # The turnaround and the two weekly counts are cached; the calendar (stage dates and
    # extensions), the check for progress rows to recount and the at-risk count and list are not.
    # And the count of learners signed off as ready to apply.
    with django_assert_num_queries(13):
        client.get(detail_url(cohort))
    cache.clear()  # what the minute's expiry does
    with django_assert_num_queries(16):
        client.get(detail_url(cohort))
