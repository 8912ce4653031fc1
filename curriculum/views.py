# Placeholder until the curriculum issue lands its pages.
from django.http import Http404


def stage_list(request):
    raise Http404


def stage_detail(request, slug):
    raise Http404


def project_detail(request, slug):
    raise Http404
