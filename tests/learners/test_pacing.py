import datetime
from importlib import import_module

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from bootcamp.models import Notification, OutboxMessage
from bootcamp.notifications import notification_preferences_set
from learners import reminders
from learners.models import (
    Cohort,
    Extension,
    LearnerProgress,
    Membership,
    ProjectDueDate,
    Reminder,
    StageTarget,
    Submission,
)
from learners.pacing import Due, learner_schedule, spread_dates
from learners.reminders import (
    CATCH_UP_DAYS,
    cohort_reminders_send,
    cohorts_due_for_reminders,
    learner_reminders_send,
)
from learners.services import cohort_stages_spread, objective_check_set
from tests.factories import (
    CohortFactory,
    MembershipFactory,
    ObjectiveFactory,
    ProjectFactory,
    StageFactory,
    SubmissionFactory,
    UserFactory,
)

DAY = datetime.timedelta(days=1)
TODAY = datetime.date(2026, 12, 2)  # fixed for the date sums; the cohorts' own today may differ


@pytest.mark.parametrize(
    ("on", "text", "late"),
    [
        (TODAY + 3 * DAY, "due in 3 days", False),
        (TODAY + DAY, "due in 1 day", False),
        (TODAY, "due today", False),
        (TODAY - DAY, "1 day late", True),
        (TODAY - 2 * DAY, "2 days late", True),
    ],
)
def test_due_in_words(on, text, late):
    due = Due(on, TODAY)

    assert (due.text, due.is_late) == (text, late)


def test_spread_dates_end_with_the_cohort():
    dates = spread_dates(starts_on=TODAY, ends_on=TODAY + 60 * DAY, count=6)

    assert dates == [TODAY + n * 10 * DAY for n in range(1, 7)]


def test_spread_dates_of_a_one_day_cohort_are_its_day():
    assert spread_dates(starts_on=TODAY, ends_on=TODAY, count=3) == [TODAY, TODAY, TODAY]


@pytest.fixture
def stages(db):
    """Three published stages, each with an optional project (so each counts), and a hidden
    one."""
    stages = [
        StageFactory(number=1, slug="one", title="One"),
        StageFactory(number=2, slug="two", title="Two"),
        StageFactory(number=3, slug="three", title="Three"),
        StageFactory(number=4, slug="hidden", title="Hidden", is_published=False),
    ]
    for stage in stages:
        ProjectFactory(stage=stage, slug=f"{stage.slug}-extra", is_required=False)
    return stages


def test_spreading_stages_dates_each_counted_stage_and_replaces_old_dates(stages):
    StageFactory(number=5, slug="empty", title="Empty")  # nothing to submit: no date
    cohort = CohortFactory(starts_on=TODAY, ends_on=TODAY + 30 * DAY)
    StageTarget.objects.create(cohort=cohort, stage=stages[0], due_on=TODAY + 99 * DAY)

    cohort_stages_spread(cohort=cohort)
    cohort_stages_spread(cohort=cohort)  # twice: the same three rows

    assert list(
        StageTarget.objects.filter(cohort=cohort)
        .order_by("stage__number")
        .values_list("stage__slug", "due_on")
    ) == [("one", TODAY + 10 * DAY), ("two", TODAY + 20 * DAY), ("three", TODAY + 30 * DAY)]


def test_a_learners_extension_replaces_the_date_for_them_only(stages):
    cohort = CohortFactory()
    ada, bob = UserFactory(), UserFactory()
    project = ProjectFactory(stage=stages[1])
    StageTarget.objects.create(cohort=cohort, stage=stages[0], due_on=TODAY - DAY)
    ProjectDueDate.objects.create(cohort=cohort, project=project, due_on=TODAY + 3 * DAY)
    Extension.objects.create(cohort=cohort, learner=ada, stage=stages[0], due_on=TODAY + 5 * DAY)

    mine = learner_schedule(learner=ada, cohort=cohort, today=TODAY)
    theirs = learner_schedule(learner=bob, cohort=cohort, today=TODAY)

    assert (mine.for_stage(stages[0].pk).text, mine.for_stage(stages[0].pk).extended) == (
        "due in 5 days",
        True,
    )
    assert theirs.for_stage(stages[0].pk).text == "1 day late"
    assert mine.for_project(project).text == "due in 3 days"
    assert mine.for_stage(stages[2].pk) is None


def test_an_extension_is_for_a_stage_or_a_project_not_both(stages):
    cohort, ada = CohortFactory(), UserFactory()
    MembershipFactory(cohort=cohort, user=ada, role=Membership.Role.LEARNER)
    both = Extension(
        cohort=cohort,
        learner=ada,
        stage=stages[0],
        project=ProjectFactory(stage=stages[0]),
        due_on=TODAY,
    )
    with pytest.raises(ValidationError):
        both.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        both.save()
    with pytest.raises(IntegrityError), transaction.atomic():
        Extension.objects.create(cohort=cohort, learner=ada, due_on=TODAY)


def test_an_extension_is_for_a_learner_of_the_cohort(stages):
    cohort, outsider = CohortFactory(), UserFactory()
    extension = Extension(cohort=cohort, learner=outsider, stage=stages[0], due_on=TODAY)

    with pytest.raises(ValidationError) as error:
        extension.full_clean()
    assert error.value.message_dict == {"learner": ["Only a learner of this cohort can get one."]}

    MembershipFactory(cohort=cohort, user=outsider, role=Membership.Role.LEARNER)
    extension.full_clean()


def test_a_new_cohort_is_in_the_sites_time_zone(db, settings):
    settings.TIME_ZONE = "Europe/Paris"

    cohort = Cohort.objects.create(
        name="Paris", slug="paris", starts_on=TODAY, ends_on=TODAY + 30 * DAY
    )

    assert cohort.time_zone == "Europe/Paris"


def test_the_migration_puts_existing_cohorts_in_the_sites_time_zone(db, settings):
    cohorts = [CohortFactory(time_zone="UTC"), CohortFactory(time_zone="Asia/Tokyo")]
    settings.TIME_ZONE = "America/Chicago"
    migration = import_module("learners.migrations.0007_cohort_calendar_pace_and_reminders")

    migration.existing_cohorts_in_the_site_zone(django_apps, None)

    assert [Cohort.objects.get(pk=c.pk).time_zone for c in cohorts] == ["America/Chicago"] * 2


def test_a_cohort_time_zone_must_be_a_real_one(db):
    cohort = CohortFactory.build(time_zone="Mars/Olympus")

    with pytest.raises(ValidationError) as error:
        cohort.full_clean()

    assert "time_zone" in error.value.message_dict


def test_the_cohorts_today_follows_its_time_zone(db):
    # 23:30 UTC on 1 December is already 2 December in Tokyo, still 1 December in Chicago.
    now = datetime.datetime(2026, 12, 1, 23, 30, tzinfo=datetime.UTC)

    assert CohortFactory.build(time_zone="Asia/Tokyo").today(now) == datetime.date(2026, 12, 2)
    assert CohortFactory.build(time_zone="America/Chicago").today(now) == datetime.date(2026, 12, 1)


# Reminders --------------------------------------------------------------------------------


@pytest.fixture
def paced(stages, settings):
    settings.REMINDER_HOUR = 8
    cohort = CohortFactory(
        name="Autumn", starts_on=TODAY - 30 * DAY, ends_on=TODAY + 60 * DAY, time_zone="UTC"
    )
    ada = UserFactory(username="ada", email="ada@example.com")
    bob = UserFactory(username="bob", email="bob@example.com")
    for user in (ada, bob):
        MembershipFactory(cohort=cohort, user=user, role=Membership.Role.LEARNER)
    return {"cohort": cohort, "ada": ada, "bob": bob, "stages": stages}


def at(hour, day=TODAY):
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=datetime.UTC)


def test_learners_hear_two_days_before_a_date_and_the_day_after_it_passed(paced):
    cohort, ada, stages = paced["cohort"], paced["ada"], paced["stages"]
    StageTarget.objects.create(cohort=cohort, stage=stages[0], due_on=TODAY + 2 * DAY)
    StageTarget.objects.create(cohort=cohort, stage=stages[1], due_on=TODAY - DAY)
    StageTarget.objects.create(cohort=cohort, stage=stages[2], due_on=TODAY + 3 * DAY)  # not yet

    sent = cohort_reminders_send(cohort=cohort, today=TODAY, now=at(9))

    assert sent == 4  # two learners, two stages each
    assert sorted(Notification.objects.filter(user=ada).values_list("kind", "text", "url")) == [
        ("due_passed", "Stage “2. Two” was due yesterday (1 Dec)", stages[1].get_absolute_url()),
        ("due_soon", "Stage “1. One” is due in 2 days (4 Dec)", stages[0].get_absolute_url()),
    ]
    assert sorted(OutboxMessage.objects.filter(to="ada@example.com").values_list("template")) == [
        ("due_passed",),
        ("due_soon",),
    ]


def test_each_reminder_goes_once_per_person_object_and_day(paced):
    cohort, stages = paced["cohort"], paced["stages"]
    StageTarget.objects.create(cohort=cohort, stage=stages[0], due_on=TODAY + 2 * DAY)

    first = cohort_reminders_send(cohort=cohort, today=TODAY, now=at(9))
    again = cohort_reminders_send(cohort=cohort, today=TODAY, now=at(10))

    assert (first, again) == (2, 0)
    assert OutboxMessage.objects.count() == 2
    assert (
        Reminder.objects.filter(
            kind="due_soon", about=f"cohort:{cohort.pk}:stage:{stages[0].pk}"
        ).count()
        == 2
    )


def test_no_reminder_for_work_already_done(paced):
    cohort, ada, stages = paced["cohort"], paced["ada"], paced["stages"]
    project = ProjectFactory(stage=stages[0], slug="only")
    StageTarget.objects.create(cohort=cohort, stage=stages[0], due_on=TODAY - DAY)
    ProjectDueDate.objects.create(cohort=cohort, project=project, due_on=TODAY + 2 * DAY)
    SubmissionFactory(
        cohort=cohort, learner=ada, project=project, status=Submission.Status.APPROVED
    )

    cohort_reminders_send(cohort=cohort, today=TODAY, now=at(9))

    # Ada's stage is complete and her project submitted; Bob hears about both.
    assert Notification.objects.filter(user=ada).count() == 0
    assert sorted(
        Notification.objects.filter(user=paced["bob"]).values_list("kind", flat=True)
    ) == ["due_passed", "due_soon"]


def test_an_extension_moves_the_reminder(paced):
    cohort, ada, stages = paced["cohort"], paced["ada"], paced["stages"]
    StageTarget.objects.create(cohort=cohort, stage=stages[0], due_on=TODAY - DAY)
    Extension.objects.create(cohort=cohort, learner=ada, stage=stages[0], due_on=TODAY + 2 * DAY)

    cohort_reminders_send(cohort=cohort, today=TODAY, now=at(9))

    assert list(Notification.objects.filter(user=ada).values_list("kind", flat=True)) == [
        "due_soon"
    ]
    assert list(Notification.objects.filter(user=paced["bob"]).values_list("kind", flat=True)) == [
        "due_passed"
    ]


def test_a_due_soon_reminder_missed_on_its_day_goes_out_the_next_day(paced):
    """No worker ran on 30 November or 1 December, two days before: the reminder goes out at the
    first run on 2 December, worded for that day, and once."""
    cohort, ada, stages = paced["cohort"], paced["ada"], paced["stages"]
    StageTarget.objects.create(cohort=cohort, stage=stages[0], due_on=TODAY + DAY)

    assert learner_reminders_send(now=at(9)) == 2
    assert learner_reminders_send(now=at(10)) == 0
    assert cohort_reminders_send(cohort=cohort, today=TODAY + DAY, now=at(9, TODAY + DAY)) == 0

    assert list(Notification.objects.filter(user=ada).values_list("kind", "text")) == [
        ("due_soon", "Stage “1. One” is due in 1 day (3 Dec)")
    ]
    message = OutboxMessage.objects.get(to="ada@example.com")
    assert message.subject == "[bootcamp] Stage “1. One” is due in 1 day (3 Dec)"
    assert message.body.startswith(
        "Your target date for the stage “1. One” in Autumn is Thursday 3 December: due in 1 day."
    )


@pytest.mark.parametrize("count", [1, 5])
def test_checking_what_was_sent_on_earlier_days_is_one_query_whatever_the_learners(
    paced, django_assert_num_queries, count
):
    cohort, stages = paced["cohort"], paced["stages"]
    Membership.objects.filter(cohort=cohort).delete()
    for _ in range(count):
        MembershipFactory(cohort=cohort, user=UserFactory(), role=Membership.Role.LEARNER)
    StageTarget.objects.create(cohort=cohort, stage=stages[0], due_on=TODAY + 2 * DAY)
    ProjectDueDate.objects.create(
        cohort=cohort, project=ProjectFactory(stage=stages[1]), due_on=TODAY - DAY
    )
    assert cohort_reminders_send(cohort=cohort, today=TODAY, now=at(9)) == 2 * count

    # Learners, stage dates, project dates, extensions, and what was sent about these dates.
    with django_assert_num_queries(5):
        assert cohort_reminders_send(cohort=cohort, today=TODAY + DAY, now=at(9, TODAY + DAY)) == 0


def test_an_extension_moving_the_date_later_earns_a_fresh_due_soon_reminder(paced):
    """Ada heard on 2 December that 4 December was two days off, then got until 5 December;
    no worker ran on 3 December: the run on 4 December tells her of her new date."""
    cohort, ada, bob, stages = paced["cohort"], paced["ada"], paced["bob"], paced["stages"]
    StageTarget.objects.create(cohort=cohort, stage=stages[0], due_on=TODAY + 2 * DAY)
    assert cohort_reminders_send(cohort=cohort, today=TODAY, now=at(9)) == 2
    Extension.objects.create(cohort=cohort, learner=ada, stage=stages[0], due_on=TODAY + 3 * DAY)

    later = TODAY + 2 * DAY
    sent = cohort_reminders_send(cohort=cohort, today=later, now=at(9, later))

    assert sent == 1  # Ada, for her new date; Bob's is today, and he had his
    assert list(
        Notification.objects.filter(user=ada).order_by("pk").values_list("text", flat=True)
    ) == [
        "Stage “1. One” is due in 2 days (4 Dec)",
        "Stage “1. One” is due in 1 day (5 Dec)",
    ]
    assert Notification.objects.filter(user=bob).count() == 1


def test_a_passed_reminder_missed_on_its_day_is_caught_up_once(paced):
    cohort, ada, stages = paced["cohort"], paced["ada"], paced["stages"]
    StageTarget.objects.create(cohort=cohort, stage=stages[0], due_on=TODAY - 2 * DAY)

    assert cohort_reminders_send(cohort=cohort, today=TODAY, now=at(9)) == 2
    assert cohort_reminders_send(cohort=cohort, today=TODAY + DAY, now=at(9, TODAY + DAY)) == 0

    # Only "passed": the "due soon" one missed before the date is not sent late.
    assert list(Notification.objects.filter(user=ada).values_list("kind", "text")) == [
        ("due_passed", "Stage “1. One” is 2 days late (30 Nov)")
    ]


def test_a_passed_reminder_sent_on_its_day_is_not_sent_again_beside_one_caught_up(paced):
    """Stage one's "passed" went out on 2 December; stage two's date, 1 December too, was only
    set after that run: the next day's run catches up stage two's and not stage one's."""
    cohort, stages = paced["cohort"], paced["stages"]
    StageTarget.objects.create(cohort=cohort, stage=stages[0], due_on=TODAY - DAY)
    assert cohort_reminders_send(cohort=cohort, today=TODAY, now=at(9)) == 2
    StageTarget.objects.create(cohort=cohort, stage=stages[1], due_on=TODAY - DAY)

    assert cohort_reminders_send(cohort=cohort, today=TODAY + DAY, now=at(9, TODAY + DAY)) == 2

    assert sorted(Reminder.objects.filter(kind="due_passed").values_list("about", "day")) == sorted(
        [(f"cohort:{cohort.pk}:stage:{stages[0].pk}", TODAY)] * 2
        + [(f"cohort:{cohort.pk}:stage:{stages[1].pk}", TODAY + DAY)] * 2
    )


def test_a_passed_reminder_sent_on_its_day_is_found_after_a_day_without_a_run(paced):
    """Sent the day after the date, then no run the next day: the run after that, still in the
    catch-up window, must see the first one (the look-back reaches CATCH_UP_DAYS back)."""
    cohort, stages = paced["cohort"], paced["stages"]
    StageTarget.objects.create(cohort=cohort, stage=stages[0], due_on=TODAY - DAY)
    assert cohort_reminders_send(cohort=cohort, today=TODAY, now=at(9)) == 2

    later = TODAY + 2 * DAY  # the date's last catch-up day
    assert cohort_reminders_send(cohort=cohort, today=later, now=at(9, later)) == 0
    assert Reminder.objects.filter(kind="due_passed").count() == 2


def test_an_extension_to_the_day_a_passed_reminder_went_out_earns_a_new_one(paced):
    cohort, ada, stages = paced["cohort"], paced["ada"], paced["stages"]
    StageTarget.objects.create(cohort=cohort, stage=stages[0], due_on=TODAY - DAY)
    assert cohort_reminders_send(cohort=cohort, today=TODAY, now=at(9)) == 2
    Extension.objects.create(cohort=cohort, learner=ada, stage=stages[0], due_on=TODAY)

    tomorrow = TODAY + DAY
    assert cohort_reminders_send(cohort=cohort, today=tomorrow, now=at(9, tomorrow)) == 1
    assert list(
        Reminder.objects.filter(user=ada, kind="due_passed").order_by("day").values_list("day")
    ) == [(TODAY,), (tomorrow,)]


def test_a_passed_reminder_is_caught_up_for_catch_up_days_and_not_after(paced):
    cohort, ada, stages = paced["cohort"], paced["ada"], paced["stages"]
    StageTarget.objects.create(cohort=cohort, stage=stages[0], due_on=TODAY - CATCH_UP_DAYS * DAY)
    StageTarget.objects.create(
        cohort=cohort, stage=stages[1], due_on=TODAY - (CATCH_UP_DAYS + 1) * DAY
    )

    assert cohort_reminders_send(cohort=cohort, today=TODAY, now=at(9)) == 2  # stage one only
    assert list(Notification.objects.filter(user=ada).values_list("kind", "text")) == [
        ("due_passed", f"Stage “1. One” is {CATCH_UP_DAYS} days late (29 Nov)")
    ]


def test_an_extension_after_the_passed_reminder_earns_a_fresh_one_when_it_passes(paced):
    """Ada's date passed on 1 December, she heard so, and got until 3 December; no worker ran
    on 4 December: the run on 5 December tells her that her new date passed."""
    cohort, ada, stages = paced["cohort"], paced["ada"], paced["stages"]
    StageTarget.objects.create(cohort=cohort, stage=stages[0], due_on=TODAY - DAY)
    assert cohort_reminders_send(cohort=cohort, today=TODAY, now=at(9)) == 2
    Extension.objects.create(cohort=cohort, learner=ada, stage=stages[0], due_on=TODAY + DAY)

    later = TODAY + 3 * DAY
    assert cohort_reminders_send(cohort=cohort, today=later, now=at(9, later)) == 1

    assert list(
        Notification.objects.filter(user=ada).order_by("pk").values_list("kind", "text")
    ) == [
        ("due_passed", "Stage “1. One” was due yesterday (1 Dec)"),
        ("due_passed", "Stage “1. One” is 2 days late (3 Dec)"),
    ]


def test_a_learner_who_turned_the_kind_off_gets_the_inbox_row_only(paced):
    cohort, ada, stages = paced["cohort"], paced["ada"], paced["stages"]
    notification_preferences_set(user=ada, deliveries={"due_soon": "off"})
    StageTarget.objects.create(cohort=cohort, stage=stages[0], due_on=TODAY + 2 * DAY)

    cohort_reminders_send(cohort=cohort, today=TODAY, now=at(9))

    assert Notification.objects.filter(user=ada, kind="due_soon").count() == 1
    assert list(OutboxMessage.objects.values_list("to", flat=True)) == ["bob@example.com"]


def test_reminders_wait_for_the_hour_in_the_cohorts_time_zone(paced):
    cohort, stages = paced["cohort"], paced["stages"]
    cohort.time_zone = "America/New_York"  # 09:00 UTC is 04:00 there
    cohort.save()
    StageTarget.objects.create(cohort=cohort, stage=stages[0], due_on=TODAY + 2 * DAY)

    assert learner_reminders_send(now=at(9)) == 0
    assert learner_reminders_send(now=at(13)) == 2  # 08:00 in New York
    assert learner_reminders_send(now=at(20)) == 0


def test_the_day_it_passes_is_the_cohorts_day(paced):
    """At 02:00 UTC on 3 December it is still 2 December in Los Angeles (18:00), so a date of
    1 December passed "yesterday" there, not two days ago."""
    cohort, stages = paced["cohort"], paced["stages"]
    cohort.time_zone = "America/Los_Angeles"
    cohort.save()
    StageTarget.objects.create(cohort=cohort, stage=stages[0], due_on=TODAY - DAY)

    assert learner_reminders_send(now=at(2, TODAY + DAY)) == 2
    assert set(Reminder.objects.values_list("day", flat=True)) == {TODAY}


def test_reminders_stop_catch_up_days_after_the_cohort_ends(paced):
    """The last day's "passed" reminders go out the day after it, or up to CATCH_UP_DAYS
    after it when no worker ran; nothing after that."""
    cohort, stages = paced["cohort"], paced["stages"]
    last = TODAY - CATCH_UP_DAYS * DAY
    cohort.starts_on, cohort.ends_on = TODAY - 30 * DAY, last
    cohort.save()
    StageTarget.objects.create(cohort=cohort, stage=stages[0], due_on=last)
    StageTarget.objects.create(cohort=cohort, stage=stages[1], due_on=TODAY)

    assert list(cohorts_due_for_reminders(now=at(9))) == [(cohort, TODAY)]
    assert learner_reminders_send(now=at(9)) == 2  # stage one, its last day, caught up
    assert list(cohorts_due_for_reminders(now=at(9, TODAY + DAY))) == []
    assert learner_reminders_send(now=at(9, TODAY + DAY)) == 0  # stage two: ended, no word
    assert Reminder.objects.filter(about=f"cohort:{cohort.pk}:stage:{stages[1].pk}").count() == 0


def test_the_last_catch_up_day_is_the_cohorts_day(paced):
    """At 02:00 UTC on 3 December it is still 2 December in Los Angeles: CATCH_UP_DAYS after
    the cohort's end there, though a day more on the UTC date."""
    cohort = paced["cohort"]
    cohort.time_zone = "America/Los_Angeles"
    cohort.starts_on, cohort.ends_on = TODAY - 30 * DAY, TODAY - CATCH_UP_DAYS * DAY
    cohort.save()

    assert list(cohorts_due_for_reminders(now=at(2, TODAY + DAY))) == [(cohort, TODAY)]


def test_no_reminder_for_a_stage_with_nothing_to_submit(paced):
    cohort = paced["cohort"]
    empty = StageFactory(number=5, slug="empty", title="Empty")
    ProjectFactory(stage=empty, slug="draft", is_published=False)
    StageTarget.objects.create(cohort=cohort, stage=empty, due_on=TODAY + 2 * DAY)
    StageTarget.objects.create(cohort=cohort, stage=paced["stages"][0], due_on=TODAY + 2 * DAY)

    assert cohort_reminders_send(cohort=cohort, today=TODAY, now=at(9)) == 2  # stage one only
    assert Reminder.objects.filter(about__endswith=f"stage:{empty.pk}").count() == 0


def test_a_failing_cohort_is_logged_and_the_others_still_get_theirs(paced, monkeypatch, caplog):
    broken = CohortFactory(
        name="Broken", starts_on=TODAY - 30 * DAY, ends_on=TODAY + 60 * DAY, time_zone="UTC"
    )
    StageTarget.objects.create(
        cohort=paced["cohort"], stage=paced["stages"][0], due_on=TODAY + 2 * DAY
    )
    real = reminders.cohort_reminders_send

    def send(*, cohort, today, now):
        if cohort == broken:
            raise RuntimeError("boom")
        return real(cohort=cohort, today=today, now=now)

    send.__name__ = "cohort_reminders_send"
    monkeypatch.setattr(reminders, "cohort_reminders_send", send)

    assert reminders.learner_reminders_send(now=at(9)) == 2  # Autumn's, after Broken failed

    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [
        ("ERROR", f"cohort_reminders_send failed for cohort {broken.pk} (Broken)")
    ]


@pytest.mark.parametrize("days_later", [0, 1], ids=["the same day", "the next day"])
def test_a_later_run_tries_no_reminder_sent_already(
    paced, monkeypatch, django_assert_num_queries, days_later
):
    """A "due soon" sent on its day is not tried again later that day, nor the next day
    (when the date is still ahead and so still in its window)."""
    cohort, stages = paced["cohort"], paced["stages"]
    StageTarget.objects.create(cohort=cohort, stage=stages[0], due_on=TODAY + 2 * DAY)
    assert cohort_reminders_send(cohort=cohort, today=TODAY, now=at(9)) == 2

    def record(**kwargs):
        raise AssertionError("recorded again")

    monkeypatch.setattr(reminders, "reminder_record", record)
    later = TODAY + days_later * DAY
    # Learners, stage dates, project dates, extensions, and what was sent about these dates.
    with django_assert_num_queries(5):
        assert cohort_reminders_send(cohort=cohort, today=later, now=at(10, later)) == 0


def test_a_learner_in_two_cohorts_hears_about_each_cohorts_date(paced):
    cohort, ada, stages = paced["cohort"], paced["ada"], paced["stages"]
    other = CohortFactory(
        name="Winter", starts_on=TODAY - 30 * DAY, ends_on=TODAY + 60 * DAY, time_zone="UTC"
    )
    MembershipFactory(cohort=other, user=ada, role=Membership.Role.LEARNER)
    for each in (cohort, other):
        StageTarget.objects.create(cohort=each, stage=stages[0], due_on=TODAY + 2 * DAY)

    assert learner_reminders_send(now=at(9)) == 3  # Ada twice, Bob once

    assert sorted(Reminder.objects.filter(user=ada).values_list("about", flat=True)) == sorted(
        [f"cohort:{cohort.pk}:stage:{stages[0].pk}", f"cohort:{other.pk}:stage:{stages[0].pk}"]
    )


# The admin ----------------------------------------------------------------------------------


def test_staff_spread_the_stages_with_the_admin_action(client_for, staff, stages):
    cohort = CohortFactory(name="Spring", starts_on=TODAY, ends_on=TODAY + 30 * DAY)

    response = client_for(staff).post(
        "/admin/learners/cohort/",
        {"action": "spread_stages", "_selected_action": [cohort.pk]},
        follow=True,
    )

    assert response.status_code == 200
    assert "Spring: 3 stage target dates set, 12 Dec to 01 Jan 2027." in (response.content.decode())
    assert StageTarget.objects.filter(cohort=cohort).count() == 3


def test_the_cohort_page_edits_dates_inline_and_recounts_the_pace(client_for, staff, stages):
    cohort = CohortFactory(starts_on=TODAY - 30 * DAY, ends_on=TODAY + 30 * DAY)
    ProjectFactory(stage=stages[0])  # a stage counts once it has a project to approve
    ada = UserFactory(username="ada")
    MembershipFactory(cohort=cohort, user=ada, role=Membership.Role.LEARNER)
    client = client_for(staff)
    page = client.get(f"/admin/learners/cohort/{cohort.pk}/change/").content.decode()
    assert "Stage target finish dates" in page
    assert "Extensions for one learner (a stage or a project)" in page

    data = {
        "name": cohort.name,
        "slug": cohort.slug,
        "starts_on": cohort.starts_on.isoformat(),
        "ends_on": cohort.ends_on.isoformat(),
        "time_zone": "Europe/Paris",
    }
    for prefix, total in (
        ("memberships", 1),
        ("stage_targets", 1),
        ("project_due_dates", 0),
        ("extensions", 0),
    ):
        data |= {
            f"{prefix}-TOTAL_FORMS": str(total),
            f"{prefix}-INITIAL_FORMS": "1" if prefix == "memberships" else "0",
        }
    membership = Membership.objects.get(cohort=cohort)
    data |= {
        "memberships-0-id": membership.pk,
        "memberships-0-cohort": cohort.pk,
        "memberships-0-user": ada.pk,
        "memberships-0-role": "learner",
        "memberships-0-joined_at_0": membership.joined_at.date().isoformat(),
        "memberships-0-joined_at_1": "09:00:00",
        "stage_targets-0-stage": stages[0].pk,
        "stage_targets-0-due_on": (TODAY - DAY).isoformat(),
    }
    response = client.post(f"/admin/learners/cohort/{cohort.pk}/change/", data)

    assert response.status_code == 302, response.context["errors"]
    cohort.refresh_from_db()
    assert cohort.time_zone == "Europe/Paris"
    row = LearnerProgress.objects.get(cohort=cohort, learner=ada)
    assert (row.behind_from, row.behind_stage_id) == (TODAY - DAY, stages[0].pk)


def test_a_wrong_time_zone_is_a_form_error_in_the_admin(client_for, staff, db):
    response = client_for(staff).post(
        "/admin/learners/cohort/add/",
        {
            "name": "Mars",
            "slug": "mars",
            "starts_on": TODAY.isoformat(),
            "ends_on": TODAY.isoformat(),
            "time_zone": "Mars/Olympus",
            **{
                f"{prefix}-{field}": "0"
                for prefix in ("memberships", "stage_targets", "project_due_dates", "extensions")
                for field in ("TOTAL_FORMS", "INITIAL_FORMS")
            },
        },
    )

    assert response.status_code == 200
    assert "Mars/Olympus is not a time zone name" in response.content.decode()


# Activity -----------------------------------------------------------------------------------


def test_ticks_and_submissions_move_the_last_activity(paced):
    cohort, ada, stages = paced["cohort"], paced["ada"], paced["stages"]
    LearnerProgress.objects.create(cohort=cohort, learner=ada)
    objective_check_set(learner=ada, objective=ObjectiveFactory(stage=stages[0]), done=True)

    row = LearnerProgress.objects.get(cohort=cohort, learner=ada)
    assert row.last_active_at == ada.objective_checks.get().checked_at
