"""Reads for the learner's pages, each a fixed number of queries whatever the data."""

from dataclasses import dataclass

from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, Subquery, Value
from django.db.models.functions import Coalesce

from curriculum.models import ChecklistItem, Objective, Project, Stage
from learners.links import compare_url
from learners.models import Cohort, Iteration, Submission


@dataclass(frozen=True)
class Progress:
    done: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def step(self) -> int:
        """The percentage rounded to 5, for the bar's width class (no inline styles: CSP)."""
        return 5 * round(self.percent / 5)

    @property
    def is_complete(self) -> bool:
        return self.done >= self.total


@dataclass(frozen=True)
class StageProgress:
    stage: Stage
    projects: Progress  # approved required projects / required projects
    objectives: Progress  # objectives ticked / objectives

    @property
    def is_complete(self) -> bool:
        return self.projects.is_complete and self.objectives.is_complete


@dataclass(frozen=True)
class OverallProgress:
    projects: Progress
    objectives: Progress
    stages: Progress  # stages complete / stages


def _count(queryset):
    """A correlated COUNT(*) subquery, 0 when nothing matches."""
    counted = queryset.order_by().values("stage").annotate(n=Count("*")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def learner_progress(*, learner) -> list[StageProgress]:
    """Per published stage: approved required projects and ticked objectives. One query."""
    required = Project.objects.published().filter(stage=OuterRef("pk"), is_required=True)
    approved = Submission.objects.filter(
        project=OuterRef("pk"), learner=learner, status=Submission.Status.APPROVED
    )
    objectives = Objective.objects.filter(stage=OuterRef("pk"))
    stages = (
        Stage.objects.published()
        .order_by("number")
        .annotate(
            projects_total=_count(required),
            projects_approved=_count(required.filter(Exists(approved))),
            objectives_total=_count(objectives),
            objectives_checked=_count(objectives.filter(checks__learner=learner)),
        )
    )
    return [
        StageProgress(
            stage=stage,
            projects=Progress(stage.projects_approved, stage.projects_total),
            objectives=Progress(stage.objectives_checked, stage.objectives_total),
        )
        for stage in stages
    ]


def progress_overall(stages: list[StageProgress]) -> OverallProgress:
    return OverallProgress(
        projects=Progress(
            sum(s.projects.done for s in stages), sum(s.projects.total for s in stages)
        ),
        objectives=Progress(
            sum(s.objectives.done for s in stages), sum(s.objectives.total for s in stages)
        ),
        stages=Progress(sum(s.is_complete for s in stages), len(stages)),
    )


def learner_submissions(*, learner):
    """The learner's submissions for the dashboard, in roadmap order. One query."""
    return (
        Submission.objects.filter(learner=learner)
        .select_related("project__stage", "cohort")
        .annotate(iteration_count=Count("iterations"))
        .order_by("project__stage__number", "project__order", "-cohort__starts_on")
    )


@dataclass(frozen=True)
class NextStep:
    kind: str  # "resubmit" | "submit" | "wait" | "objectives" | "done"
    stage: Stage | None = None
    project: Project | None = None
    submission: Submission | None = None


def learner_next_step(
    *, learner, progress: list[StageProgress], submissions: list[Submission]
) -> NextStep:
    """What the learner should do now: act on requested changes first, then the roadmap in order.

    At most one query (the projects of the first stage not complete).
    """
    by_project = {}
    for submission in submissions:  # newest cohort first: keep the most recent per project
        by_project.setdefault(submission.project_id, submission)
    for submission in by_project.values():
        if submission.status == Submission.Status.CHANGES_REQUESTED:
            return NextStep("resubmit", submission.project.stage, submission.project, submission)
    current = next((s for s in progress if not s.is_complete), None)
    if current is None:
        return NextStep("done")
    stage = current.stage
    if not current.projects.is_complete:
        waiting = None
        for project in Project.objects.published().filter(stage=stage, is_required=True):
            submission = by_project.get(project.pk)
            if submission is None:
                return NextStep("submit", stage, project)
            if submission.status != Submission.Status.APPROVED and waiting is None:
                waiting = submission
        if waiting is not None:
            return NextStep("wait", stage, waiting.project, waiting)
    return NextStep("objectives", stage)


def _current_cohorts(learner):
    return Cohort.objects.for_learner(learner).order_by("-starts_on", "-pk")


def learner_current_cohort(*, learner) -> Cohort | None:
    """The cohort new work goes to: the learner's most recent one. One query."""
    return _current_cohorts(learner).first()


def learner_current_submission(*, learner, project: Project) -> Submission | None:
    """The learner's submission of `project` in their current cohort (work from an earlier
    cohort does not stop them submitting again). One query."""
    current = Subquery(_current_cohorts(learner).values("pk")[:1])
    return Submission.objects.filter(learner=learner, project=project, cohort=current).first()


def submission_iterations(*, submission: Submission) -> list[Iteration]:
    """All iterations, newest first, each with `ticked` checklist items and a `compare_url`
    to the iteration before it (None when the host or a SHA does not allow one). Two queries.
    """
    iterations = list(
        submission.iterations.order_by("-number").prefetch_related(
            Prefetch(
                "checklist_items",
                queryset=ChecklistItem.objects.order_by("order"),
                to_attr="ticked",
            )
        )
    )
    for newer, older in zip(iterations, iterations[1:] + [None], strict=True):
        newer.compare_url = (
            compare_url(newer.repo_url, older.commit_sha, newer.commit_sha)
            if older is not None and older.repo_url.rstrip("/") == newer.repo_url.rstrip("/")
            else None
        )
    return iterations
