"""Reads for the learner's pages, each a fixed number of queries whatever the data."""

from collections import Counter
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import NamedTuple

from django.db.models import (
    Aggregate,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    FilteredRelation,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
)
from django.utils import timezone

from curriculum.models import ChecklistItem, Objective, Project, Stage
from learners.links import compare_url
from learners.models import (
    ChecklistTick,
    CheckResult,
    Cohort,
    Iteration,
    ObjectiveCheck,
    Snapshot,
    Submission,
    SubmissionEvent,
    approved_required_q,
)
from learners.pacing import Due, Schedule
from learners.progress import Progress, stage_is_complete, stage_is_counted


@dataclass(frozen=True)
class StageProgress:
    """A learner's progress in one stage; the rules are learners.progress's."""

    stage: Stage
    projects: Progress  # approved required projects / required projects
    objectives: Progress  # objectives ticked / objectives: shown, never needed for complete
    approved: int = 0  # approved published projects, required or not
    published_projects: int = 0
    due: Due | None = None  # the stage's target date for the learner (learners.pacing)

    @property
    def is_behind(self) -> bool:
        return self.due is not None and self.due.is_late and not self.is_complete

    @property
    def is_counted(self) -> bool:
        return stage_is_counted(published_projects=self.published_projects)

    @property
    def is_complete(self) -> bool:
        return self.is_counted and stage_is_complete(
            required=self.projects.total,
            approved_required=self.projects.done,
            approved=self.approved,
        )


@dataclass(frozen=True)
class OverallProgress:
    projects: Progress
    objectives: Progress
    stages: Progress  # stages complete / stages counted


def learner_progress(*, learner, cohort: Cohort | None = None) -> list[StageProgress]:
    """Per published stage: the learner's approved projects and ticked objectives. Three
    queries: the stages with their counts, the learner's approvals and ticks per stage.

    `cohort`: count only the work submitted in it (pass the learner's current cohort, or the
    cohort a mentor is looking at); None counts work in any cohort.
    """
    published = Q(projects__is_published=True)
    stages = (
        Stage.objects.published()
        .order_by("number")
        .annotate(
            # distinct: the projects and objectives joins multiply each other's rows
            projects_published=Count("projects", filter=published, distinct=True),
            required_total=Count(
                "projects", filter=published & Q(projects__is_required=True), distinct=True
            ),
            objectives_total=Count("objectives", distinct=True),
        )
    )
    approved = Submission.objects.filter(
        learner=learner, status=Submission.Status.APPROVED, project__is_published=True
    )
    if cohort is not None:
        approved = approved.filter(cohort=cohort)
    # distinct: without a cohort, a project approved in two cohorts is still one project
    approvals = {
        row["stage"]: row
        for row in approved.values(stage=F("project__stage_id"))
        .annotate(
            projects=Count("project", distinct=True),
            required=Count("project", distinct=True, filter=approved_required_q()),
        )
        .order_by()
    }
    ticks = dict(
        ObjectiveCheck.objects.filter(learner=learner)
        .values_list("objective__stage_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    nothing = {"projects": 0, "required": 0}
    return [
        StageProgress(
            stage=stage,
            projects=Progress(approvals.get(stage.pk, nothing)["required"], stage.required_total),
            objectives=Progress(ticks.get(stage.pk, 0), stage.objectives_total),
            approved=approvals.get(stage.pk, nothing)["projects"],
            published_projects=stage.projects_published,
        )
        for stage in stages
    ]


def progress_overall(stages: list[StageProgress]) -> OverallProgress:
    counted = [s for s in stages if s.is_counted]
    return OverallProgress(
        projects=Progress(
            sum(s.projects.done for s in stages), sum(s.projects.total for s in stages)
        ),
        objectives=Progress(
            sum(s.objectives.done for s in stages), sum(s.objectives.total for s in stages)
        ),
        stages=Progress(sum(s.is_complete for s in counted), len(counted)),
    )


def learner_submissions(*, learner):
    """The learner's submissions for the dashboard, in roadmap order (newest cohort first
    within a project), with their projects and stages. One query."""
    return (
        Submission.objects.filter(learner=learner)
        .select_related("project__stage")
        .annotate(iteration_count=Count("iterations"))
        .order_by("project__stage__number", "project__order", "-cohort__starts_on")
    )


@dataclass(frozen=True)
class LearnerDashboard:
    progress: list[StageProgress]  # with each stage's date, if the learner has a schedule
    overall: OverallProgress
    submissions: list[Submission]
    next_step: "NextStep"
    project_dates: list  # [(project, Due)], learner_project_dates


def learner_dashboard(*, learner, cohort: Cohort | None, schedule: Schedule | None):
    """Everything the learner's dashboard shows but readiness. Three queries: the stages with
    their objectives and the learner's ticks, the published projects, the learner's
    submissions.

    The same counts as learner_progress(learner=learner, cohort=cohort), read differently:
    the published projects (which the next step and the project dates need anyway) give each
    stage's project counts, and the submissions (which the page lists anyway) the approvals,
    so the page spends no query on either count."""
    stages = _stages_with_ticks(learner=learner)
    projects = list(
        Project.objects.published()
        .defer("brief", "skills", "features")  # long texts the dashboard never shows
        .order_by("stage__number", "order")
    )
    submissions = list(learner_submissions(learner=learner))
    # Approved published projects, as learner_progress's query counts them (approved_required_q
    # and the published stages below); a project approved in two cohorts is one project.
    approved = {
        submission.project_id: submission.project
        for submission in submissions
        if submission.status == Submission.Status.APPROVED
        and submission.project.is_published
        and (cohort is None or submission.cohort_id == cohort.pk)
    }
    published, required = Counter(), Counter()  # stage id -> how many projects
    for project in projects:
        published[project.stage_id] += 1
        required[project.stage_id] += project.is_required
    approved_any, approved_required = Counter(), Counter()
    for project in approved.values():
        approved_any[project.stage_id] += 1
        approved_required[project.stage_id] += project.is_required
    progress = with_dates(
        [
            StageProgress(
                stage=stage,
                projects=Progress(approved_required[stage.pk], required[stage.pk]),
                objectives=Progress(stage.ticked, stage.objectives_total),
                approved=approved_any[stage.pk],
                published_projects=published[stage.pk],
            )
            for stage in stages
        ],
        schedule,
    )
    return LearnerDashboard(
        progress=progress,
        overall=progress_overall(progress),
        submissions=submissions,
        next_step=learner_next_step(
            progress=progress,
            projects=projects,
            submissions=submissions,
            cohort=cohort,
            schedule=schedule,
        ),
        project_dates=learner_project_dates(
            schedule=schedule, projects=projects, submissions=submissions, cohort=cohort
        ),
    )


def _stages_with_ticks(*, learner):
    """The published stages in order, each with `objectives_total` and `ticked` (how many of
    them the learner ticked). One query."""
    return (
        Stage.objects.published()
        .order_by("number")
        # The learner's check of each objective, one at most (a unique constraint): a join
        # on the objectives, not a query of its own.
        .alias(
            mine=FilteredRelation(
                "objectives__checks", condition=Q(objectives__checks__learner=learner)
            )
        )
        .annotate(objectives_total=Count("objectives"), ticked=Count("mine"))
    )


@dataclass(frozen=True)
class NextStep:
    kind: str  # "resubmit" | "submit" | "wait" | "objectives" | "done"
    stage: Stage | None = None
    project: Project | None = None
    submission: Submission | None = None
    due: Due | None = None  # the project's date (else its stage's) for the learner


def with_dates(progress: list[StageProgress], schedule: Schedule | None) -> list[StageProgress]:
    """`progress` with each counted stage's Due from the learner's schedule (no query): a stage
    with no published project can never be complete, so it is never due nor late."""
    if schedule is None:
        return progress
    return [
        replace(item, due=schedule.for_stage(item.stage.pk) if item.is_counted else None)
        for item in progress
    ]


def learner_next_step(
    *,
    progress: list[StageProgress],
    projects: list[Project],
    submissions: list[Submission],
    cohort: Cohort | None = None,
    schedule: Schedule | None = None,
) -> NextStep:
    """What the learner should do now: act on requested changes first, then the roadmap in order.

    With a `schedule` (the learner's dates in `cohort`), the dates count too: within the
    stage, the project due soonest comes first (late ones first of all), and the step carries
    its Due; a stage or project already late comes before requested changes that are not.

    Requested changes count in any cohort (the work can still be resubmitted); what to submit
    next is judged by the work in `cohort`, the one `progress` counts. Once every stage is
    complete, the objectives not ticked yet: they are the learner's own check.
    `projects`: the published projects in roadmap order (learner_dashboard reads them). No
    query.
    """
    newest = {}
    for submission in submissions:  # newest cohort first: keep the most recent per project
        newest.setdefault(submission.project_id, submission)

    def due(project):
        return schedule.for_project(project) if schedule is not None else None

    resubmit = None
    for submission in newest.values():
        if submission.status == Submission.Status.CHANGES_REQUESTED:
            resubmit = NextStep(
                "resubmit",
                submission.project.stage,
                submission.project,
                submission,
                due(submission.project),
            )
            break
    # At once without dates, or when the changes are late themselves; an undated resubmission
    # still waits behind late work (below), as one dated but not late does.
    if resubmit is not None and (
        schedule is None or (resubmit.due is not None and resubmit.due.is_late)
    ):
        return resubmit
    in_cohort = {
        submission.project_id: submission
        for submission in newest.values()
        if cohort is None or submission.cohort_id == cohort.pk
    }
    current = next((s for s in progress if s.is_counted and not s.is_complete), None)
    if current is None:
        if resubmit is not None:
            return resubmit
        unticked = next((s for s in progress if not s.objectives.is_complete), None)
        return NextStep("objectives", unticked.stage) if unticked else NextStep("done")
    stage = current.stage
    # The required projects; in a stage without any, whichever of its projects.
    projects = [
        project
        for project in projects
        if project.stage_id == stage.pk and (project.is_required or not current.projects.total)
    ]
    if schedule is not None:  # the one due soonest first; undated ones keep the roadmap's order
        projects.sort(key=lambda p: due(p).on if due(p) else date.max)
    waiting, to_submit = None, None
    for project in projects:
        submission = in_cohort.get(project.pk)
        # Withdrawn work is to be sent again: its submit page leads to the resubmit form.
        if submission is None or submission.status == Submission.Status.WITHDRAWN:
            to_submit = to_submit or project
        elif submission.status != Submission.Status.APPROVED and waiting is None:
            waiting = submission
    if to_submit is not None:
        step = NextStep("submit", stage, to_submit, due=due(to_submit))
        late = step.due is not None and step.due.is_late
        return step if resubmit is None or late else resubmit
    if resubmit is not None:
        return resubmit
    if waiting is not None:
        return NextStep("wait", stage, waiting.project, waiting, due(waiting.project))
    return NextStep("objectives", stage)  # only if an approval landed since `progress` was read


def learner_project_dates(*, schedule: Schedule | None, projects, submissions, cohort) -> list:
    """[(project, Due)] for the published projects (of `projects`, learner_dashboard's) with a
    due date the learner has not submitted in `cohort` yet (withdrawn work counts as not
    submitted), soonest first. No query."""
    if schedule is None or not schedule.projects:
        return []
    submitted = {
        s.project_id
        for s in submissions
        if s.cohort_id == cohort.pk and s.status != Submission.Status.WITHDRAWN
    }
    dated = [
        (p, schedule.projects[p.pk])
        for p in projects
        if p.pk in schedule.projects and p.pk not in submitted
    ]
    return sorted(dated, key=lambda pair: (pair[1].on, pair[0].title))


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


def learner_stage_submissions(*, learner, stage: Stage) -> dict[int, Submission]:
    """The learner's submissions of the stage's projects in their current cohort, by project id
    (as learner_current_submission decides, for every project at once). One query."""
    current = Subquery(_current_cohorts(learner).values("pk")[:1])
    # Unordered: one submission a project (a unique constraint), read into a dict.
    submissions = Submission.objects.filter(
        learner=learner, project__stage=stage, cohort=current
    ).order_by()
    return {submission.project_id: submission for submission in submissions}


def submission_iterations(*, submission: Submission) -> list[Iteration]:
    """All iterations, newest first, each with a `compare_url` to the iteration before it
    (None when the host or a SHA does not allow one) and, unless the work is a bug story,
    its `ticked` checklist items and its snapshot. Two queries; one for a bug story.
    """
    iterations = submission.iterations.order_by("-number")
    if submission.project.is_bug_story:
        # Its parts are shown with it; it has no repository, so no snapshot or checklist.
        iterations = iterations.select_related("bug_story__about_submission__project")
    else:
        iterations = (
            # The automated checks section reads the snapshot from here (no query of its own).
            iterations.select_related("snapshot")
            .defer("snapshot__commits")
            .prefetch_related(
                Prefetch(
                    "checklist_items",
                    queryset=ChecklistItem.objects.order_by("order"),
                    to_attr="ticked",
                )
            )
        )
    iterations = list(iterations)
    for newer, older in zip(iterations, iterations[1:] + [None], strict=True):
        newer.compare_url = (
            compare_url(newer.repo_url, older.commit_sha, newer.commit_sha)
            if older is not None and older.repo_url.rstrip("/") == newer.repo_url.rstrip("/")
            else None
        )
    return iterations


def stages_for_detail(*, user):
    """Stage.objects.for_stage_detail with the objectives, each with `is_done`: whether `user`
    ticked it. Two queries after the stage's, whatever the size of the stage."""
    ticked = ObjectiveCheck.objects.filter(learner=user.pk, objective=OuterRef("pk"))
    objectives = Objective.objects.order_by("order").annotate(is_done=Exists(ticked))
    return Stage.objects.for_stage_detail(user).prefetch_related(
        Prefetch("objectives", queryset=objectives)
    )


def submission_history(*, submission: Submission) -> list[SubmissionEvent]:
    """The submission's history, oldest first, with who acted (one query)."""
    return list(SubmissionEvent.objects.filter(submission=submission).for_history())


class _Median(Aggregate):
    """PostgreSQL's continuous median, an ordered-set aggregate."""

    function = "percentile_cont"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"


def review_turnaround(*, cohort: Cohort, now=None) -> dict:
    """How long the cohort's work waited for a verdict, read from the submissions' history.

    Each verdict (approved or changes requested) counts from the arrival before it (the
    submission or resubmission). Returns the medians overall and over the last seven days,
    and how many verdicts each covers. One query.
    """
    now = now or timezone.now()
    Kind = SubmissionEvent.Kind
    arrival = (
        SubmissionEvent.objects.filter(
            submission=OuterRef("submission"),
            kind__in=[Kind.SUBMITTED, Kind.RESUBMITTED],
            at__lte=OuterRef("at"),
        )
        .order_by("-at", "-pk")
        .values("at")[:1]
    )
    verdicts = (
        SubmissionEvent.objects.filter(
            submission__cohort=cohort, kind__in=[Kind.APPROVED, Kind.CHANGES_REQUESTED]
        )
        .annotate(arrived_at=Subquery(arrival))
        .filter(arrived_at__isnull=False)
        .annotate(
            turnaround=ExpressionWrapper(F("at") - F("arrived_at"), output_field=DurationField())
        )
    )
    this_week = Q(at__gte=now - timedelta(days=7))
    return verdicts.aggregate(
        median_overall=_Median("turnaround", output_field=DurationField()),
        median_week=_Median("turnaround", filter=this_week, output_field=DurationField()),
        reviewed_overall=Count("pk"),
        reviewed_week=Count("pk", filter=this_week),
    )


class EvidenceLine(NamedTuple):
    """One line of a check's evidence: where ("path:line", "path" or "") and the text."""

    place: str
    text: str


class CheckRow(NamedTuple):
    """One automated check as the section shows it, its labels looked up once."""

    key: str
    key_label: str
    result: str
    result_label: str
    summary: str
    # Shown only for a result other than a pass; empty for a pass.
    evidence: list[EvidenceLine]


class ChecklistBesideCheck(NamedTuple):
    """A checklist item linked to an automated check: the learner's tick and the result."""

    item_id: int
    text: str
    automated_check: str
    ticked: bool
    check: CheckRow | None


@dataclass(frozen=True)
class AutomatedChecks:
    iteration: Iteration
    snapshot: Snapshot | None
    checks: list[CheckRow]
    beside_checklist: list[ChecklistBesideCheck]


def _check_rows(snapshot: Snapshot) -> list[CheckRow]:
    key_labels = dict(ChecklistItem.Check.choices)
    result_labels = dict(CheckResult.Result.choices)
    rows = CheckResult.objects.filter(snapshot=snapshot).order_by("position")
    return [
        CheckRow(
            key=key,
            key_label=key_labels.get(key, key),
            result=result,
            result_label=result_labels.get(result, result),
            summary=summary,
            evidence=[]
            if result == CheckResult.Result.PASS
            else [_evidence_line(found) for found in evidence or []],
        )
        for key, result, summary, evidence in rows.values_list(
            "key", "result", "summary", "evidence"
        )
    ]


def _evidence_line(found: dict) -> EvidenceLine:
    file, line = found.get("file") or "", found.get("line")
    place = f"{file}:{line}" if file and line else file
    return EvidenceLine(place=place, text=found.get("text") or "")


class CheckToLookAt(NamedTuple):
    """A check that did not pass, as the review page's summary names it."""

    key_label: str
    result: str
    result_label: str
    summary: str


def checks_to_look_at(snapshot) -> list[CheckToLookAt]:
    """The snapshot's failed checks, then its warnings, in the checklist's order (one query);
    the evidence of each is on the submission page."""
    keys = dict(ChecklistItem.Check.choices)
    results = dict(CheckResult.Result.choices)
    rows = (
        CheckResult.objects.filter(
            snapshot=snapshot, result__in=[CheckResult.Result.FAIL, CheckResult.Result.WARN]
        )
        .order_by("position")
        .values_list("key", "result", "summary")
    )
    found = [CheckToLookAt(keys.get(k, k), r, results[r], summary) for k, r, summary in rows]
    return sorted(found, key=lambda check: check.result != CheckResult.Result.FAIL)


def iteration_automated_checks(
    *, iteration: Iteration, ticked: set[int] | None = None
) -> AutomatedChecks:
    """The iteration's snapshot, its checks as rows, and (once it is ready) the checklist
    items that name a check beside the learner's tick. Three queries for a ready snapshot,
    one for a pending or failed one or none; one fewer when the iteration was read with
    `select_related("snapshot")` (the submission and review pages' iterations are).
    `ticked`: the ids of the items ticked for this iteration, when the caller read them
    already (the submission page's iterations bring theirs); else the items' query asks.

    The rows carry their labels and evidence lines ready to print: the section is on the
    submission and review pages, and the template resolving each model's choice labels and
    evidence cost about half its function calls (docs/PERFORMANCE.md)."""
    if Iteration.snapshot.is_cached(iteration):  # the page's iterations came with it
        snapshot = getattr(iteration, "snapshot", None)
    else:
        # The commits (a list kept for the review on the code) are not shown here.
        snapshot = Snapshot.objects.filter(iteration=iteration).defer("commits").first()
    checks, beside = [], []
    # Only a ready snapshot has checks to show.
    if snapshot is not None and snapshot.status == Snapshot.Status.READY:
        checks = _check_rows(snapshot)
        by_key = {check.key: check for check in checks}
        items = ChecklistItem.objects.published().exclude(automated_check="").order_by("order")
        if ticked is None:
            ticks = ChecklistTick.objects.filter(iteration=iteration, item=OuterRef("pk"))
            rows = items.annotate(ticked=Exists(ticks)).values_list(
                "pk", "text", "automated_check", "ticked"
            )
        else:  # a plain query: the Exists subquery was a third of the section's Python
            rows = [
                (pk, text, check, pk in ticked)
                for pk, text, check in items.values_list("pk", "text", "automated_check")
            ]
        beside = [
            ChecklistBesideCheck(
                item_id=pk,
                text=text,
                automated_check=automated_check,
                ticked=is_ticked,
                check=by_key.get(automated_check),
            )
            for pk, text, automated_check, is_ticked in rows
        ]
    return AutomatedChecks(
        iteration=iteration, snapshot=snapshot, checks=checks, beside_checklist=beside
    )


def cohort_checks_by_learner(*, cohort: Cohort) -> dict[int, tuple[int, int]]:
    """learner id -> (checks passed, checks failed), summed over the ready snapshot of the
    newest iteration of each of their submissions in the cohort. One query."""
    newest = (
        Iteration.objects.filter(submission=OuterRef("iteration__submission"))
        .order_by("-number")
        .values("pk")[:1]
    )
    rows = (
        Snapshot.objects.filter(
            iteration__submission__cohort=cohort,
            status=Snapshot.Status.READY,
            iteration=Subquery(newest),
        )
        .values("iteration__submission__learner_id")
        .annotate(passed=Sum("checks_passed"), failed=Sum("checks_failed"))
        .order_by()
        .values_list("iteration__submission__learner_id", "passed", "failed")
    )
    return {learner_id: (passed, failed) for learner_id, passed, failed in rows}
