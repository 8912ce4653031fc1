"""The cohort overview: the list of cohorts, the progress grid with its figures, the CSV."""

import csv
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from bootcamp.access import roles_for
from learners.forms import CohortGridForm
from learners.overview import (
    CELL_STATES,
    cohort_figures,
    cohort_grid,
    cohort_weekly,
    cohorts_for_list,
    get_cohort_for_user,
    humanise_duration,
    weekly_chart,
)

LEARNERS_PER_PAGE = 100


@login_required
@require_safe
def cohort_list(request):
    roles = roles_for(request.user)
    if not (roles.is_mentor or roles.is_staff):
        raise Http404
    page = Paginator(cohorts_for_list(request.user), 25).get_page(request.GET.get("page"))
    return render(request, "learners/cohort_list.html", {"page": page})


@login_required
@require_safe
def cohort_detail(request, slug):
    cohort = get_cohort_for_user(request.user, slug)
    sort = CohortGridForm(request.GET).chosen_sort()
    stages, rows = cohort_grid(cohort, sort=sort)
    figures = cohort_figures(cohort, learners=len(rows))
    weekly = cohort_weekly(cohort)
    page = Paginator(rows, LEARNERS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "cohort": cohort,
        "stages": stages,
        "page": page,
        "sort": sort,
        "page_query": urlencode({"sort": sort}),  # the pagination links keep the order
        "states": CELL_STATES,
        "figures": figures,
        "median_week": humanise_duration(figures.median_week),
        "median_overall": humanise_duration(figures.median_overall),
        "weekly": weekly,
        "chart": weekly_chart(weekly),
    }
    return render(request, "learners/cohort_detail.html", context)


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


@login_required
@require_safe
def cohort_progress_csv(request, slug):
    cohort = get_cohort_for_user(request.user, slug)
    # Everything is read before the first byte goes out; the stream only formats.
    stages, rows = cohort_grid(cohort, sort="name")
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff"  # BOM: spreadsheets then read the file as UTF-8
        header = ["Username", "Full name", "E-mail"]
        header += [spreadsheet_safe(f"{stage.number}. {stage.title}") for stage in stages]
        header += ["Overall %", "Approved projects", "Submissions waiting"]
        yield writer.writerow(header)
        for row in rows:
            user = row.user
            values = [user.get_username(), user.get_full_name(), user.email]
            values += [state.label for _, state in row.cells]
            values += [row.percent, row.approved, row.waiting]
            yield writer.writerow([spreadsheet_safe(v) for v in values])

    filename = f"{cohort.slug}-progress-{timezone.localdate().isoformat()}.csv"
    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
