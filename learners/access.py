"""Who may reach what: one helper per kind of object, each answering 404 (never 403, so ids
stay secret) for anything outside the user's reach.

The rules themselves are QuerySet methods that take the user explicitly
(`Submission.objects.visible_to(user)`, `Cohort.objects.reviewable_by(user)`,
`Stage.objects.visible_to(user)`); these helpers add the `select_related` each page needs.
"""

from functools import wraps

from django.http import Http404
from django.shortcuts import get_object_or_404

from curriculum.models import Project, Stage
from learners.models import Cohort, Membership, Submission
from learners.selectors import stages_for_detail


def reviewer_required(view):
    """404 unless `request.roles` says the user mentors a cohort or is staff."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.roles.is_reviewer:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def get_stage_for_user(user, slug) -> Stage:
    """A published stage, with what its page shows; staff also reach archived ones, to
    preview them."""
    return get_object_or_404(stages_for_detail(user=user).visible_to(user), slug=slug)


def get_project_for_user(user, slug) -> Project:
    """A published project of a published stage; staff also reach archived ones."""
    return get_object_or_404(Project.objects.for_project_detail().visible_to(user), slug=slug)


def get_cohort_for_user(user, slug) -> Cohort:
    """A cohort its mentors and staff oversee."""
    return get_object_or_404(Cohort.objects.reviewable_by(user), slug=slug)


def get_membership_for_user(user, *, cohort_pk, learner_pk) -> Membership:
    """A learner's membership of a cohort the user oversees, with the cohort and the learner."""
    memberships = Membership.objects.filter(
        cohort__in=Cohort.objects.reviewable_by(user), role=Membership.Role.LEARNER
    ).select_related("cohort", "user")
    return get_object_or_404(memberships, cohort_id=cohort_pk, user_id=learner_pk)


def get_submission_for_user(user, pk, *, to_review=False) -> Submission:
    """A submission its learner, its cohort's mentors and staff may open; with `to_review`,
    only its cohort's mentors and staff. Annotated with `viewer_is_mentor`."""
    if to_review:
        submissions = Submission.objects.reviewable_by(user)
    else:
        submissions = Submission.objects.visible_to(user)
    submissions = submissions.with_viewer_is_mentor(user).select_related(
        "learner", "project__stage", "cohort", "claimed_by"
    )
    return get_object_or_404(submissions, pk=pk)
