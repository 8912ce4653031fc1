import datetime
import re
import zoneinfo

import pytest
from django.utils import timezone

from learners.models import Membership, Submission, SubmissionEvent
from tests.factories import (
    CohortFactory,
    IterationFactory,
    MembershipFactory,
    StageFactory,
    SubmissionFactory,
    UserFactory,
)

Status = Submission.Status
URL = "/mentor/queue/"


def _waiting(cohort, *, hours_ago=1, status=Status.SUBMITTED, claimed_by=None, **kwargs):
    now = timezone.now()
    work = SubmissionFactory(
        cohort=cohort,
        status=status,
        claimed_by=claimed_by,
        claimed_at=now if claimed_by else None,
        submitted_at=now - datetime.timedelta(hours=hours_ago),
        **kwargs,
    )
    IterationFactory(submission=work, number=1)
    return work


def _row_ids(response):
    return [int(pk) for pk in re.findall(r'data-submission="(\d+)"', response.content.decode())]


@pytest.fixture
def other_cohort(other_mentor):
    return other_mentor.memberships.get().cohort


def test_anonymous_visitors_are_sent_to_log_in(client, db):
    response = client.get(URL)

    assert response.status_code == 302
    assert response.url == f"/accounts/login/?next={URL}"


def test_learners_get_404(client_for, learner):
    assert client_for(learner).get(URL).status_code == 404


def test_posting_to_the_queue_is_not_allowed(client_for, mentor):
    assert client_for(mentor).post(URL).status_code == 405


def test_the_queue_answers_head_like_get(client_for, mentor):
    response = client_for(mentor).head(URL)

    assert response.status_code == 200
    assert response.content == b""


def test_a_mentor_sees_their_cohorts_waiting_work_and_every_claim_in_them(
    client_for, cohort, mentor, other_cohort
):
    colleague = UserFactory(username="barbara")
    MembershipFactory(cohort=cohort, user=colleague, role=Membership.Role.MENTOR)
    waiting = _waiting(cohort, hours_ago=5)
    mine = _waiting(cohort, hours_ago=4, status=Status.IN_REVIEW, claimed_by=mentor)
    theirs = _waiting(cohort, hours_ago=3, status=Status.IN_REVIEW, claimed_by=colleague)
    _waiting(cohort, hours_ago=2, status=Status.APPROVED)
    _waiting(cohort, hours_ago=2, status=Status.CHANGES_REQUESTED)
    _waiting(cohort, hours_ago=2, status=Status.WITHDRAWN)
    _waiting(other_cohort, hours_ago=9)

    response = client_for(mentor).get(URL)

    assert response.status_code == 200
    assert _row_ids(response) == [waiting.pk, mine.pk, theirs.pk]
    # Someone else's claim: who holds it, and no claim button.
    assert f'action="/mentor/submissions/{theirs.pk}/claim/"' not in response.content.decode()
    assert f"by {colleague.get_full_name()}, claimed" in response.content.decode()
    assert f'action="/mentor/submissions/{waiting.pk}/claim/"' in response.content.decode()
    assert f'href="/mentor/submissions/{mine.pk}/review/">Continue review' in (
        response.content.decode()
    )


def test_release_is_not_offered_on_the_queue_next_to_continue_review(client_for, cohort, mentor):
    # Releasing lives on the review page, with what it does explained, away from this button.
    mine = _waiting(cohort, hours_ago=4, status=Status.IN_REVIEW, claimed_by=mentor)

    content = client_for(mentor).get(URL).content.decode()

    assert f'href="/mentor/submissions/{mine.pk}/review/">Continue review' in content
    assert "/release/" not in content


def test_staff_see_every_cohort_and_who_holds_each_claim(client_for, staff, cohort, mentor):
    elsewhere = _waiting(CohortFactory(), hours_ago=8)
    in_review = _waiting(cohort, hours_ago=6, status=Status.IN_REVIEW, claimed_by=mentor)

    response = client_for(staff).get(URL)

    assert _row_ids(response) == [elsewhere.pk, in_review.pk]
    content = response.content.decode()
    assert content.count('<span class="badge status-badge status-in_review">In review</span>') == 1
    # Claimed a moment ago: CLAIM_HOURS (24) less that moment.
    lapses = "lapses in 23\xa0hours, 59\xa0minutes"
    claimed = f'claimed <time datetime="{in_review.claimed_at.isoformat()}">'
    assert (
        f'<span class="small claim-holder">by {mentor.get_full_name()}, {claimed}'
        f"under a minute</time> ago, {lapses}</span>"
    ) in content
    assert '<span class="badge status-badge status-submitted">Submitted</span>' in content


def test_the_oldest_waiting_submission_comes_first(client_for, cohort, mentor):
    newest = _waiting(cohort, hours_ago=1)
    oldest = _waiting(cohort, hours_ago=30)
    middle = _waiting(cohort, hours_ago=10)

    response = client_for(mentor).get(URL)

    assert _row_ids(response) == [oldest.pk, middle.pk, newest.pk]


def test_each_row_shows_the_learner_link_project_stage_iteration_and_waiting_time(
    client_for, cohort, mentor, learner
):
    work = _waiting(
        cohort,
        hours_ago=75,
        learner=learner,
        project__title="Task tracker",
        project__stage__title="Testing and debugging",
    )
    IterationFactory(submission=work, number=2)

    content = client_for(mentor).get(URL).content.decode()

    assert f'href="/mentor/learners/{cohort.pk}/{learner.pk}/">{learner.get_full_name()}' in content
    assert f'href="/submissions/{work.pk}/">Task tracker</a>' in content
    assert '<td data-label="Stage">Testing and debugging</td>' in content
    assert '<td data-label="Iteration">2</td>' in content
    assert '<th scope="col">Iteration</th>' in content
    assert ">3\xa0days, 3\xa0hours</time>" in content


def test_work_sent_under_a_minute_ago_waits_under_a_minute_not_0_minutes(
    client_for, cohort, mentor
):
    _waiting(cohort, hours_ago=0)

    content = client_for(mentor).get(URL).content.decode()

    assert ">under a minute</time>" in content
    assert "0\xa0minutes" not in content


def test_overdue_rows_are_highlighted_with_a_class_and_a_text_badge(
    client_for, cohort, mentor, settings
):
    settings.REVIEW_OVERDUE_HOURS = 24
    late = _waiting(cohort, hours_ago=25)
    _waiting(cohort, hours_ago=23)

    content = client_for(mentor).get(URL).content.decode()

    assert content.count("waiting-overdue") == 1
    assert f'class="queue-row waiting-overdue" data-submission="{late.pk}"' in content
    assert content.count('<span class="badge text-bg-danger ms-1">Overdue</span>') == 1


def test_the_counts_at_the_top_cover_the_whole_queue(client_for, cohort, mentor, settings):
    settings.REVIEW_OVERDUE_HOURS = 48
    _waiting(cohort, hours_ago=50)
    _waiting(cohort, hours_ago=1)
    _waiting(cohort, hours_ago=60, status=Status.IN_REVIEW, claimed_by=mentor)

    content = client_for(mentor).get(URL, {"status": "submitted"}).content.decode()

    assert 'id="count-waiting">2 waiting<' in content
    assert 'id="count-in-review">1 in review by you<' in content
    assert (
        'class="list-inline-item badge text-bg-danger fs-6" id="count-overdue">2 overdue '
        "(waiting or yours)<"
    ) in content


def test_the_counts_at_the_top_leave_out_colleagues_claims(client_for, cohort, mentor, settings):
    settings.REVIEW_OVERDUE_HOURS = 48
    colleague = UserFactory(username="barbara")
    MembershipFactory(cohort=cohort, user=colleague, role=Membership.Role.MENTOR)
    _waiting(cohort, hours_ago=50, status=Status.IN_REVIEW, claimed_by=colleague)
    _waiting(cohort, hours_ago=50, status=Status.IN_REVIEW, claimed_by=mentor)
    _waiting(cohort, hours_ago=1)

    content = client_for(mentor).get(URL).content.decode()

    assert len(_row_ids_in(content)) == 3  # the colleague's claim is a row all the same
    assert 'id="count-waiting">1 waiting<' in content
    assert 'id="count-in-review">1 in review by you<' in content
    # The colleague's overdue claim has its red row badge; the count says whose it counts.
    assert 'id="count-overdue">1 overdue (waiting or yours)<' in content


def test_no_overdue_work_shows_a_neutral_badge_not_a_red_one(client_for, cohort, mentor):
    _waiting(cohort, hours_ago=1)

    content = client_for(mentor).get(URL).content.decode()

    assert (
        'class="list-inline-item badge text-bg-light border fs-6" id="count-overdue">0 overdue '
        "(waiting or yours)<"
    ) in content
    assert "text-bg-danger" not in content


def test_filter_by_stage(client_for, cohort, mentor):
    testing = StageFactory(slug="testing")
    wanted = _waiting(cohort, project__stage=testing)
    _waiting(cohort)

    response = client_for(mentor).get(URL, {"stage": "testing"})

    assert _row_ids(response) == [wanted.pk]


def test_filter_by_status(client_for, cohort, mentor):
    _waiting(cohort, hours_ago=3)
    mine = _waiting(cohort, status=Status.IN_REVIEW, claimed_by=mentor)

    response = client_for(mentor).get(URL, {"status": "in_review"})

    assert _row_ids(response) == [mine.pk]


@pytest.mark.parametrize("term", ["ADA", "lovelace", "ada love"])
def test_filter_by_learner_username_or_name(client_for, cohort, mentor, term):
    ada = UserFactory(username="ada", first_name="Ada", last_name="Lovelace")
    wanted = _waiting(cohort, learner=ada)
    _waiting(cohort, learner=UserFactory(username="grace", first_name="Grace", last_name="Hopper"))

    response = client_for(mentor).get(URL, {"learner": term})

    assert _row_ids(response) == [wanted.pk]


def test_bad_filter_values_are_ignored_and_explained(client_for, cohort, mentor):
    first = _waiting(cohort, hours_ago=2)
    second = _waiting(cohort, hours_ago=1)

    response = client_for(mentor).get(URL, {"stage": "nope", "status": "approved"})

    assert response.status_code == 200
    assert _row_ids(response) == [first.pk, second.pk]
    content = response.content.decode()
    assert "Select a valid choice. approved is not one of the available choices." in content
    assert content.count("This filter was ignored.") == 2


def test_the_queue_pages_by_15_and_bad_page_numbers_fall_back(client_for, cohort, mentor):
    rows = [_waiting(cohort, hours_ago=100 - n) for n in range(16)]
    client = client_for(mentor)

    assert _row_ids(client.get(URL)) == [row.pk for row in rows[:15]]
    assert _row_ids(client.get(URL, {"page": "2"})) == [rows[15].pk]
    assert _row_ids(client.get(URL, {"page": "99"})) == [rows[15].pk]
    assert _row_ids(client.get(URL, {"page": "abc"})) == [row.pk for row in rows[:15]]
    assert 'href="?page=2">Next</a>' in client.get(URL).content.decode()


def test_pagination_links_keep_the_filters(client_for, cohort, mentor):
    for n in range(26):
        _waiting(cohort, hours_ago=100 - n)

    response = client_for(mentor).get(URL, {"status": "submitted"})

    assert "includes/pagination.html" in [template.name for template in response.templates]
    content = response.content.decode()
    assert '<nav aria-label="Queue pages">' in content
    assert 'href="?status=submitted&amp;page=2">Next</a>' in content


def test_the_claim_button_names_the_learner_by_username_for_screen_readers(
    client_for, cohort, mentor
):
    # The username is unique where two learners may share a full name; browser tests use it.
    learner = UserFactory(username="ada", first_name="Ada", last_name="Lovelace")
    _waiting(cohort, learner=learner, project__title="Task tracker")

    content = client_for(mentor).get(URL).content.decode()

    assert '<span class="visually-hidden"> Task tracker by ada</span>' in content


def test_an_empty_queue_says_so(client_for, mentor):
    content = client_for(mentor).get(URL).content.decode()

    assert 'id="queue-empty">Nothing is waiting for you.' in content


@pytest.mark.parametrize("rows", [1, 10])
def test_the_queue_issues_the_same_number_of_queries_for_1_and_10_rows(
    client_for, cohort, mentor, rows, django_assert_num_queries
):
    for n in range(rows):
        work = _waiting(
            cohort,
            hours_ago=n + 1,
            status=Status.IN_REVIEW if n % 2 else Status.SUBMITTED,
            claimed_by=mentor if n % 2 else None,
        )
        SubmissionEvent.objects.create(submission=work, kind="submitted", actor=work.learner)
        SubmissionEvent.objects.create(submission=work, kind="lapsed", actor=mentor)
    client = client_for(mentor)

    # 8: session, user, roles, the mentor's cohorts, the filter's stages, the count, the
    # rows (with each one's newest history step), the counts at the top.
    with django_assert_num_queries(8):
        response = client.get(URL, {"status": "", "learner": "user"})

    assert len(_row_ids(response)) == rows


def test_a_row_whose_claim_lapsed_says_so_and_links_its_history(client_for, cohort, mentor):
    mentor.first_name, mentor.last_name = "Linus", "Torvalds"
    mentor.save()
    work = _waiting(cohort, hours_ago=30)
    SubmissionEvent.objects.create(submission=work, kind="submitted", actor=work.learner)
    SubmissionEvent.objects.create(submission=work, kind="claimed", actor=mentor)
    SubmissionEvent.objects.create(submission=work, kind="lapsed", actor=mentor)
    quiet = _waiting(cohort, hours_ago=2)
    colleague = UserFactory(username="barbara")
    MembershipFactory(cohort=cohort, user=colleague, role=Membership.Role.MENTOR)
    client = client_for(colleague)

    content = client.get(URL).content.decode()
    own = client_for(mentor).get(URL).content.decode()

    assert content.count("Last: Claim lapsed (held by Linus Torvalds)") == 1
    assert own.count("Last: Claim lapsed (held by you)") == 1  # the holder reads "you"
    # The note links the whole history, on the submission page; the quiet row has none yet.
    assert content.count("#history-heading") == 1
    assert (
        f'<a class="small d-block mt-1 claim-lapsed" href="/submissions/{work.pk}/'
        '#history-heading"><span class="visually-hidden">History, </span>Last: Claim lapsed '
        "(held by Linus Torvalds)</a>"
    ) in content
    assert "submission-history" not in content
    assert _row_ids_in(content) == [work.pk, quiet.pk]
    page = client.get(f"/submissions/{work.pk}/").content.decode()
    assert 'id="history-heading"' in page
    assert "— Claim lapsed (held by Linus Torvalds)</li>" in page


def test_a_row_shows_the_newest_step_of_its_history(client_for, cohort, mentor):
    colleague = UserFactory(username="barbara", first_name="Barbara", last_name="Liskov")
    MembershipFactory(cohort=cohort, user=colleague, role=Membership.Role.MENTOR)
    work = _waiting(cohort, hours_ago=30)
    SubmissionEvent.objects.create(submission=work, kind="submitted", actor=work.learner)
    SubmissionEvent.objects.create(submission=work, kind="claimed", actor=colleague)
    SubmissionEvent.objects.create(submission=work, kind="released", actor=colleague)

    content = client_for(mentor).get(URL).content.decode()

    assert (
        f'<a class="small d-block mt-1 queue-last-step" href="/submissions/{work.pk}/'
        '#history-heading"><span class="visually-hidden">History, </span>Last: Released by Barbara '
        "Liskov</a>"
    ) in content
    assert "claim-lapsed" not in content


def test_a_row_without_an_iteration_shows_a_dash_and_no_checks(client_for, cohort, mentor):
    SubmissionFactory(cohort=cohort, status=Status.SUBMITTED)

    content = client_for(mentor).get(URL).content.decode()

    assert '<td data-label="Iteration">–</td>' in content
    assert "queue-checks" not in content


def _row_ids_in(content):
    return [int(pk) for pk in re.findall(r'data-submission="(\d+)"', content)]


def test_work_to_act_on_comes_before_colleagues_claims(client_for, cohort, mentor):
    colleague = UserFactory(username="barbara")
    MembershipFactory(cohort=cohort, user=colleague, role=Membership.Role.MENTOR)
    theirs = _waiting(cohort, hours_ago=30, status=Status.IN_REVIEW, claimed_by=colleague)
    waiting = _waiting(cohort, hours_ago=2)
    mine = _waiting(cohort, hours_ago=10, status=Status.IN_REVIEW, claimed_by=mentor)

    response = client_for(mentor).get(URL)

    assert _row_ids(response) == [mine.pk, waiting.pk, theirs.pk]


def test_a_renewed_claim_says_renewed_not_claimed(client_for, cohort, mentor):
    from learners.services import submission_claim_renew

    renewed = _waiting(cohort, hours_ago=5, status=Status.IN_REVIEW, claimed_by=mentor)
    submission_claim_renew(submission=renewed, mentor=mentor)
    renewed.refresh_from_db()
    claimed = _waiting(cohort, hours_ago=4, status=Status.IN_REVIEW, claimed_by=mentor)

    content = client_for(mentor).get(URL).content.decode()

    assert f'by you, renewed <time datetime="{renewed.claimed_at.isoformat()}">' in content
    assert f'by you, claimed <time datetime="{claimed.claimed_at.isoformat()}">' in content
    assert content.count(", renewed <time") == 1


def test_the_rows_times_are_in_the_sites_time_zone_as_on_every_page(
    client_for, mentor, cohort, settings
):
    settings.TIME_ZONE = "Europe/Berlin"
    work = _waiting(cohort, hours_ago=3, status=Status.IN_REVIEW, claimed_by=mentor)
    submitted = work.submitted_at.astimezone(zoneinfo.ZoneInfo("Europe/Berlin"))

    content = client_for(mentor).get(URL).content.decode()

    assert f'<time datetime="{submitted.isoformat()}">' in content
    assert submitted.isoformat().endswith(("+01:00", "+02:00"))
