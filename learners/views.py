# Placeholder until the submissions and cohort issues land their pages.
from django.http import Http404


def _missing(request, *args, **kwargs):
    raise Http404


dashboard = submission_create = submission_detail = submission_resubmit = _missing
objective_toggle = cohort_list = cohort_detail = cohort_progress_csv = _missing
