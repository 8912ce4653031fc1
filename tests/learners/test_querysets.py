"""The one definition of "a mentor's cohorts" and "submissions a user may review"."""

from learners.models import Cohort, Membership, Submission
from tests.factories import CohortFactory, MembershipFactory, SubmissionFactory


def test_for_mentor_is_the_cohorts_the_user_mentors_only(cohort, mentor, learner, staff):
    other = CohortFactory(slug="other")
    MembershipFactory(cohort=other, user=mentor, role=Membership.Role.LEARNER)

    assert list(Cohort.objects.for_mentor(mentor)) == [cohort]
    assert list(Cohort.objects.for_mentor(learner)) == []
    assert list(Cohort.objects.for_mentor(staff)) == []


def test_reviewable_cohorts_are_all_for_staff_and_the_mentored_ones_otherwise(
    cohort, mentor, other_mentor, staff
):
    other = Cohort.objects.exclude(pk=cohort.pk).get()

    assert list(Cohort.objects.reviewable_by(mentor)) == [cohort]
    assert list(Cohort.objects.reviewable_by(other_mentor)) == [other]
    assert set(Cohort.objects.reviewable_by(staff)) == {cohort, other}


def test_reviewable_submissions_follow_the_mentored_cohorts(
    cohort, learner, mentor, other_mentor, staff
):
    mine = SubmissionFactory(cohort=cohort, learner=learner)
    elsewhere = SubmissionFactory(cohort=Cohort.objects.exclude(pk=cohort.pk).get())

    assert list(Submission.objects.reviewable_by(mentor)) == [mine]
    assert list(Submission.objects.reviewable_by(other_mentor)) == [elsewhere]
    assert list(Submission.objects.reviewable_by(learner)) == []
    assert set(Submission.objects.reviewable_by(staff)) == {mine, elsewhere}
