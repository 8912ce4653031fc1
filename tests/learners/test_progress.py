"""One definition of progress: the cohort grid and the learner's pages agree on it."""

import pytest

from learners.models import Submission
from learners.progress import Progress, percent_of
from learners.selectors import learner_dashboard, learner_progress, progress_overall
from reviews.overview import CohortGrid
from tests.factories import (
    CohortFactory,
    ObjectiveCheckFactory,
    ObjectiveFactory,
    ProjectFactory,
    StageFactory,
    SubmissionFactory,
)

Status = Submission.Status


@pytest.mark.parametrize(
    ("done", "total", "percent"),
    [
        (0, 0, 0),
        (0, 3, 0),
        (1, 3, 33),
        (2, 3, 67),
        (1, 8, 13),
        (3, 8, 38),
        (1, 200, 1),
        (3, 3, 100),
    ],
)
def test_percent_rounds_half_up(done, total, percent):
    assert percent_of(done, total) == percent
    assert Progress(done, total).percent == percent


@pytest.mark.parametrize(("done", "total", "step"), [(1, 3, 35), (2, 3, 65), (1, 8, 15), (0, 4, 0)])
def test_the_bar_width_rounds_the_percentage_to_fives(done, total, step):
    assert Progress(done, total).step == step


@pytest.fixture
def roadmap(db):
    """Stage 1: three required projects (one archived) and an optional one; stage 2: only an
    optional project; stage 3: objectives only; stage 4: unpublished."""
    one, two, three = (StageFactory(number=n) for n in (1, 2, 3))
    archived_stage = StageFactory(number=4, is_published=False)
    return {
        "stages": [one, two, three],
        "required": [ProjectFactory(stage=one, order=n) for n in (1, 2)],
        "archived": ProjectFactory(stage=one, order=3, is_published=False),
        "optional": ProjectFactory(stage=one, order=4, is_required=False),
        "stage2_optional": ProjectFactory(stage=two, order=1, is_required=False),
        "objective": ObjectiveFactory(stage=three),
        "elsewhere": ProjectFactory(stage=archived_stage),
    }


def approve(learner, cohort, project):
    return SubmissionFactory(
        learner=learner, cohort=cohort, project=project, status=Status.APPROVED
    )


def test_the_grid_and_the_learners_pages_agree(cohort, learner, roadmap):
    r = roadmap
    approve(learner, cohort, r["required"][0])
    approve(learner, cohort, r["archived"])  # archived: counts nowhere
    approve(learner, cohort, r["optional"])  # optional: not towards stage 1
    approve(learner, cohort, r["stage2_optional"])  # the only kind stage 2 has: complete
    approve(learner, cohort, r["elsewhere"])  # unpublished stage
    approve(learner, CohortFactory(), r["required"][1])  # another cohort's work
    ObjectiveCheckFactory(learner=learner, objective=r["objective"])

    progress = learner_progress(learner=learner, cohort=cohort)
    overall = progress_overall(progress)
    (row,) = CohortGrid(cohort).all_rows()
    # The dashboard counts the same from the projects and submissions it reads anyway.
    dashboard = learner_dashboard(learner=learner, cohort=cohort, schedule=None)

    assert dashboard.progress == progress
    assert dashboard.overall == overall
    assert [p.is_complete for p in progress] == [False, True, False]
    assert [cell.state.key for cell in row.cells] == ["in_progress", "complete", "in_progress"]
    assert (overall.projects, overall.projects.percent) == (Progress(1, 2), 50)
    assert (row.approved_required, row.required, row.percent) == (1, 2, 50)
    # Stage 3 has no project a mentor could approve: it is not counted as a stage.
    assert overall.stages == Progress(1, 2)


def test_a_stage_is_complete_without_its_objectives_in_the_grid_and_on_the_pages(
    cohort, learner, roadmap
):
    for project in roadmap["required"]:
        approve(learner, cohort, project)
    ObjectiveFactory(stage=roadmap["stages"][0])  # unticked

    progress = learner_progress(learner=learner, cohort=cohort)
    (row,) = CohortGrid(cohort).all_rows()

    assert progress[0].is_complete is True
    assert row.cells[0].state.key == "complete"
    assert (row.percent, progress_overall(progress).projects.percent) == (100, 100)


def test_two_of_three_is_67_percent_in_the_grid_and_on_the_pages(cohort, learner):
    stage = StageFactory()
    projects = [ProjectFactory(stage=stage, order=n) for n in (1, 2, 3)]
    for project in projects[:2]:
        approve(learner, cohort, project)

    progress = learner_progress(learner=learner, cohort=cohort)
    (row,) = CohortGrid(cohort).all_rows()

    assert row.percent == 67
    assert progress_overall(progress).projects.percent == 67


def test_a_project_approved_in_two_cohorts_counts_once_and_objectives_do_not_multiply_projects(
    cohort, learner
):
    stage = StageFactory()
    first, _ = (ProjectFactory(stage=stage, order=n) for n in (1, 2))
    ticked, *_ = (ObjectiveFactory(stage=stage) for _ in range(3))
    approve(learner, cohort, first)
    approve(learner, CohortFactory(), first)
    ObjectiveCheckFactory(learner=learner, objective=ticked)

    (anywhere,) = learner_progress(learner=learner)

    assert learner_dashboard(learner=learner, cohort=None, schedule=None).progress == [anywhere]
    assert (anywhere.projects, anywhere.objectives) == (Progress(1, 2), Progress(1, 3))
    assert (anywhere.approved, anywhere.published_projects) == (1, 2)
