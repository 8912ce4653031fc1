# Placeholder until the reviews issue lands its pages.
from django.http import Http404


def _missing(request, *args, **kwargs):
    raise Http404


queue = claim = release = review = learner_progress = reply_create = _missing
