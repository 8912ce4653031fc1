"""Who may work as a reviewer on what: the cohorts' mentors on their cohorts, staff on all.

Everything outside a user's reach answers 404, never 403, so no one learns which ids exist.
(A submission's learner reaches it through learners.access, not here.)
"""

from django.contrib.auth import get_user_model
from django.http import Http404
from django.shortcuts import get_object_or_404

from learners.models import Cohort, Membership, Submission
from learners.roles import roles_for


def require_reviewer(user) -> None:
    """404 unless the user mentors a cohort or is staff (the queue's gate)."""
    roles = roles_for(user)
    if not (roles.is_mentor or roles.is_staff):
        raise Http404


def get_submission_for_reviewer(user, pk) -> Submission:
    submissions = Submission.objects.reviewable_by(user).select_related(
        "learner", "project__stage", "cohort", "claimed_by"
    )
    return get_object_or_404(submissions, pk=pk)


def get_learner_for_reviewer(user, *, cohort_pk, learner_pk):
    """(cohort, learner) when the user may review the cohort and the learner is in it."""
    cohort = get_object_or_404(Cohort.objects.reviewable_by(user), pk=cohort_pk)
    learners = get_user_model().objects.filter(
        memberships__cohort=cohort, memberships__role=Membership.Role.LEARNER
    )
    return cohort, get_object_or_404(learners, pk=learner_pk)
