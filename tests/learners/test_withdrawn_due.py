"""Withdrawn work is not handed in: a project's due date still applies to its learner."""

import datetime

from bootcamp.models import Notification
from learners.models import Membership, ProjectDueDate, Submission
from learners.pacing import Due, Schedule
from learners.reminders import cohort_reminders_send
from learners.selectors import learner_project_dates
from tests.factories import (
    CohortFactory,
    MembershipFactory,
    ProjectFactory,
    SubmissionFactory,
    UserFactory,
)

TODAY = datetime.date(2026, 12, 2)
Status = Submission.Status


def test_a_learner_who_withdrew_the_work_is_reminded_of_the_projects_due_date(db, settings):
    settings.REMINDER_HOUR = 8
    cohort = CohortFactory(
        starts_on=TODAY - datetime.timedelta(days=30),
        ends_on=TODAY + datetime.timedelta(days=60),
        time_zone="UTC",
    )
    ada = UserFactory(username="ada", email="ada@example.com")
    bob = UserFactory(username="bob", email="bob@example.com")
    for user in (ada, bob):
        MembershipFactory(cohort=cohort, user=user, role=Membership.Role.LEARNER)
    project = ProjectFactory(title="Calculator")
    ProjectDueDate.objects.create(
        cohort=cohort, project=project, due_on=TODAY + datetime.timedelta(days=2)
    )
    SubmissionFactory(cohort=cohort, learner=ada, project=project, status=Status.WITHDRAWN)
    SubmissionFactory(cohort=cohort, learner=bob, project=project, status=Status.SUBMITTED)
    now = datetime.datetime.combine(TODAY, datetime.time(9), tzinfo=datetime.UTC)

    sent = cohort_reminders_send(cohort=cohort, today=TODAY, now=now)

    assert sent == 1
    assert list(Notification.objects.values_list("user", "kind")) == [(ada.pk, "due_soon")]


def test_the_dashboards_project_dates_keep_a_project_whose_work_was_withdrawn(db):
    cohort = CohortFactory()
    withdrawn = ProjectFactory(title="Calculator", slug="calculator")
    submitted = ProjectFactory(title="Todo list", slug="todo", stage=withdrawn.stage)
    due = Due(TODAY, TODAY)
    schedule = Schedule(today=TODAY, stages={}, projects={withdrawn.pk: due, submitted.pk: due})
    work = [
        SubmissionFactory(cohort=cohort, project=withdrawn, status=Status.WITHDRAWN),
        SubmissionFactory(cohort=cohort, project=submitted, status=Status.SUBMITTED),
    ]

    dates = learner_project_dates(
        schedule=schedule, projects=[withdrawn, submitted], submissions=work, cohort=cohort
    )

    assert dates == [(withdrawn, due)]
