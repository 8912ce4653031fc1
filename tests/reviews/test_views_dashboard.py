import datetime

import pytest

from learners.models import Membership, Submission
from learners.selectors import Progress, learner_dashboard, learner_progress
from tests.factories import (
    CohortFactory,
    IterationFactory,
    MembershipFactory,
    ObjectiveCheckFactory,
    ObjectiveFactory,
    ProjectFactory,
    StageFactory,
    SubmissionFactory,
)

Status = Submission.Status
URL = "/dashboard/"


@pytest.fixture
def roadmap(db):
    """Two stages: stage 1 with two required projects, one optional, one unpublished and
    three objectives; stage 2 with one required project and no objectives."""
    first, second = StageFactory(title="Fundamentals"), StageFactory(title="Workflow")
    hidden_stage = StageFactory(is_published=False)
    ProjectFactory(stage=hidden_stage)
    return {
        "first": first,
        "second": second,
        "required": [
            ProjectFactory(stage=first, title="Calculator", order=1),
            ProjectFactory(stage=first, title="Quiz", order=2),
        ],
        "optional": ProjectFactory(stage=first, is_required=False, order=3),
        "unpublished": ProjectFactory(stage=first, is_published=False, order=4),
        "objectives": [ObjectiveFactory(stage=first, order=n) for n in (1, 2, 3)],
        "later": ProjectFactory(stage=second, title="Git kata", order=1),
    }


def submit(learner, cohort, project, status):
    submission = SubmissionFactory(learner=learner, cohort=cohort, project=project, status=status)
    IterationFactory(submission=submission, number=1)
    return submission


# --- who ------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["mentor", "staff"])
def test_non_learners_are_sent_home(client_for, request, who):
    response = client_for(request.getfixturevalue(who)).get(URL)

    assert response.status_code == 302
    assert response["Location"] == "/"


def test_anonymous_is_sent_to_login(client, db):
    assert client.get(URL)["Location"] == f"/accounts/login/?next={URL}"


def test_wrong_method_is_405(client_for, learner):
    assert client_for(learner).post(URL).status_code == 405


# --- progress -------------------------------------------------------------------------------


def test_progress_counts_approved_required_projects_and_own_ticks(
    learner, other_learner, cohort, roadmap
):
    calculator, quiz = roadmap["required"]
    submit(learner, cohort, calculator, Status.APPROVED)
    submit(learner, cohort, quiz, Status.CHANGES_REQUESTED)
    submit(learner, cohort, roadmap["optional"], Status.APPROVED)
    submit(learner, cohort, roadmap["unpublished"], Status.APPROVED)
    submit(other_learner, cohort, quiz, Status.APPROVED)
    for objective in roadmap["objectives"][:2]:
        ObjectiveCheckFactory(learner=learner, objective=objective)
    ObjectiveCheckFactory(learner=other_learner, objective=roadmap["objectives"][2])

    progress = learner_progress(learner=learner)

    # Another learner's ticks and approvals count on neither reading.
    assert learner_dashboard(learner=learner, cohort=None, schedule=None).progress == progress
    assert [(p.stage, p.projects, p.objectives, p.is_complete) for p in progress] == [
        (roadmap["first"], Progress(1, 2), Progress(2, 3), False),
        (roadmap["second"], Progress(0, 1), Progress(0, 0), False),
    ]


def test_progress_counts_only_the_work_of_the_given_cohort(learner, cohort, roadmap):
    calculator, quiz = roadmap["required"]
    earlier = CohortFactory()
    MembershipFactory(cohort=earlier, user=learner, role=Membership.Role.LEARNER)
    submit(learner, earlier, calculator, Status.APPROVED)
    submit(learner, cohort, quiz, Status.APPROVED)

    in_cohort = learner_progress(learner=learner, cohort=cohort)
    anywhere = learner_progress(learner=learner)

    assert in_cohort[0].projects == Progress(1, 2)
    assert anywhere[0].projects == Progress(2, 2)


def test_the_dashboard_counts_the_current_cohort(client_for, learner, cohort, roadmap):
    earlier = CohortFactory(
        starts_on=cohort.starts_on - datetime.timedelta(days=200),
        ends_on=cohort.starts_on - datetime.timedelta(days=100),
    )
    MembershipFactory(cohort=earlier, user=learner, role=Membership.Role.LEARNER)
    for project in roadmap["required"]:
        submit(learner, earlier, project, Status.APPROVED)

    client = client_for(learner)
    progress = client.get(URL).context["progress"]

    assert [p.projects for p in progress] == [Progress(0, 2), Progress(0, 1)]
    # The earlier approval does not stand in for this cohort's: submit it here too.
    assert next_step(client, "submit").project == roadmap["required"][0]


def test_dashboard_shows_bars_with_accessible_values(client_for, learner, cohort, roadmap):
    submit(learner, cohort, roadmap["required"][0], Status.APPROVED)
    ObjectiveCheckFactory(learner=learner, objective=roadmap["objectives"][0])

    html = client_for(learner).get(URL).content.decode()

    assert 'aria-valuenow="1" aria-valuemin="0" aria-valuemax="2"' in html
    assert '<span class="small progress-label">1 of 2</span>' in html
    assert '<span class="small progress-label">1 of 3</span>' in html
    assert '<div class="progress-bar pct-50"></div>' in html
    # Overall: 1 of 3 required projects (33 %), 1 of 3 objectives, 0 of 2 stages.
    assert '<div class="progress-bar pct-35"></div>' in html
    assert (
        '<span class="overall-percent">33%</span> of the required projects approved; '
        "0 of 2 stages complete."
    ) in html


# --- what to do next ------------------------------------------------------------------------


def next_step(client, kind):
    step = client.get(URL).context["next_step"]
    assert step.kind == kind
    return step


def test_next_is_the_first_required_project_not_submitted(client_for, learner, cohort, roadmap):
    submit(learner, cohort, roadmap["required"][0], Status.SUBMITTED)

    step = next_step(client_for(learner), "submit")

    assert step.project == roadmap["required"][1]


def test_withdrawn_work_is_to_be_submitted_again(client_for, learner, cohort, roadmap):
    submit(learner, cohort, roadmap["required"][0], Status.WITHDRAWN)

    step = next_step(client_for(learner), "submit")

    assert step.project == roadmap["required"][0]


def test_requested_changes_come_first(client_for, learner, cohort, roadmap):
    submission = submit(learner, cohort, roadmap["later"], Status.CHANGES_REQUESTED)

    client = client_for(learner)
    step = next_step(client, "resubmit")

    assert step.submission == submission
    assert "Read the review and resubmit" in client.get(URL).content.decode()


def test_next_is_waiting_when_every_required_project_is_with_mentors(
    client_for, learner, cohort, roadmap
):
    submit(learner, cohort, roadmap["required"][0], Status.APPROVED)
    waiting = submit(learner, cohort, roadmap["required"][1], Status.SUBMITTED)

    assert next_step(client_for(learner), "wait").submission == waiting


def test_a_stage_is_complete_once_its_required_projects_are_approved_ticks_or_not(
    client_for, learner, cohort, roadmap
):
    for project in roadmap["required"]:
        submit(learner, cohort, project, Status.APPROVED)

    client = client_for(learner)
    assert next_step(client, "submit").project == roadmap["later"]
    first = client.get(URL).context["progress"][0]
    assert (first.is_complete, first.objectives) == (True, Progress(0, 3))


def test_next_is_the_unticked_objectives_once_every_stage_is_complete(
    client_for, learner, cohort, roadmap
):
    for project in [*roadmap["required"], roadmap["later"]]:
        submit(learner, cohort, project, Status.APPROVED)

    assert next_step(client_for(learner), "objectives").stage == roadmap["first"]


def test_next_moves_to_the_following_stage_once_one_is_complete(
    client_for, learner, cohort, roadmap
):
    for project in roadmap["required"]:
        submit(learner, cohort, project, Status.APPROVED)
    for objective in roadmap["objectives"]:
        ObjectiveCheckFactory(learner=learner, objective=objective)

    assert next_step(client_for(learner), "submit").project == roadmap["later"]


def test_everything_complete_says_so(client_for, learner, cohort, roadmap):
    for project in [*roadmap["required"], roadmap["later"]]:
        submit(learner, cohort, project, Status.APPROVED)
    for objective in roadmap["objectives"]:
        ObjectiveCheckFactory(learner=learner, objective=objective)

    client = client_for(learner)
    next_step(client, "done")
    assert "You have completed every stage of the roadmap." in client.get(URL).content.decode()


# --- submissions and empty states -----------------------------------------------------------


def test_submissions_are_listed_with_their_status(client_for, learner, cohort, roadmap):
    submission = submit(learner, cohort, roadmap["required"][1], Status.CHANGES_REQUESTED)

    html = client_for(learner).get(URL).content.decode()

    assert f'<a class="fw-semibold" href="/submissions/{submission.pk}/">Quiz</a>' in html
    assert '<span class="badge status-badge status-changes_requested">Changes requested</span>' in (
        html
    )
    sent = submission.submitted_at
    assert (
        f'<div class="small text-body-secondary">{submission.project.stage}</div>\n'
        '        <div class="small text-body-secondary">Iteration 1 · sent '
        f'<time class="text-nowrap" datetime="{sent.isoformat()}">{sent:%-d %b %Y}</time></div>'
    ) in html


def test_empty_states(client_for, learner):
    html = client_for(learner).get(URL).content.decode()

    assert "You have not submitted a project yet." in html
    assert "The roadmap has no published stages yet." in html


@pytest.mark.parametrize("count", [1, 10])
def test_query_count_is_flat(client_for, learner, cohort, django_assert_num_queries, count):
    stage = StageFactory()
    ObjectiveCheckFactory(learner=learner, objective=ObjectiveFactory(stage=stage))
    for n in range(count):
        status = Status.APPROVED if n % 2 else Status.SUBMITTED
        submit(learner, cohort, ProjectFactory(stage=stage), status)
    client = client_for(learner)

    # session, user, roles, current cohort, the cohort's stage and project dates and the
    # learner's extensions, the stages with their objectives and the learner's ticks, the
    # published projects, the submissions; "Ready to apply": the statements and ticks, the
    # published interviews' ratings, the sign-off, the portfolio
    with django_assert_num_queries(14):
        response = client.get(URL)

    assert len(response.context["submissions"]) == count
