"""Due-date reminders to learners: two days before a stage's or project's date, and on the day
after it passed, through the inbox and the e-mail each learner chose
(bootcamp.notifications.notify). Each goes once per learner and date: a learners.Reminder row
marks each one sent (its unique constraint, per learner, item and day, settles a race).

A reminder missed on its day (no worker ran there that day) goes out at the next run: "due
soon" while the date is still ahead (one day before it, then worded "due in 1 day"), "passed"
up to CATCH_UP_DAYS after the date. A date moved later (an extension) earns a fresh "due soon"
and, once it passes, a fresh "passed"; once a date has passed, no "due soon" for it.

A stage is reminded while it is not complete; a project while the learner has not submitted
it in the cohort. Run by the hourly `learners.reminders_send` job: a cohort's reminders go out
at the first run at or after REMINDER_HOUR in its time zone, on its local day.
"""

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Max, Q
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
# A "passed" reminder goes out from the day after the date until this many days after it, so
# one missed on its day (no worker ran) still goes out, and a long-past date stays quiet.
CATCH_UP_DAYS = 3

logger = logging.getLogger(__name__)


def cohorts_due_for_reminders(*, now):
    """The cohorts running on their local day whose reminder hour has come: from `starts_on`
    to CATCH_UP_DAYS after `ends_on` (the last day's "passed" reminders, caught up if missed),
    not after. SQL keeps the cohorts within a day of that on the UTC date (no zone is more
    than a day off it); each cohort's own zone decides the rest."""
    utc_today = now.astimezone(datetime.UTC).date()
    running = Cohort.objects.filter(
        starts_on__lte=utc_today + datetime.timedelta(days=1),
        ends_on__gte=utc_today - datetime.timedelta(days=CATCH_UP_DAYS + 1),
    )
    for cohort in running.order_by("pk"):
        local = cohort.local_now(now)
        today = local.date()
        if (
            local.hour >= settings.REMINDER_HOUR
            and cohort.starts_on <= today <= cohort.ends_on + datetime.timedelta(days=CATCH_UP_DAYS)
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
    """The reminder a date may call for on `today`, if that reminder was not sent yet: "passed"
    once it has passed (never "due soon" then), "due soon" within SOON_DAYS before it."""
    if due_on < today <= due_on + datetime.timedelta(days=CATCH_UP_DAYS):
        return Reminder.Kind.DUE_PASSED
    if today < due_on <= today + datetime.timedelta(days=SOON_DAYS):
        return Reminder.Kind.DUE_SOON
    return None


def _sent_already(kind: str, due_on: datetime.date, last_day: datetime.date | None) -> bool:
    """Whether the reminder of `kind` for this date went out, given the last day one of that
    kind was sent about the item: "due soon" on or after the first day of this date's window
    (one sent for an earlier date does not count), "passed" after the date."""
    if last_day is None:
        return False
    if kind == Reminder.Kind.DUE_SOON:
        return last_day >= due_on - datetime.timedelta(days=SOON_DAYS)
    return last_day > due_on


def cohort_reminders_send(*, cohort: Cohort, today: datetime.date, now=None) -> int:
    """The reminders of one cohort for its local `today`, those missed on an earlier day
    included. A few queries for the cohort, then three or four per reminder sent; one when
    every reminder due went out already (the unique constraint then only settles a race
    with another run)."""
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
    # (learner, "stage"/"project", id) -> (reminder kind, date), for every date in a window.
    wanted = {}
    for scope, dates in (("stage", stage_dates), ("project", project_dates)):
        for object_id, base in dates.items():
            for learner_id in learners:
                due_on = extensions.get((learner_id, scope, object_id), base)
                kind = _kind_for(due_on, today)
                if kind:
                    wanted[(learner_id, scope, object_id)] = (kind, due_on)
    if wanted:
        # The last day each kind was sent about each item, over the days that can matter: one
        # query for the cohort, not one per learner.
        last_sent = {
            (row["user_id"], row["kind"], row["about"]): row["last_day"]
            for row in Reminder.objects.filter(
                user__in={key[0] for key in wanted},
                kind__in=[Reminder.Kind.DUE_SOON, Reminder.Kind.DUE_PASSED],
                about__in={_about(cohort, key[1], key[2]) for key in wanted},
                day__gt=today - datetime.timedelta(days=max(SOON_DAYS, CATCH_UP_DAYS)),
            )
            .values("user_id", "kind", "about")
            .annotate(last_day=Max("day"))
            .order_by()
        }
        wanted = {
            key: (kind, due_on)
            for key, (kind, due_on) in wanted.items()
            if not _sent_already(
                kind, due_on, last_sent.get((key[0], kind, _about(cohort, key[1], key[2])))
            )
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
