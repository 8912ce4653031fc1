"""django-axes: repeated failed log-ins lock a username out from one address, with a clear
page, until the cool-off passes or staff unlock it. All through the real login form."""

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.test import Client

from tests.factories import PASSWORD

LOGIN = "/accounts/login/"
LOCKED_HEADING = "Too many failed log-ins"


def attempt(client, username, password):
    return client.post(LOGIN, {"username": username, "password": password})


def fail_five_times(client, username):
    return [attempt(client, username, "wrong-password").status_code for _ in range(5)]


@pytest.fixture
def locked_out(learner):
    client = Client()
    statuses = fail_five_times(client, learner.username)
    return client, statuses


def test_four_failures_show_the_form_error(learner):
    client = Client()
    for _ in range(3):
        attempt(client, "ada", "wrong-password")

    response = attempt(client, "ada", "wrong-password")

    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


def test_the_fifth_failure_locks_the_account_with_a_clear_page(locked_out):
    client, statuses = locked_out

    assert statuses == [200, 200, 200, 200, 429]
    response = attempt(client, "ada", "wrong-password")
    assert response.status_code == 429
    assert "registration/locked_out.html" in [t.name for t in response.templates]
    content = response.content.decode()
    assert f'<h1 class="h3 mb-3">{LOCKED_HEADING}</h1>' in content
    assert "ask your bootcamp staff to unlock it" in content


def test_the_right_password_is_refused_while_locked(locked_out):
    client, _ = locked_out

    response = attempt(client, "ada", PASSWORD)

    assert response.status_code == 429
    assert LOCKED_HEADING in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_lock_is_per_username_so_other_accounts_still_log_in(locked_out, other_learner):
    client, _ = locked_out

    response = attempt(client, "grace", PASSWORD)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(other_learner.pk)


def test_staff_unlock_by_deleting_the_access_attempt_in_the_admin(locked_out, staff):
    _, _ = locked_out
    staff_client = Client()
    assert attempt(staff_client, "staffer", PASSWORD).status_code == 302
    locked = AccessAttempt.objects.get(username="ada")

    listing = staff_client.get("/admin/axes/accessattempt/")
    deleted = staff_client.post(f"/admin/axes/accessattempt/{locked.pk}/delete/", {"post": "yes"})

    assert listing.status_code == 200
    assert "ada" in listing.content.decode()
    assert deleted.status_code == 302
    assert AccessAttempt.objects.filter(username="ada").exists() is False
    learner_client = Client()
    assert attempt(learner_client, "ada", PASSWORD).status_code == 302
    assert "_auth_user_id" in learner_client.session


def test_the_axes_reset_username_command_unlocks_too(locked_out):
    call_command("axes_reset_username", "ada", verbosity=0)

    client = Client()
    assert attempt(client, "ada", PASSWORD).status_code == 302


def test_a_success_before_the_limit_resets_the_count(learner):
    client = Client()
    for _ in range(4):
        attempt(client, "ada", "wrong-password")
    assert attempt(client, "ada", PASSWORD).status_code == 302
    client.post("/accounts/logout/")

    statuses = [attempt(client, "ada", "wrong-password").status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 200]
