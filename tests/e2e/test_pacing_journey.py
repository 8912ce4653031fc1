"""Issue 16's pacing journey, in a real browser on the real roadmap and demo accounts: staff
spread the stages over the cohort's dates, a learner sees "due in …", the dates move into
the past in the database (a frozen clock would reach neither the server nor the job), a
mentor sees the learner behind and at risk, and the reminder job, run for real, reaches the
outbox, the mail server and the learner's inbox."""

import datetime
import re

import pytest
from django.core import mail
from django.db.models import F
from playwright.sync_api import expect

from bootcamp.models import OutboxMessage
from learners.models import Cohort, StageTarget
from learners.tasks import reminders_send
from tests.e2e.axe import assert_accessible
from tests.e2e.pages import log_in

pytestmark = pytest.mark.e2e
DAY = datetime.timedelta(days=1)
FIRST_STAGE = "1. Python fundamentals"


def test_pacing_journey(demo_data, new_page, live_server, settings, deliver_mail):
    settings.SITE_URL = live_server.url
    settings.REMINDER_HOUR = 0  # whatever the hour the test runs at, reminders are due
    cohort = Cohort.objects.get(slug="demo")
    today = cohort.today()
    # A cohort of 60 days starting today, with no dates yet: staff give them.
    Cohort.objects.filter(pk=cohort.pk).update(starts_on=today, ends_on=today + 60 * DAY)
    StageTarget.objects.filter(cohort=cohort).delete()

    # Staff spread the stages over the cohort's dates with the admin action.
    staff = new_page("staff")
    log_in(staff, "staff")
    staff.goto("/admin/learners/cohort/")
    staff.get_by_role("checkbox", name="Select this object for an action - Demo cohort").check()
    staff.get_by_label("Action:").select_option(
        label="Spread the stages evenly over the cohort's dates"
    )
    staff.get_by_role("button", name="Go").click()
    expect(staff.locator(".messagelist")).to_contain_text("stage target dates set")
    assert_accessible(staff)
    first = StageTarget.objects.get(cohort=cohort, stage__number=1)
    days = (first.due_on - today).days
    assert days == 10  # 60 days over 6 stages
    # The dates are inline on the cohort, where staff can change any of them.
    staff.get_by_role("link", name="Demo cohort").click()
    expect(staff.get_by_role("heading", level=1)).to_have_text("Change cohort")
    expect(staff.get_by_text("Stage target finish dates")).to_be_visible()
    assert_accessible(staff)

    # The learner sees when the first stage is due.
    learner = new_page("learner")
    log_in(learner, "learner1")
    stage = learner.locator(".stage-progress li").filter(has_text=FIRST_STAGE)
    expect(stage.locator(".due-badge")).to_have_text("Due in 10 days")
    expect(learner.get_by_role("region", name="What to do next")).to_contain_text("Due in 10 days")
    assert_accessible(learner)

    # Eleven days pass: the cohort's dates move into the past, in the database.
    Cohort.objects.filter(pk=cohort.pk).update(
        starts_on=F("starts_on") - 11 * DAY, ends_on=F("ends_on") - 11 * DAY
    )
    StageTarget.objects.filter(cohort=cohort).update(due_on=F("due_on") - 11 * DAY)
    learner.reload()
    expect(stage.locator(".due-badge")).to_have_text("1 day late")

    # A mentor sees the learner behind in the grid and at risk at the top of the overview.
    mentor = new_page("mentor")
    log_in(mentor, "mentor1")
    mentor.goto("/cohorts/demo/")
    risk = mentor.get_by_role("region", name=re.compile(r"^At risk"))
    expect(risk.get_by_role("listitem").filter(has_text="Learner 1")).to_contain_text(
        "behind on stage 1's date"
    )
    row = mentor.locator("#progress-grid tbody tr").filter(has_text="Learner 1")
    expect(row).to_contain_text("behind schedule")
    expect(row.locator("td[data-behind]").first).to_contain_text("behind: 1 day late")
    assert_accessible(mentor)

    # The reminder job, as the worker runs it: "the day it passes" is today.
    reminders_send(timestamp=0)
    reminder = OutboxMessage.objects.get(template="due_passed", to="learner1@example.com")
    assert reminder.subject == f"[bootcamp] Stage “{FIRST_STAGE}” was due yesterday " + (
        f"({first.due_on - 11 * DAY:%-d %b})"
    )
    reminders_send(timestamp=0)  # twice: still one
    assert OutboxMessage.objects.filter(template="due_passed", to=reminder.to).count() == 1
    deliver_mail()
    assert [m.subject for m in mail.outbox if m.to == [reminder.to]] == [reminder.subject]

    # And the learner's inbox has it.
    learner.goto("/notifications/")
    expect(learner.get_by_role("main")).to_contain_text(f"Stage “{FIRST_STAGE}” was due yesterday")
    assert_accessible(learner)


def test_the_cohort_page_on_a_phone(demo_data, new_page):
    page = new_page("phone")
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, "mentor1")
    page.goto("/cohorts/demo/")

    # The phone's own drawing of the chart, its text at a readable size once scaled.
    narrow = page.locator("svg.cohort-chart.d-md-none")
    expect(narrow).to_be_visible()
    expect(page.locator("svg.cohort-chart.d-none")).to_be_hidden()
    label = narrow.locator("text", has_text="Count per week")
    assert label.bounding_box()["width"] > 0
    font_px = label.evaluate("e => e.getBoundingClientRect().height")
    assert font_px >= 9, font_px
    # The grid scrolls sideways under a learner column that stays put.
    first = page.locator("#progress-grid tbody th[scope=row]").first
    assert first.evaluate("e => getComputedStyle(e).position") == "sticky"
    box_before = first.bounding_box()
    scrolled = (
        page.locator(".table-responsive")
        .filter(has=page.locator("#progress-grid"))
        .evaluate("e => { e.scrollLeft = 400; return e.scrollLeft; }")
    )
    assert scrolled > 0  # the stages did move sideways
    assert first.bounding_box()["x"] == box_before["x"]
    assert_accessible(page)
