"""learners.access: each helper reaches what the user may see and answers 404 for the rest."""

import pytest
from django.http import Http404, HttpResponse
from django.test import RequestFactory
from django.utils import timezone

from bootcamp.models import Notification, NotificationKind
from learners.access import (
    get_cohort_for_user,
    get_membership_for_user,
    get_project_for_user,
    get_stage_for_user,
    get_submission_for_user,
    reviewer_required,
)
from learners.models import Membership
from learners.roles import Roles, RolesMiddleware, roles_for
from tests.factories import CohortFactory, MembershipFactory, ProjectFactory, StageFactory


@pytest.fixture
def submission(make_submission):
    return make_submission()


@pytest.mark.parametrize("who", ["mentor", "staff"])
def test_the_cohorts_mentor_and_staff_reach_its_submission_to_review(
    request, submission, learner, who, django_assert_num_queries
):
    user = request.getfixturevalue(who)

    with django_assert_num_queries(1):  # the learner, project and cohort come along
        found = get_submission_for_user(user, submission.pk, to_review=True)
        assert (found.learner.username, found.cohort) == (learner.username, submission.cohort)

    assert found == submission
    assert found.viewer_is_mentor is (who == "mentor")


@pytest.mark.parametrize("who", ["other_mentor", "learner", "other_learner"])
def test_anyone_else_gets_404_for_a_submission_to_review(request, submission, who):
    with pytest.raises(Http404):
        get_submission_for_user(request.getfixturevalue(who), submission.pk, to_review=True)


@pytest.mark.parametrize(
    ("who", "reaches"),
    [
        ("learner", True),
        ("mentor", True),
        ("staff", True),
        ("other_learner", False),
        ("other_mentor", False),
    ],
)
def test_its_learner_also_opens_a_submission(request, submission, who, reaches):
    try:
        get_submission_for_user(request.getfixturevalue(who), submission.pk)
        found = True
    except Http404:
        found = False

    assert found is reaches


@pytest.mark.parametrize("who", ["mentor", "staff"])
def test_a_cohort_is_reached_by_its_mentors_and_staff(request, cohort, who):
    assert get_cohort_for_user(request.getfixturevalue(who), cohort.slug) == cohort


@pytest.mark.parametrize("who", ["other_mentor", "learner"])
def test_a_cohort_is_404_to_anyone_else(request, cohort, who):
    with pytest.raises(Http404):
        get_cohort_for_user(request.getfixturevalue(who), cohort.slug)


def test_a_reviewer_reaches_a_learner_of_their_cohort(mentor, cohort, learner):
    membership = get_membership_for_user(mentor, cohort_pk=cohort.pk, learner_pk=learner.pk)

    assert (membership.cohort, membership.user) == (cohort, learner)


@pytest.mark.parametrize(
    ("who", "whom"),
    [("other_mentor", "learner"), ("mentor", "mentor"), ("learner", "other_learner")],
    ids=["other-cohort", "not-a-learner", "not-a-reviewer"],
)
def test_a_learner_outside_the_reviewers_reach_is_404(request, cohort, who, whom):
    user, target = request.getfixturevalue(who), request.getfixturevalue(whom)

    with pytest.raises(Http404):
        get_membership_for_user(user, cohort_pk=cohort.pk, learner_pk=target.pk)


def test_archived_curriculum_is_404_except_to_staff(learner, staff):
    stage = StageFactory(is_published=False)
    project = ProjectFactory(stage=stage)

    assert get_stage_for_user(staff, stage.slug) == stage
    assert get_project_for_user(staff, project.slug) == project
    with pytest.raises(Http404):
        get_stage_for_user(learner, stage.slug)
    with pytest.raises(Http404):
        get_project_for_user(learner, project.slug)


@pytest.mark.parametrize(
    ("who", "allowed"), [("mentor", True), ("staff", True), ("learner", False)]
)
def test_only_mentors_and_staff_pass_the_reviewer_gate(request, who, allowed):
    page = reviewer_required(lambda request: HttpResponse("the queue"))
    get = RequestFactory().get("/mentor/queue/")
    get.user = request.getfixturevalue(who)
    get.roles = roles_for(get.user)
    try:
        passed = page(get).content == b"the queue"
    except Http404:
        passed = False

    assert passed is allowed


def test_roles_come_from_the_memberships(learner, mentor, staff, django_user_model):
    nobody = django_user_model.objects.create_user("nobody")

    assert roles_for(learner) == Roles(is_learner=True)
    assert roles_for(mentor) == Roles(is_mentor=True)
    assert roles_for(staff) == Roles(is_staff=True)
    assert roles_for(nobody) == Roles()


def test_roles_count_unread_notifications_once_whatever_the_memberships(
    learner, staff, django_user_model
):
    for cohort in (CohortFactory(), CohortFactory()):  # mentor of two cohorts, learner of one
        MembershipFactory(cohort=cohort, user=learner, role=Membership.Role.MENTOR)
    for user, unread, read in [(learner, 3, 2), (staff, 1, 1)]:
        for n in range(unread + read):
            Notification.objects.create(
                user=user,
                kind=NotificationKind.REPLY_POSTED,
                text=f"Note {n}",
                url="/stages/",
                read_at=timezone.now() if n >= unread else None,
            )

    assert roles_for(learner) == Roles(is_learner=True, is_mentor=True, unread_notifications=3)
    assert roles_for(staff) == Roles(is_staff=True, unread_notifications=1)


def test_request_roles_are_read_on_first_use_only(mentor, django_assert_num_queries):
    seen = []
    middleware = RolesMiddleware(lambda request: seen.append(request) or HttpResponse())
    get = RequestFactory().get("/")
    get.user = mentor

    with django_assert_num_queries(0):
        middleware(get)
    with django_assert_num_queries(1):
        assert (seen[0].roles.is_mentor, seen[0].roles.is_reviewer) == (True, True)
        assert seen[0].roles.is_learner is False
