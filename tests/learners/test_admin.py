import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.core import mail
from django.utils import timezone

from learners.models import Cohort, Membership, Submission, SubmissionEvent
from tests.factories import (
    IterationFactory,
    ObjectiveCheckFactory,
    ProjectFactory,
    SubmissionFactory,
)

User = get_user_model()


def invite_url(cohort):
    return f"/admin/learners/cohort/{cohort.pk}/invite/"


def test_cohort_change_page_links_to_the_invite_page(client_for, staff, cohort):
    response = client_for(staff).get(f"/admin/learners/cohort/{cohort.pk}/change/")

    assert response.status_code == 200
    assert f'<a href="{invite_url(cohort)}">Invite by e-mail</a>' in response.content.decode()


def test_invite_page_invites_and_returns_to_the_cohort(
    client_for, staff, cohort, django_capture_on_commit_callbacks
):
    client = client_for(staff)
    assert client.get(invite_url(cohort)).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            invite_url(cohort), {"emails": "ada@example.com\ngrace@example.com", "role": "mentor"}
        )

    assert response.status_code == 302
    assert response["Location"] == f"/admin/learners/cohort/{cohort.pk}/change/"
    assert sorted(Membership.objects.filter(cohort=cohort).values_list("user__email", "role")) == [
        ("ada@example.com", "mentor"),
        ("grace@example.com", "mentor"),
    ]
    assert len(mail.outbox) == 2
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "2 addresses processed: 2 new accounts, 2 added to Demo cohort, "
        "2 set-password links e-mailed."
    ]


def test_invite_message_counts_one_in_the_singular(
    client_for, staff, cohort, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(staff).post(
            invite_url(cohort), {"emails": "ada@example.com", "role": "learner"}
        )

    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "1 address processed: 1 new account, 1 added to Demo cohort, 1 set-password link e-mailed."
    ]


def test_invite_page_shows_errors_and_creates_nothing(client_for, staff, cohort):
    response = client_for(staff).post(invite_url(cohort), {"emails": "nope", "role": "learner"})

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "emails": ["These are not valid e-mail addresses: nope"]
    }
    assert User.objects.count() == 1  # the staff user


def test_invite_page_refuses_an_address_longer_than_an_account_holds(client_for, staff, cohort):
    long_address = "a" * 64 + "@" + ".".join(["b" * 60] * 3) + ".example.com"  # 258 chars

    response = client_for(staff).post(
        invite_url(cohort), {"emails": long_address, "role": "learner"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "emails": [
            "These addresses are longer than 254 characters, the most an account can hold: "
            + long_address
        ]
    }
    assert User.objects.count() == 1


def test_invite_page_empty_post_shows_the_required_errors(client_for, staff, cohort):
    response = client_for(staff).post(invite_url(cohort), {})

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "emails": ["This field is required."],
        "role": ["This field is required."],
    }
    assert User.objects.count() == 1


@pytest.mark.parametrize("who", ["learner", "mentor"])
def test_invite_page_is_closed_to_non_staff(client_for, request, cohort, who):
    response = client_for(request.getfixturevalue(who)).get(invite_url(cohort))

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_invite_page_of_unknown_cohort_is_404(client_for, staff, db):
    assert client_for(staff).get("/admin/learners/cohort/999999/invite/").status_code == 404


def test_deleting_a_cohort_with_submissions_is_refused_with_the_protected_page(
    client_for, staff, make_submission, cohort
):
    make_submission()
    client = client_for(staff)

    page = client.get(f"/admin/learners/cohort/{cohort.pk}/delete/")
    posted = client.post(f"/admin/learners/cohort/{cohort.pk}/delete/", {"post": "yes"})

    assert page.status_code == 200
    assert "<title>Cannot delete cohort | bootcamp admin</title>" in page.content.decode()
    assert len(page.context["protected"]) == 1
    assert posted.status_code == 200
    assert Cohort.objects.filter(pk=cohort.pk).exists()


def test_bulk_deleting_a_cohort_with_submissions_is_refused(
    client_for, staff, make_submission, cohort
):
    make_submission()

    response = client_for(staff).post(
        "/admin/learners/cohort/",
        {"action": "delete_selected", "_selected_action": [cohort.pk], "post": "yes"},
    )

    assert response.status_code == 200
    assert Cohort.objects.filter(pk=cohort.pk).exists()


@pytest.mark.parametrize(
    "query", ["", "?q=ada", "?status__exact=submitted", "?cohort__id__exact=1", "?o=6"]
)
def test_submission_list_loads_with_filters_and_search(client_for, staff, make_submission, query):
    make_submission(iterations=2)

    assert client_for(staff).get(f"/admin/learners/submission/{query}").status_code == 200


def test_submission_search_finds_by_learner(client_for, staff, make_submission, other_learner):
    mine = make_submission()

    response = client_for(staff).get("/admin/learners/submission/?q=ada@example")

    assert list(response.context["cl"].result_list) == [mine]


@pytest.mark.parametrize("count", [1, 5])
def test_submission_list_query_count_is_flat(
    client_for, staff, cohort, learner, mentor, django_assert_num_queries, count
):
    for _ in range(count):
        SubmissionFactory(
            learner=learner,
            cohort=cohort,
            project=ProjectFactory(),
            status=Submission.Status.IN_REVIEW,
            claimed_by=mentor,
            claimed_at=timezone.now(),
        )
    client = client_for(staff)

    with django_assert_num_queries(10):
        response = client.get("/admin/learners/submission/")

    assert len(response.context["cl"].result_list) == count


def test_submission_change_page_is_read_only_and_cannot_add_or_delete(
    client_for, staff, make_submission
):
    submission = make_submission(iterations=2)
    client = client_for(staff)

    page = client.get(f"/admin/learners/submission/{submission.pk}/change/")
    client.post(f"/admin/learners/submission/{submission.pk}/change/", {"status": "approved"})

    assert page.status_code == 200
    assert 'name="status"' not in page.content.decode()
    submission.refresh_from_db()
    assert submission.status == Submission.Status.SUBMITTED
    assert client.get("/admin/learners/submission/add/").status_code == 403
    assert client.get(f"/admin/learners/submission/{submission.pk}/delete/").status_code == 403


def test_iteration_and_objective_check_admin_pages_load(client_for, staff, learner):
    iteration = IterationFactory()
    check = ObjectiveCheckFactory(learner=learner)
    client = client_for(staff)

    for url in [
        "/admin/learners/iteration/",
        f"/admin/learners/iteration/{iteration.pk}/change/",
        "/admin/learners/objectivecheck/",
        f"/admin/learners/objectivecheck/{check.pk}/change/",
    ]:
        assert client.get(url).status_code == 200, url


def test_submission_change_page_shows_its_history_read_only(
    client_for, staff, mentor, make_submission
):
    submission = make_submission()
    SubmissionEvent.objects.create(submission=submission, kind="claimed", actor=mentor)
    SubmissionEvent.objects.create(submission=submission, kind="lapsed", actor=mentor)

    content = client_for(staff).get(f"/admin/learners/submission/{submission.pk}/change/")
    content = content.content.decode()

    kinds = re.findall(r'<td class="field-kind">\s*<p>([^<]*)</p>', content)
    assert kinds == ["Claimed", "Claim lapsed"]
    assert 'name="events-0-kind"' not in content  # nothing to edit
