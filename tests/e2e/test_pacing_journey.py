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
    expect(staff.locator(".messagelist")).to_contain_text("stage target date(s) set")
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
