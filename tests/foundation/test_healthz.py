from unittest import mock

import pytest
from django.db import OperationalError, connection

from tests.foundation.jobs import job_deferred


@pytest.mark.django_db
def test_healthz_answers_ok_with_one_query(client, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "sessionid" not in response.cookies


@pytest.mark.django_db
def test_healthz_answers_503_when_the_database_is_unreachable(client):
    with mock.patch(
        "django.db.backends.utils.CursorWrapper.execute",
        side_effect=OperationalError("connection refused"),
    ):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "error",
        "reason": "database unavailable: OperationalError",
    }


@pytest.mark.django_db
def test_healthz_refuses_post(client):
    assert client.post("/healthz").status_code == 405


@pytest.mark.django_db
def test_healthz_answers_head_for_load_balancers(client):
    response = client.head("/healthz")
    assert response.status_code == 200
    assert response.content == b""


# --- ?deep: the job queue too ------------------------------------------------------------------


def _worker_beat(seconds_ago: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO procrastinate_workers (last_heartbeat) "
            "VALUES (now() - make_interval(secs => %s))",
            [seconds_ago],
        )


@pytest.fixture
def empty_queue(db):
    with connection.cursor() as cursor:  # rolled back with the test
        cursor.execute("DELETE FROM procrastinate_jobs")
        cursor.execute("DELETE FROM procrastinate_workers")


def test_plain_healthz_ignores_the_queue_so_workers_down_never_fail_the_web(client, empty_queue):
    job_deferred(seconds_ago=3600)

    assert client.get("/healthz").json() == {"status": "ok"}


def test_deep_healthz_answers_ok_with_a_live_worker_and_a_fresh_queue(
    client, empty_queue, django_assert_num_queries
):
    _worker_beat(5)
    job_deferred(seconds_ago=30)

    with django_assert_num_queries(2):
        response = client.get("/healthz?deep")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_deep_healthz_is_503_without_a_worker_heartbeat_in_a_minute(client, empty_queue):
    _worker_beat(90)

    response = client.get("/healthz?deep")

    assert response.status_code == 503
    assert response.json() == {
        "status": "error",
        "reason": "job queue: no worker heartbeat in the last 60 seconds",
    }


def test_deep_healthz_is_503_when_a_ready_job_waits_too_long(client, empty_queue, settings):
    settings.QUEUE_STALE_SECONDS = 300
    _worker_beat(5)
    job_deferred(seconds_ago=30)
    job_deferred(seconds_ago=600)

    response = client.get("/healthz?deep")

    assert response.status_code == 503
    assert response.json() == {
        "status": "error",
        "reason": "job queue: the oldest ready job has waited 600 seconds",
    }


def test_deep_healthz_does_not_count_a_job_scheduled_for_later(client, empty_queue):
    _worker_beat(5)
    job_deferred(seconds_ago=3600, scheduled_in=60)  # a retry waiting for its time is not late

    assert client.get("/healthz?deep").status_code == 200
