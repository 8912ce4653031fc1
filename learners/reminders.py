"""Due-date reminders to learners: two days before a stage's or project's date, and on the day
after it passed, each once per learner, item and day (learners.Reminder), through the inbox
and the e-mail each learner chose (bootcamp.notifications.notify).

A stage is reminded while it is not complete; a project while the learner has not submitted
it in the cohort. Run by the hourly `learners.reminders_send` job: a cohort's reminders go out
at the first run at or after REMINDER_HOUR in its time zone, on its local day.
"""

import datetime
import logging

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
from learners.progress import stage_is_complete, stage_is_counted
from learners.services import reminder_record

SOON_DAYS = 2

logger = logging.getLogger(__name__)


def cohorts_due_for_reminders(*, now):
    """The cohorts running on their local day whose reminder hour has come: from `starts_on`
    to the day after `ends_on` (when the last day's "passed" reminders go out), not after.
    SQL keeps the cohorts within a day of that on the UTC date (no zone is more than a day
    off it); each cohort's own zone decides the rest."""
    utc_today = now.astimezone(datetime.UTC).date()
    running = Cohort.objects.filter(
        starts_on__lte=utc_today + datetime.timedelta(days=1),
        ends_on__gte=utc_today - datetime.timedelta(days=2),
    )
    for cohort in running.order_by("pk"):
        local = cohort.local_now(now)
        today = local.date()
        if (
            local.hour >= settings.REMINDER_HOUR
            and cohort.starts_on <= today <= cohort.ends_on + datetime.timedelta(days=1)
        ):
            yield cohort, today


def each_cohort(send, *, now) -> int:
    """`send(cohort=, today=, now=)` for each cohort due now; the sum of what it returns. A
    cohort that fails is logged and skipped: the others still get theirs (the next hourly run
    tries it again)."""
    sent = 0
    for cohort, today in cohorts_due_for_reminders(now=now):
        try:
            sent += send(cohort=cohort, today=today, now=now)
        except Exception:
            logger.exception("%s failed for cohort %s (%s)", send.__name__, cohort.pk, cohort)
    return sent


def learner_reminders_send(*, now=None) -> int:
    """Send the due reminders of every cohort; returns how many went out. Idempotent."""
    return each_cohort(cohort_reminders_send, now=now or timezone.now())


def _kind_for(due_on: datetime.date, today: datetime.date) -> str | None:
    if due_on == today + datetime.timedelta(days=SOON_DAYS):
        return Reminder.Kind.DUE_SOON
    if due_on == today - datetime.timedelta(days=1):
        return Reminder.Kind.DUE_PASSED
    return None


def cohort_reminders_send(*, cohort: Cohort, today: datetime.date, now=None) -> int:
    """The reminders of one cohort for its local `today`. A few queries for the cohort, then
    three or four per reminder sent; one when every reminder went out already today (the
    unique constraint then only settles a race with another run)."""
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
    if wanted:
        sent_today = set(
            Reminder.objects.filter(
                user__in={key[0] for key in wanted},
                day=today,
                kind__in=[Reminder.Kind.DUE_SOON, Reminder.Kind.DUE_PASSED],
            ).values_list("user_id", "kind", "about")
        )
        wanted = {
            key: (kind, due_on)
            for key, (kind, due_on) in wanted.items()
            if (key[0], kind, _about(cohort, key[1], key[2])) not in sent_today
        }
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
            if (
                object_id not in stages
                or not stage_is_counted(published_projects=stages[object_id].published_projects)
                or (learner_id, object_id) in done
            ):
                continue  # unpublished, never completable (nothing to submit), or complete
            title, url = str(stages[object_id]), stages[object_id].get_absolute_url()
        else:
            if (learner_id, object_id) in submitted:
                continue
            title, url = projects[object_id].title, projects[object_id].get_absolute_url()
        if _remind(
            learner=learners[learner_id],
            kind=kind,
            about=_about(cohort, scope, object_id),
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


def _about(cohort, scope, object_id) -> str:
    """What a reminder is about, as its Reminder row says: with the cohort, so a learner in
    two cohorts hears about each one's dates."""
    return f"cohort:{cohort.pk}:{scope}:{object_id}"


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
