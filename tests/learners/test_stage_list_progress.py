import pytest

from learners.models import Submission
from tests.factories import (
    IterationFactory,
    ObjectiveCheckFactory,
    ObjectiveFactory,
    ProjectFactory,
    StageFactory,
    SubmissionFactory,
)


def test_roadmap_shows_the_learners_progress_per_stage(client_for, learner, cohort):
    stage = StageFactory()
    approved, _ = ProjectFactory(stage=stage), ProjectFactory(stage=stage)
    SubmissionFactory(
        learner=learner, cohort=cohort, project=approved, status=Submission.Status.APPROVED
    )
    ObjectiveCheckFactory(learner=learner, objective=ObjectiveFactory(stage=stage))
    ObjectiveFactory(stage=stage)

    html = client_for(learner).get("/stages/").content.decode()

    assert 'aria-label="Required projects approved" aria-valuenow="1"' in html
    assert '<span class="small progress-label">1 of 2</span>' in html
    assert html.count('<div class="progress-bar pct-50"></div>') == 2


@pytest.mark.parametrize("who", ["mentor", "staff"])
def test_roadmap_shows_no_progress_to_non_learners(client_for, request, who):
    client = client_for(request.getfixturevalue(who))
    ProjectFactory()

    html = client.get("/stages/").content.decode()

    assert 'role="progressbar"' not in html


@pytest.mark.parametrize("stages", [1, 5])
def test_roadmap_query_count_is_flat_for_a_learner(
    client_for, learner, cohort, django_assert_num_queries, stages
):
    for _ in range(stages):
        project = ProjectFactory()
        IterationFactory(
            submission=SubmissionFactory(learner=learner, cohort=cohort, project=project)
        )
        ObjectiveCheckFactory(learner=learner, objective=ObjectiveFactory(stage=project.stage))
    client = client_for(learner)

    # session, user, roles, the stages, the learner's current cohort, their progress in it
    # (the stages' counts, their approvals, their ticks)
    with django_assert_num_queries(8):
        response = client.get("/stages/")

    assert response.content.decode().count('role="progressbar"') == 2 * stages
