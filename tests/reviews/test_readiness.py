"""The learner's readiness page, mock interviews and the mentor's sign-off."""

import datetime
import re

import pytest
from django.utils import timezone

from bootcamp.models import Notification
from curriculum.models import Project, ReadinessStatement
from learners.models import CheckResult, ReadinessTick, Snapshot, Submission
from reviews.models import MockInterview, MockInterviewRating, ReadinessSignOff
from reviews.readiness import readiness_for_dashboard
from reviews.services import InterviewError, mock_interview_save, readiness_sign_off
from tests.factories import (
    BugStoryFactory,
    InterviewAreaFactory,
    IterationFactory,
    MockInterviewFactory,
    MockInterviewRatingFactory,
    ProjectFactory,
    ReadinessSignOffFactory,
    ReadinessStatementFactory,
    SubmissionFactory,
)

Status = Submission.Status
Evidence = ReadinessStatement.Evidence
READINESS = "/readiness/"


def approved_project(learner, cohort, *, passes=(), title=None, live_url=""):
    """An approved submission whose iteration's snapshot passes the checks `passes`."""
    work = SubmissionFactory(
        learner=learner,
        cohort=cohort,
        status=Status.APPROVED,
        **({"project__title": title} if title else {}),
    )
    iteration = IterationFactory(submission=work, number=1, live_url=live_url)
    snapshot = Snapshot.objects.create(iteration=iteration, status="ready")
    for position, key in enumerate(["tests", "commits", "readme-sections"]):
        CheckResult.objects.create(
            snapshot=snapshot,
            key=key,
            position=position,
            result="pass" if key in passes else "fail",
            summary=f"{key} summary",
        )
    return work


@pytest.fixture
def areas(db):
    return {
        "sql": InterviewAreaFactory(order=1, name="SQL queries"),
        "talk": InterviewAreaFactory(order=2, name="Project discussion"),
    }


@pytest.fixture
def statements(db, areas):
    return {
        "build": ReadinessStatementFactory(
            order=1,
            text="You can build a small Python project without copying every line from a tutorial.",
            evidence=Evidence.APPROVED_PROJECTS,
        ),
        "tests": ReadinessStatementFactory(
            order=2,
            text="You can write basic tests.",
            evidence=Evidence.AUTOMATED_CHECK,
            automated_check="tests",
        ),
        "debug": ReadinessStatementFactory(
            order=3, text="You can debug common errors.", evidence=Evidence.BUG_STORY
        ),
        "explain": ReadinessStatementFactory(
            order=4,
            text="You can explain at least two portfolio projects.",
            evidence=Evidence.MOCK_INTERVIEW,
            interview_area=areas["talk"],
        ),
        "docs": ReadinessStatementFactory(
            order=5, text="You can read official documentation when stuck."
        ),
    }


def _statement_block(html, statement):
    match = re.search(rf'<li [^>]*id="statement-{statement.pk}">(.*?)</li>', html, re.S)
    assert match, statement.text
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", match.group(1))).strip()


# --- Evidence ----------------------------------------------------------------------------------


def test_each_statement_shows_the_evidence_the_app_has(
    client_for, learner, cohort, mentor, statements, areas
):
    approved_project(learner, cohort, passes={"tests"}, title="Task manager")
    approved_project(learner, cohort, passes={"tests", "commits"}, title="Job tracker")
    approved_project(learner, cohort, passes={"commits"}, title="File organiser")
    SubmissionFactory(learner=learner, cohort=cohort, status=Status.SUBMITTED)  # not approved
    story = SubmissionFactory(
        learner=learner,
        cohort=cohort,
        status=Status.APPROVED,
        project=ProjectFactory(kind=Project.Kind.BUG_STORY, title="Tell me about a bug"),
    )
    BugStoryFactory(iteration__submission=story)
    for day, rating in [(1, 2), (8, 3)]:
        interview = MockInterviewFactory(
            learner=learner,
            cohort=cohort,
            mentor=mentor,
            held_on=datetime.date(2026, 11, day),
            published_at=timezone.now(),
        )
        MockInterviewRatingFactory(interview=interview, area=areas["talk"], rating=rating)

    html = client_for(learner).get(READINESS).content.decode()

    assert _statement_block(html, statements["build"]).startswith(
        "You can build a small Python project without copying every line from a tutorial. "
        "Tick: I can: You can build"
    )
    assert "Approved: Task manager, Job tracker, File organiser (3 approved projects)." in (
        _statement_block(html, statements["build"])
    )
    assert "Tests check passed in Task manager, Job tracker (2 approved projects)." in (
        _statement_block(html, statements["tests"])
    )
    assert "Approved bug story: Tell me about a bug." in _statement_block(html, statements["debug"])
    assert "Project discussion in mock interviews: 2 → 3 of 4 (up)" in _statement_block(
        html, statements["explain"]
    )
    assert "The app has no evidence for this one: your own tick says it." in (
        _statement_block(html, statements["docs"])
    )


def test_without_work_each_statement_says_there_is_no_evidence_yet(client_for, learner, statements):
    html = client_for(learner).get(READINESS).content.decode()

    assert "No evidence yet: no approved project yet." in _statement_block(
        html, statements["build"]
    )
    assert "No evidence yet: no approved project passes the Tests check." in (
        _statement_block(html, statements["tests"])
    )
    assert "No evidence yet: no approved bug story." in _statement_block(html, statements["debug"])
    assert "Project discussion has not been rated in a published mock interview." in (
        _statement_block(html, statements["explain"])
    )


@pytest.mark.parametrize("rows", [1, 5])
def test_the_readiness_page_costs_the_same_queries_for_1_and_5_of_everything(
    client_for, learner, cohort, mentor, statements, areas, rows, django_assert_num_queries
):
    for n in range(rows):
        approved_project(learner, cohort, passes={"tests"})
        interview = MockInterviewFactory(
            learner=learner, cohort=cohort, mentor=mentor, published_at=timezone.now()
        )
        MockInterviewRatingFactory(interview=interview, area=areas["sql"], rating=1 + n % 4)
        MockInterviewRatingFactory(interview=interview, area=areas["talk"], rating=2)
    client = client_for(learner)

    with django_assert_num_queries(14):
        response = client.get(READINESS)

    assert response.status_code == 200
    assert len(response.context["readiness"].projects) == rows
    assert len(response.context["readiness"].interviews) == rows


# --- Ticks -------------------------------------------------------------------------------------


def test_a_tick_sets_the_state_it_says_so_a_double_click_changes_nothing(
    client_for, learner, statements
):
    client = client_for(learner)
    url = f"/readiness/{statements['tests'].pk}/tick/"

    first = client.post(url, {"done": "1"})
    client.post(url, {"done": "1"})

    assert first["Location"] == f"/readiness/#statement-{statements['tests'].pk}"
    assert list(ReadinessTick.objects.values_list("statement", flat=True)) == [
        statements["tests"].pk
    ]
    client.post(url, {"done": "0"})
    assert ReadinessTick.objects.count() == 0


def test_a_tick_that_is_not_understood_changes_nothing(client_for, learner, statements):
    response = client_for(learner).post(
        f"/readiness/{statements['tests'].pk}/tick/", {"done": "maybe"}, follow=True
    )

    assert ReadinessTick.objects.count() == 0
    assert "That tick was not understood; nothing changed." in response.content.decode()


def test_a_tick_on_an_unpublished_statement_is_404(client_for, learner, statements):
    ReadinessStatement.objects.filter(pk=statements["docs"].pk).update(is_published=False)

    response = client_for(learner).post(f"/readiness/{statements['docs'].pk}/tick/", {"done": "1"})

    assert response.status_code == 404


def test_the_tick_is_post_only(client_for, learner, statements):
    assert client_for(learner).get(f"/readiness/{statements['docs'].pk}/tick/").status_code == 405


# --- Mock interviews --------------------------------------------------------------------------


def _interview_data(areas, **extra):
    return {
        "held_on": "2026-11-20",
        "questions": "What is the difference between a list and a dictionary?",
        f"rating_{areas['sql'].pk}": "2",
        f"note_{areas['sql'].pk}": "Joins were shaky.",
        f"rating_{areas['talk'].pk}": "",
        f"note_{areas['talk'].pk}": "",
        **extra,
    }


def test_a_draft_interview_is_the_mentors_until_published(
    client_for, learner, cohort, mentor, areas
):
    url = f"/mentor/learners/{cohort.pk}/{learner.pk}/interviews/new/"
    response = client_for(mentor).post(url, _interview_data(areas, save="1"))

    interview = MockInterview.objects.get()
    assert response["Location"] == f"/mentor/learners/{cohort.pk}/{learner.pk}/readiness/"
    assert (interview.learner, interview.mentor, interview.published_at) == (learner, mentor, None)
    assert list(interview.ratings.values_list("area__name", "rating", "note")) == [
        ("SQL queries", 2, "Joins were shaky.")
    ]
    assert "Joins were shaky." not in client_for(learner).get(READINESS).content.decode()


def test_a_published_interview_shows_each_rating_with_its_wording(
    client_for, learner, cohort, mentor, areas
):
    url = f"/mentor/learners/{cohort.pk}/{learner.pk}/interviews/new/"
    client_for(mentor).post(url, _interview_data(areas, publish="1"))

    html = client_for(learner).get(READINESS).content.decode()

    assert MockInterview.objects.get().published_at is not None
    assert "2 — Partly: an answer with gaps or errors" in html
    assert "Joins were shaky." in html
    assert "What is the difference between a list and a dictionary?" in html


def test_a_published_interview_no_longer_changes(client_for, learner, cohort, mentor, areas):
    interview = MockInterviewFactory(
        learner=learner, cohort=cohort, mentor=mentor, published_at=timezone.now()
    )
    MockInterviewRatingFactory(interview=interview, area=areas["sql"], rating=3)

    response = client_for(mentor).post(
        f"/mentor/interviews/{interview.pk}/", _interview_data(areas, save="1")
    )

    assert response["Location"] == f"/mentor/learners/{cohort.pk}/{learner.pk}/readiness/"
    assert list(interview.ratings.values_list("rating", flat=True)) == [3]
    with pytest.raises(InterviewError):
        mock_interview_save(
            interview=interview, mentor=mentor, held_on=interview.held_on, questions="", ratings=[]
        )


def test_editing_a_draft_replaces_its_ratings(client_for, learner, cohort, mentor, areas):
    interview = MockInterviewFactory(learner=learner, cohort=cohort, mentor=mentor)
    MockInterviewRatingFactory(interview=interview, area=areas["talk"], rating=1)

    client_for(mentor).post(f"/mentor/interviews/{interview.pk}/", _interview_data(areas))

    assert list(interview.ratings.values_list("area__name", "rating")) == [("SQL queries", 2)]


@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        ({"held_on": "20 November"}, "held_on", "Enter a valid date."),
        (
            {"rating_AREA": "9"},
            "rating_AREA",
            "Select a valid choice. 9 is not one of the available choices.",
        ),
        (
            {"rating_AREA": "", "note_AREA": "A note alone"},
            "rating_AREA",
            "Rate this area to keep its note.",
        ),
    ],
)
def test_bad_interview_input_is_a_form_error(
    client_for, learner, cohort, mentor, areas, extra, field, message
):
    pk = str(areas["sql"].pk)
    extra = {key.replace("AREA", pk): value for key, value in extra.items()}

    response = client_for(mentor).post(
        f"/mentor/learners/{cohort.pk}/{learner.pk}/interviews/new/",
        _interview_data(areas, **extra),
    )

    assert response.status_code == 200
    assert response.context["form"].errors[field.replace("AREA", pk)] == [message]
    assert MockInterview.objects.count() == 0


def test_publishing_without_a_rating_is_refused(client_for, learner, cohort, mentor, areas):
    data = _interview_data(areas, publish="1")
    data[f"rating_{areas['sql'].pk}"] = data[f"note_{areas['sql'].pk}"] = ""

    response = client_for(mentor).post(
        f"/mentor/learners/{cohort.pk}/{learner.pk}/interviews/new/", data
    )

    assert response.context["form"].non_field_errors() == [
        "Rate at least one interview area before publishing."
    ]
    assert MockInterview.objects.published().count() == 0


def test_a_mentor_cannot_interview_themselves(cohort, mentor, areas):
    with pytest.raises(InterviewError, match="You cannot interview yourself"):
        mock_interview_save(
            learner=mentor,
            cohort=cohort,
            mentor=mentor,
            held_on=datetime.date.today(),
            questions="",
            ratings=[],
        )


def test_a_mentor_of_another_cohort_cannot_open_a_draft(
    client_for, learner, cohort, mentor, other_mentor
):
    interview = MockInterviewFactory(learner=learner, cohort=cohort, mentor=mentor)

    assert client_for(other_mentor).get(f"/mentor/interviews/{interview.pk}/").status_code == 404


# --- Sign-off ---------------------------------------------------------------------------------


def test_a_mentor_signs_a_learner_off_and_the_learner_sees_it(client_for, learner, cohort, mentor):
    url = f"/mentor/learners/{cohort.pk}/{learner.pk}/sign-off/"

    response = client_for(mentor).post(url, {"note": "Two projects that survive questions."})
    client_for(mentor).post(url, {"note": "Two projects that survive questions."})

    assert response["Location"] == f"/mentor/learners/{cohort.pk}/{learner.pk}/readiness/#sign-off"
    sign_off = ReadinessSignOff.objects.get()
    assert (sign_off.learner, sign_off.cohort, sign_off.mentor) == (learner, cohort, mentor)
    html = client_for(learner).get(READINESS).content.decode()
    assert "Two projects that survive questions." in html
    # Under the page's "Ready to apply", the section names what it is.
    assert '<h2 id="sign-off-heading" class="h5">Mentor’s sign-off</h2>' in html


def test_a_sign_off_without_a_note_is_refused(client_for, learner, cohort, mentor):
    response = client_for(mentor).post(
        f"/mentor/learners/{cohort.pk}/{learner.pk}/sign-off/", {"note": "  "}, follow=True
    )

    assert ReadinessSignOff.objects.count() == 0
    assert "Write a note to sign off: This field is required." in response.content.decode()


def test_a_second_sign_off_updates_the_one_row(learner, cohort, mentor, staff):
    ReadinessSignOffFactory(learner=learner, cohort=cohort, mentor=mentor, note="First.")

    readiness_sign_off(learner=learner, cohort=cohort, mentor=staff, note="Second.")

    assert list(ReadinessSignOff.objects.values_list("mentor", "note")) == [(staff.pk, "Second.")]


def test_no_one_signs_themselves_off(cohort, mentor):
    with pytest.raises(InterviewError, match="You cannot sign off yourself"):
        readiness_sign_off(learner=mentor, cohort=cohort, mentor=mentor, note="Me.")


def test_the_mentors_readiness_page_shows_drafts_and_the_learners_ticks(
    client_for, learner, cohort, mentor, statements, areas
):
    ReadinessTick.objects.create(learner=learner, statement=statements["docs"])
    MockInterviewFactory(
        learner=learner, cohort=cohort, mentor=mentor, held_on=datetime.date(2026, 11, 3)
    )

    html = (
        client_for(mentor)
        .get(f"/mentor/learners/{cohort.pk}/{learner.pk}/readiness/")
        .content.decode()
    )

    assert "Ticked by the learner" in _statement_block(html, statements["docs"])
    assert "Not ticked" in _statement_block(html, statements["tests"])
    assert re.search(
        r'id="interview-drafts">\s*<li><a href="/mentor/interviews/\d+/">3 November 2026', html
    )
    assert 'name="done"' not in html


def test_ratings_keep_one_row_per_area(learner, cohort, mentor, areas):
    interview = MockInterviewFactory(learner=learner, cohort=cohort, mentor=mentor)
    MockInterviewRatingFactory(interview=interview, area=areas["sql"])

    with pytest.raises(Exception, match="reviews_mockinterviewrating_unique_area"):
        MockInterviewRating.objects.create(interview=interview, area=areas["sql"], rating=2)


@pytest.mark.parametrize("rows", [1, 5])
def test_the_mentors_readiness_page_costs_the_same_queries_for_1_and_5_interviews(
    client_for, learner, cohort, mentor, statements, areas, rows, django_assert_num_queries
):
    for n in range(rows):
        approved_project(learner, cohort, passes={"tests"})
        published = MockInterviewFactory(
            learner=learner, cohort=cohort, mentor=mentor, published_at=timezone.now()
        )
        MockInterviewRatingFactory(interview=published, area=areas["sql"], rating=1 + n % 4)
        MockInterviewFactory(  # a draft, one a day
            learner=learner,
            cohort=cohort,
            mentor=mentor,
            held_on=datetime.date(2026, 11, 1) + datetime.timedelta(days=n),
        )
    client = client_for(mentor)

    with django_assert_num_queries(13):
        response = client.get(f"/mentor/learners/{cohort.pk}/{learner.pk}/readiness/")

    assert len(response.context["drafts"]) == rows
    assert len(response.context["readiness"].interviews) == rows


@pytest.mark.parametrize("rows", [1, 5])
def test_the_interview_form_costs_the_same_queries_for_1_and_5_areas(
    client_for, learner, cohort, mentor, rows, django_assert_num_queries
):
    interview = MockInterviewFactory(learner=learner, cohort=cohort, mentor=mentor)
    for _ in range(rows):
        MockInterviewRatingFactory(interview=interview, area=InterviewAreaFactory())
    client = client_for(mentor)

    with django_assert_num_queries(6):
        response = client.get(f"/mentor/interviews/{interview.pk}/")

    assert len(response.context["form"].areas) == rows


def test_the_dashboard_summary_counts_ticks_and_keeps_each_areas_trend(
    learner, cohort, mentor, statements, areas, django_assert_num_queries
):
    ReadinessTick.objects.create(learner=learner, statement=statements["docs"])
    ReadinessTick.objects.create(learner=learner, statement=statements["tests"])
    ReadinessStatement.objects.filter(pk=statements["tests"].pk).update(is_published=False)
    for day, rating in [(1, 1), (2, 3)]:
        interview = MockInterviewFactory(
            learner=learner,
            cohort=cohort,
            mentor=mentor,
            held_on=datetime.date(2026, 11, day),
            published_at=timezone.now(),
        )
        MockInterviewRatingFactory(interview=interview, area=areas["sql"], rating=rating)
    MockInterviewRatingFactory(
        interview=MockInterviewFactory(learner=learner, cohort=cohort, mentor=mentor),
        area=areas["talk"],
    )  # a draft: not in the trend

    # the statements with the learner's ticks, the published interviews' ratings, the
    # sign-off, the portfolio
    with django_assert_num_queries(4):
        summary = readiness_for_dashboard(learner=learner, cohort=cohort)

    assert (summary.statements, summary.ticked) == (4, 1)
    assert [(t.area.name, t.ratings, t.direction) for t in summary.trends] == [
        ("SQL queries", [1, 3], "up")
    ]
    assert summary.sign_off is None
    assert summary.portfolio is None


def test_a_double_click_on_save_draft_keeps_one_draft(client_for, learner, cohort, mentor, areas):
    client = client_for(mentor)
    url = f"/mentor/learners/{cohort.pk}/{learner.pk}/interviews/new/"

    client.post(url, _interview_data(areas, save="1"))
    client.post(url, _interview_data(areas, save="1", questions="Second click."))

    assert list(MockInterview.objects.values_list("questions", flat=True)) == ["Second click."]
    assert MockInterviewRating.objects.count() == 1


def test_moving_a_draft_onto_the_date_of_another_draft_is_a_form_error(
    client_for, learner, cohort, mentor, areas
):
    MockInterviewFactory(learner=learner, cohort=cohort, mentor=mentor, held_on="2026-11-20")
    other = MockInterviewFactory(
        learner=learner, cohort=cohort, mentor=mentor, held_on="2026-11-21"
    )

    response = client_for(mentor).post(f"/mentor/interviews/{other.pk}/", _interview_data(areas))

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "You already have a draft interview with this learner on that date; edit that one instead."
    ]
    other.refresh_from_db()
    assert other.held_on == datetime.date(2026, 11, 21)


def test_publishing_an_interview_and_signing_off_tell_the_learner_once(
    client_for, learner, cohort, mentor, areas
):
    url = f"/mentor/learners/{cohort.pk}/{learner.pk}/interviews/new/"
    client_for(mentor).post(url, _interview_data(areas, save="1"))
    assert Notification.objects.count() == 0  # a draft tells no one
    interview = MockInterview.objects.get()
    client_for(mentor).post(
        f"/mentor/interviews/{interview.pk}/", _interview_data(areas, publish="1")
    )
    sign_off = f"/mentor/learners/{cohort.pk}/{learner.pk}/sign-off/"
    client_for(mentor).post(sign_off, {"note": "Ready."})
    client_for(mentor).post(sign_off, {"note": "Ready, with a better note."})

    rows = Notification.objects.filter(user=learner).order_by("pk")
    assert [(n.kind, n.url) for n in rows] == [("readiness", "/readiness/")] * 2
    assert [n.text for n in rows] == [
        f"{mentor.get_full_name()} published your mock interview of 20 November 2026",
        f"{mentor.get_full_name()} signed you off as ready to apply",
    ]
