"""A cohort's pace: when each stage and project is due for a learner, and in words.

- A stage's date is its StageTarget in the cohort; a project's is its ProjectDueDate (both
  optional). A learner's Extension for the stage or project replaces the date, for them only.
- Dates are days in the cohort's time zone (Cohort.today): a date is "due today" on that day
  and "1 day late" from the next midnight there.
- A learner is behind on a stage when its date (theirs) has passed and the stage is not
  complete, as learners.progress says: its required published projects approved (a stage with
  no required project: any published project approved). Each learner's LearnerProgress row
  keeps the earliest date of a stage they have not completed (learners.services
  learner_progress_refresh), so pages find who is behind without counting anyone's work.
"""

import datetime
import hashlib
from dataclasses import dataclass

from django.db.models import Count, Q, Subquery
from django.db.models.functions import Coalesce

from curriculum.models import Stage
from learners.models import (
    Extension,
    ProjectDueDate,
    StageTarget,
    Submission,
    approved_required_q,
)
from learners.progress import stage_is_counted


@dataclass(frozen=True)
class Due:
    """A date something is due, seen on `today`."""

    on: datetime.date
    today: datetime.date
    extended: bool = False

    @property
    def days_left(self) -> int:
        return (self.on - self.today).days

    @property
    def is_late(self) -> bool:
        return self.days_left < 0

    @property
    def text(self) -> str:
        days = self.days_left
        if days == 0:
            return "due today"
        if days > 0:
            return f"due in {days} day{'s' if days != 1 else ''}"
        return f"{-days} day{'s' if days != -1 else ''} late"


@dataclass
class Schedule:
    """A learner's dates in a cohort: stage id -> Due, project id -> Due."""

    today: datetime.date
    stages: dict
    projects: dict

    def for_stage(self, stage_id) -> Due | None:
        return self.stages.get(stage_id)

    def for_project(self, project) -> Due | None:
        """The project's own date, else its stage's."""
        return self.projects.get(project.pk) or self.stages.get(project.stage_id)


def learner_schedule(*, learner, cohort, today=None) -> Schedule:
    """The learner's dates in `cohort`, extensions applied. Three queries.

    Unordered (`order_by()`): read into dicts, so the models' default orders would only add
    joins to the cohort and the stage, and about 700 function calls a query."""
    today = today or cohort.today()
    stages = dict(
        StageTarget.objects.filter(cohort=cohort).order_by().values_list("stage_id", "due_on")
    )
    projects = dict(
        ProjectDueDate.objects.filter(cohort=cohort).order_by().values_list("project_id", "due_on")
    )
    extended_stages, extended_projects = set(), set()
    for stage_id, project_id, due_on in (
        Extension.objects.filter(cohort=cohort, learner=learner)
        .order_by()
        .values_list("stage_id", "project_id", "due_on")
    ):
        if stage_id is not None:
            stages[stage_id] = due_on
            extended_stages.add(stage_id)
        else:
            projects[project_id] = due_on
            extended_projects.add(project_id)
    return Schedule(
        today=today,
        stages={k: Due(v, today, k in extended_stages) for k, v in stages.items()},
        projects={k: Due(v, today, k in extended_projects) for k, v in projects.items()},
    )


def spread_dates(*, starts_on, ends_on, count) -> list[datetime.date]:
    """`count` dates spread evenly over the cohort: the last on its last day."""
    span = (ends_on - starts_on).days
    return [
        starts_on + datetime.timedelta(days=round(span * (n + 1) / count)) for n in range(count)
    ]


def stages_with_counts():
    """The published stages in order, with `required` and `published_projects`."""
    return (
        Stage.objects.published()
        .annotate(
            required=Count(
                "projects", filter=Q(projects__is_published=True, projects__is_required=True)
            ),
            published_projects=Count("projects", filter=Q(projects__is_published=True)),
        )
        .order_by("number")
    )


def stage_done_count(*, cohort, stage, learner_ref):
    """How many of the stage's counted projects the learner (an OuterRef) has approved in the
    cohort: its required ones, or in a stage without any, its published ones."""
    counted = (
        approved_required_q()
        if stage.required
        else Q(status=Submission.Status.APPROVED, project__is_published=True)
    )
    return Coalesce(
        Subquery(
            Submission.objects.filter(
                counted, cohort=cohort, learner=learner_ref, project__stage=stage
            )
            .values("learner")
            .annotate(n=Count("pk"))
            .values("n")
        ),
        0,
    )


def calendar_key(*, targets: dict, extensions: list, stages) -> str:
    """The cohort's calendar as one md5: stored on each LearnerProgress row counted with it,
    so a change made anywhere (the admin, a shell) shows as rows counted with another key.
    `targets`: stage id -> date; `extensions`: (learner id, stage id, project id, date);
    `stages`: stages_with_counts(), whose (id, published projects, required) say which stages
    count and how: publishing an optional project in a stage without one changes it too."""
    text = ";".join(
        [
            f"c{stage.pk},{stage.published_projects},{stage.required}"
            for stage in sorted(stages, key=lambda stage: stage.pk)
        ]
        + [f"s{stage}={on}" for stage, on in sorted(targets.items())]
        + [
            f"e{learner},{stage},{project}={on}"
            for learner, stage, project, on in sorted(
                extensions, key=lambda e: (e[0], e[1] or 0, e[2] or 0)
            )
        ]
    )
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


def read_calendar(cohort_id) -> tuple[dict, list]:
    """(stage id -> target date, [(learner id, stage id, project id, date)]). Two queries."""
    targets = dict(
        StageTarget.objects.filter(cohort=cohort_id).order_by().values_list("stage_id", "due_on")
    )
    extensions = list(
        Extension.objects.filter(cohort=cohort_id)
        .order_by()
        .values_list("learner_id", "stage_id", "project_id", "due_on")
    )
    return targets, extensions


def stage_dates(*, stages, targets, extensions, learner_id) -> dict:
    """stage id -> the learner's date for each dated stage that counts (learners.progress)."""
    dates = {
        stage.pk: targets[stage.pk]
        for stage in stages
        if stage.pk in targets and stage_is_counted(published_projects=stage.published_projects)
    }
    for learner, stage_id, _project, on in extensions:
        if learner == learner_id and stage_id in dates:
            dates[stage_id] = on
    return dates


class CohortPace:
    """A cohort's calendar as of `today`, read once (two queries), for the pages that mark
    learners behind: `stages` are the published stages with `required` and
    `published_projects` (stages_with_counts(), which the caller has read already)."""

    def __init__(self, *, cohort, today, stages):
        self.cohort = cohort
        self.today = today
        self.stages = list(stages)
        self.targets, self.extensions = read_calendar(cohort.pk)
        self.key = calendar_key(
            targets=self.targets, extensions=self.extensions, stages=self.stages
        )
        self.stage_extensions = {
            (learner, stage): on for learner, stage, _project, on in self.extensions if stage
        }

    def due(self, *, learner_id, stage) -> Due | None:
        """The stage's Due for one learner (their extension, if any)."""
        if not stage_is_counted(published_projects=stage.published_projects):
            return None  # never complete, so never "behind"
        key = (learner_id, stage.pk)
        due_on = self.stage_extensions.get(key, self.targets.get(stage.pk))
        return None if due_on is None else Due(due_on, self.today, key in self.stage_extensions)
