"""The one definition of "a mentor's cohorts", "submissions a user may review" and "may open"."""

from learners.models import Cohort, Membership, Submission
from tests.factories import CohortFactory, MembershipFactory, SubmissionFactory


def test_mentored_by_is_the_cohorts_the_user_mentors_only(cohort, mentor, learner, staff):
    other = CohortFactory(slug="other")
    MembershipFactory(cohort=other, user=mentor, role=Membership.Role.LEARNER)

    assert list(Cohort.objects.mentored_by(mentor)) == [cohort]
    assert list(Cohort.objects.mentored_by(learner)) == []
    assert list(Cohort.objects.mentored_by(staff)) == []


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


def test_mentored_by_reads_the_memberships_each_time_it_runs(cohort, mentor):
    # Nothing is remembered on the user object: a cohort joined meanwhile shows at once.
    assert list(Cohort.objects.mentored_by(mentor)) == [cohort]
    other = CohortFactory(slug="other")
    MembershipFactory(cohort=other, user=mentor, role=Membership.Role.MENTOR)

    assert set(Cohort.objects.mentored_by(mentor)) == {cohort, other}


def test_visible_submissions_are_the_learners_own_and_the_reviewable_ones(
    cohort, learner, other_learner, mentor, other_mentor, staff
):
    mine = SubmissionFactory(cohort=cohort, learner=learner)
    theirs = SubmissionFactory(cohort=cohort, learner=other_learner)
    elsewhere = SubmissionFactory(cohort=Cohort.objects.exclude(pk=cohort.pk).get())

    assert list(Submission.objects.visible_to(learner)) == [mine]
    assert set(Submission.objects.visible_to(mentor)) == {mine, theirs}
    assert list(Submission.objects.visible_to(other_mentor)) == [elsewhere]
    assert set(Submission.objects.visible_to(staff)) == {mine, theirs, elsewhere}


def test_viewer_is_mentor_is_true_only_for_the_cohorts_mentors(cohort, learner, mentor, staff):
    work = SubmissionFactory(cohort=cohort, learner=learner)

    def flag(user):
        return Submission.objects.with_viewer_is_mentor(user).get(pk=work.pk).viewer_is_mentor

    assert (flag(mentor), flag(learner), flag(staff)) == (True, False, False)
