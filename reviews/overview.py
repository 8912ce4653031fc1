"""Selectors for the cohort overview: the progress grid, the figures and the weekly chart.

Every function here issues a fixed number of queries, whatever the number of learners or
submissions: the database groups and counts (GROUP BY learner, stage), Python only arranges
the already-aggregated rows. The page stays fast for 300 learners with a year of work.
"""

import datetime
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.db.models import (
    Aggregate,
    Count,
    DurationField,
    F,
    Min,
    OuterRef,
    Q,
    Subquery,
)
from django.db.models.functions import Coalesce, TruncDate
from django.http import Http404
from django.utils import timezone

from bootcamp.people import display_name
from curriculum.models import Stage
from learners.models import Cohort, Iteration, Membership, ObjectiveCheck, Submission
from learners.progress import percent_of, stage_is_complete, stage_is_counted

Status = Submission.Status
# How long a process reuses a cohort's whole-cohort statistics (review turnaround, the weekly
# chart): slightly stale figures are fine on an overview, and they are the page's heaviest SQL.
STATS_SECONDS = 60
WAITING = [Status.SUBMITTED, Status.IN_REVIEW]


# Access -----------------------------------------------------------------------------------


def get_cohort_for_user(user, slug) -> Cohort:
    """The cohort if `user` is staff or one of its mentors; 404 otherwise. One query."""
    try:
        return Cohort.objects.reviewable_by(user).get(slug=slug)
    except Cohort.DoesNotExist:
        raise Http404("No such cohort.") from None


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
        Submission.objects.filter(cohort=OuterRef("pk"), status__in=WAITING)
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
CHANGES_REQUESTED = CellState("changes_requested", "changes requested", "text-bg-danger")
COMPLETE = CellState("complete", "complete", "text-bg-success")
CELL_STATES = [NOT_STARTED, IN_PROGRESS, WAITING_FOR_REVIEW, CHANGES_REQUESTED, COMPLETE]


def cell_state(*, complete, waiting, changes, submissions, checks):
    """A learner's state in one stage, from the counts of their work in it.

    The first rule that holds wins:

    1. complete: as learners.progress.stage_is_complete says (the dashboard's rule too);
    2. changes requested: some submission in the stage is in changes_requested;
    3. waiting for review: some submission in the stage is submitted or in review;
    4. in progress: the learner has any submission or objective check in the stage;
    5. not started: nothing at all.
    """
    if complete:
        return COMPLETE
    if changes:
        return CHANGES_REQUESTED
    if waiting:
        return WAITING_FOR_REVIEW
    if submissions or checks:
        return IN_PROGRESS
    return NOT_STARTED


@dataclass
class LearnerRow:
    user: object
    # user -> [(stage, CellState)] in stage order. Called on first use of `cells`: the grid
    # shows one page of learners, so the other pages' cells are never built.
    cells_of: Callable
    load_checks: Callable  # [user id] -> None: reads what those learners' cells need
    approved_required: int = 0
    required: int = 0
    approved: int = 0
    waiting: int = 0

    @cached_property
    def cells(self) -> list:
        return self.cells_of(self.user)

    @property
    def name(self):
        return display_name(self.user)

    @property
    def progress(self):
        """Approved required projects over all required ones, 0..1 (for sorting)."""
        return self.approved_required / self.required if self.required else 0.0

    @property
    def percent(self):
        return percent_of(self.approved_required, self.required)


# The grid's orders (read from the URL through learners.forms.CohortGridForm).
SORTS = {
    "name": "name, A to Z",
    "-name": "name, Z to A",
    "progress": "progress, least first",
    "-progress": "progress, most first",
}
DEFAULT_SORT = "name"


def _sort_rows(rows, sort):
    by_name = lambda row: (row.name.casefold(), row.user.get_username())  # noqa: E731
    rows.sort(key=by_name)  # stable: the secondary order for progress ties
    if sort.lstrip("-") == "progress":
        rows.sort(key=lambda row: row.progress, reverse=sort.startswith("-"))
    elif sort == "-name":
        rows.reverse()
    return rows


def load_cells(rows) -> None:
    """Read what these rows' cells need in one query (the page's learners, or all for the CSV);
    without it, the first `cells` read loads every learner of the grid."""
    if rows:
        rows[0].load_checks([row.user.pk for row in rows])


def _plain_rows(queryset) -> list[tuple]:
    """A values_list query's rows straight from the cursor. The grid's two GROUP BY queries
    return ~2,600 rows of plain integers, and Django's per-value int() converters on them were
    ~1 ms of every overview request; PostgreSQL's counts arrive as ints anyway."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def cohort_grid(cohort, *, sort=DEFAULT_SORT):
    """(stages, rows): the published stages and one LearnerRow per learner. Four queries."""
    stages = list(
        Stage.objects.published()
        .annotate(
            required=Count(
                "projects", filter=Q(projects__is_published=True, projects__is_required=True)
            ),
            published_projects=Count("projects", filter=Q(projects__is_published=True)),
        )
        .order_by("number")
    )
    learners = list(
        get_user_model()
        .objects.filter(memberships__cohort=cohort, memberships__role=Membership.Role.LEARNER)
        .only("pk", "username", "first_name", "last_name", "email")
    )
    # One row per (learner, stage) that has any work; counts by status in the same pass.
    # Tuples, not dicts: a 300-learner cohort has ~1,300 of these rows and ~1,300 below.
    work = (
        Submission.objects.filter(cohort=cohort)
        .values("learner_id", "project__stage_id")
        .annotate(
            submissions=Count("pk"),
            waiting=Count("pk", filter=Q(status__in=WAITING)),
            changes=Count("pk", filter=Q(status=Status.CHANGES_REQUESTED)),
            approved=Count("pk", filter=Q(status=Status.APPROVED)),
            approved_published=Count(
                "pk", filter=Q(status=Status.APPROVED, project__is_published=True)
            ),
            approved_required=Count(
                "pk",
                filter=Q(
                    status=Status.APPROVED,
                    project__is_required=True,
                    project__is_published=True,
                ),
            ),
        )
        .order_by()
        .values_list(
            "learner_id",
            "project__stage_id",
            "submissions",
            "waiting",
            "changes",
            "approved",
            "approved_published",
            "approved_required",
        )
    )
    # (submissions, waiting, changes, approved, approved_published, approved_required)
    counts = {(w[0], w[1]): w[2:] for w in _plain_rows(work)}
    # Which (learner, stage) pairs have ticked objectives: needed only for cells, so read for
    # the learners whose cells are wanted (one page of them), in one query per call.
    checked, loaded = set(), set()

    def load_checks(user_ids):
        wanted = [user_id for user_id in user_ids if user_id not in loaded]
        if not wanted:
            return
        everyone = len(wanted) == len(learners)  # the CSV: a subquery plans better than ids
        in_cohort = Membership.objects.filter(cohort=cohort, role=Membership.Role.LEARNER)
        checks = (
            ObjectiveCheck.objects.filter(
                learner_id__in=in_cohort.values("user_id") if everyone else wanted
            )
            .values("learner_id", "objective__stage_id")
            .annotate(n=Count("pk"))
            .order_by()
            .values_list("learner_id", "objective__stage_id", "n")
        )
        checked.update(
            (learner_id, stage_id) for learner_id, stage_id, n in _plain_rows(checks) if n
        )
        loaded.update(wanted)

    published = {stage.pk for stage in stages}
    required_total = sum(stage.required for stage in stages)
    totals = {}  # learner id -> [approved, waiting, approved required] across every stage
    for (learner_id, stage_id), w in counts.items():
        total = totals.setdefault(learner_id, [0, 0, 0])
        total[0] += w[3]
        total[1] += w[1]
        if stage_id in published:
            total[2] += w[5]

    # Per stage, what its cells need; the loop below runs learners x stages times.
    columns = [
        (
            stage,
            stage.pk,
            stage_is_counted(published_projects=stage.published_projects),
            stage.required,
        )
        for stage in stages
    ]

    def cells_of(user):
        if user.pk not in loaded:  # not asked for through load_cells: read every learner's
            load_checks([learner.pk for learner in learners])
        cells = []
        for stage, stage_pk, counted, required in columns:
            w = counts.get((user.pk, stage_pk))
            if w is None:
                state = IN_PROGRESS if (user.pk, stage_pk) in checked else NOT_STARTED
            else:
                submissions, waiting, changes, _, approved_published, approved_required = w
                state = cell_state(
                    complete=counted
                    and stage_is_complete(
                        required=required,
                        approved_required=approved_required,
                        approved=approved_published,
                    ),
                    waiting=waiting,
                    changes=changes,
                    submissions=submissions,
                    checks=(user.pk, stage_pk) in checked,
                )
            cells.append((stage, state))
        return cells

    rows = []
    for user in learners:
        approved, waiting, approved_required = totals.get(user.pk, (0, 0, 0))
        rows.append(
            LearnerRow(
                user=user,
                cells_of=cells_of,
                load_checks=load_checks,
                approved_required=approved_required,
                required=required_total,
                approved=approved,
                waiting=waiting,
            )
        )
    return stages, _sort_rows(rows, sort if sort in SORTS else DEFAULT_SORT)


# The figures ------------------------------------------------------------------------------


class PercentileCont(Aggregate):
    """PostgreSQL's continuous percentile, an ordered-set aggregate (0.5 = the median)."""

    function = "percentile_cont"
    name = "PercentileCont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression, *, fraction=0.5, **extra):
        super().__init__(expression, fraction=float(fraction), **extra)


@dataclass
class Figures:
    learners: int
    waiting: int
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
    queue = Submission.objects.filter(cohort=cohort, status__in=WAITING).aggregate(
        waiting=Count("pk"),
        overdue=Count(
            "pk", filter=Q(submitted_at__lt=now - datetime.timedelta(hours=overdue_hours))
        ),
    )
    # Turnaround of an iteration: from its arrival to its first published review. The inner
    # query groups by iteration; aggregate() wraps it as a subquery for the percentiles.
    reviewed = (
        Iteration.objects.filter(submission__cohort=cohort, reviews__published_at__isnull=False)
        .annotate(first_review=Min("reviews__published_at"))
        .annotate(turnaround=F("first_review") - F("submitted_at"))
    )
    this_week = Q(first_review__gte=now - datetime.timedelta(days=7))

    def turnaround_now():
        return reviewed.aggregate(
            median_overall=PercentileCont("turnaround", output_field=DurationField()),
            median_week=PercentileCont(
                "turnaround", filter=this_week, output_field=DurationField()
            ),
            reviewed_overall=Count("pk"),
            reviewed_week=Count("pk", filter=this_week),
        )

    # The medians scan every reviewed iteration of the cohort (2 ms of PostgreSQL at 300
    # learners): each process reuses them for a minute. The queue counts above stay live.
    turnaround = (
        turnaround_now()
        if explicit_now
        else cache.get_or_set(f"cohort-turnaround:{cohort.pk}", turnaround_now, STATS_SECONDS)
    )
    return Figures(
        learners=learners,
        waiting=queue["waiting"],
        overdue=queue["overdue"],
        overdue_hours=overdue_hours,
        **turnaround,
    )


def humanise_duration(value: datetime.timedelta | None) -> str:
    """'35 min', '4 h', '4 h 30 min', '2 d 3 h'; an em dash when there is nothing to show."""
    if value is None:
        return "—"
    minutes = round(value.total_seconds() / 60)
    if minutes < 1:  # "0 min" reads as a fault
        return "under 1 min"
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


# The weekly chart -------------------------------------------------------------------------


@dataclass
class Week:
    number: int
    starts: datetime.date
    ends: datetime.date
    submissions: int = 0
    approvals: int = 0


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
    today = today or timezone.localdate()
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
    """Coordinates for the inline SVG, computed here so the template only places them."""

    width: int
    height: int
    left: int
    top: int
    plot_width: int
    plot_height: int
    y_max: int
    ticks: list  # [(y, label)]
    groups: list  # [{"week", "x", "label", "show_label", "bars": [...]}]

    @property
    def bottom(self):
        return self.top + self.plot_height

    @property
    def right(self):
        return self.left + self.plot_width


def _nice_ceiling(value):
    """The smallest of 5, 10, 20, 50, 100… that is at least `value`: round axis ticks."""
    value = max(value, 4)
    magnitude = 10 ** math.floor(math.log10(value))
    return next(step * magnitude for step in (1, 2, 5, 10) if step * magnitude >= value)


def weekly_chart(weekly: Weekly, *, width=720, height=280) -> Chart | None:
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
    label_every = max(1, math.ceil(len(weekly.weeks) / 14))  # at most ~14 labels on the axis
    groups = []
    for index, week in enumerate(weekly.weeks):
        x = left + slot * index
        centre = x + slot / 2
        groups.append(
            {
                "week": week,
                "label_x": round(centre, 1),
                "show_label": index % label_every == 0,
                "bars": [
                    {
                        "series": "submissions",
                        "x": round(centre - bar, 1),
                        "y": y(week.submissions),
                        "height": round(top + plot_height - y(week.submissions), 1),
                    },
                    {
                        "series": "approvals",
                        "x": round(centre, 1),
                        "y": y(week.approvals),
                        "height": round(top + plot_height - y(week.approvals), 1),
                    },
                ],
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
