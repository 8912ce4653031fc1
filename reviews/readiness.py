"""What the app knows about a learner's readiness to apply: the roadmap's statements with the
evidence for each, their mock interviews and each area's trend, and the mentor's sign-off.

Read by the learner's readiness page, their mentor's view of it, the dashboard and the public
portfolio (which shows only the approved projects and the sign-off). A fixed number of
queries whatever the number of projects, statements and interviews.
"""

from dataclasses import dataclass, field

from django.db.models import Count, Exists, FilteredRelation, OuterRef, Prefetch, Q, Subquery

from curriculum.models import InterviewArea, ReadinessStatement
from learners.models import (
    CheckResult,
    Iteration,
    Membership,
    Portfolio,
    ReadinessTick,
    Submission,
)
from reviews.models import MockInterview, MockInterviewRating, ReadinessSignOff

Evidence = ReadinessStatement.Evidence


@dataclass
class ApprovedWork:
    submission: Submission
    iteration: Iteration  # the approved (latest) iteration
    passed: list[CheckResult]  # its automated checks that pass, in the checks' order

    @property
    def passed_keys(self) -> set[str]:
        return {check.key for check in self.passed}


@dataclass
class AreaTrend:
    area: InterviewArea
    ratings: list[int]  # oldest first, one per interview that rated the area

    @property
    def latest(self) -> int | None:
        return self.ratings[-1] if self.ratings else None

    @property
    def direction(self) -> str:
        if len(self.ratings) < 2:
            return ""
        first, last = self.ratings[-2], self.ratings[-1]
        return "up" if last > first else "down" if last < first else "same"


@dataclass
class StatementRow:
    statement: ReadinessStatement
    ticked: bool
    projects: list[ApprovedWork] = field(default_factory=list)
    bug_stories: list[Submission] = field(default_factory=list)
    trend: AreaTrend | None = None

    @property
    def has_evidence(self) -> bool:
        return bool(self.projects or self.bug_stories or (self.trend and self.trend.ratings))


@dataclass
class Readiness:
    projects: list[ApprovedWork]
    bug_stories: list[Submission]
    statements: list[StatementRow]
    interviews: list[MockInterview]
    trends: list[AreaTrend]
    sign_off: ReadinessSignOff | None


def approved_work(*, learner, cohort) -> tuple[list[ApprovedWork], list[Submission]]:
    """The learner's approved projects in `cohort` (each with its approved iteration and the
    checks it passes) and approved bug stories. Two queries."""
    if cohort is None:
        return [], []
    latest = Iteration.objects.filter(submission=OuterRef("pk")).order_by("-number")
    submissions = list(
        Submission.objects.filter(learner=learner, cohort=cohort, status=Submission.Status.APPROVED)
        .select_related("project__stage")
        .annotate(latest_iteration_id=Subquery(latest.values("pk")[:1]))
        .order_by("project__stage__number", "project__order")
    )
    stories = [s for s in submissions if s.project.is_bug_story]
    projects = [s for s in submissions if not s.project.is_bug_story]
    iterations = (
        {
            iteration.pk: iteration
            for iteration in Iteration.objects.filter(
                pk__in=[s.latest_iteration_id for s in projects]
            ).prefetch_related(
                Prefetch(
                    "snapshot__checks",
                    queryset=CheckResult.objects.filter(result=CheckResult.Result.PASS).order_by(
                        "position"
                    ),
                )
            )
        }
        if projects
        else {}
    )
    work = []
    for submission in projects:
        iteration = iterations[submission.latest_iteration_id]
        snapshot = getattr(iteration, "snapshot", None)
        passed = list(snapshot.checks.all()) if snapshot is not None else []
        work.append(ApprovedWork(submission=submission, iteration=iteration, passed=passed))
    return work, stories


def published_interviews(*, learner) -> list[MockInterview]:
    return list(MockInterview.objects.for_learner_page(learner=learner))


def area_trends(interviews: list[MockInterview]) -> list[AreaTrend]:
    """Each area rated in any of `interviews` (oldest first), with its ratings in order."""
    by_area: dict[int, AreaTrend] = {}
    for interview in interviews:
        for rating in interview.ratings.all():
            trend = by_area.setdefault(rating.area_id, AreaTrend(area=rating.area, ratings=[]))
            trend.ratings.append(rating.rating)
    return sorted(by_area.values(), key=lambda trend: trend.area.order)


def readiness_for(*, learner, cohort) -> Readiness:
    """Everything the readiness page shows. Seven queries at most."""
    projects, stories = approved_work(learner=learner, cohort=cohort)
    interviews = published_interviews(learner=learner)
    trends = area_trends(interviews)
    trend_of = {trend.area.pk: trend for trend in trends}
    statements = ReadinessStatement.objects.filter(is_published=True).annotate(
        ticked=Exists(ReadinessTick.objects.filter(learner=learner, statement=OuterRef("pk")))
    )
    rows = []
    for statement in statements.select_related("interview_area").order_by("order"):
        row = StatementRow(statement=statement, ticked=statement.ticked)
        if statement.evidence == Evidence.APPROVED_PROJECTS:
            row.projects = projects
        elif statement.evidence == Evidence.AUTOMATED_CHECK:
            row.projects = [w for w in projects if statement.automated_check in w.passed_keys]
        elif statement.evidence == Evidence.BUG_STORY:
            row.bug_stories = stories
        elif statement.evidence == Evidence.MOCK_INTERVIEW and statement.interview_area:
            row.trend = trend_of.get(
                statement.interview_area_id,
                AreaTrend(area=statement.interview_area, ratings=[]),
            )
        rows.append(row)
    sign_off = sign_off_for(learner=learner, cohort=cohort)
    return Readiness(
        projects=projects,
        bug_stories=stories,
        statements=rows,
        interviews=interviews,
        trends=trends,
        sign_off=sign_off,
    )


def sign_off_for(*, learner, cohort) -> ReadinessSignOff | None:
    """The mentor's sign-off of the learner in `cohort`, with the mentor. One query."""
    if cohort is None:
        return None
    return (
        ReadinessSignOff.objects.filter(learner=learner, cohort=cohort)
        .select_related("mentor")
        .first()
    )


@dataclass
class DashboardReadiness:
    statements: int
    ticked: int
    trends: list[AreaTrend]
    sign_off: ReadinessSignOff | None
    portfolio: object  # learners.Portfolio or None


def readiness_for_dashboard(*, learner, cohort) -> DashboardReadiness:
    """The dashboard's "Ready to apply" section: ticks, each area's trend, the sign-off and the
    portfolio. Four queries (three without a cohort).

    Leaner than the readiness page's reads, as the dashboard is a key page: the trends come
    from the ratings alone (one query, not the interviews and then their ratings), and the
    sign-off and the portfolio, one row at most each, are read without the ORDER BY that
    `first()` adds."""
    counts = (
        ReadinessStatement.objects.filter(is_published=True)
        # The learner's tick, one at most per statement (a unique constraint): a join, not a
        # subquery per statement.
        .alias(mine=FilteredRelation("ticks", condition=Q(ticks__learner=learner)))
        .aggregate(statements=Count("pk"), ticked=Count("mine"))
    )
    return DashboardReadiness(
        statements=counts["statements"],
        ticked=counts["ticked"],
        trends=published_area_trends(learner=learner),
        sign_off=_only_row(
            ReadinessSignOff.objects.filter(learner=learner, cohort=cohort).select_related("mentor")
        )
        if cohort is not None
        else None,
        portfolio=_only_row(Portfolio.objects.filter(learner=learner)),
    )


def published_area_trends(*, learner) -> list[AreaTrend]:
    """area_trends() of the learner's published interviews, read from their ratings alone:
    one query."""
    ratings = (
        MockInterviewRating.objects.filter(
            interview__learner=learner, interview__published_at__isnull=False
        )
        .select_related("area")
        .order_by("interview__held_on", "interview__pk")
    )
    by_area: dict[int, AreaTrend] = {}
    for rating in ratings:
        trend = by_area.setdefault(rating.area_id, AreaTrend(area=rating.area, ratings=[]))
        trend.ratings.append(rating.rating)
    return sorted(by_area.values(), key=lambda trend: trend.area.order)


def _only_row(queryset):
    """The one row of a query that matches at most one (a unique constraint says so), or None."""
    return next(iter(queryset.order_by()), None)


def ready_at_subquery(*, cohort):
    """For a query of users: when each was signed off as ready to apply in `cohort`."""
    sign_offs = ReadinessSignOff.objects.filter(cohort=cohort, learner=OuterRef("pk"))
    return Subquery(sign_offs.values("signed_at")[:1])


def cohort_ready_count(*, cohort) -> int:
    """How many of the cohort's learners a mentor signed off as ready to apply. One query."""
    learners = Membership.objects.filter(cohort=cohort, role=Membership.Role.LEARNER)
    return ReadinessSignOff.objects.filter(
        cohort=cohort, learner__in=learners.values("user_id")
    ).count()
