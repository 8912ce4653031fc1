"""Oversight of a cohort: the list of cohorts, the progress grid with its figures, the CSV,
and one learner's progress in it."""

import csv
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.template.defaultfilters import floatformat
from django.utils import timezone
from django.views.decorators.http import require_safe

from learners.access import get_cohort_for_user, get_membership_for_user, reviewer_required
from learners.models import Membership
from learners.pacing import learner_schedule
from learners.selectors import cohort_checks_by_learner, progress_overall, with_dates
from learners.selectors import learner_progress as progress_for
from reviews import selectors
from reviews.forms import CohortCsvForm, CohortGridForm
from reviews.overview import (
    CELL_STATES,
    CohortGrid,
    cohort_at_risk,
    cohort_figures,
    cohort_weekly,
    cohorts_for_list,
    weekly_chart,
)
from reviews.readiness import cohort_ready_count
from reviews.wording import duration

# A row is six state cells and its learner; 25 rows are about a third of what the page costs to
# render (50 were over half). Pages keep the grid's order; the CSV has every learner.
LEARNERS_PER_PAGE = 25
# The learners at risk the top of the overview names, furthest behind first (each costs its
# row and its link); the count says how many there are, the CSV lists every one with why.
AT_RISK_ON_PAGE = 10


@login_required
@require_safe
@reviewer_required
def cohort_list(request):
    page = Paginator(cohorts_for_list(request.user), 25).get_page(request.GET.get("page"))
    return render(request, "reviews/cohort_list.html", {"page": page})


@login_required
@require_safe
def cohort_detail(request, slug):
    cohort = get_cohort_for_user(request.user, slug)
    now = timezone.now()
    grid = CohortGrid(cohort, sort=CohortGridForm(request.GET).chosen_sort(), now=now)
    page = Paginator(grid.learners(), LEARNERS_PER_PAGE).get_page(request.GET.get("page"))
    figures = cohort_figures(cohort, learners=page.paginator.count)
    weekly = cohort_weekly(cohort)
    context = {
        "cohort": cohort,
        "today": grid.today,
        "at_risk": cohort_at_risk(cohort, now=now, pace=grid.pace, shown=AT_RISK_ON_PAGE),
        "idle_days": settings.AT_RISK_IDLE_DAYS,
        "stages": grid.stages,
        "stage_headers": grid.stage_headers(),
        "rows": grid.rows(page.object_list),
        "page": page,
        "sort": grid.sort,
        "sort_label": grid.sort_label,
        "page_query": urlencode({"sort": grid.sort}),  # the pagination links keep the order
        "states": CELL_STATES,
        "figures": figures,
        "ready": cohort_ready_count(cohort=cohort),
        "median_week": duration(figures.median_week),
        "median_overall": duration(figures.median_overall),
        "weekly": weekly,
        "chart": weekly_chart(weekly),
        # For a phone: drawn at half the width, so its 12-unit text is not scaled below ~10px.
        "chart_narrow": weekly_chart(weekly, width=380, height=260, max_labels=6),
    }
    return render(request, "reviews/cohort_detail.html", context)


@login_required
@require_safe
def learner_progress(request, cohort_pk, learner_pk):
    membership = get_membership_for_user(request.user, cohort_pk=cohort_pk, learner_pk=learner_pk)
    cohort, learner = membership.cohort, membership.user
    schedule = learner_schedule(learner=learner, cohort=cohort)
    progress = with_dates(progress_for(learner=learner, cohort=cohort), schedule)
    return render(
        request,
        "reviews/learner_progress.html",
        {
            "cohort": cohort,
            "learner": learner,
            "progress": progress,
            "overall": progress_overall(progress),
            "submissions": selectors.submissions_of_learner(cohort=cohort, learner=learner),
        },
    )


class _Echo:
    """A file-like object whose write() hands the line back, for csv.writer to stream."""

    def write(self, value):
        return value


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """Text a spreadsheet would run as a formula gets a leading apostrophe; numbers pass."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _hours(value) -> str:
    """A duration in hours with one decimal, rounded as the page rounds; empty for none."""
    return "" if value is None else str(floatformat(value.total_seconds() / 3600, 1))


def figure_rows(figures, weekly, at_risk) -> list[tuple[str, object]]:
    """(label, value) for each figure the cohort page shows, with the same numbers."""
    return [
        ("Learners", figures.learners),
        ("Learners on track", at_risk.on_track),
        ("Learners at risk", at_risk.count),
        ("Waiting for review", figures.waiting),
        ("In review", figures.in_review),
        (f"Overdue (no verdict after {figures.overdue_hours} h)", figures.overdue),
        ("Median time to a verdict, last 7 days (hours)", _hours(figures.median_week)),
        ("Median time to a verdict, overall (hours)", _hours(figures.median_overall)),
        ("Approvals per week", str(floatformat(weekly.approvals_per_week, 1))),
    ]


def _csv_response(lines, filename):
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_safe
def cohort_progress_csv(request, slug):
    """One table, a row per learner; `?part=figures` answers the page's figures instead."""
    cohort = get_cohort_for_user(request.user, slug)
    form = CohortCsvForm(request.GET)
    writer = csv.writer(_Echo())
    day = timezone.localdate().isoformat()
    now = timezone.now()
    if form.chosen_part() == "figures":
        figures = figure_rows(
            cohort_figures(
                cohort,
                learners=Membership.objects.filter(
                    cohort=cohort, role=Membership.Role.LEARNER
                ).count(),
            ),
            cohort_weekly(cohort),
            cohort_at_risk(cohort, now=now),
        )
        figures.append(("Learners ready to apply", cohort_ready_count(cohort=cohort)))

        def figure_lines():
            yield "\ufeff"
            yield writer.writerow(["Figure", "Value"])
            for label, value in figures:
                yield writer.writerow([spreadsheet_safe(label), spreadsheet_safe(value)])

        return _csv_response(figure_lines(), f"{cohort.slug}-figures-{day}.csv")
    # Everything is read before the first byte goes out; the stream only formats.
    grid = CohortGrid(cohort, sort="name", now=now)
    stages, rows = grid.stages, grid.all_rows()
    checks = cohort_checks_by_learner(cohort=cohort)

    def lines():
        yield "\ufeff"  # BOM: spreadsheets then read the file as UTF-8
        header = ["Username", "Full name", "E-mail"]
        header += [spreadsheet_safe(f"{stage.number}. {stage.title}") for stage in stages]
        header += ["Overall %", "Required projects approved", "Required projects"]
        header += ["Submissions waiting", "In review"]
        header += ["Automated checks passed", "Automated checks failed"]
        header += ["Behind on stages", "Last activity", "At risk because"]
        header += ["Ready to apply"]
        yield writer.writerow(header)
        for row in rows:
            user, pace = row.user, row.pace
            values = [user.get_username(), user.get_full_name(), user.email]
            values += [_cell_text(cell) for cell in row.cells]
            values += [row.percent, row.approved_required, row.required]
            values += [row.waiting, row.in_review]
            values += checks.get(user.pk, ("", ""))
            values += [
                "; ".join(str(cell.stage.number) for cell in row.behind),  # "1; 2"
                _local_date(pace.last_active_at, cohort),
                "; ".join(pace.reasons),
            ]
            values.append(_local_date(row.ready_at, cohort))  # the sign-off's day
            yield writer.writerow([spreadsheet_safe(v) for v in values])

    return _csv_response(lines(), f"{cohort.slug}-progress-{day}.csv")


def _cell_text(cell) -> str:
    """The cell as the grid words it: its state, and how late when the learner is behind."""
    if cell.is_behind:
        return f"{cell.state.label} (behind: {cell.due.text})"
    return cell.state.label


def _local_date(value, cohort) -> str:
    return "" if value is None else timezone.localtime(value, cohort.zone).date().isoformat()
