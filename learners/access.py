"""Who may see which submission: its learner, the mentors of its cohort, and staff."""

from django.db.models import Exists, OuterRef, Value
from django.shortcuts import get_object_or_404

from learners.models import Membership, Submission


def submissions_visible_to(user):
    """Submissions the user may open, each annotated with `viewer_is_mentor` (no extra query)."""
    mentors_it = Exists(
        Membership.objects.filter(cohort=OuterRef("cohort"), user=user, role=Membership.Role.MENTOR)
    )
    submissions = Submission.objects.select_related(
        "learner", "project__stage", "cohort", "claimed_by"
    ).annotate(viewer_is_mentor=mentors_it if user.is_authenticated else Value(False))
    if not user.is_authenticated:
        return submissions.none()
    if user.is_staff:
        return submissions
    return submissions.filter(learner=user) | submissions.filter(viewer_is_mentor=True)


def get_submission_for_user(user, pk) -> Submission:
    """The submission, or 404 when it is outside the user's reach (never 403: ids stay secret)."""
    return get_object_or_404(submissions_visible_to(user), pk=pk)
