"""The inbox, the unread count in the navigation, opening a page marking it read, and the
preferences page."""

import re

import pytest
from django.contrib.messages import get_messages
from django.db import IntegrityError, transaction
from django.utils import timezone

from bootcamp.models import Notification, NotificationPreference
from learners.models import Membership
from tests.factories import (
    CohortFactory,
    IterationFactory,
    MembershipFactory,
    SubmissionFactory,
    UserFactory,
)

Kind = Notification.Kind
Delivery = NotificationPreference.Delivery
URL = "/notifications/"
PREFERENCES = "/notifications/preferences/"


def _note(user, text="Something happened", url="/stages/", **kwargs):
    return Notification.objects.create(
        user=user, kind=Kind.REPLY_POSTED, text=text, url=url, **kwargs
    )


def _texts(response):
    return re.findall(r'<a href="[^"]*">([^<]*)</a>\s*</span>', response.content.decode())


def _unread_badge(response):
    match = re.search(r'id="unread-count">(\d+)<', response.content.decode())
    return int(match.group(1)) if match else None


def test_the_inbox_lists_only_the_users_own_newest_first(client_for, learner, other_learner):
    _note(learner, "Older")
    _note(learner, "Newer", read_at=timezone.now())
    _note(other_learner, "Not yours")

    response = client_for(learner).get(URL)

    assert response.status_code == 200
    assert _texts(response) == ["Newer", "Older"]
    assert (
        response.content.decode().count('<span class="badge text-bg-primary me-1">New</span>') == 1
    )


def test_an_empty_inbox_says_what_will_appear(client_for, learner):
    response = client_for(learner).get(URL)

    content = response.content.decode()
    assert '<p class="text-body-secondary" id="notifications-empty">Nothing yet.' in content
    assert "Mark all read" not in content


def _empty_state(response):
    match = re.search(r'id="notifications-empty">(.*?)</p>', response.content.decode(), re.S)
    return " ".join(match.group(1).split())


@pytest.mark.parametrize(
    ("role", "says"),
    [
        (
            "learner",
            "Nothing yet. When a review of your work is published, someone replies to you or a "
            "due date of yours comes near, it appears here.",
        ),
        (
            "mentor",
            "Nothing yet. When work arrives in your review queue, a learner replies to you or a "
            "claim of yours lapses, it appears here.",
        ),
        (
            "staff",
            "Nothing yet. When work arrives in your review queue, a learner replies to you or a "
            "claim of yours lapses, it appears here.",
        ),
    ],
)
def test_an_empty_inbox_speaks_of_what_the_users_role_hears_about(client_for, request, role, says):
    assert _empty_state(client_for(request.getfixturevalue(role)).get(URL)) == says


def test_an_empty_inbox_of_a_learner_who_also_mentors_speaks_of_both(client_for, learner):
    MembershipFactory(cohort=CohortFactory(), user=learner, role=Membership.Role.MENTOR)

    assert _empty_state(client_for(learner).get(URL)) == (
        "Nothing yet. When a review of your work is published, someone replies to you, a due "
        "date of yours comes near, work arrives in your review queue or a claim of yours "
        "lapses, it appears here."
    )


def test_an_empty_inbox_of_someone_in_no_cohort_says_so(client_for, db):
    assert _empty_state(client_for(UserFactory()).get(URL)) == (
        "Nothing yet. You are not in a cohort yet; once you are, what concerns your work "
        "appears here."
    )


def test_the_inbox_is_paginated(client_for, learner):
    for n in range(30):
        _note(learner, f"Note {n:02}")
    client = client_for(learner)

    first = client.get(URL)
    second = client.get(URL, {"page": 2})
    beyond = client.get(URL, {"page": "nonsense"})

    assert _texts(first) == [f"Note {n:02}" for n in range(29, 4, -1)]
    assert _texts(second) == [f"Note {n:02}" for n in range(4, -1, -1)]
    assert _texts(beyond) == _texts(first)
    assert "Page 1 of 2" in first.content.decode()


@pytest.mark.parametrize("rows", [1, 5])
def test_the_inbox_issues_the_same_number_of_queries_for_1_and_5_rows(
    client_for, learner, rows, django_assert_num_queries
):
    for n in range(rows):
        _note(learner, f"Note {n}", read_at=timezone.now() if n % 2 else None)
    client = client_for(learner)

    # session, user, roles with the unread count, marking this page's notifications read (as
    # on every page while something is unread), the page count, the page's rows
    with django_assert_num_queries(6):
        response = client.get(URL)

    assert len(_texts(response)) == rows


def test_the_navigation_shows_the_unread_count_without_a_query_of_its_own(
    client_for, learner, other_learner, django_assert_num_queries
):
    _note(learner)
    _note(learner)
    _note(learner, read_at=timezone.now())
    _note(other_learner)
    client = client_for(learner)

    # session, user, roles with the count, marking this page's notifications read
    with django_assert_num_queries(4):
        response = client.get("/accounts/password_change/")

    assert _unread_badge(response) == 2


def test_nothing_unread_costs_no_query_at_all(client_for, learner, django_assert_num_queries):
    _note(learner, read_at=timezone.now())
    client = client_for(learner)

    with django_assert_num_queries(3):  # session, user, roles with the count
        client.get("/accounts/password_change/")


def test_no_badge_when_nothing_is_unread(client_for, learner):
    _note(learner, read_at=timezone.now())

    assert _unread_badge(client_for(learner).get(URL)) is None


def test_opening_the_linked_page_marks_its_notifications_read(client_for, cohort, learner, mentor):
    work = SubmissionFactory(learner=learner, cohort=cohort)
    IterationFactory(submission=work, number=1)
    about = _note(learner, url=f"/submissions/{work.pk}/")
    other = _note(learner, url="/stages/")
    elsewhere = _note(mentor, url=f"/submissions/{work.pk}/")

    response = client_for(learner).get(f"/submissions/{work.pk}/")

    assert response.status_code == 200
    assert _unread_badge(response) == 1  # the count on that very page already leaves it out
    about.refresh_from_db()
    other.refresh_from_db()
    elsewhere.refresh_from_db()
    assert about.read_at is not None
    assert (other.read_at, elsewhere.read_at) == (None, None)


def test_a_post_to_the_page_marks_nothing_read(client_for, learner):
    note = _note(learner, url="/accounts/password_change/")

    client_for(learner).post("/accounts/password_change/", {})

    note.refresh_from_db()
    assert note.read_at is None


def test_mark_all_read_marks_only_the_users_own(client_for, learner, other_learner):
    _note(learner)
    _note(learner)
    theirs = _note(other_learner)

    response = client_for(learner).post("/notifications/read/")

    assert response.status_code == 302
    assert response["Location"] == URL
    [message] = get_messages(response.wsgi_request)
    assert str(message) == "2 notifications marked read."
    assert Notification.objects.filter(user=learner, read_at__isnull=True).count() == 0
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_read_with_nothing_unread_says_so(client_for, learner):
    response = client_for(learner).post("/notifications/read/")

    [message] = get_messages(response.wsgi_request)
    assert str(message) == "Nothing was unread."


def test_mark_all_read_is_post_only(client_for, learner):
    _note(learner)

    assert client_for(learner).get("/notifications/read/").status_code == 405
    assert Notification.objects.filter(read_at__isnull=True).count() == 1


def test_the_inbox_needs_a_log_in(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={URL}"


# --- preferences ----------------------------------------------------------------------------


def _checked(response):
    return dict(re.findall(r'name="(\w+)" value="(\w+)"[^>]*checked', response.content.decode()))


def test_a_mentor_sees_the_defaults_a_digest_of_new_work_and_the_rest_at_once(client_for, mentor):
    response = client_for(mentor).get(PREFERENCES)

    assert response.status_code == 200
    assert _checked(response) == {
        "submission_arrived": "digest",
        "reply_posted": "immediately",
        "claim_lapsed": "immediately",
        "takeover_requested": "immediately",
        "mentor_digest": "immediately",  # a digest already: one e-mail a day
    }


def test_a_learner_sees_only_the_kinds_a_learner_receives(client_for, learner):
    assert _checked(client_for(learner).get(PREFERENCES)) == {
        "review_published": "immediately",
        "reply_posted": "immediately",
        "due_soon": "immediately",
        "due_passed": "immediately",
        "code_unchanged": "immediately",
        "readiness": "immediately",
    }


def test_saving_preferences_stores_the_users_own_only(client_for, learner, other_learner):
    data = {
        "review_published": "off",
        "reply_posted": "digest",
        "due_soon": "immediately",
        "due_passed": "off",
        "code_unchanged": "off",
        "readiness": "off",
    }

    response = client_for(learner).post(PREFERENCES, data)

    assert response.status_code == 302
    assert response["Location"] == PREFERENCES
    assert (
        dict(NotificationPreference.objects.filter(user=learner).values_list("kind", "delivery"))
        == data
    )
    assert not NotificationPreference.objects.filter(user=other_learner).exists()
    assert _checked(client_for(learner).get(PREFERENCES)) == data

    client_for(learner).post(PREFERENCES, {**data, "review_published": "immediately"})
    assert NotificationPreference.objects.filter(user=learner).count() == 6


def test_a_bad_choice_is_a_form_error_that_changes_nothing(client_for, learner):
    NotificationPreference.objects.create(user=learner, kind=Kind.REPLY_POSTED, delivery="off")

    response = client_for(learner).post(
        PREFERENCES, {"review_published": "carrier-pigeon", "reply_posted": "digest"}
    )

    assert response.status_code == 200
    assert "Select a valid choice. carrier-pigeon is not one of the available choices." in (
        response.content.decode()
    )
    assert list(
        NotificationPreference.objects.filter(user=learner).values_list("kind", "delivery")
    ) == [("reply_posted", "off")]


def test_a_kind_the_user_does_not_receive_is_ignored(client_for, learner):
    client_for(learner).post(
        PREFERENCES,
        {
            "review_published": "off",
            "reply_posted": "off",
            "due_soon": "off",
            "due_passed": "off",
            "code_unchanged": "off",
            "readiness": "off",
            "submission_arrived": "off",
        },
    )

    assert sorted(
        NotificationPreference.objects.filter(user=learner).values_list("kind", flat=True)
    ) == [
        "code_unchanged",
        "due_passed",
        "due_soon",
        "readiness",
        "reply_posted",
        "review_published",
    ]


def test_the_navigation_links_the_preferences(client_for, learner):
    content = client_for(learner).get("/stages/").content.decode()

    assert f'href="{PREFERENCES}">Notification settings</a>' in content


# --- the navigation's current page --------------------------------------------------------------


def _current_nav_items(response):
    """The labels of the navigation's links marked as the current page."""
    return re.findall(
        r'<a class="nav-link active" aria-current="page" href="[^"]*"[^>]*>([^<]+)',
        response.content.decode(),
    )


@pytest.mark.parametrize("role", ["learner", "mentor", "staff"])
@pytest.mark.parametrize(
    ("path", "current"),
    [(URL, ["Notifications"]), (PREFERENCES, ["Notification settings"])],
)
def test_the_notification_pages_are_the_current_item_not_the_roadmap(
    client_for, request, project, role, path, current
):
    client = client_for(request.getfixturevalue(role))

    assert _current_nav_items(client.get(path)) == current
    for roadmap_page in ("/stages/", "/projects/task-manager/"):
        assert _current_nav_items(client.get(roadmap_page)) == ["Roadmap"]


# --- one name for the settings page, and what a digest kind offers ------------------------------


def test_the_settings_page_has_one_name_wherever_it_is_named(client_for, learner):
    client = client_for(learner)

    page = client.get(PREFERENCES).content.decode()
    inbox = client.get(URL).content.decode()
    saved = client.post(
        PREFERENCES, {kind: "immediately" for kind in _checked(client.get(PREFERENCES))}
    )

    assert "<title>Notification settings" in page
    assert (
        '<li class="breadcrumb-item active" aria-current="page">Notification settings</li>' in page
    )
    assert '<h1 class="h3 mb-3">Notification settings</h1>' in page
    assert (
        '<button type="submit" class="btn btn-primary">Save notification settings</button>' in page
    )
    assert f'href="{PREFERENCES}">Notification settings</a>' in inbox
    assert [str(m) for m in get_messages(saved.wsgi_request)] == [
        "Your notification settings are saved."
    ]
    for other_name in ("How you are notified", ">Preferences<", "Save preferences"):
        assert other_name not in page + inbox


def _offered(response, kind):
    """The (value, label) radio choices the page offers for `kind`."""
    return re.findall(
        rf'name="{kind}" value="(\w+)"[^>]*>\s*<label[^>]*>\s*([^<]+?)\s*</label>',
        response.content.decode(),
    )


def test_a_digest_kind_offers_the_email_or_none_and_the_rest_all_three(client_for, mentor):
    response = client_for(mentor).get(PREFERENCES)

    assert _offered(response, "mentor_digest") == [
        ("immediately", "E-mail it to me each day"),
        ("off", "No e-mail (the inbox only)"),
    ]
    assert _offered(response, "claim_lapsed") == [
        ("immediately", "E-mail me each one"),
        ("digest", "One daily digest e-mail"),
        ("off", "No e-mail (the inbox only)"),
    ]


def test_a_digest_kind_kept_for_the_digest_is_refused_and_nothing_changes(client_for, mentor):
    response = client_for(mentor).post(
        PREFERENCES,
        {
            "submission_arrived": "digest",
            "reply_posted": "immediately",
            "claim_lapsed": "immediately",
            "takeover_requested": "immediately",
            "mentor_digest": "digest",
        },
    )

    assert response.status_code == 200
    assert "Select a valid choice. digest is not one of the available choices." in (
        response.content.decode()
    )
    assert not NotificationPreference.objects.exists()


def test_the_database_refuses_a_digest_kind_kept_for_the_digest(mentor):
    with pytest.raises(IntegrityError), transaction.atomic():
        NotificationPreference.objects.create(
            user=mentor, kind=Kind.MENTOR_DIGEST, delivery=Delivery.DIGEST
        )
