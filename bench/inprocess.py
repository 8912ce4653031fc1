"""Django inside the harness process, on the bench database with the servers' settings: choosing
the pages worth measuring and counting the SQL queries behind each."""

import os
from dataclasses import dataclass

import django

DEMO_COHORT = "demo"
STAFF_USERNAME = "staff"


def setup(env: dict) -> None:
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bootcamp.settings")
    django.setup()


@dataclass(frozen=True)
class Targets:
    learner: str
    stage_slug: str
    submission_id: int
    mentor: str
    review_submission_id: int
    review_claimed: bool  # False: no submission is in review, so the page is read-only
    staff: str = STAFF_USERNAME
    cohort_slug: str = DEMO_COHORT
    # The code pages (issue 15): a resubmission with a 5,000-line file and a 2,000-line diff.
    code_submission_id: int | None = None
    code_iteration: int | None = None


# The code pages' files, added to a resubmission of the demo work (code_pages_prepare).
BIG_FILE = "bench/big_module.py"
DIFF_FILE = "bench/diffed_module.py"
BIG_FILE_LINES = 5000
DIFF_FILE_LINES = 2000


def _module(lines: int, *, variant: int) -> str:
    """Python-looking text of `lines` lines; `variant` changes every fourth function."""
    out = []
    for n in range(lines // 4):
        changed = variant and n % 4 == 0
        out += [
            f"def function_{n}(value, *, scale={n}):",
            f'    """Return the value scaled by {n}{" (changed)" if changed else ""}."""',
            f"    return value * scale + {n + (variant if changed else 0)}",
            "",
        ]
    return "\n".join(out) + "\n"


def code_pages_prepare() -> tuple[int, int] | None:
    """(submission id, iteration number) of a resubmission answering a review that requested
    changes, its snapshots holding the bench's big files (added once; idempotent). None when
    the demo work has no such resubmission."""
    from learners.demo_projects import git_blob_sha
    from learners.highlight import source_lines, stored_highlighting
    from learners.models import Blob, Iteration, Snapshot, SnapshotFile
    from reviews.models import Review

    review = (
        Review.objects.published()
        .filter(
            verdict=Review.Verdict.REQUEST_CHANGES,
            iteration__submission__cohort__slug=DEMO_COHORT,
            iteration__snapshot__status=Snapshot.Status.READY,
        )
        .select_related("iteration")
        .order_by("pk")
    )
    for candidate in review:
        later = (
            Iteration.objects.filter(
                submission_id=candidate.iteration.submission_id,
                number=candidate.iteration.number + 1,
                snapshot__status=Snapshot.Status.READY,
            )
            .select_related("snapshot")
            .first()
        )
        if later is not None:
            break
    else:
        return None
    old, new = candidate.iteration.snapshot, later.snapshot
    # The big file is in both iterations, unchanged: the changes view then shows what its
    # budget is for, the one 2,000-line file changed (not also 5,000 lines added).
    wanted = [
        (old, BIG_FILE, _module(BIG_FILE_LINES, variant=0)),
        (new, BIG_FILE, _module(BIG_FILE_LINES, variant=0)),
        (old, DIFF_FILE, _module(DIFF_FILE_LINES, variant=0)),
        (new, DIFF_FILE, _module(DIFF_FILE_LINES, variant=1)),
    ]
    for snapshot, path, text in wanted:
        sha = git_blob_sha(text.encode())
        Blob.objects.get_or_create(
            sha=sha,
            defaults={
                "text": text,
                "size": len(text),
                "highlighted": stored_highlighting(path=path, text=text),
                "line_count": len(source_lines(text)),
            },
        )
        SnapshotFile.objects.get_or_create(
            snapshot=snapshot,
            path=path,
            defaults={"kind": "text", "size": len(text), "blob_sha": sha, "blob_id": sha},
        )
    return later.submission_id, later.number


def learner_count() -> int:
    """The learners of the demo cohort: what a reused database was seeded with."""
    from learners.models import Membership

    return Membership.objects.filter(cohort__slug=DEMO_COHORT, role=Membership.Role.LEARNER).count()


def pick_targets() -> Targets:
    """Busy but typical rows: a learner with several submissions and their submission with the
    most published feedback; a submission in review with the mentor who claimed it."""
    from django.db.models import Count, F, Q

    from learners.models import Cohort, Membership, Submission

    cohort = Cohort.objects.get(slug=DEMO_COHORT)
    submissions = Submission.objects.filter(cohort=cohort)
    per_learner = dict(
        submissions.values("learner").annotate(n=Count("pk")).values_list("learner", "n")
    )
    if not per_learner:
        raise RuntimeError("the demo cohort has no submissions: did seed_demo --work run?")
    several = min(3, max(per_learner.values()))
    busy = submissions.annotate(
        n_iterations=Count("iterations", distinct=True),
        n_comments=Count(
            "iterations__reviews__comments",
            filter=Q(iterations__reviews__published_at__isnull=False),
            distinct=True,
        ),
        n_replies=Count("replies", distinct=True),
    ).order_by(-(F("n_comments") + F("n_iterations") + F("n_replies")), "pk")

    shown = (
        busy.filter(learner__in=[pk for pk, n in per_learner.items() if n >= several])
        .select_related("learner", "project__stage")
        .first()
    )
    in_review = busy.filter(status=Submission.Status.IN_REVIEW).select_related("claimed_by").first()
    if in_review is not None:
        mentor, reviewed, claimed = in_review.claimed_by.username, in_review.pk, True
    else:
        membership = (
            Membership.objects.filter(cohort=cohort, role=Membership.Role.MENTOR)
            .select_related("user")
            .order_by("user__username")
            .first()
        )
        if membership is None:
            raise RuntimeError("the demo cohort has no mentor")
        mentor, reviewed, claimed = membership.user.username, busy.first().pk, False
    code = code_pages_prepare()
    return Targets(
        learner=shown.learner.username,
        stage_slug=shown.project.stage.slug,
        submission_id=shown.pk,
        mentor=mentor,
        review_submission_id=reviewed,
        review_claimed=claimed,
        code_submission_id=code[0] if code else None,
        code_iteration=code[1] if code else None,
    )


@dataclass(frozen=True)
class QueryCount:
    first: int  # SQL queries of the first counted GET
    second: int  # of the next: the same when the page is rendered on every request
    status: int

    def __str__(self) -> str:
        return str(self.second)


def count_queries(path: str, username: str | None) -> QueryCount:
    """SQL queries for one GET of path as username, the way a long-running worker serves it:
    after a warming request (lazy imports, per-process caches, and the CSRF cookie a browser
    holds), twice, so that a page served from a cache the second time would show."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    if username:
        client.force_login(get_user_model().objects.get(username=username))

    def fetch():
        response = client.get(path)
        if response.streaming:
            b"".join(response.streaming_content)  # a streamed CSV queries while it streams
        return response

    def counted():
        with CaptureQueriesContext(connection) as captured:
            response = fetch()
        return len(captured), response

    fetch()
    first, _ = counted()
    second, response = counted()
    return QueryCount(first=first, second=second, status=response.status_code)


def close() -> None:
    """Let go of the bench database before it is dropped and seeded again."""
    from django.apps import apps

    if not apps.ready:
        return  # Django is not set up in this process yet: nothing to let go of
    from django.db import connections

    connections.close_all()


def objective_is_ticked(*, username: str, objective_id: int) -> bool:
    from learners.models import ObjectiveCheck

    return ObjectiveCheck.objects.filter(
        learner__username=username, objective_id=objective_id
    ).exists()
