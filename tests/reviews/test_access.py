"""reviews.access: a reviewer's reach is their cohorts' work (staff: everyone's); the rest 404s."""

import pytest
from django.http import Http404

from reviews.access import get_learner_for_reviewer, get_submission_for_reviewer, require_reviewer


@pytest.mark.parametrize("who", ["mentor", "staff"])
def test_the_cohorts_mentor_and_staff_reach_its_submission(request, submission, who):
    user = request.getfixturevalue(who)

    found = get_submission_for_reviewer(user, submission.pk)

    assert found == submission
    assert found.learner.username == "ada"  # select_related, no query of its own


@pytest.mark.parametrize("who", ["other_mentor", "learner", "other_learner"])
def test_anyone_else_gets_404_for_a_submission(request, submission, who):
    with pytest.raises(Http404):
        get_submission_for_reviewer(request.getfixturevalue(who), submission.pk)


def test_a_reviewer_reaches_a_learner_of_their_cohort(mentor, cohort, learner):
    assert get_learner_for_reviewer(mentor, cohort_pk=cohort.pk, learner_pk=learner.pk) == (
        cohort,
        learner,
    )


@pytest.mark.parametrize(
    ("who", "whom"),
    [("other_mentor", "learner"), ("mentor", "mentor"), ("learner", "other_learner")],
    ids=["other-cohort", "not-a-learner", "not-a-reviewer"],
)
def test_a_learner_outside_the_reviewers_reach_is_404(request, cohort, who, whom):
    user, target = request.getfixturevalue(who), request.getfixturevalue(whom)

    with pytest.raises(Http404):
        get_learner_for_reviewer(user, cohort_pk=cohort.pk, learner_pk=target.pk)


@pytest.mark.parametrize(
    ("who", "allowed"), [("mentor", True), ("staff", True), ("learner", False)]
)
def test_only_mentors_and_staff_pass_the_reviewer_gate(request, who, allowed):
    try:
        require_reviewer(request.getfixturevalue(who))
        passed = True
    except Http404:
        passed = False

    assert passed is allowed
