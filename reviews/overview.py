"""Selectors for the cohort overview: the progress grid, the figures and the weekly chart.

Every function here issues a fixed number of queries, whatever the number of learners or
submissions: the database sorts the learners and groups and counts their work (GROUP BY
learner, stage); Python only arranges the already-aggregated rows, for one page of learners
(the CSV: all of them).
"""

import datetime
import math
import re
from dataclasses import dataclass, field
from typing import NamedTuple

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import (
    Count,
    Exists,
    F,
    FilteredRelation,
    OuterRef,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, Concat, Lower, NullIf, Trim, TruncDate
from django.template.defaultfilters import pluralize
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property

from bootcamp.people import display_name
from curriculum.models import Stage, counted_projects_key
from learners.models import (
    Cohort,
    Iteration,
    LearnerProgress,
    Membership,
    ObjectiveCheck,
    Submission,
    approved_required_q,
    waiting_q,
)
from learners.pacing import CohortPace, Due, stage_done_count, stages_with_counts
from learners.progress import percent_of, stage_is_complete, stage_is_counted
from learners.selectors import review_turnaround
from learners.services import learner_progress_refresh
from reviews.readiness import ready_at_subquery
from reviews.selectors import overdue_cutoff

Status = Submission.Status
# How long a process reuses a cohort's whole-cohort statistics (review turnaround, the weekly
# chart): slightly stale figures are fine on an overview, and they are the page's heaviest SQL.
STATS_SECONDS = 60
# No verdict yet: waiting (learners.models.waiting_q) or in review.
UNREVIEWED = [Status.SUBMITTED, Status.IN_REVIEW]
# How many learners at risk a mentor's digest lists (the overview: AT_RISK_ON_PAGE; the CSV
# has them all).
AT_RISK_SHOWN = 50


# Access -----------------------------------------------------------------------------------


def cohorts_for_list(user):
    """The cohorts `user` may oversee (all for staff), with learner and waiting counts."""
    cohorts = Cohort.objects.reviewable_by(user)
    # Two correlated counts rather than two JOINs, which would multiply each other's rows.
    learners = (
        Membership.objects.filter(cohort=OuterRef("pk"), role=Membership.Role.LEARNER)
        .values("cohort")
        .annotate(n=Count("pk"))
        .values("n")
    )
    waiting = (
        Submission.objects.filter(waiting_q(), cohort=OuterRef("pk"))
        .values("cohort")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return cohorts.annotate(
        learner_count=Coalesce(Subquery(learners), 0),
        waiting_count=Coalesce(Subquery(waiting), 0),
    ).order_by("-starts_on", "name")


# The grid ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CellState:
    key: str
    label: str
    badge: str  # Bootstrap classes; the label is always shown too, colour is never alone


NOT_STARTED = CellState("not_started", "not started", "text-bg-light border")
IN_PROGRESS = CellState("in_progress", "in progress", "text-bg-info")
WAITING_FOR_REVIEW = CellState("waiting", "waiting for review", "text-bg-warning")
IN_REVIEW = CellState("in_review", "in review", "text-bg-primary")
CHANGES_REQUESTED = CellState("changes_requested", "changes requested", "text-bg-danger")
COMPLETE = CellState("complete", "complete", "text-bg-success")
CELL_STATES = [
    NOT_STARTED,
    IN_PROGRESS,
    WAITING_FOR_REVIEW,
    IN_REVIEW,
    CHANGES_REQUESTED,
    COMPLETE,
]


def cell_state(*, complete, waiting, changes, submissions, checks, in_review=0):
    """A learner's state in one stage, from the counts of their work in it.

    The first rule that holds wins:

    1. complete: as learners.progress.stage_is_complete says (the dashboard's rule too);
    2. changes requested: some submission in the stage is in changes_requested;
    3. in review: some submission in the stage is claimed by a mentor;
    4. waiting for review: some submission in the stage is submitted, not claimed yet;
    5. in progress: the learner has any submission or objective check in the stage;
    6. not started: nothing at all.
    """
    if complete:
        return COMPLETE
    if changes:
        return CHANGES_REQUESTED
    if in_review:
        return IN_REVIEW
    if waiting:
        return WAITING_FOR_REVIEW
    if submissions or checks:
        return IN_PROGRESS
    return NOT_STARTED


class Cell(NamedTuple):
    """One learner's state in one stage, with what the grid prints worked out once here (the
    template prints fields; each computed lookup would be paid again per cell and page)."""

    stage: Stage
    state: CellState
    due: Due | None = None  # the stage's date for this learner (their extension, if any)
    late: str = ""  # behind: how late ("2 days late"); "" when not behind

    @property
    def is_behind(self) -> bool:
        """The stage's date has passed and the stage is not complete."""
        return bool(self.late)


def cell_of(stage, state, due) -> Cell:
    """The grid's cell; behind when the stage's date has passed and it is not complete."""
    behind = due is not None and due.is_late and state is not COMPLETE
    return Cell(stage, state, due, late=due.text if behind else "")


class StageWork(NamedTuple):
    """A learner's submissions in one stage of the cohort, counted by status."""

    learner_id: int
    stage_id: int
    submissions: int
    waiting: int
    in_review: int
    changes: int
    approved: int
    approved_published: int
    approved_required: int  # Submission.objects.approved_required(), in this stage


class GridRow(NamedTuple):
    user: object
    name: str  # bootcamp.people.display_name
    cells: list  # [Cell] in stage order
    is_behind: bool  # behind on some stage's date (a cell's `late`)
    approved_required: int  # in published stages
    required: int
    percent: int  # learners.progress.percent_of the two above
    approved: int  # approved submissions of any project in the cohort
    waiting: int
    in_review: int = 0
    ready_at: datetime.datetime | None = None  # the readiness sign-off (CohortGrid.learners())
    pace: "Pace | None" = None  # from their LearnerProgress row (CohortGrid.all_rows() only)

    @property
    def behind(self) -> list:
        """The cells of the stages the learner is behind on, in stage order."""
        return [cell for cell in self.cells if cell.is_behind]


# Pace and risk -----------------------------------------------------------------------------


def idle_cutoff(now):
    return now - datetime.timedelta(days=settings.AT_RISK_IDLE_DAYS)


def at_risk_q(*, today, now, started_at) -> Q:
    """Among a cohort's LearnerProgress rows: the learners at risk. Behind: the earliest date
    of a stage they have not completed is past; idle: nothing for AT_RISK_IDLE_DAYS, counted
    from the cohort's start at the earliest (`started_at`, Cohort.starts_at), unless every
    counted stage is complete; or changes requested twice or more on one project."""
    risky = Q(behind_from__lt=today) | Q(changes_requested_most__gte=2)
    if started_at < idle_cutoff(now):
        risky |= Q(all_stages_complete=False) & (
            Q(last_active_at__lt=idle_cutoff(now)) | Q(last_active_at__isnull=True)
        )
    return risky


def fresh_pace(cohort, *, today, stages) -> CohortPace:
    """The cohort's calendar, after recounting the LearnerProgress rows that are missing or
    were counted with another curriculum or calendar (once, by whoever looks first). Three
    queries when every row is up to date."""
    pace = CohortPace(cohort=cohort, today=today, stages=stages)
    keys = {"counted_key": counted_projects_key(), "pace_key": pace.key}
    current = LearnerProgress.objects.filter(cohort=cohort, learner=OuterRef("user_id"), **keys)
    # One statement: learners with no up-to-date row, and rows of learners who left the
    # cohort since (their work there still counts for them).
    stale = list(
        Membership.objects.filter(cohort=cohort, role=Membership.Role.LEARNER)
        .filter(~Exists(current))
        # A set of ids: no Meta ordering (it joins the cohorts and the users to sort by them).
        .order_by()
        .values_list("user_id", flat=True)
        .union(
            LearnerProgress.objects.filter(cohort=cohort)
            .exclude(**keys)
            .values_list("learner_id", flat=True)
        )
    )
    if stale:
        learner_progress_refresh(cohort_id=cohort.pk, learner_ids=stale)
    return pace


# What Pace.of reads of a LearnerProgress row and the two rows it names (select_related them):
# not the stage's body or the project's brief, which the join would otherwise bring along.
PACE_FIELDS = (
    "learner_id",
    "behind_from",
    "last_active_at",
    "all_stages_complete",
    "changes_requested_most",
    "behind_stage__number",
    "changes_requested_project__title",
)


@dataclass(frozen=True)
class Pace:
    """One learner's reasons to be at risk, read from their LearnerProgress row (with
    behind_stage and changes_requested_project)."""

    behind_on: int | None
    idle_days: int | None
    repeat_project: str | None
    repeat_count: int | None
    last_active_at: datetime.datetime | None = None

    @classmethod
    def of(cls, row, *, today, now, started_at):
        """`started_at`: the cohort's start (Cohort.starts_at), where idleness counts from at
        the earliest."""
        if row is None:
            return cls(None, None, None, None)
        last = row.last_active_at
        since = started_at if last is None else max(last, started_at)
        idle = not row.all_stages_complete and since < idle_cutoff(now)
        behind = row.behind_from is not None and row.behind_from < today
        repeat = row.changes_requested_most >= 2
        return cls(
            behind_on=row.behind_stage.number if behind and row.behind_stage else None,
            idle_days=(now - since).days if idle else None,
            repeat_project=row.changes_requested_project.title
            if repeat and row.changes_requested_project
            else None,
            repeat_count=row.changes_requested_most if repeat else None,
            last_active_at=last,
        )

    @property
    def is_at_risk(self):
        return bool(self.reasons)

    @property
    def reasons(self) -> list[str]:
        reasons = []
        if self.behind_on is not None:
            reasons.append(f"behind on stage {self.behind_on}'s date")
        if self.idle_days is not None:
            reasons.append(f"no submission, tick or reply for {self.idle_days} days")
        if self.repeat_count is not None:
            reasons.append(f"changes requested {self.repeat_count} times on {self.repeat_project}")
        return reasons


@dataclass
class AtRisk:
    learners: list  # [(user, Pace)], at most `shown`, furthest behind first
    count: int  # all of them
    behind: int  # learners behind on some stage's date
    total: int  # learners in the cohort

    @property
    def on_track(self):
        return self.total - self.behind


def cohort_at_risk(
    cohort, *, now=None, pace: CohortPace | None = None, shown=AT_RISK_SHOWN
) -> AtRisk:
    """The cohort's learners at risk, with why, and how many are on track, from their
    LearnerProgress rows: two queries (an aggregate over the cohort's rows and one page of
    them), and fresh_pace's three without `pace` (the grid's CohortGrid.pace)."""
    now = now or timezone.now()
    if pace is None:
        pace = fresh_pace(cohort, today=cohort.today(now), stages=stages_with_counts())
    today = pace.today
    rows = LearnerProgress.objects.filter(
        cohort=cohort,
        learner__in=Membership.objects.filter(cohort=cohort, role=Membership.Role.LEARNER).values(
            "user_id"
        ),
    )
    risky = at_risk_q(today=today, now=now, started_at=cohort.starts_at)
    counts = rows.aggregate(
        total=Count("pk"),
        behind=Count("pk", filter=Q(behind_from__lt=today)),
        count=Count("pk", filter=risky),
    )
    # Furthest behind first, then the longest idle: a top-N sort of the cohort's rows alone,
    # joined to the users of the page only.
    first = (
        rows.filter(risky)
        .select_related("learner", "behind_stage", "changes_requested_project")
        .only(*PACE_FIELDS, "learner__username", "learner__first_name", "learner__last_name")
        .order_by(F("behind_from").asc(nulls_last=True), F("last_active_at").asc(), "learner_id")
    )
    return AtRisk(
        learners=[
            (row.learner, Pace.of(row, today=today, now=now, started_at=cohort.starts_at))
            for row in first[:shown]
        ],
        **counts,
    )


# The grid's orders (read from the URL, and checked, by reviews.forms.CohortGridForm).
SORTS = {
    "name": "name, A to Z",
    "-name": "name, Z to A",
    "progress": "progress, least first",
    "-progress": "progress, most first",
}
DEFAULT_SORT = "name"
# Or one stage's progress (its counted projects approved): "stage-2", "-stage-2".
STAGE_SORT = re.compile(r"(-?)stage-(\d{1,3})")


def sort_name(prefix=""):
    """How pages name a person (bootcamp.people.display_name), lower-cased: the full name,
    else the username. `prefix`: the path to the user ("learner__").

    Numbers in names sort as text ("Learner 10" before "Learner 2"): a number-aware key made
    of string functions tripled the sort of 3,000 learners (1.4 to 4 ms), and the private
    PostgreSQL of the tests has no ICU for a numeric collation."""
    return Lower(
        Coalesce(
            NullIf(
                Trim(Concat(f"{prefix}first_name", Value(" "), f"{prefix}last_name")), Value("")
            ),
            f"{prefix}username",
        )
    )


SORT_NAME = sort_name()


class CohortGrid:
    """The progress grid of a cohort, read in explicit steps:

    1. `__init__`: the published stages with their project counts (one query);
    2. `learners()`: the cohort's learners as a QuerySet in the grid's order, for a Paginator
       to count and slice, so the database sorts and only one page of learners is read;
    3. `rows(users)`: those learners' cells and totals (two queries, whatever their number);
       `all_rows()` does the same for every learner (the CSV).
    """

    def __init__(self, cohort, *, sort=DEFAULT_SORT, now=None):
        """`sort`: one of SORTS, as CohortGridForm.chosen_sort() answers."""
        self.cohort = cohort
        self.now = now or timezone.now()
        self.today = cohort.today(self.now)
        self.stages = list(stages_with_counts())
        self.sort_stage = self._stage_to_sort_by(sort)
        if sort not in SORTS and self.sort_stage is None:
            sort = DEFAULT_SORT  # a stage that is not published (any more)
        self.sort = sort
        self.sort_label = (
            SORTS[sort]
            if self.sort_stage is None
            else f"stage {self.sort_stage.number}'s progress, "
            + ("most first" if sort.startswith("-") else "least first")
        )
        self.pace = fresh_pace(cohort, today=self.today, stages=self.stages)
        self.required = sum(stage.required for stage in self.stages)

    def _memberships(self):
        return Membership.objects.filter(cohort=self.cohort, role=Membership.Role.LEARNER)

    def learners(self):
        """The learners in the grid's order; ties (and names) by name, then username."""
        users = (
            get_user_model()
            .objects.filter(pk__in=self._memberships().values("user_id"))
            .only("pk", "username", "first_name", "last_name", "email")
            .alias(sort_name=SORT_NAME)
            # The readiness sign-off, read in the same query (one index lookup a learner).
            .annotate(ready_at=ready_at_subquery(cohort=self.cohort))
        )
        if self.sort == "-name":
            return users.order_by("-sort_name", "-username")
        if self.sort_stage is not None:
            # One correlated count per learner (an index lookup on their submissions).
            users = users.alias(
                stage_done=stage_done_count(
                    cohort=self.cohort, stage=self.sort_stage, learner_ref=OuterRef("pk")
                )
            )
            done = "-stage_done" if self.sort.startswith("-") else "stage_done"
            return users.order_by(done, "sort_name", "username")
        if self.sort.lstrip("-") == "progress":  # fresh_pace recounted any stale row
            # One LEFT JOIN to the learners' LearnerProgress rows (none yet: nothing approved).
            users = users.annotate(
                progress_row=FilteredRelation(
                    "progress_rows", condition=Q(progress_rows__cohort=self.cohort)
                )
            ).alias(progress=Coalesce("progress_row__approved_required", 0))
            progress = "-progress" if self.sort.startswith("-") else "progress"
            return users.order_by(progress, "sort_name", "username")
        return users.order_by("sort_name", "username")

    def stage_headers(self) -> list[dict]:
        """Per stage, for its column header: the sort its link asks for (least first, then
        most first) and its aria-sort now."""
        headers = []
        for stage in self.stages:
            key = f"stage-{stage.number}"
            aria = {key: "ascending", f"-{key}": "descending"}.get(self.sort, "none")
            next_sort = f"-{key}" if self.sort == key else key
            headers.append({"stage": stage, "next_sort": next_sort, "aria_sort": aria})
        return headers

    def _stage_to_sort_by(self, sort):
        match = STAGE_SORT.fullmatch(sort)
        if match is None:
            return None
        number = int(match[2])
        return next((stage for stage in self.stages if stage.number == number), None)

    def rows(self, users) -> list[GridRow]:
        """One GridRow per user, in their order, without their pace (the page does not show
        it). Two queries."""
        users = list(users)
        ids = [user.pk for user in users]
        return self._rows(users, learners=Q(learner_id__in=ids))

    def all_rows(self) -> list[GridRow]:
        """Every learner's GridRow with their pace, in the grid's order. Four queries."""
        in_cohort = Q(learner_id__in=self._memberships().values("user_id"))
        return self._rows(list(self.learners()), learners=in_cohort, with_pace=True)

    def _rows(self, users, *, learners: Q, with_pace=False) -> list[GridRow]:
        work = self._work(learners)
        checked = self._checked(learners)
        progress = self._progress(learners) if with_pace else {}
        rows = []
        for user in users:
            by_stage = work.get(user.pk, {})
            mine = by_stage.values()
            name = display_name(user)
            cells = [
                cell_of(
                    stage,
                    self._state(stage, by_stage.get(stage.pk), (user.pk, stage.pk) in checked),
                    self.pace.due(learner_id=user.pk, stage=stage),
                )
                for stage in self.stages
            ]
            approved_required = sum(w.approved_required for w in mine)
            rows.append(
                GridRow(
                    user=user,
                    name=name,
                    cells=cells,
                    is_behind=any(cell.late for cell in cells),
                    approved_required=approved_required,
                    required=self.required,
                    percent=percent_of(approved_required, self.required),
                    approved=sum(w.approved for w in mine),
                    waiting=sum(w.waiting for w in mine),
                    in_review=sum(w.in_review for w in mine),
                    ready_at=getattr(user, "ready_at", None),
                    pace=Pace.of(
                        progress.get(user.pk),
                        today=self.today,
                        now=self.now,
                        started_at=self.cohort.starts_at,
                    )
                    if with_pace
                    else None,
                )
            )
        return rows

    def _progress(self, learners: Q) -> dict:
        """learner id -> their LearnerProgress row (its stage and project). One query."""
        rows = LearnerProgress.objects.filter(learners, cohort=self.cohort)
        return {
            row.learner_id: row
            for row in rows.select_related("behind_stage", "changes_requested_project").only(
                *PACE_FIELDS
            )
        }

    def _work(self, learners: Q) -> dict[int, dict[int, StageWork]]:
        """learner id -> stage id -> StageWork, for the stages they have work in. One query."""
        counts = (
            Submission.objects.filter(learners, cohort=self.cohort)
            .values("learner_id", stage_id=F("project__stage_id"))
            .annotate(
                submissions=Count("pk"),
                waiting=Count("pk", filter=waiting_q()),
                in_review=Count("pk", filter=Q(status=Status.IN_REVIEW)),
                changes=Count("pk", filter=Q(status=Status.CHANGES_REQUESTED)),
                approved=Count("pk", filter=Q(status=Status.APPROVED)),
                approved_published=Count(
                    "pk", filter=Q(status=Status.APPROVED, project__is_published=True)
                ),
                approved_required=Count("pk", filter=approved_required_q()),
            )
            .order_by()
        )
        work = {}
        for values in counts:
            stage_work = StageWork(**values)
            work.setdefault(stage_work.learner_id, {})[stage_work.stage_id] = stage_work
        return work

    def _checked(self, learners: Q) -> set[tuple[int, int]]:
        """(learner id, stage id) for each stage where the learner ticked an objective."""
        return set(
            ObjectiveCheck.objects.filter(learners)
            .values_list("learner_id", "objective__stage_id")
            .order_by()
            .distinct()
        )

    @staticmethod
    def _state(stage, work: StageWork | None, checked: bool) -> CellState:
        if work is None:
            return IN_PROGRESS if checked else NOT_STARTED
        complete = stage_is_counted(published_projects=stage.published_projects) and (
            stage_is_complete(
                required=stage.required,
                approved_required=work.approved_required,
                approved=work.approved_published,
            )
        )
        return cell_state(
            complete=complete,
            waiting=work.waiting,
            in_review=work.in_review,
            changes=work.changes,
            submissions=work.submissions,
            checks=checked,
        )


# The figures ------------------------------------------------------------------------------


@dataclass
class Figures:
    learners: int
    waiting: int  # learners.models.waiting_q: as the queue and the cohort list count
    in_review: int
    overdue: int
    overdue_hours: int
    median_week: datetime.timedelta | None
    median_overall: datetime.timedelta | None
    reviewed_week: int
    reviewed_overall: int


def cohort_figures(cohort, *, learners, now=None) -> Figures:
    """Waiting, overdue and review turnaround for the cohort. Two queries (one when the
    turnaround is cached)."""
    explicit_now = now is not None
    now = now or timezone.now()
    overdue_hours = settings.REVIEW_OVERDUE_HOURS
    queue = Submission.objects.filter(cohort=cohort, status__in=UNREVIEWED).aggregate(
        waiting=Count("pk", filter=waiting_q()),
        in_review=Count("pk", filter=Q(status=Status.IN_REVIEW)),
        overdue=Count("pk", filter=Q(submitted_at__lt=overdue_cutoff(now))),
    )

    def turnaround_now():
        return review_turnaround(cohort=cohort, now=now)

    # The medians scan every verdict in the cohort's history (a few ms of PostgreSQL at 300
    # learners): each process reuses them for a minute. The queue counts above stay live.
    turnaround = (
        turnaround_now()
        if explicit_now
        else cache.get_or_set(f"cohort-turnaround:{cohort.pk}", turnaround_now, STATS_SECONDS)
    )
    return Figures(
        learners=learners,
        waiting=queue["waiting"],
        in_review=queue["in_review"],
        overdue=queue["overdue"],
        overdue_hours=overdue_hours,
        **turnaround,
    )


# The weekly chart -------------------------------------------------------------------------


@dataclass
class Week:
    number: int
    starts: datetime.date
    ends: datetime.date
    submissions: int = 0
    approvals: int = 0

    # In words, once a request (both drawings of the chart and its table print them; the
    # per-process cache of cohort_weekly hands out fresh copies).
    @cached_property
    def title(self) -> str:
        """What the week's bars say on hover."""
        return (
            f"Week {self.number} ({date_format(self.starts, 'j M')} – "
            f"{date_format(self.ends, 'j M')}): {self.submissions} "
            f"submission{pluralize(self.submissions)}, {self.approvals} "
            f"approval{pluralize(self.approvals)}"
        )

    @cached_property
    def dates(self) -> str:
        return f"{date_format(self.starts, 'j M Y')} – {date_format(self.ends, 'j M Y')}"


@dataclass
class Weekly:
    weeks: list = field(default_factory=list)
    approvals_last_7_days: int = 0

    @property
    def approvals_total(self):
        return sum(week.approvals for week in self.weeks)

    @property
    def submissions_total(self):
        return sum(week.submissions for week in self.weeks)

    @property
    def approvals_per_week(self):
        """The average over the weeks shown (the current, partial week counts as one)."""
        return self.approvals_total / len(self.weeks) if self.weeks else 0.0


def cohort_weekly(cohort, *, today=None) -> Weekly:
    """Iterations and approvals per cohort week, from its start to min(end, today). Two queries.

    Week 1 runs from the cohort's first day for seven days, and so on. The database counts
    per day (at most a few hundred rows for a year); Python folds the days into weeks.
    """
    if today is None:
        # Per-day counts over the whole cohort (2 ms of PostgreSQL at 300 learners): each
        # process reuses them for a minute; the key moves with the day and the cohort's dates.
        today = timezone.localdate()
        key = f"cohort-weekly:{cohort.pk}:{cohort.starts_on}:{cohort.ends_on}:{today}"
        return cache.get_or_set(key, lambda: cohort_weekly(cohort, today=today), STATS_SECONDS)
    last = min(cohort.ends_on, today)
    if last < cohort.starts_on:
        return Weekly()
    count = (last - cohort.starts_on).days // 7 + 1
    weeks = [
        Week(
            number=n + 1,
            starts=cohort.starts_on + datetime.timedelta(days=7 * n),
            ends=min(cohort.starts_on + datetime.timedelta(days=7 * n + 6), last),
        )
        for n in range(count)
    ]

    def per_day(queryset, field_name):
        return (
            queryset.annotate(day=TruncDate(field_name))
            .filter(day__gte=cohort.starts_on, day__lte=last)
            .values("day")
            .annotate(n=Count("pk"))
            .order_by()
            .values_list("day", "n")
        )

    iterations = per_day(Iteration.objects.filter(submission__cohort=cohort), "submitted_at")
    approvals = per_day(
        Submission.objects.filter(cohort=cohort, approved_at__isnull=False), "approved_at"
    )
    weekly = Weekly(weeks=weeks)
    for day, n in iterations:
        weeks[(day - cohort.starts_on).days // 7].submissions += n
    for day, n in approvals:
        weeks[(day - cohort.starts_on).days // 7].approvals += n
        if (today - day).days < 7:
            weekly.approvals_last_7_days += n
    return weekly


@dataclass
class Chart:
    """Coordinates and texts for the inline SVG, computed here so the template only places
    them (each variable the template resolves is paid per week, twice: two drawings)."""

    width: int
    height: int
    left: int
    top: int
    plot_width: int
    plot_height: int
    y_max: int
    ticks: list  # [(y, label)]
    # [{"week", "label_x", "show_label", "submissions_bar", "approvals_bar" (their paths),
    #   "bars": [{"series", "x", "y", "height", "d"}]}]
    groups: list

    @property
    def bottom(self):
        return self.top + self.plot_height

    @property
    def right(self):
        return self.left + self.plot_width

    @property
    def tick_label_x(self):
        return self.left - 6

    @property
    def legend_x(self):
        return self.right - 200

    @property
    def grid_lines(self) -> str:
        """The ticks' horizontal lines as one path."""
        return "".join(f"M{self.left} {tick_y}H{self.right}" for tick_y, _ in self.ticks)


def _nice_ceiling(value):
    """The smallest of 5, 10, 20, 50, 100… that is at least `value`: round axis ticks."""
    value = max(value, 4)
    magnitude = 10 ** math.floor(math.log10(value))
    return next(step * magnitude for step in (1, 2, 5, 10) if step * magnitude >= value)


def weekly_chart(weekly: Weekly, *, width=720, height=280, max_labels=14) -> Chart | None:
    """Grouped bars per week: submissions beside approvals, with a y axis of round ticks."""
    if not weekly.weeks:
        return None
    left, right, top, bottom = 48, 12, 28, 56
    plot_width, plot_height = width - left - right, height - top - bottom
    peak = max(max(w.submissions, w.approvals) for w in weekly.weeks)
    y_max = _nice_ceiling(peak)
    # 5 -> 0,1..5; 10 -> 0,2..10; 20 -> 0,5..20; 50 -> 0,10..50: round numbers on every tick.
    tick_step = y_max // 4 if str(y_max).startswith("2") else y_max // 5

    def y(value):
        return round(top + plot_height - value * plot_height / y_max, 1)

    ticks = [(y(v), v) for v in range(0, y_max + 1, tick_step)]
    slot = plot_width / len(weekly.weeks)
    bar = max(1.0, round(slot * 0.36, 1))
    # At most about `max_labels` week labels on the axis.
    label_every = max(1, math.ceil(len(weekly.weeks) / max_labels))
    bottom_y = top + plot_height
    groups = []
    for index, week in enumerate(weekly.weeks):
        x = left + slot * index
        centre = x + slot / 2
        bars = []
        for series, value, bar_x in (
            ("submissions", week.submissions, round(centre - bar, 1)),
            ("approvals", week.approvals, round(centre, 1)),
        ):
            bar_y = y(value)
            bars.append(
                {
                    "series": series,
                    "x": bar_x,
                    "y": bar_y,
                    "height": round(bottom_y - bar_y, 1),
                    # The bar as one path (a rectangle from the axis up), so the template
                    # prints one attribute: x, y, width and height in one.
                    "d": f"M{bar_x} {bottom_y}V{bar_y}h{bar}V{bottom_y}z",
                }
            )
        groups.append(
            {
                "week": week,
                "label_x": round(centre, 1),
                "show_label": index % label_every == 0,
                "bars": bars,
                "submissions_bar": bars[0]["d"],
                "approvals_bar": bars[1]["d"],
                "bar_width": bar,
            }
        )
    return Chart(
        width=width,
        height=height,
        left=left,
        top=top,
        plot_width=plot_width,
        plot_height=plot_height,
        y_max=y_max,
        ticks=ticks,
        groups=groups,
    )
