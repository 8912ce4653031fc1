"""Who may see which submission: its learner, the mentors of its cohort, and staff."""

from django.db.models import Exists, OuterRef, Q, Value
from django.shortcuts import get_object_or_404

from learners.models import Cohort, Submission


def submissions_visible_to(user):
    """Submissions the user may open, each annotated with `viewer_is_mentor` (no extra query)."""
    submissions = Submission.objects.select_related(
        "learner", "project__stage", "cohort", "claimed_by"
    )
    if not user.is_authenticated:
        return submissions.annotate(viewer_is_mentor=Value(False)).none()
    mentors_it = Exists(Cohort.objects.for_mentor(user).filter(pk=OuterRef("cohort_id")))
    submissions = submissions.annotate(viewer_is_mentor=mentors_it)
    if user.is_staff:
        return submissions
    return submissions.filter(Q(learner=user) | Q(viewer_is_mentor=True))


def get_submission_for_user(user, pk) -> Submission:
    """The submission, or 404 when it is outside the user's reach (never 403: ids stay secret)."""
    return get_object_or_404(submissions_visible_to(user), pk=pk)
