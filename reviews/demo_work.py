"""A cohort's worth of believable work for the demo: submissions, iterations, reviews, replies.

Called by ``manage.py seed_demo --work``. Three properties matter:

- Idempotent: a cohort that already has submissions is left alone.
- Deterministic: one ``random.Random`` seeded from the cohort's pk drives every choice.
- Fast: rows are built in memory and written with ``bulk_create``; the services (and their
  e-mails) are bypassed on purpose, so 300 learners take seconds rather than minutes.

Each learner walks the published projects in curriculum order at their own pace. Projects
whose whole review cycle fits well before "now" end approved; the learner's current project
is then given a state (waiting, overdue, in review, changes requested, freshly approved or
not yet submitted) and its timestamps are placed backwards from now so the state is honest:
an overdue submission really has waited longer than REVIEW_OVERDUE_HOURS, a changes-requested
one really has a published request_changes review on its latest iteration, and so on.
"""

import datetime
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import F, Max, Min, OuterRef, Subquery
from django.utils import timezone

from curriculum.models import ChecklistItem, Objective, Project
from learners.demo_projects import demo_project, demo_snapshots_create
from learners.models import (
    ChecklistTick,
    Iteration,
    ObjectiveCheck,
    Submission,
    SubmissionEvent,
)
from learners.services import learner_activity_record, learner_progress_refresh
from reviews.demo_readiness import seed_readiness
from reviews.models import Reply, Review, ReviewComment

Status = Submission.Status
Verdict = Review.Verdict

HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)
# A project counts as finished only if its last review landed this long before now, so
# the learner's current project always has room for its own story.
RESERVE = datetime.timedelta(days=4)

# The learner's current project ends in one of these states.
WORKING = "working"  # started the stage, nothing submitted yet
FRESH = "submitted_fresh"
OVERDUE = "submitted_overdue"
IN_REVIEW = "in_review"
CHANGES = "changes_requested"
JUST_APPROVED = "approved"
FINISHED = "finished"  # allowed to run through the whole curriculum
WITHDRAWN = "withdrawn"  # sent, then taken back before a mentor claimed it

# The first learners get one state each, so even a five-learner demo shows every status.
STATE_CYCLE = [OVERDUE, IN_REVIEW, CHANGES, FRESH, JUST_APPROVED, WORKING, WITHDRAWN]
# About half the learners have touched their work in the last four days, as in a real cohort.
STATE_WEIGHTS = {
    WORKING: 40,
    FRESH: 12,
    OVERDUE: 6,
    IN_REVIEW: 12,
    CHANGES: 12,
    JUST_APPROVED: 8,
    FINISHED: 10,
    WITHDRAWN: 2,
}
# Days of work per project before the first submission.
PACES = {"ahead": (3.0, 5.0), "steady": (6.5, 10.0), "behind": (12.0, 20.0)}
PACE_WEIGHTS = {"ahead": 2, "steady": 5, "behind": 3}


FIRST_NOTES = [
    "First version. The core commands work; I am least sure about the error handling.",
    "Ready for a look.\n\n- all features from the brief are in\n- tests run with `pytest`",
    "This took longer than planned because of **file paths on Windows**. Happy for any "
    "feedback on the structure.",
    "Submitting what I have. I split the code into modules this time:\n\n"
    "1. `cli` for parsing arguments\n2. `storage` for reading and writing\n3. the rest",
    "I followed the checklist. Not sure whether my tests cover enough of the invalid input.",
    "Done, I think! The README explains how to run it from a fresh clone.",
    "Could you look at how I handle a missing data file? I went back and forth on it.",
    "",
]
LATER_NOTES = [
    "Addressed the review:\n\n- extracted the parsing into its own function\n- added the "
    "missing tests",
    "Fixed the points from the last review. The bare `except` is gone and errors are logged.",
    "Reworked the storage layer as suggested; the diff is bigger than I expected.",
    "Renamed things for clarity and added a *Limitations* section to the README.",
    "Second try. I also squashed the noisy commits into meaningful ones.",
    "Changes done; I left one comment unresolved and explained why in the README.",
]
# A review's opening fits its iteration: a first review cannot speak of "last time", a later
# one does not call the work a start. Each verdict has openings for either, plus some for both.
REQUEST_SUMMARIES = [
    "Nearly there. Two things block approval: invalid input still crashes the program, and "
    "the README does not say how to run the tests.",
    "The happy path works well. What is missing is what happens when things go wrong: a "
    "corrupt file, a wrong id, no network.",
    "I could not run it from a fresh clone: the dependencies are not listed. Once that is "
    "fixed I will look again.",
    "A few naming and structure issues, none of them big. Fix them and this is done.",
]
FIRST_REQUEST_SUMMARIES = [
    "Solid start. The behaviour is right, but the structure needs another pass before this "
    "is something you would show an employer; see the comments.",
    "Nice work on the tests. The commit history is hard to follow though; smaller commits "
    "with clearer messages next time, please.",
]
LATER_REQUEST_SUMMARIES = [
    "Good progress since last time. Please split the long function and add a test for the "
    "empty-file case, then resubmit.",
    "Better than the last iteration: the crash is gone. Two of my earlier comments are still "
    "open, see below.",
]
APPROVE_SUMMARIES = [
    "Approved. Clear structure, honest README, and tests that would catch a regression.",
    "Approved, well done. For the portfolio version, consider adding a short demo GIF.",
    "Looks good. The limitations section is refreshingly honest.",
    "Approved. Small nit left in a comment, nothing that blocks.",
]
FIRST_APPROVE_SUMMARIES = [
    "This is ready on the first try. I especially liked how you handled invalid input.",
]
LATER_APPROVE_SUMMARIES = [
    "Great job. You addressed every point and the code reads much better now.",
    "Approved. The changes since the last iteration fixed exactly what was asked.",
]


def review_summaries(*, verdict: str, number: int, comments: int = 1) -> list[str]:
    """The openings a review of iteration `number` with `verdict` may start with; one with
    no `comments` does not point at them."""
    if verdict == Verdict.APPROVE:
        openings = APPROVE_SUMMARIES + (
            FIRST_APPROVE_SUMMARIES if number == 1 else LATER_APPROVE_SUMMARIES
        )
    else:
        openings = REQUEST_SUMMARIES + (
            FIRST_REQUEST_SUMMARIES if number == 1 else LATER_REQUEST_SUMMARIES
        )
    return openings if comments else [text for text in openings if "comment" not in text]


# Line comments on the demo task manager the snapshots hold (learners.demo_projects): each
# points at the line it is about, found by its text, so it reads true in the file view.
LINE_COMMENTS = [
    (
        "tasks/store.py",
        "json.loads(path.read_text())",
        "What happens if the file exists but "
        "is empty, or is not JSON? `json.loads` raises here; worth a test and a clear message.",
    ),
    (
        "tasks/store.py",
        "store_path().write_text(",
        "A crash halfway through this write leaves "
        "a truncated file. Write to a temporary file and rename it over the old one.",
    ),
    (
        "tasks/store.py",
        "max((t.id for t in tasks)",
        "Ids come back after the newest task is "
        "deleted. Fine for now; say so in the README's limitations.",
    ),
    (
        "tasks/store.py",
        "raise KeyError",
        "A `KeyError` prints its message in quotes. A small "
        "`TaskNotFound` exception would read better in the CLI.",
    ),
    (
        "tasks/store.py",
        "DEFAULT_PATH =",
        "Nice: `TASKS_FILE` overrides the default path, which is what makes the tests easy.",
    ),
    ("tasks/store.py", "class Task", "Good use of a dataclass instead of a dict with fixed keys."),
    (
        "tasks/cli.py",
        "logging.basicConfig",
        "Configuring logging at import time affects "
        "anyone who imports this module; move it into `main()`.",
    ),
    (
        "tasks/cli.py",
        "except (ValueError, KeyError)",
        "A `KeyError` from a real bug in "
        "`store` would be printed as if the user typed a wrong id. Catch your own exception.",
    ),
    (
        "tasks/cli.py",
        "store.complete(args.id)",
        "`done` prints nothing when it works; a short confirmation would tell the user it did.",
    ),
    (
        "tasks/cli.py",
        'print(f"{task.id}  {task.title}")',
        "The due date is stored but never shown in the list.",
    ),
    (
        "tests/test_store.py",
        "def test_complete_unknown_task_raises",
        "Good: the test name says exactly what it checks.",
    ),
    (
        "tests/test_store.py",
        "store.complete(99)",
        "Please also test completing a task that exists, and that it is still done after a reload.",
    ),
    ("README.md", "", "The setup steps skip creating the virtual environment."),
]
# Comments on the work as a whole: no file, no line.
GENERAL_COMMENTS = [
    "Type hints on the public functions would make the contract clearer.",
    "Lovely small commit history on this branch.",
    "The error messages tell the user what failed but not what to do about it.",
]


def demo_line_comments() -> list[tuple[str, int | None, str]]:
    """(path, line, body) of each line comment: the first line of the demo project's file
    containing its text (None for a comment on the whole file)."""
    files, _ = demo_project("good")
    comments = []
    for path, text, body in LINE_COMMENTS:
        if not text:
            comments.append((path, None, body))
            continue
        number = next(
            n for n, line in enumerate(files[path].splitlines(), 1) if text in line
        )  # StopIteration: a comment lost its line when the demo project changed
        comments.append((path, number, body))
    return comments


DEMO_COMMENTS = demo_line_comments()


LEARNER_REPLIES = [
    "Thanks for the detailed review! Quick question: should the validation live in the CLI "
    "layer or in the storage module?",
    "Thank you. I did not know about mutable default arguments, that explains a bug I had.",
    "Fixing these now. Is it fine if I keep the JSON format and only change the loading code?",
    "Understood about the commits; I will try smaller ones from now on.",
    "Thanks! Would you recommend `pytest` fixtures for the temporary files?",
    "I am stuck on the parameterised query with `LIKE`. Could you point me somewhere?",
]
MENTOR_REPLIES = [
    "Keep validation close to the input (the CLI), and let storage trust its callers.",
    "Yes, `tmp_path` is exactly the fixture you want there.",
    "Put the `%` into the parameter value, not into the SQL string.",
    "Fine to keep JSON; the point was only the error handling around it.",
    "Good question. Either works; pick one and explain the choice in the README.",
    "No rush, take the time to do it properly.",
]
LIVE_HOSTS = ["fly.dev", "onrender.com", "up.railway.app", "pythonanywhere.com"]


@dataclass
class _Event:
    """One iteration and, if it has been reviewed, when and how."""

    at: datetime.datetime
    review_at: datetime.datetime | None = None
    verdict: str | None = None


@dataclass
class _Rows:
    submissions: list = field(default_factory=list)
    iterations: list = field(default_factory=list)
    ticks: list = field(default_factory=list)
    reviews: list = field(default_factory=list)
    comments: list = field(default_factory=list)
    replies: list = field(default_factory=list)
    checks: list = field(default_factory=list)
    history: list = field(default_factory=list)


class _Simulation:
    def __init__(self, *, cohort, mentors, checklist, now, rng):
        self.cohort = cohort
        self.mentors = mentors
        self.checklist = checklist
        self.now = now
        self.rng = rng
        self.rows = _Rows()
        self.overdue = datetime.timedelta(hours=settings.REVIEW_OVERDUE_HOURS)

    # Random helpers -------------------------------------------------------------------

    def hours(self, low, high):
        return datetime.timedelta(hours=self.rng.uniform(low, high))

    def review_delay(self):
        # Mostly within a day, a long tail up to three days.
        return datetime.timedelta(hours=2 + min(70.0, self.rng.expovariate(1 / 16)))

    def iteration_count(self):
        return self.rng.choices([1, 2, 3], weights=[50, 35, 15])[0]

    # A learner's journey --------------------------------------------------------------

    def learner(self, *, user, index, projects, objectives_by_stage, start):
        rng = self.rng
        if index < len(STATE_CYCLE):
            target = STATE_CYCLE[index]
            profile = ["steady", "ahead", "behind"][index % 3]
            t = start + rng.uniform(0, 4) * DAY
        else:
            target = rng.choices(list(STATE_WEIGHTS), weights=list(STATE_WEIGHTS.values()))[0]
            profile = rng.choices(list(PACE_WEIGHTS), weights=list(PACE_WEIGHTS.values()))[0]
            late = rng.random() < 0.08  # a late joiner, weeks behind everyone
            t = start + (rng.uniform(14, 60) if late else rng.uniform(0, 5)) * DAY
            t = min(t, self.now - RESERVE)
        pace = rng.uniform(*PACES[profile])
        optional_odds = 0.7 if profile == "ahead" else 0.3
        planned = [p for p in projects if p.is_required or rng.random() < optional_odds]
        mentor = rng.choice(self.mentors)  # the mentor who usually picks this learner's work

        stage_windows = {}  # stage id -> [first activity, last activity]
        approved = set()

        def touch(stage_id, at):
            window = stage_windows.setdefault(stage_id, [at, at])
            window[0], window[1] = min(window[0], at), max(window[1], at)

        for position, project in enumerate(planned):
            first = t + pace * rng.uniform(0.6, 1.4) * DAY
            events = self.forward_chain(first)
            last_one = position == len(planned) - 1
            if events[-1].review_at <= self.now - RESERVE and (target == FINISHED or not last_one):
                self.submission(user, project, events, Status.APPROVED, mentor)
                approved.add(project.pk)
                touch(project.stage_id, first)
                touch(project.stage_id, events[-1].review_at)
                t = max(first, events[-1].review_at - rng.uniform(0, 1) * DAY)
                continue
            # The current project: its story ends now.
            state = JUST_APPROVED if target == FINISHED else target
            touch(project.stage_id, t)
            touch(project.stage_id, self.now - HOUR)
            if state != WORKING:
                events = self.backward_chain(state, earliest=t)
                if self.submission(user, project, events, state, mentor) == Status.APPROVED:
                    approved.add(project.pk)
            break

        complete = {
            stage_id
            for stage_id in stage_windows
            if all(p.pk in approved for p in planned if p.stage_id == stage_id)
        }
        self.objective_checks(user, stage_windows, objectives_by_stage, complete)

    def forward_chain(self, first):
        """A finished project: iterations until an approval, each reviewed in turn."""
        events = []
        at = first
        count = self.iteration_count()
        for number in range(1, count + 1):
            review_at = at + self.review_delay()
            last = number == count
            events.append(
                _Event(at, review_at, Verdict.APPROVE if last else Verdict.REQUEST_CHANGES)
            )
            at = review_at + self.rng.uniform(0.5, 4) * DAY
        return events

    def backward_chain(self, state, *, earliest):
        """The current project's iterations, placed backwards from now to match `state`."""
        rng, now = self.rng, self.now
        if state == OVERDUE:
            last = _Event(now - self.overdue - self.hours(1, 40))
        elif state == IN_REVIEW:
            last = _Event(now - self.hours(3, 70))
        elif state == CHANGES:
            at = now - self.hours(26, 90)
            last = _Event(at, at + self.hours(2, 24), Verdict.REQUEST_CHANGES)
        elif state == JUST_APPROVED:
            at = now - self.hours(26, 90)
            last = _Event(at, at + self.hours(2, 24), Verdict.APPROVE)
        else:  # FRESH
            last = _Event(now - self.hours(1, min(40, settings.REVIEW_OVERDUE_HOURS - 2)))
        events = [last]
        for _ in range(self.iteration_count() - 1):
            review_at = events[0].at - rng.uniform(0.5, 4) * DAY
            at = review_at - self.review_delay()
            if at <= earliest:
                break
            events.insert(0, _Event(at, review_at, Verdict.REQUEST_CHANGES))
        return events

    # Rows --------------------------------------------------------------------------------

    def submission(self, user, project, events, state, mentor):
        rng, rows = self.rng, self.rows
        last = events[-1]
        status = {
            Status.APPROVED: Status.APPROVED,
            JUST_APPROVED: Status.APPROVED,
            CHANGES: Status.CHANGES_REQUESTED,
            IN_REVIEW: Status.IN_REVIEW,
            WITHDRAWN: Status.WITHDRAWN,
        }.get(state, Status.SUBMITTED)
        submission = Submission(
            learner=user,
            project=project,
            cohort=self.cohort,
            status=status,
            submitted_at=last.at,
            approved_at=last.review_at if status == Status.APPROVED else None,
        )
        if status == Status.IN_REVIEW:
            age = (self.now - last.at) / HOUR
            submission.claimed_by = mentor
            submission.claimed_at = last.at + self.hours(0.5, max(0.75, age - 0.25))
        rows.submissions.append(submission)

        host = rng.choices(["github.com", "gitlab.com", "codeberg.org"], weights=[75, 18, 7])[0]
        repo_url = f"https://{host}/{user.username}/{project.slug}"
        stage_number = project.stage.number
        # Live demos are common for the web projects of the later stages, rare before.
        live = rng.random() < (0.5 if stage_number >= 5 else 0.08)
        live_url = f"https://{user.username}-{project.slug}.{rng.choice(LIVE_HOSTS)}/"
        reviewer = mentor
        for number, event in enumerate(events, start=1):
            iteration = Iteration(
                submission=submission,
                number=number,
                repo_url=repo_url,
                live_url=live_url if live else "",
                commit_sha=f"{rng.getrandbits(160):040x}",
                notes=rng.choice(FIRST_NOTES if number == 1 else LATER_NOTES),
                submitted_at=event.at,
            )
            rows.iterations.append(iteration)
            self.history(
                submission,
                SubmissionEvent.Kind.SUBMITTED if number == 1 else SubmissionEvent.Kind.RESUBMITTED,
                user,
                event.at,
            )
            tick_odds = min(0.95, 0.45 + 0.2 * number)
            rows.ticks.extend(
                ChecklistTick(iteration=iteration, item=item)
                for item in self.checklist
                if rng.random() < tick_odds
            )
            if event.review_at is None:
                continue
            if rng.random() < 0.25:  # sometimes another mentor picks it up
                reviewer = rng.choice(self.mentors)
            count = rng.randint(0, 2 if event.verdict == Verdict.APPROVE else 4)
            review = Review(
                iteration=iteration,
                mentor=reviewer,
                summary=rng.choice(
                    review_summaries(verdict=event.verdict, number=number, comments=count)
                ),
                verdict=event.verdict,
                created_at=max(event.at, event.review_at - self.hours(0.2, 1.5)),
                published_at=event.review_at,
            )
            rows.reviews.append(review)
            self.history(submission, SubmissionEvent.Kind.CLAIMED, reviewer, review.created_at)
            self.history(
                submission,
                SubmissionEvent.Kind.APPROVED
                if event.verdict == Verdict.APPROVE
                else SubmissionEvent.Kind.CHANGES_REQUESTED,
                reviewer,
                event.review_at,
            )
            self.comments(review, count)
            next_at = events[number].at if number < len(events) else self.now
            self.conversation(submission, user, reviewer, event.review_at, next_at)

        if status == Status.WITHDRAWN:
            withdrawn_at = last.at + (self.now - last.at) * rng.uniform(0.2, 0.8)
            self.history(submission, SubmissionEvent.Kind.WITHDRAWN, user, withdrawn_at)
        if status == Status.IN_REVIEW:
            self.history(submission, SubmissionEvent.Kind.CLAIMED, mentor, submission.claimed_at)
        if status == Status.IN_REVIEW and rng.random() < 0.5:
            verdict = rng.choice([Verdict.APPROVE, Verdict.REQUEST_CHANGES])
            count = rng.randint(0, 2)
            draft = Review(
                iteration=rows.iterations[-1],
                mentor=submission.claimed_by,
                summary=rng.choice(
                    review_summaries(verdict=verdict, number=len(events), comments=count)
                ),
                verdict=verdict,
                created_at=min(self.now, submission.claimed_at + self.hours(0.1, 2)),
                published_at=None,
            )
            rows.reviews.append(draft)
            self.comments(draft, count)
        return status

    def history(self, submission, kind, actor, at):
        """The step the services would have appended to the submission's history."""
        self.rows.history.append(
            SubmissionEvent(submission=submission, kind=kind, actor=actor, at=at)
        )

    def comments(self, review, count):
        """`count` different comments, most on the line they are about, a few general."""
        rng = self.rng
        picked = rng.sample(DEMO_COMMENTS, k=min(count, len(DEMO_COMMENTS)))
        picked.sort(key=lambda comment: (comment[0], comment[1] or 0))  # in reading order
        if picked and rng.random() < 0.2:
            picked[-1] = ("", None, rng.choice(GENERAL_COMMENTS))
        for order, (path, line, body) in enumerate(picked):
            self.rows.comments.append(
                ReviewComment(review=review, path=path, line=line, body=body, order=order)
            )

    def conversation(self, submission, learner, mentor, after, before):
        """Sometimes the learner answers a review, and sometimes a mentor answers back."""
        rng = self.rng
        if rng.random() > 0.3:
            return
        asked = after + self.hours(1, 20)
        if asked >= before:
            return
        self.rows.replies.append(
            Reply(
                submission=submission,
                author=learner,
                body=rng.choice(LEARNER_REPLIES),
                created_at=asked,
            )
        )
        answered = asked + self.hours(0.5, 24)
        if rng.random() < 0.6 and answered < min(before, self.now):
            self.rows.replies.append(
                Reply(
                    submission=submission,
                    author=mentor,
                    body=rng.choice(MENTOR_REPLIES),
                    created_at=answered,
                )
            )

    def objective_checks(self, user, stage_windows, objectives_by_stage, complete):
        """Most objectives of finished stages ticked, a few of the stage in progress."""
        rng = self.rng
        for stage_id, (begin, end) in stage_windows.items():
            odds = 0.85 if stage_id in complete else 0.35
            end = min(end, self.now)
            for objective in objectives_by_stage.get(stage_id, []):
                if rng.random() < odds:
                    self.rows.checks.append(
                        ObjectiveCheck(
                            learner=user,
                            objective=objective,
                            checked_at=begin + (end - begin) * rng.random(),
                        )
                    )


def seed_work(*, cohort, learners, mentors) -> str:
    """Fill `cohort` with its learners' work; returns a one-line summary."""
    existing = Submission.objects.filter(cohort=cohort).count()
    if existing:
        return f"Cohort '{cohort.slug}' already has {existing} submissions; work left as it is."
    if not learners or not mentors:
        return "Demo work needs at least one learner and one mentor; no work created."
    # Bug stories are text, not repositories: reviews.demo_readiness writes them.
    projects = list(
        Project.objects.published()
        .exclude(kind=Project.Kind.BUG_STORY)
        .select_related("stage")
        .order_by("stage__number", "order")
    )
    if not projects:
        return "No published projects: run `manage.py load_curriculum` first. No work created."
    objectives_by_stage = defaultdict(list)
    for objective in Objective.objects.filter(stage__is_published=True):
        objectives_by_stage[objective.stage_id].append(objective)

    now = timezone.now()
    start = timezone.make_aware(datetime.datetime.combine(cohort.starts_on, datetime.time(9)))
    # A cohort that starts today (or later) still gets a fortnight of history to show.
    start = min(start, now - 14 * DAY)
    simulation = _Simulation(
        cohort=cohort,
        mentors=list(mentors),
        checklist=list(ChecklistItem.objects.published()),
        now=now,
        rng=random.Random(cohort.pk),
    )
    for index, user in enumerate(learners):
        simulation.learner(
            user=user,
            index=index,
            projects=projects,
            objectives_by_stage=objectives_by_stage,
            start=start,
        )
    rows = simulation.rows
    with transaction.atomic():
        Submission.objects.bulk_create(rows.submissions, batch_size=1000)
        Iteration.objects.bulk_create(rows.iterations, batch_size=1000)
        demo_snapshots_create(iterations=rows.iterations, rng=simulation.rng)
        ChecklistTick.objects.bulk_create(rows.ticks, batch_size=2000)
        Review.objects.bulk_create(rows.reviews, batch_size=1000)
        ReviewComment.objects.bulk_create(rows.comments, batch_size=2000)
        Reply.objects.bulk_create(rows.replies, batch_size=1000)
        SubmissionEvent.objects.bulk_create(rows.history, batch_size=2000)
        # A learner may have ticked objectives before the demo work existed: keep theirs.
        ObjectiveCheck.objects.bulk_create(rows.checks, batch_size=2000, ignore_conflicts=True)
        learner_progress_refresh(cohort_id=cohort.pk)  # bulk_create bypassed the services
        # The learners' own replies count as activity too (reply_create would have said so).
        for author_id, at in (
            Reply.objects.filter(submission__cohort=cohort, author=F("submission__learner"))
            .values("author")
            .annotate(at=Max("created_at"))
            .values_list("author", "at")
        ):
            learner_activity_record(learner_id=author_id, cohort_id=cohort.pk, at=at)
        # created_at is auto_now_add; backdate it to the first iteration in one UPDATE.
        first_iteration = (
            Iteration.objects.filter(submission=OuterRef("pk"))
            .values("submission")
            .annotate(first=Min("submitted_at"))
            .values("first")
        )
        Submission.objects.filter(cohort=cohort).update(created_at=Subquery(first_iteration))

    readiness = seed_readiness(cohort=cohort, learners=list(learners), mentors=list(mentors))
    statuses = Counter(s.status for s in rows.submissions)
    by_status = ", ".join(f"{statuses[s]} {s.label.lower()}" for s in Status)
    drafts = sum(1 for r in rows.reviews if r.published_at is None)
    return (
        f"Demo work for '{cohort.slug}': {len(rows.submissions)} submissions ({by_status}), "
        f"{len(rows.iterations)} iterations, {len(rows.reviews) - drafts} published reviews "
        f"and {drafts} drafts, {len(rows.comments)} comments, {len(rows.replies)} replies, "
        f"{len(rows.checks)} objective checks. {readiness}"
    )
