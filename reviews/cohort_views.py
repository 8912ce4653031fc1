"""Oversight of a cohort: the list of cohorts, the progress grid with its figures, the CSV,
and one learner's progress in it."""

import csv
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.template.defaultfilters import floatformat
from django.utils import timezone
from django.views.decorators.http import require_safe

from learners.access import get_cohort_for_user, get_membership_for_user, reviewer_required
from learners.selectors import cohort_checks_by_learner, progress_overall
from learners.selectors import learner_progress as progress_for
from reviews import selectors
from reviews.forms import CohortGridForm
from reviews.overview import (
    CELL_STATES,
    CohortGrid,
    cohort_figures,
    cohort_weekly,
    cohorts_for_list,
    weekly_chart,
)
from reviews.wording import duration

LEARNERS_PER_PAGE = 50


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
    grid = CohortGrid(cohort, sort=CohortGridForm(request.GET).chosen_sort())
    page = Paginator(grid.learners(), LEARNERS_PER_PAGE).get_page(request.GET.get("page"))
    figures = cohort_figures(cohort, learners=page.paginator.count)
    weekly = cohort_weekly(cohort)
    context = {
        "cohort": cohort,
        "stages": grid.stages,
        "rows": grid.rows(page.object_list),
        "page": page,
        "sort": grid.sort,
        "sort_label": grid.sort_label,
        "page_query": urlencode({"sort": grid.sort}),  # the pagination links keep the order
        "states": CELL_STATES,
        "figures": figures,
        "median_week": duration(figures.median_week),
        "median_overall": duration(figures.median_overall),
        "weekly": weekly,
        "chart": weekly_chart(weekly),
    }
    return render(request, "reviews/cohort_detail.html", context)


@login_required
@require_safe
def learner_progress(request, cohort_pk, learner_pk):
    membership = get_membership_for_user(request.user, cohort_pk=cohort_pk, learner_pk=learner_pk)
    cohort, learner = membership.cohort, membership.user
    progress = progress_for(learner=learner, cohort=cohort)
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


def figure_rows(figures, weekly) -> list[tuple[str, object]]:
    """(label, value) for each figure the cohort page shows, with the same numbers."""
    return [
        ("Learners", figures.learners),
        ("Waiting for review", figures.waiting),
        (f"Overdue (waiting over {figures.overdue_hours} h)", figures.overdue),
        ("Median time to a verdict, last 7 days (hours)", _hours(figures.median_week)),
        ("Median time to a verdict, overall (hours)", _hours(figures.median_overall)),
        ("Approvals per week", str(floatformat(weekly.approvals_per_week, 1))),
    ]


@login_required
@require_safe
def cohort_progress_csv(request, slug):
    cohort = get_cohort_for_user(request.user, slug)
    # Everything is read before the first byte goes out; the stream only formats.
    grid = CohortGrid(cohort, sort="name")
    stages, rows = grid.stages, grid.all_rows()
    figures = figure_rows(cohort_figures(cohort, learners=len(rows)), cohort_weekly(cohort))
    checks = cohort_checks_by_learner(cohort=cohort)
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff"  # BOM: spreadsheets then read the file as UTF-8
        header = ["Username", "Full name", "E-mail"]
        header += [spreadsheet_safe(f"{stage.number}. {stage.title}") for stage in stages]
        header += ["Overall %", "Approved projects", "Submissions waiting"]
        header += ["Automated checks passed", "Automated checks failed"]
        yield writer.writerow(header)
        for row in rows:
            user = row.user
            values = [user.get_username(), user.get_full_name(), user.email]
            values += [state.label for _, state in row.cells]
            values += [row.percent, row.approved, row.waiting]
            values += checks.get(user.pk, ("", ""))
            yield writer.writerow([spreadsheet_safe(v) for v in values])
        # The page's "At a glance" figures, below a blank row so the table above stays a table.
        yield writer.writerow([])
        yield writer.writerow(["Figure", "Value"])
        for label, value in figures:
            yield writer.writerow([spreadsheet_safe(label), spreadsheet_safe(value)])

    filename = f"{cohort.slug}-progress-{timezone.localdate().isoformat()}.csv"
    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
