"""A cohort's pace: when each stage and project is due for a learner, in words and in SQL.

- A stage's date is its StageTarget in the cohort; a project's is its ProjectDueDate (both
  optional). A learner's Extension for the stage or project replaces the date, for them only.
- Dates are days in the cohort's time zone (Cohort.today): a date is "due today" on that day
  and "1 day late" from the next midnight there.
- A learner is behind on a stage when its date (theirs) has passed and the stage is not
  complete, as learners.progress says: its required published projects approved (a stage with
  no required project: any published project approved).
"""

import datetime
from dataclasses import dataclass

from django.db.models import Case, Count, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.db.models.lookups import LessThan

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
    """The learner's dates in `cohort`, extensions applied. Three queries."""
    today = today or cohort.today()
    stages = dict(StageTarget.objects.filter(cohort=cohort).values_list("stage_id", "due_on"))
    projects = dict(
        ProjectDueDate.objects.filter(cohort=cohort).values_list("project_id", "due_on")
    )
    extended_stages, extended_projects = set(), set()
    for stage_id, project_id, due_on in Extension.objects.filter(
        cohort=cohort, learner=learner
    ).values_list("stage_id", "project_id", "due_on"):
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


def cohort_extensions(*, cohort, learners: Q) -> dict:
    """(learner id, stage id) -> the extended date, for the learners `learners` (a Q on
    `learner_id`) selects. One query."""
    return {
        (learner_id, stage_id): due_on
        for learner_id, stage_id, due_on in Extension.objects.filter(
            learners, cohort=cohort, stage__isnull=False
        ).values_list("learner_id", "stage_id", "due_on")
    }


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


class CohortPace:
    """A cohort's stage dates as of `today`, read once (two queries), for the pages that mark
    learners behind: `stages` are the published stages with `required` and
    `published_projects` (stages_with_counts(), which the caller has read already)."""

    def __init__(self, *, cohort, today, stages):
        self.cohort = cohort
        self.today = today
        self.stages = list(stages)
        self.targets = dict(
            StageTarget.objects.filter(cohort=cohort).values_list("stage_id", "due_on")
        )
        # A stage whose date is still ahead is due for no one, unless someone's extension set
        # an earlier date for them.
        self.due_by_extension = set(
            Extension.objects.filter(cohort=cohort, stage__isnull=False, due_on__lt=today)
            .values_list("stage_id", flat=True)
            .distinct()
        )

    def due(self, *, learner_id, stage, extended: dict) -> Due | None:
        """The stage's Due for one learner; `extended` from cohort_extensions()."""
        if not stage_is_counted(published_projects=stage.published_projects):
            return None  # never complete, so never "behind"
        key = (learner_id, stage.pk)
        due_on = extended.get(key, self.targets.get(stage.pk))
        return None if due_on is None else Due(due_on, self.today, key in extended)

    def behind_expression(self, learner_ref=None):
        """For a queryset of users (or anything with the learner as `learner_ref`): the
        number of the first stage whose date has passed for them without the stage complete,
        else NULL.

        One CASE over the stages already due for someone; per row and such stage, an index
        lookup of the learner's extension and one of their approvals in it. No query to build.
        """
        learner_ref = learner_ref or OuterRef("pk")
        whens = []
        for stage in self.stages:
            if stage.pk not in self.targets or not stage.published_projects:
                continue
            if self.targets[stage.pk] >= self.today and stage.pk not in self.due_by_extension:
                continue
            due = Coalesce(
                Subquery(
                    Extension.objects.filter(
                        cohort=self.cohort, learner=learner_ref, stage=stage
                    ).values("due_on")[:1]
                ),
                Value(self.targets[stage.pk]),
            )
            needed = stage.required or 1
            done = stage_done_count(cohort=self.cohort, stage=stage, learner_ref=learner_ref)
            overdue = LessThan(due, Value(self.today)) & LessThan(done, Value(needed))
            whens.append(When(overdue, then=Value(stage.number)))
        if not whens:
            return Value(None, output_field=IntegerField())
        return Case(*whens, default=Value(None), output_field=IntegerField())
