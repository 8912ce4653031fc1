"""Readiness on the cohort overview, its CSV and the learner's dashboard."""

import datetime
import re

from django.utils import timezone

from tests.factories import (
    InterviewAreaFactory,
    MockInterviewFactory,
    MockInterviewRatingFactory,
    PortfolioFactory,
    ProjectFactory,
    ReadinessSignOffFactory,
    ReadinessStatementFactory,
    StageFactory,
)
from tests.reviews.test_cohort_overview import read_csv


def test_the_overview_shows_who_is_ready_and_how_many(
    client_for, cohort, learner, other_learner, mentor
):
    ProjectFactory(stage=StageFactory(number=1))
    ReadinessSignOffFactory(
        learner=learner,
        cohort=cohort,
        mentor=mentor,
        signed_at=timezone.make_aware(datetime.datetime(2026, 11, 28, 12)),
    )

    html = client_for(mentor).get(f"/cohorts/{cohort.slug}/").content.decode()

    assert re.search(r'id="figure-ready">1</dd>', html)
    cells = re.findall(r'<td class="ready-cell">(.*?)</td>', html, re.S)
    assert len(cells) == 2
    signed = [cell for cell in cells if "Signed off" in cell]
    assert len(signed) == 1
    assert '<time datetime="2026-11-28">28 Nov</time>' in signed[0]


def test_the_csv_has_the_sign_off_day_and_the_figures_the_count(
    client_for, cohort, learner, other_learner, mentor
):
    ReadinessSignOffFactory(learner=learner, cohort=cohort, mentor=mentor)
    client = client_for(mentor)

    _, rows = read_csv(client.get(f"/cohorts/{cohort.slug}/progress.csv"))
    _, figures = read_csv(client.get(f"/cohorts/{cohort.slug}/progress.csv", {"part": "figures"}))

    assert rows[0][-1] == "Ready to apply"
    by_user = {row[0]: row[-1] for row in rows[1:]}
    assert by_user == {
        learner.username: timezone.localdate().isoformat(),
        other_learner.username: "",
    }
    assert figures[-1] == ["Learners ready to apply", "1"]


def test_a_sign_off_in_another_cohort_does_not_count(client_for, cohort, learner, mentor):
    ReadinessSignOffFactory(learner=learner, mentor=mentor)  # another cohort

    html = client_for(mentor).get(f"/cohorts/{cohort.slug}/").content.decode()

    assert 'id="figure-ready">0</dd>' in html


def test_the_dashboard_shows_each_areas_trend_the_ticks_and_the_portfolio(
    client_for, cohort, learner, mentor
):
    ReadinessStatementFactory()
    area = InterviewAreaFactory(name="SQL queries")
    for day, rating in [(1, 2), (9, 4)]:
        interview = MockInterviewFactory(
            learner=learner,
            cohort=cohort,
            mentor=mentor,
            held_on=datetime.date(2026, 11, day),
            published_at=timezone.now(),
        )
        MockInterviewRatingFactory(interview=interview, area=area, rating=rating)
    PortfolioFactory(learner=learner, slug="ada-builds")

    html = client_for(learner).get("/dashboard/").content.decode()

    section = html[html.index('id="readiness"') :]
    assert "You have ticked 0 of the 1 readiness statements." in section
    assert re.search(
        r'<th scope="row" class="fw-normal">SQL queries</th><td>\s*<span class="rating-trend" '
        r'data-ratings="2,4">2 → 4 of 4 <span class="text-success">\(up\)</span>',
        section,
    )
    assert 'published at <a href="/p/ada-builds/">/p/ada-builds/</a>' in section
