"""Due-date reminders to learners: two days before a stage's or project's date, and on the day
after it passed, each once per learner, item and day (learners.Reminder), through the inbox
and the e-mail each learner chose (bootcamp.notifications.notify).

A stage is reminded while it is not complete; a project while the learner has not submitted
it in the cohort. Run by the hourly `learners.reminders_send` job: a cohort's reminders go out
at the first run at or after REMINDER_HOUR in its time zone, on its local day.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils import timezone

from bootcamp.models import NotificationKind
from bootcamp.notifications import notify
from learners.models import (
    Cohort,
    Extension,
    Membership,
    ProjectDueDate,
    Reminder,
    StageTarget,
    Submission,
    approved_required_q,
)
from learners.pacing import Due, stages_with_counts
from learners.progress import stage_is_complete
from learners.services import reminder_record

SOON_DAYS = 2


def cohorts_due_for_reminders(*, now):
    """The cohorts running on their local day whose reminder hour has come."""
    for cohort in Cohort.objects.order_by("pk"):
        local = cohort.local_now(now)
        if local.hour >= settings.REMINDER_HOUR and cohort.starts_on <= local.date():
            yield cohort, local.date()


def learner_reminders_send(*, now=None) -> int:
    """Send the due reminders of every cohort; returns how many went out. Idempotent."""
    now = now or timezone.now()
    return sum(
        cohort_reminders_send(cohort=cohort, today=today, now=now)
        for cohort, today in cohorts_due_for_reminders(now=now)
    )


def _kind_for(due_on: datetime.date, today: datetime.date) -> str | None:
    if due_on == today + datetime.timedelta(days=SOON_DAYS):
        return Reminder.Kind.DUE_SOON
    if due_on == today - datetime.timedelta(days=1):
        return Reminder.Kind.DUE_PASSED
    return None


def cohort_reminders_send(*, cohort: Cohort, today: datetime.date, now=None) -> int:
    """The reminders of one cohort for its local `today`. A few queries for the cohort, then
    three or four per reminder sent."""
    learners = {
        m.user_id: m.user
        for m in Membership.objects.filter(
            cohort=cohort, role=Membership.Role.LEARNER, user__is_active=True
        ).select_related("user")
    }
    stage_dates = dict(StageTarget.objects.filter(cohort=cohort).values_list("stage_id", "due_on"))
    project_dates = dict(
        ProjectDueDate.objects.filter(cohort=cohort, project__is_published=True).values_list(
            "project_id", "due_on"
        )
    )
    extensions = {
        (e.learner_id, "stage" if e.stage_id else "project", e.stage_id or e.project_id): e.due_on
        for e in Extension.objects.filter(cohort=cohort)
    }
    # (learner, "stage"/"project", id) -> reminder kind, for every date that falls today.
    wanted = {}
    for scope, dates in (("stage", stage_dates), ("project", project_dates)):
        for object_id, base in dates.items():
            for learner_id in learners:
                due_on = extensions.get((learner_id, scope, object_id), base)
                kind = _kind_for(due_on, today)
                if kind:
                    wanted[(learner_id, scope, object_id)] = (kind, due_on)
    if not wanted:
        return 0
    stages = {stage.pk: stage for stage in stages_with_counts()}
    done = _stages_done(cohort=cohort, learner_ids={key[0] for key in wanted}, stages=stages)
    submitted = set(
        Submission.objects.filter(cohort=cohort, learner__in={key[0] for key in wanted})
        .exclude(status=Submission.Status.WITHDRAWN)  # withdrawn work is not handed in
        .values_list("learner_id", "project_id")
    )
    projects = {
        date.project_id: date.project
        for date in ProjectDueDate.objects.filter(cohort=cohort).select_related("project")
    }
    sent = 0
    for (learner_id, scope, object_id), (kind, due_on) in sorted(wanted.items()):
        if scope == "stage":
            if object_id not in stages or (learner_id, object_id) in done:
                continue
            title, url = str(stages[object_id]), stages[object_id].get_absolute_url()
        else:
            if (learner_id, object_id) in submitted:
                continue
            title, url = projects[object_id].title, projects[object_id].get_absolute_url()
        if _remind(
            learner=learners[learner_id],
            kind=kind,
            about=f"{scope}:{object_id}",
            today=today,
            now=now,
            context={
                "cohort": cohort.name,
                "what": title,
                "is_stage": scope == "stage",
                "due": Due(due_on, today),
                "due_on": due_on,
                "dashboard_url": reverse("reviews:dashboard"),
            },
            url=url,
        ):
            sent += 1
    return sent


def _stages_done(*, cohort, learner_ids, stages) -> set[tuple[int, int]]:
    """(learner id, stage id) for each stage the learner has complete in the cohort."""
    rows = (
        Submission.objects.filter(
            cohort=cohort, learner__in=learner_ids, status=Submission.Status.APPROVED
        )
        .values("learner_id", stage_id=F("project__stage_id"))
        .annotate(
            approved=Count("pk", filter=Q(project__is_published=True)),
            approved_required=Count("pk", filter=approved_required_q()),
        )
        .order_by()
    )
    return {
        (row["learner_id"], row["stage_id"])
        for row in rows
        if row["stage_id"] in stages
        and stage_is_complete(
            required=stages[row["stage_id"]].required,
            approved_required=row["approved_required"],
            approved=row["approved"],
        )
    }


@transaction.atomic
def _remind(*, learner, kind, about, today, now, context, url) -> bool:
    if not reminder_record(user=learner, kind=kind, about=about, day=today, now=now):
        return False
    notify(
        users=[learner],
        kind=(
            NotificationKind.DUE_SOON
            if kind == Reminder.Kind.DUE_SOON
            else NotificationKind.DUE_PASSED
        ),
        template=kind,
        context=context,
        url=url,
    )
    return True
