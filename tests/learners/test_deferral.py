"""Staff move a learner to another cohort (a deferral); their work moves with them."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from bootcamp.models import Notification
from bootcamp.people import display_name
from learners.models import (
    Extension,
    LearnerProgress,
    Membership,
    ProjectDueDate,
    StageTarget,
    Submission,
    SubmissionEvent,
)
from learners.services import (
    MoveRefused,
    TransitionError,
    learner_move,
    learner_progress_refresh,
    submission_claim,
)
from tests.factories import (
    CohortFactory,
    IterationFactory,
    MembershipFactory,
    ProjectFactory,
    StageFactory,
    SubmissionFactory,
    UserFactory,
)

Status = Submission.Status


@pytest.fixture
def later(db):
    return CohortFactory(name="Spring cohort", slug="spring")


@pytest.fixture
def membership(learner, cohort):
    return Membership.objects.get(user=learner, cohort=cohort)


def move_url(membership):
    return f"/admin/learners/membership/{membership.pk}/move/"


def _work(learner, cohort, status, **kwargs):
    submission = SubmissionFactory(learner=learner, cohort=cohort, status=status, **kwargs)
    IterationFactory(submission=submission, number=1)
    SubmissionEvent.objects.create(submission=submission, kind="submitted", actor=learner)
    return submission


def test_moving_takes_the_place_the_work_and_its_history(
    learner, cohort, later, mentor, staff, membership
):
    approved = _work(learner, cohort, Status.APPROVED, approved_at=timezone.now())
    claimed = _work(learner, cohort, Status.IN_REVIEW, claimed_by=mentor, claimed_at=timezone.now())
    learner_progress_refresh(cohort_id=cohort.pk, learner_ids=[learner.pk])

    result = learner_move(membership=membership, to_cohort=later, actor=staff)

    assert (result.submissions, result.extensions_moved, result.extensions_dropped) == (2, [], [])
    assert list(Membership.objects.filter(user=learner).values_list("cohort", "role")) == [
        (later.pk, "learner")
    ]
    assert sorted(Submission.objects.values_list("pk", "cohort", "status")) == sorted(
        [(approved.pk, later.pk, Status.APPROVED), (claimed.pk, later.pk, Status.SUBMITTED)]
    )
    assert list(claimed.events.values_list("kind", "actor").order_by("pk")) == [
        ("submitted", learner.pk),
        ("released", staff.pk),
    ]
    assert approved.iterations.count() == 1
    assert list(LearnerProgress.objects.values_list("cohort", "learner", "approved_required")) == [
        (later.pk, learner.pk, 1)
    ]


@pytest.mark.parametrize("case", ["same", "already_there", "clash", "mentor"])
def test_a_move_that_cannot_be_made_is_refused_and_changes_nothing(
    learner, cohort, later, staff, membership, mentor, case
):
    project = ProjectFactory(title="Calculator")
    _work(learner, cohort, Status.SUBMITTED, project=project)
    target = later
    if case == "same":
        target = cohort
    elif case == "already_there":
        MembershipFactory(cohort=later, user=learner)
    elif case == "clash":
        _work(learner, later, Status.APPROVED, project=project, approved_at=timezone.now())
    elif case == "mentor":
        membership = Membership.objects.get(user=mentor, cohort=cohort)
    before = sorted(Submission.objects.values_list("pk", "cohort"))

    with pytest.raises(MoveRefused) as refusal:
        learner_move(membership=membership, to_cohort=target, actor=staff)

    name = learner.get_full_name()
    assert (
        str(refusal.value)
        == {
            "same": f"{name} is in Demo cohort already.",
            "already_there": f"{name} already has a place in Spring cohort: remove one of the two "
            "places instead.",
            "clash": f"{name} has work on the same projects in Spring cohort already (Calculator); "
            "nothing was moved.",
            "mentor": "Only learners are moved between cohorts; change a mentor's cohorts.",
        }[case]
    )
    assert sorted(Submission.objects.values_list("pk", "cohort")) == before


def test_the_admin_page_moves_a_learner_and_says_so(client_for, staff, learner, later, membership):
    _work(learner, membership.cohort, Status.SUBMITTED)
    client = client_for(staff)

    page = client.get(move_url(membership))
    assert page.status_code == 200
    assert "with 1 submission there" in " ".join(page.content.decode().split())
    assert [c.pk for c in page.context["form"].fields["to_cohort"].queryset] == [later.pk]
    response = client.post(move_url(membership), {"to_cohort": later.pk})

    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        f"{learner} moved from Demo cohort to Spring cohort with 1 submission."
    ]
    assert Membership.objects.get(pk=membership.pk).cohort == later


def test_the_admin_page_shows_a_bad_choice_as_a_form_error(client_for, staff, membership):
    response = client_for(staff).post(move_url(membership), {"to_cohort": "nope"})

    assert response.status_code == 200
    assert response.context["form"].errors["to_cohort"] == [
        "Select a valid choice. That choice is not one of the available choices."
    ]


def test_the_membership_list_links_learners_to_the_move_page(client_for, staff, membership):
    content = client_for(staff).get("/admin/learners/membership/").content.decode()

    assert f'<a href="{move_url(membership)}">Move to another cohort</a>' in content


def test_the_move_page_is_404_for_a_mentors_place_and_closed_to_non_staff(
    client_for, staff, mentor, cohort, membership
):
    mentor_place = Membership.objects.get(user=mentor, cohort=cohort)
    assert client_for(staff).get(move_url(mentor_place)).status_code == 404
    response = client_for(mentor).get(move_url(membership))
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_the_change_form_cannot_change_the_cohort_or_the_user(
    client_for, staff, learner, mentor, later, membership
):
    """Only the Move page moves a learner: a posted cohort on the change form is ignored."""
    client = client_for(staff)
    url = f"/admin/learners/membership/{membership.pk}/change/"
    form = client.get(url).context["adminform"].form
    assert "cohort" not in form.fields
    assert "user" not in form.fields

    response = client.post(
        url,
        {
            "user": mentor.pk,
            "cohort": later.pk,
            "role": "learner",
            "joined_at_0": "2026-01-05",
            "joined_at_1": "09:00:00",
        },
    )

    assert response.status_code == 302
    assert list(Membership.objects.filter(pk=membership.pk).values_list("user", "cohort")) == [
        (learner.pk, membership.cohort_id)
    ]


@pytest.mark.parametrize("take_over", [False, True])
def test_a_claim_from_a_page_shown_before_a_deferral_is_refused(
    learner, later, mentor, other_mentor, staff, membership, take_over
):
    """The claimer saw the work in the old cohort; the move won, so the claim does not."""
    seen = _work(learner, membership.cohort, Status.SUBMITTED)
    learner_move(membership=membership, to_cohort=later, actor=staff)
    if take_over:
        submission_claim(submission=Submission.objects.get(pk=seen.pk), mentor=other_mentor)

    with pytest.raises(TransitionError, match="^This work moved to another cohort.$"):
        submission_claim(
            submission=seen, mentor=staff if take_over else mentor, take_over=take_over
        )

    current = Submission.objects.get(pk=seen.pk)
    assert (current.cohort_id, current.claimed_by_id) == (
        later.pk,
        other_mentor.pk if take_over else None,
    )


def test_extensions_move_where_the_new_cohort_has_the_date_and_the_page_lists_the_rest(
    client_for, learner, later, staff, membership
):
    cohort = membership.cohort
    dated, undated = StageFactory(number=1, slug="one"), StageFactory(number=2, slug="two")
    project = ProjectFactory(stage=dated, title="Calculator")
    StageTarget.objects.create(cohort=later, stage=dated, due_on=datetime.date(2027, 3, 1))
    for where in (cohort, later):
        ProjectDueDate.objects.create(
            cohort=where, project=project, due_on=datetime.date(2027, 3, 9)
        )
    for stage in (dated, undated):
        StageTarget.objects.create(cohort=cohort, stage=stage, due_on=datetime.date(2026, 12, 1))
    on = datetime.date(2026, 12, 20)
    kept_stage = Extension.objects.create(cohort=cohort, learner=learner, stage=dated, due_on=on)
    kept_project = Extension.objects.create(
        cohort=cohort, learner=learner, project=project, due_on=on
    )
    Extension.objects.create(cohort=cohort, learner=learner, stage=undated, due_on=on)

    response = client_for(staff).post(move_url(membership), {"to_cohort": later.pk})

    assert sorted(Extension.objects.values_list("pk", "cohort", "stage", "project")) == sorted(
        [(kept_stage.pk, later.pk, dated.pk, None), (kept_project.pk, later.pk, None, project.pk)]
    )
    assert [str(m) for m in get_messages(response.wsgi_request)][1:] == [
        f"Extensions kept, as Spring cohort has those dates: {dated}, {project}.",
        f"Extensions deleted, as Spring cohort has no such date (or one for them already): "
        f"{undated}.",
    ]


def test_a_move_tells_the_released_claims_holder_and_the_new_cohorts_mentors(
    learner, mentor, later, staff, membership
):
    claimed = _work(
        learner,
        membership.cohort,
        Status.IN_REVIEW,
        claimed_by=mentor,
        claimed_at=timezone.now(),
        project=ProjectFactory(title="Calculator"),
    )
    _work(learner, membership.cohort, Status.APPROVED, approved_at=timezone.now())
    new_mentor = UserFactory(username="grace")
    MembershipFactory(cohort=later, user=new_mentor, role=Membership.Role.MENTOR)

    learner_move(membership=membership, to_cohort=later, actor=staff)

    assert list(Notification.objects.values_list("user", "kind", "text", "url")) == [
        (
            mentor.pk,
            "claim_lapsed",
            f"Your claim on {display_name(learner)}'s project “Calculator” was released: they "
            "moved to Spring cohort",
            "/mentor/queue/",
        ),
        (
            new_mentor.pk,
            "submission_arrived",
            Notification.objects.get(user=new_mentor).text,
            claimed.get_absolute_url(),
        ),
    ]
