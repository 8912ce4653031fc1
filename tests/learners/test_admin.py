import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.core import mail
from django.utils import timezone

from bootcamp.models import OutboxMessage
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


def test_invite_page_reports_each_address_and_returns_to_itself(
    client_for, staff, cohort, learner, deliver_mail
):
    client = client_for(staff)
    assert client.get(invite_url(cohort)).status_code == 200

    response = client.post(
        invite_url(cohort),
        {"emails": "ada@example.com\ngrace@example.com\nnew@example.com", "role": "learner"},
    )

    assert response.status_code == 302
    assert response["Location"] == invite_url(cohort)
    assert sorted(Membership.objects.filter(cohort=cohort).values_list("user__email", "role")) == [
        ("ada@example.com", "learner"),
        ("grace@example.com", "learner"),
        ("new@example.com", "learner"),
    ]
    # Queued, not "e-mailed": the page says only what is true when it answers.
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Invitation queued for grace@example.com, new@example.com; the list below shows when "
        "each is sent.",
        "Already members of Demo cohort, nothing sent: ada@example.com.",
    ]
    assert mail.outbox == []
    deliver_mail()
    assert sorted(m.to[0] for m in mail.outbox) == ["grace@example.com", "new@example.com"]


def test_invite_page_lists_who_waits_with_their_invitations_state(
    client_for, staff, cohort, settings, deliver_mail
):
    client = client_for(staff)
    client.post(invite_url(cohort), {"emails": "grace@example.com", "role": "learner"})
    deliver_mail()
    settings.MAIL_DELIVERY_BACKEND = "tests.learners.test_mail.FailingBackend"
    client.post(invite_url(cohort), {"emails": "new@example.com", "role": "mentor"})
    deliver_mail()

    page = client.get(invite_url(cohort))

    rows = [
        (i["user"].email, i["message"].status, i["message"].last_error)
        for i in page.context["invitations"]
    ]
    assert rows == [
        ("grace@example.com", "sent", ""),
        ("new@example.com", "pending", "SMTPException: connection refused"),
    ]
    html = page.content.decode()
    assert "1 attempt so far" in html
    assert 'aria-label="Resend the invitation to new@example.com"' in html


def test_invite_page_query_count_does_not_grow_with_invitees(
    client_for, staff, cohort, django_assert_num_queries
):
    client = client_for(staff)
    client.post(invite_url(cohort), {"emails": "a@example.com", "role": "learner"})
    client.get(invite_url(cohort))
    # No roles query: the admin pages never read request.roles.
    with django_assert_num_queries(5):
        client.get(invite_url(cohort))
    client.post(
        invite_url(cohort),
        {"emails": ",".join(f"p{n}@example.com" for n in range(5)), "role": "learner"},
    )
    with django_assert_num_queries(5):
        page = client.get(invite_url(cohort))
    assert len(page.context["invitations"]) == 6


def test_resend_queues_a_fresh_invitation(client_for, staff, cohort, deliver_mail):
    client = client_for(staff)
    client.post(invite_url(cohort), {"emails": "grace@example.com", "role": "learner"})
    client.get(invite_url(cohort))  # shows (and so clears) the invitation's messages
    deliver_mail()
    mail.outbox.clear()
    grace = User.objects.get(email="grace@example.com")

    response = client.post(invite_url(cohort), {"resend": grace.pk})

    assert response.status_code == 302
    assert response["Location"] == invite_url(cohort)
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "A fresh invitation to grace@example.com is queued; the list below shows when it is sent."
    ]
    deliver_mail()
    [message] = mail.outbox
    assert (message.to, message.subject) == (
        ["grace@example.com"],
        "[bootcamp] You are invited to Demo cohort",
    )


@pytest.mark.parametrize("value", ["not-a-number", "999999", "learner"])
def test_resend_to_someone_not_waiting_is_refused_and_sends_nothing(
    client_for, staff, cohort, learner, value
):
    pk = learner.pk if value == "learner" else value  # has a password already

    response = client_for(staff).post(invite_url(cohort), {"resend": pk})

    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "That person has chosen a password already or is not invited to this cohort."
    ]
    assert OutboxMessage.objects.count() == 0


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

    # No roles query: the admin pages never read request.roles.
    with django_assert_num_queries(9):
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
