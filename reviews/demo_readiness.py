"""The end of the roadmap for the demo: bug stories, mock interviews, readiness ticks, a
sign-off and a published portfolio, so `make run` shows each of them.

Called by reviews.demo_work.seed_work once it has created a cohort's work (so it runs once per
cohort). Like the rest of the demo it writes rows directly, bypassing the services' e-mails:

- learner1: an approved bug story about their first approved project, two published mock
  interviews (each area's trend), a draft, most statements ticked, the mentor's sign-off and
  a published portfolio at /p/demo-learner-one/;
- learner2: a bug story waiting in the queue (filter "Bug stories"), one published interview.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from curriculum.models import InterviewArea, Project, ReadinessStatement
from learners.models import (
    BugStory,
    Iteration,
    Portfolio,
    ReadinessTick,
    Submission,
    SubmissionEvent,
)
from reviews.models import MockInterview, MockInterviewRating, ReadinessSignOff, Review

Status = Submission.Status

STORY = {
    "bug": "Completed tasks were still showing in the open-task filter of my task manager.",
    "reproduction": "I created three tasks, marked one complete and called the filter "
    "function: it returned all three.",
    "cause": "The filter compared the status to `complete` instead of `completed`.",
    "fix": "I fixed the condition and moved the status names into one constant.",
    "testing": "I added a test that creates three tasks, completes one and checks the open "
    "filter returns two, so the same mistake would be caught in the future.",
    "lesson": "Reproduce a bug with the smallest input first, then keep that input as a test.",
}

# (area name, ratings in the first and second interview): each area's trend on the pages.
RATINGS = {
    "Python fundamentals": (3, 4),
    "Data structures": (2, 3),
    "SQL queries": (2, 3),
    "Git workflow": (3, 3),
    "API concepts": (2, 2),
    "Debugging": (2, 4),
    "Testing": (1, 3),
    "Project discussion": (2, 3),
}
QUESTIONS = (
    "- What is the difference between a list and a dictionary?\n"
    "- Tell me about a bug you fixed.\n"
    "- How does your app store data, and how would you run its tests?"
)


def _story(*, learner, cohort, project, status, about, at, mentor):
    submission = Submission.objects.create(
        learner=learner,
        project=project,
        cohort=cohort,
        status=status,
        submitted_at=at,
        approved_at=at + datetime.timedelta(hours=20) if status == Status.APPROVED else None,
    )
    iteration = Iteration.objects.create(submission=submission, number=1, submitted_at=at)
    BugStory.objects.create(
        iteration=iteration,
        about_submission=about,
        about_location="tasks/filters.py:12" if about else "",
        **STORY,
    )
    SubmissionEvent.objects.create(
        submission=submission, kind=SubmissionEvent.Kind.SUBMITTED, actor=learner, at=at
    )
    if status == Status.APPROVED:
        Review.objects.create(
            iteration=iteration,
            mentor=mentor,
            summary="Clear and honest: the reproduction and the test make it convincing.",
            verdict=Review.Verdict.APPROVE,
            published_at=submission.approved_at,
        )
        SubmissionEvent.objects.create(
            submission=submission,
            kind=SubmissionEvent.Kind.APPROVED,
            actor=mentor,
            at=submission.approved_at,
        )
    return submission


def _interview(*, learner, cohort, mentor, held_on, which, published_at):
    interview = MockInterview.objects.create(
        learner=learner,
        cohort=cohort,
        mentor=mentor,
        held_on=held_on,
        questions=QUESTIONS,
        published_at=published_at,
    )
    areas = InterviewArea.objects.in_bulk(list(RATINGS), field_name="name")
    MockInterviewRating.objects.bulk_create(
        MockInterviewRating(
            interview=interview,
            area=areas[name],
            rating=ratings[which],
            note="Clear, with an example from your own project."
            if ratings[which] >= 3
            else "Practise saying it out loud with one concrete example.",
        )
        for name, ratings in RATINGS.items()
        if name in areas
    )
    return interview


@transaction.atomic
def seed_readiness(*, cohort, learners, mentors) -> str:
    """Returns a one-line summary; creates nothing without learners, a mentor or the
    readiness data and bug-story brief of the curriculum."""
    project = Project.objects.published().filter(kind=Project.Kind.BUG_STORY).first()
    if not learners or not mentors or project is None:
        return "No readiness demo (it needs learners, a mentor and the bug-story brief)."
    now = timezone.now()
    mentor = mentors[0]
    first = learners[0]
    about = (
        Submission.objects.filter(learner=first, cohort=cohort, status=Status.APPROVED)
        .order_by("project__stage__number", "project__order")
        .first()
    )
    _story(
        learner=first,
        cohort=cohort,
        project=project,
        status=Status.APPROVED,
        about=about,
        at=now - datetime.timedelta(days=6),
        mentor=mentor,
    )
    today = timezone.localdate()
    for which, days in enumerate([20, 5]):
        _interview(
            learner=first,
            cohort=cohort,
            mentor=mentor,
            held_on=today - datetime.timedelta(days=days),
            which=which,
            published_at=now - datetime.timedelta(days=days - 1),
        )
    _interview(
        learner=first, cohort=cohort, mentor=mentor, held_on=today, which=1, published_at=None
    )
    statements = list(ReadinessStatement.objects.filter(is_published=True).order_by("order"))
    ReadinessTick.objects.bulk_create(
        [ReadinessTick(learner=first, statement=s) for s in statements[:-2]],
        ignore_conflicts=True,
    )
    ReadinessSignOff.objects.create(
        learner=first,
        cohort=cohort,
        mentor=mentor,
        note="Ready to apply: two finished, tested projects, explained clearly in interviews.",
    )
    Portfolio.objects.get_or_create(
        learner=first,
        defaults={
            "slug": "demo-learner-one",
            "bio": "Junior Python developer: small, tested tools and APIs.",
            "is_published": True,
        },
    )
    stories = 1
    if len(learners) > 1:
        _story(
            learner=learners[1],
            cohort=cohort,
            project=project,
            status=Status.SUBMITTED,
            about=None,
            at=now - datetime.timedelta(hours=5),
            mentor=mentor,
        )
        _interview(
            learner=learners[1],
            cohort=cohort,
            mentor=mentor,
            held_on=today - datetime.timedelta(days=3),
            which=0,
            published_at=now - datetime.timedelta(days=2),
        )
        stories = 2
    return (
        f"Readiness demo: {stories} bug stories, mock interviews, {len(statements) - 2} ticks, "
        f"a sign-off and a portfolio at /p/demo-learner-one/ for {first.get_username()}."
    )
