"""The page cache (bootcamp/pagecache.py): a page comes back from memory only while the session,
the URL and the database are what they were when it was rendered, and for a minute at most."""

import threading
import types

import pytest
from django.conf import settings as django_settings
from django.core.cache.backends import base as cache_base
from django.core.cache.backends import locmem
from django.db import connection, connections
from django.test import Client

from bootcamp.pagecache import HEADER, database_state
from learners.models import ObjectiveCheck
from tests.factories import (
    IterationFactory,
    ObjectiveCheckFactory,
    ObjectiveFactory,
    ProjectFactory,
    StageFactory,
    SubmissionFactory,
)

STAGE = "/stages/fundamentals/"
TICK = 'name="done" value="0"'  # the ticked objective's button un-ticks it
UNTICKED = 'name="done" value="1"'


@pytest.fixture
def objective(db):
    return ObjectiveFactory(stage=StageFactory(slug="fundamentals"), text="Write a function")


@pytest.fixture
def browser(client_for, learner, objective):
    """The learner's client as a browser holds it after its first page: a session and a CSRF
    cookie. (The cache only serves a visitor who has one: the page's forms carry its token.)"""
    client = client_for(learner)
    client.get("/stages/")
    assert django_settings.CSRF_COOKIE_NAME in client.cookies
    return client


def test_a_page_opened_again_comes_from_the_cache_for_three_queries(
    browser, django_assert_num_queries
):
    first = browser.get(STAGE)
    with django_assert_num_queries(3):  # the session, the user, the database's state
        again = browser.get(STAGE)

    assert first[HEADER] == "miss"
    assert again[HEADER] == "hit"
    assert again.status_code == 200
    assert again["Content-Type"] == first["Content-Type"]
    assert again.content == first.content
    # Middleware still adds its headers to a kept page.
    assert "Content-Security-Policy" in again
    assert again["X-Frame-Options"] == "DENY"


def test_a_write_in_the_same_transaction_shows_on_the_next_visit(browser, learner, objective):
    assert UNTICKED in browser.get(STAGE).content.decode()

    ObjectiveCheckFactory(learner=learner, objective=objective)  # the test's own transaction
    after = browser.get(STAGE)

    assert after[HEADER] == "miss"
    assert TICK in after.content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_write_committed_by_another_connection_shows_on_the_next_visit(
    browser, learner, objective
):
    browser.get(STAGE)
    assert browser.get(STAGE)[HEADER] == "hit"

    def another_process():
        try:
            ObjectiveCheck.objects.create(learner=learner, objective=objective)
        finally:
            connection.close()

    thread = threading.Thread(target=another_process)
    thread.start()
    thread.join()
    after = browser.get(STAGE)

    assert after[HEADER] == "miss"
    assert TICK in after.content.decode()


@pytest.fixture
def other_connection(db):
    """A second connection to the test database, as another app process would have."""
    other = connections.create_connection("default")
    yield other
    other.close()


def test_the_state_changes_when_another_connections_transaction_ends(other_connection):
    # Its commit is logged (the WAL moves) a moment before its data is visible; only the
    # snapshot changes at the moment that matters.
    other_connection.set_autocommit(False)
    with other_connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_xact_id()")  # a transaction that writes
    before = database_state()

    other_connection.commit()
    after = database_state()

    assert before.snapshot != after.snapshot


def test_a_transactions_own_writes_give_a_state_no_other_connection_has(
    learner, objective, other_connection
):
    ObjectiveCheckFactory(learner=learner, objective=objective)  # not committed

    mine, theirs = database_state(), database_state(using=other_connection)

    assert mine.own_transaction
    assert theirs.own_transaction == ""
    assert mine != theirs


def test_pages_are_kept_per_session(browser, learner, other_learner):
    # Log everyone in first: a login writes to the database, which would be a miss anyway.
    other, second_tab = Client(), Client()
    other.force_login(other_learner)
    second_tab.force_login(learner)  # the same learner elsewhere: another session
    # Even with the same CSRF cookie (a shared computer, say), another session is another key.
    csrf = browser.cookies[django_settings.CSRF_COOKIE_NAME].value
    other.cookies[django_settings.CSRF_COOKIE_NAME] = csrf
    second_tab.cookies[django_settings.CSRF_COOKIE_NAME] = csrf
    browser.get("/dashboard/")
    assert browser.get("/dashboard/")[HEADER] == "hit"

    theirs = other.get("/dashboard/")
    mine_elsewhere = second_tab.get("/dashboard/")

    assert theirs[HEADER] == "miss"
    assert "grace" in theirs.content.decode()
    assert "ada" not in theirs.content.decode()
    assert mine_elsewhere[HEADER] == "miss"


def test_after_logging_out_the_old_cookies_get_the_login_page(browser, client):
    browser.get(STAGE)
    assert browser.get(STAGE)[HEADER] == "hit"
    old_cookies = {name: morsel.value for name, morsel in browser.cookies.items()}

    assert browser.post("/accounts/logout/").status_code == 302
    client.cookies.load(old_cookies)  # someone replays the cookies from before the logout
    replayed = client.get(STAGE)

    assert replayed.status_code == 302
    assert replayed["Location"].startswith("/accounts/login/")


def test_a_message_is_shown_on_a_fresh_page_which_is_not_kept(browser, objective):
    said = "That did not work: the form did not say whether the objective is done."
    browser.get(STAGE)  # kept
    browser.post(f"/objectives/{objective.pk}/check/", {"done": "maybe"})  # changes no data

    with_message = browser.get(STAGE)
    after = browser.get(STAGE)

    assert said in with_message.content.decode()
    assert HEADER not in with_message
    assert said not in after.content.decode()
    assert after[HEADER] == "hit"  # the page from before the message, still true


def test_a_page_that_uses_up_session_state_is_not_kept(browser, learner, cohort):
    submission = SubmissionFactory(learner=learner, cohort=cohort, project=ProjectFactory())
    IterationFactory(submission=submission, number=1)
    page = f"/submissions/{submission.pk}/"
    browser.post(f"{page}replies/", {"body": "   "})  # refused; parked in the session

    refused = browser.get(page)
    after = browser.get(page)

    assert "This field is required." in refused.content.decode()
    assert HEADER not in refused
    assert "This field is required." not in after.content.decode()


def test_a_visitor_without_a_csrf_cookie_gets_a_fresh_page_and_the_cookie(client_for, learner):
    StageFactory(slug="fundamentals")
    client = client_for(learner)

    response = client.get(STAGE)

    assert HEADER not in response
    assert django_settings.CSRF_COOKIE_NAME in response.cookies
    assert client.get(STAGE)[HEADER] == "miss"  # now it has one


def test_the_query_string_is_part_of_the_key(browser):
    browser.get(STAGE)

    assert browser.get(STAGE + "?from=dashboard")[HEADER] == "miss"
    assert browser.get(STAGE + "?from=dashboard")[HEADER] == "hit"


@pytest.mark.urls("tests.foundation.pagecache_urls")
@pytest.mark.parametrize("method", ["head", "post"])
def test_only_get_uses_the_cache(client_for, learner, method):
    client = client_for(learner)
    client.get("/page/")  # the CSRF cookie
    client.get("/page/")
    assert client.get("/page/")[HEADER] == "hit"

    response = getattr(client, method)("/page/")

    assert HEADER not in response
    if method == "post":
        assert response.content == b"<p>Posted.</p>"  # the view ran, not the kept page


def test_only_a_page_is_kept_not_a_redirect(client_for, mentor):
    client = client_for(mentor)
    client.get("/mentor/queue/")  # the CSRF cookie

    answers = [client.get("/dashboard/") for _ in range(2)]  # the dashboard is for learners

    assert [answer.status_code for answer in answers] == [302, 302]
    assert [HEADER in answer for answer in answers] == [False, False]


def test_a_kept_page_expires_after_page_cache_seconds(browser, settings, monkeypatch):
    settings.PAGE_CACHE_SECONDS = 60
    browser.get(STAGE)
    now = locmem.time.time()

    def at(seconds_later):
        clock = types.SimpleNamespace(time=lambda: now + seconds_later)
        monkeypatch.setattr(locmem, "time", clock)
        monkeypatch.setattr(cache_base, "time", clock)
        return browser.get(STAGE)[HEADER]

    assert at(59) == "hit"
    assert at(61) == "miss"


def test_page_cache_seconds_0_turns_it_off(browser, settings):
    settings.PAGE_CACHE_SECONDS = 0

    browser.get(STAGE)

    assert HEADER not in browser.get(STAGE)


@pytest.mark.urls("tests.foundation.pagecache_urls")
@pytest.mark.parametrize("path", ["/sets-a-cookie/", "/streamed/", "/json/"])
def test_only_plain_html_without_cookies_is_kept(client_for, learner, path):
    client = client_for(learner)
    client.get("/page/")  # the CSRF cookie
    assert client.get("/page/")[HEADER] == "miss"
    assert client.get("/page/")[HEADER] == "hit"

    answers = [client.get(path) for _ in range(2)]

    assert [answer.status_code for answer in answers] == [200, 200]
    assert [HEADER in answer for answer in answers] == [False, False]


@pytest.mark.urls("tests.foundation.pagecache_urls")
def test_anonymous_visitors_are_never_served_from_the_cache(client):
    client.get("/public/")  # the CSRF cookie

    answers = [client.get("/public/") for _ in range(2)]

    assert [answer.status_code for answer in answers] == [200, 200]
    assert [HEADER in answer for answer in answers] == [False, False]
