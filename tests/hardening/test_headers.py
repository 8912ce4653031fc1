"""Security headers on every kind of response, and the session cookie's flags.

Production's Secure cookies and `check --deploy` are tested on real production settings in
tests/foundation/test_settings.py; here, what the running app sends."""

import pytest
from django.test import Client

from tests.factories import PASSWORD
from tests.hardening.security import assert_security_headers, csp_directives


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("get", "/", 200),
        ("get", "/accounts/login/", 200),
        ("get", "/accounts/password_reset/", 200),
        ("get", "/healthz", 200),
        ("post", "/healthz", 405),
        ("get", "/no-such-page/", 404),
        ("get", "/admin/", 302),
        ("get", "/admin/login/", 200),
    ],
)
def test_every_kind_of_response_carries_the_security_headers(db, client, method, path, status):
    response = getattr(client, method)(path)

    assert response.status_code == status
    assert_security_headers(response)


def test_the_csp_allows_scripts_and_styles_from_our_own_origin_only(db, client):
    directives = csp_directives(client.get("/"))

    assert directives == {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }


def test_the_lockout_page_carries_the_security_headers_too(learner):
    client = Client()
    for _ in range(5):
        response = client.post("/accounts/login/", {"username": "ada", "password": "nope"})

    assert response.status_code == 429
    assert_security_headers(response)


def test_the_session_cookie_is_http_only(learner):
    client = Client()

    response = client.post("/accounts/login/", {"username": "ada", "password": PASSWORD})

    assert response.status_code == 302
    assert response.cookies["sessionid"]["httponly"] is True
    assert response.cookies["sessionid"]["samesite"] == "Lax"


def test_the_session_cookie_is_secure_when_the_setting_says_so(learner, settings):
    settings.SESSION_COOKIE_SECURE = True
    client = Client()

    response = client.post("/accounts/login/", {"username": "ada", "password": PASSWORD})

    assert response.cookies["sessionid"]["secure"] is True


PRIVATE = "private, no-store"


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/stages/", 200),
        ("/", 302),  # home sends a learner on to the dashboard
        ("/no-such-page/", 404),
        ("/cohorts/", 404),  # a learner has no cohort list
        ("/stages", 301),  # CommonMiddleware's APPEND_SLASH redirect
    ],
)
def test_every_answer_to_a_logged_in_user_is_private_and_not_stored(
    client_for, learner, path, status
):
    response = client_for(learner).get(path)

    assert response.status_code == status
    assert response.headers["Cache-Control"] == PRIVATE


def test_the_cohort_csv_with_e_mail_addresses_is_private_and_not_stored(client_for, mentor, cohort):
    response = client_for(mentor).get(f"/cohorts/{cohort.slug}/progress.csv")

    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert response.headers["Cache-Control"] == PRIVATE


def test_pages_for_visitors_say_nothing_about_caching(db, client):
    response = client.get("/")

    assert response.status_code == 200
    assert "Cache-Control" not in response.headers
