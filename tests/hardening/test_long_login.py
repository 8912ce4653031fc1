"""A username longer than django-axes' 255-character column is a failed log-in, never a 500."""

import pytest
from axes.models import AccessAttempt
from django.test import Client

LONG_USERNAME = "a" * 300


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "wrong_credentials"),
    [
        ("/accounts/login/", "Please enter a correct username and password."),
        ("/admin/login/", "Please enter the correct username and password for a staff account."),
    ],
)
def test_a_username_over_255_characters_is_a_failed_login(url, wrong_credentials):
    response = Client().post(url, {"username": LONG_USERNAME, "password": "wrong-password"})

    assert response.status_code == 200
    assert wrong_credentials in response.content.decode()
    assert "_auth_user_id" not in response.wsgi_request.session
    attempt = AccessAttempt.objects.get()
    assert (attempt.failures_since_start, attempt.username) == (1, LONG_USERNAME[:255])


@pytest.mark.django_db
def test_five_long_username_failures_lock_it_out_like_any_other():
    client = Client()
    statuses = [
        client.post(
            "/accounts/login/", {"username": LONG_USERNAME, "password": "wrong"}
        ).status_code
        for _ in range(5)
    ]

    assert statuses == [200, 200, 200, 200, 429]
