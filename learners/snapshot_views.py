"""An iteration's automated checks: the section the submission page polls, and "run again"."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from learners.access import get_submission_for_user
from learners.models import Snapshot
from learners.selectors import iteration_automated_checks
from learners.snapshots import SnapshotRefused, snapshot_rerun


@login_required
@require_http_methods(["GET", "POST"])
def iteration_checks(request, pk, number):
    """GET: the iteration's "Automated checks" section alone (what the submission page's
    script polls while a snapshot is pending). POST: run the checks again."""
    submission = get_submission_for_user(request.user, pk)
    iteration = get_object_or_404(submission.iterations, number=number)
    if request.method == "GET":
        return render(
            request,
            "learners/includes/automated_checks.html",
            {"checks": iteration_automated_checks(iteration=iteration), "can_rerun": False},
        )
    snapshot = get_object_or_404(Snapshot, iteration=iteration)
    by_learner = submission.learner_id == request.user.pk
    if not (by_learner or submission.viewer_is_mentor or request.user.is_staff):
        raise Http404
    try:
        snapshot_rerun(snapshot=snapshot, by_learner=by_learner)
    except SnapshotRefused as refused:
        messages.info(request, str(refused))
    else:
        messages.success(request, "The checks are running again; results appear in a minute.")
    return redirect(f"{submission.get_absolute_url()}#checks-{iteration.pk}")
