import pytest

from learners.models import Submission
from tests.factories import (
    CohortFactory,
    IterationFactory,
    ObjectiveFactory,
    ProjectFactory,
    StageFactory,
    SubmissionFactory,
)


def _url(cohort, learner):
    return f"/mentor/learners/{cohort.pk}/{learner.pk}/"


@pytest.fixture
def roadmap():
    stage = StageFactory(title="Python fundamentals")
    projects = [ProjectFactory(stage=stage, title=f"Kata {n}") for n in (1, 2)]
    ObjectiveFactory(stage=stage)
    return stage, projects


@pytest.mark.parametrize("who", ["mentor", "staff"])
def test_the_cohorts_mentors_and_staff_see_a_learners_progress_and_submissions(
    client_for, request, cohort, learner, roadmap, who
):
    _stage, (first, second) = roadmap
    approved = SubmissionFactory(
        cohort=cohort, learner=learner, project=first, status=Submission.Status.APPROVED
    )
    IterationFactory(submission=approved, number=1)
    SubmissionFactory(cohort=CohortFactory(), learner=learner, project=second)

    response = client_for(request.getfixturevalue(who)).get(_url(cohort, learner))

    assert response.status_code == 200
    assert [
        (s.stage.title, s.projects.done, s.projects.total) for s in response.context["progress"]
    ] == [("Python fundamentals", 1, 2)]
    assert [s.pk for s in response.context["submissions"]] == [approved.pk]
    content = response.content.decode()
    assert f'<a href="/submissions/{approved.pk}/">Kata 1</a>' in content
    assert "<td>1</td>" in content
    # Read by a mentor, not the learner: no "your".
    assert "objectives are a self-check." in content
    assert "your own check" not in content


def test_a_learner_without_submissions_gets_a_helpful_sentence(client_for, cohort, learner, mentor):
    content = client_for(mentor).get(_url(cohort, learner)).content.decode()

    assert "has not submitted any work in this cohort yet." in content


@pytest.mark.parametrize("who", ["other_mentor", "learner", "other_learner"])
def test_anyone_else_gets_404(client_for, request, cohort, learner, who):
    response = client_for(request.getfixturevalue(who)).get(_url(cohort, learner))

    assert response.status_code == 404


def test_a_user_who_is_not_a_learner_of_the_cohort_is_404(client_for, cohort, mentor):
    assert client_for(mentor).get(_url(cohort, mentor)).status_code == 404


def test_the_progress_page_needs_get_and_a_login(client, client_for, cohort, learner, mentor):
    assert client.get(_url(cohort, learner)).status_code == 302
    assert client_for(mentor).post(_url(cohort, learner)).status_code == 405


def test_the_progress_page_answers_head_like_get(client_for, mentor, cohort, learner):
    response = client_for(mentor).head(_url(cohort, learner))

    assert response.status_code == 200
    assert response.content == b""


@pytest.mark.parametrize("rows", [1, 10])
def test_the_progress_page_issues_the_same_number_of_queries_for_1_and_10_submissions(
    client_for, cohort, learner, mentor, rows, django_assert_num_queries
):
    for _ in range(rows):
        IterationFactory(submission=SubmissionFactory(cohort=cohort, learner=learner), number=1)
    client = client_for(mentor)

    # session, user, the learner's membership with its cohort (one query), the roles for the
    # navigation, the learner's dates (stage targets, project dates, extensions),
    # learners.selectors.learner_progress's three (stages, approvals, ticks), the submissions
    with django_assert_num_queries(11):
        client.get(_url(cohort, learner))


def test_the_page_counts_only_the_work_of_the_cohort_it_shows(client_for, cohort, learner, mentor):
    from learners.models import Membership
    from learners.progress import Progress
    from tests.factories import MembershipFactory

    stage = StageFactory()
    first = ProjectFactory(stage=stage, order=1)
    second = ProjectFactory(stage=stage, order=2)
    earlier = CohortFactory()
    MembershipFactory(cohort=earlier, user=learner, role=Membership.Role.LEARNER)
    SubmissionFactory(learner=learner, cohort=earlier, project=first, status="approved")
    SubmissionFactory(learner=learner, cohort=cohort, project=second, status="approved")

    response = client_for(mentor).get(_url(cohort, learner))

    assert response.context["overall"].projects == Progress(1, 2)
