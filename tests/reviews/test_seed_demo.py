import datetime
import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import F
from django.utils import timezone

from curriculum.models import Stage
from learners.demo_projects import demo_project
from learners.models import (
    Blob,
    ChecklistTick,
    Iteration,
    LearnerProgress,
    Membership,
    ObjectiveCheck,
    SnapshotFile,
    StageTarget,
    Submission,
    SubmissionEvent,
)
from reviews.demo_work import (
    DEMO_COMMENTS,
    FIRST_APPROVE_SUMMARIES,
    FIRST_REQUEST_SUMMARIES,
    LATER_APPROVE_SUMMARIES,
    LATER_REQUEST_SUMMARIES,
    LINE_COMMENTS,
    review_summaries,
)
from reviews.models import Reply, Review, ReviewComment
from tests.factories import (
    ChecklistItemFactory,
    ObjectiveFactory,
    ProjectFactory,
    StageFactory,
)

Status = Submission.Status


@pytest.fixture
def debug_on(settings):
    settings.DEBUG = True


@pytest.fixture
def curriculum(db):
    """Three stages of two projects each (the last one optional), objectives, a checklist."""
    projects = []
    for number in (1, 2, 3):
        stage = StageFactory(number=number, slug=f"s{number}", title=f"Stage {number}")
        for order in (1, 2, 3):
            ObjectiveFactory(stage=stage, order=order)
        for order in (1, 2):
            projects.append(
                ProjectFactory(
                    stage=stage,
                    order=order,
                    slug=f"p{number}-{order}",
                    is_required=not (number == 3 and order == 2),
                )
            )
    for order in range(1, 6):
        ChecklistItemFactory(order=order, text=f"Checklist {order}")
    return projects


def seed(**options):
    out = StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def row_counts():
    models = [
        get_user_model(),
        Membership,
        Submission,
        Iteration,
        ChecklistTick,
        Review,
        ReviewComment,
        Reply,
        ObjectiveCheck,
    ]
    return {model.__name__: model.objects.count() for model in models}


def test_second_run_changes_no_rows(debug_on, curriculum):
    seed(learners=4, mentors=2, work=True)
    first = row_counts()

    output = seed(learners=4, mentors=2, work=True)

    assert row_counts() == first
    assert first["User"] == 7  # staff, two mentors, four learners
    assert first["Membership"] == 6
    assert first["Submission"] > 0
    assert "Cohort 'demo' already has" in output
    assert "work left as it is" in output


def test_accounts_only_without_work(debug_on, curriculum):
    seed(learners=3, mentors=1)
    seed(learners=3, mentors=1)

    assert get_user_model().objects.count() == 5
    assert Membership.objects.count() == 4
    assert Submission.objects.count() == 0


def test_refuses_with_debug_off_without_force(settings, db):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="--force"):
        seed(learners=1, mentors=1)

    assert get_user_model().objects.count() == 0


def test_force_runs_with_debug_off(settings, db):
    settings.DEBUG = False

    seed(learners=1, mentors=1, force=True)

    assert get_user_model().objects.count() == 3


def test_work_without_curriculum_says_what_to_do(debug_on, db):
    output = seed(learners=2, mentors=1, work=True)

    assert "run `manage.py load_curriculum` first" in output
    assert Submission.objects.count() == 0


@pytest.fixture
def seeded(debug_on, curriculum):
    seed(learners=12, mentors=3, work=True)
    return Submission.objects.select_related("cohort").order_by("pk")


def test_work_creates_every_status(seeded):
    assert set(seeded.values_list("status", flat=True)) == set(Status.values)


def test_work_waiting_submissions_include_overdue_and_fresh(seeded, settings):
    now = timezone.now()
    limit = datetime.timedelta(hours=settings.REVIEW_OVERDUE_HOURS)
    waiting = seeded.filter(status=Status.SUBMITTED)

    assert any(now - s.submitted_at > limit for s in waiting)
    assert any(now - s.submitted_at < limit for s in waiting)


def test_work_statuses_agree_with_reviews(seeded):
    for submission in seeded:
        iterations = list(submission.iterations.order_by("number"))
        published = {
            r.iteration_id: r for r in Review.objects.published().filter(iteration__in=iterations)
        }
        last = iterations[-1]
        assert [i.number for i in iterations] == list(range(1, len(iterations) + 1))
        assert 1 <= len(iterations) <= 3
        assert submission.submitted_at == last.submitted_at
        # Every iteration but the last was sent back.
        for iteration in iterations[:-1]:
            assert published[iteration.pk].verdict == Review.Verdict.REQUEST_CHANGES
        if submission.status == Status.APPROVED:
            assert published[last.pk].verdict == Review.Verdict.APPROVE
            assert submission.approved_at == published[last.pk].published_at
        elif submission.status == Status.CHANGES_REQUESTED:
            assert published[last.pk].verdict == Review.Verdict.REQUEST_CHANGES
            assert submission.approved_at is None
        else:
            assert last.pk not in published
            assert submission.approved_at is None


def test_work_history_tells_each_submissions_story_in_order(seeded):
    Kind = SubmissionEvent.Kind
    last_step = {
        Status.SUBMITTED: {Kind.SUBMITTED, Kind.RESUBMITTED},
        Status.IN_REVIEW: {Kind.CLAIMED},
        Status.CHANGES_REQUESTED: {Kind.CHANGES_REQUESTED},
        Status.APPROVED: {Kind.APPROVED},
        Status.WITHDRAWN: {Kind.WITHDRAWN},
    }
    for submission in seeded:
        history = list(submission.events.order_by("at", "pk"))
        kinds = [event.kind for event in history]
        assert kinds[0] == Kind.SUBMITTED
        assert kinds.count(Kind.SUBMITTED) + kinds.count(Kind.RESUBMITTED) == (
            submission.iterations.count()
        )
        assert kinds[-1] in last_step[submission.status], (submission.status, kinds)
        assert [e.at for e in history] == sorted(e.at for e in history)
        if submission.status == Status.IN_REVIEW:
            assert (history[-1].actor_id, history[-1].at) == (
                submission.claimed_by_id,
                submission.claimed_at,
            )


def test_work_claims_only_in_review_by_cohort_mentors(seeded):
    mentors = set(
        Membership.objects.filter(role=Membership.Role.MENTOR).values_list("user_id", flat=True)
    )
    for submission in seeded:
        if submission.status == Status.IN_REVIEW:
            assert submission.claimed_by_id in mentors
            assert submission.submitted_at < submission.claimed_at < timezone.now()
        else:
            assert submission.claimed_by_id is None


def test_work_reviews_are_timely_and_by_cohort_mentors(seeded):
    mentors = set(
        Membership.objects.filter(role=Membership.Role.MENTOR).values_list("user_id", flat=True)
    )
    now = timezone.now()
    for review in Review.objects.published().select_related("iteration"):
        waited = review.published_at - review.iteration.submitted_at
        assert datetime.timedelta(hours=2) <= waited <= datetime.timedelta(hours=72)
        assert review.published_at < now
        assert review.mentor_id in mentors
    drafts = Review.objects.drafts().select_related("iteration__submission")
    for draft in drafts:
        submission = draft.iteration.submission
        assert submission.status == Status.IN_REVIEW
        assert draft.mentor_id == submission.claimed_by_id
        assert draft.iteration.number == submission.iterations.count()


def test_work_iterations_look_real(seeded):
    iterations = Iteration.objects.all()
    hosts = {re.match(r"https://([^/]+)/", i.repo_url).group(1) for i in iterations}
    assert hosts <= {"github.com", "gitlab.com", "codeberg.org"}
    assert "github.com" in hosts
    assert all(re.fullmatch(r"[0-9a-f]{40}", i.commit_sha) for i in iterations)
    assert ChecklistTick.objects.exists()
    assert ReviewComment.objects.exclude(path="").filter(line__isnull=False).exists()
    assert ObjectiveCheck.objects.exists()
    assert Reply.objects.exists()


def test_work_learners_progress_at_different_paces(seeded):
    approved = [
        seeded.filter(learner=learner, status=Status.APPROVED).count()
        for learner in get_user_model().objects.filter(username__startswith="learner")
    ]
    assert max(approved) - min(approved) >= 2


def test_work_review_openings_fit_the_iteration(seeded):
    first = set(Review.objects.filter(iteration__number=1).values_list("summary", flat=True))
    later = set(Review.objects.filter(iteration__number__gt=1).values_list("summary", flat=True))

    assert first
    assert later
    assert first & set(LATER_REQUEST_SUMMARIES + LATER_APPROVE_SUMMARIES) == set()
    assert later & set(FIRST_REQUEST_SUMMARIES + FIRST_APPROVE_SUMMARIES) == set()


@pytest.mark.parametrize("verdict", ["approve", "request_changes"])
def test_no_first_review_speaks_of_last_time(verdict):
    openings = " ".join(review_summaries(verdict=verdict, number=1))

    assert "last time" not in openings
    assert "last iteration" not in openings
    assert "every point" not in openings


def test_a_later_review_may_say_good_progress_since_last_time():
    openings = review_summaries(verdict="request_changes", number=2)

    assert LATER_REQUEST_SUMMARIES[0] in openings
    assert LATER_REQUEST_SUMMARIES[0].startswith("Good progress since last time.")


def test_work_has_resubmissions_whose_code_changed_since_a_review_with_line_comments(seeded):
    # Issue 15 on `make run`: a mentor finds a second iteration, the first one reviewed with
    # line comments, and real changes between them to read; every stored text highlighted.
    found = []
    for review in (
        Review.objects.published()
        .filter(verdict=Review.Verdict.REQUEST_CHANGES, comments__line__isnull=False)
        .distinct()
    ):
        first = review.iteration
        later = first.submission.iterations.filter(number=first.number + 1).first()
        if later is None:
            continue
        before = dict(first.snapshot.files.values_list("path", "blob_sha"))
        after = dict(later.snapshot.files.values_list("path", "blob_sha"))
        found.append(before["tasks/store.py"] != after["tasks/store.py"])
    assert any(found)
    assert SnapshotFile.objects.filter(blob__isnull=False).exists()
    assert not Blob.objects.filter(highlighted__isnull=True).exists()


def test_work_has_a_calendar_and_each_learners_pace(seeded):
    cohort = seeded.first().cohort
    rows = LearnerProgress.objects.filter(cohort=cohort)

    assert StageTarget.objects.filter(cohort=cohort).count() == Stage.objects.published().count()
    assert rows.count() == 12
    assert not rows.filter(last_active_at__isnull=True).exists()
    assert not rows.exclude(pace_key=rows.first().pace_key).exists()
    # A learner's own latest reply counts as activity, as reply_create would have recorded it.
    for reply in Reply.objects.filter(submission__learner=F("author")).order_by("-created_at")[:3]:
        row = rows.get(learner=reply.author)
        assert row.last_active_at >= reply.created_at


def test_each_demo_line_comment_points_at_the_line_it_is_about():
    files, _ = demo_project("good")

    for path, line, body in DEMO_COMMENTS:
        if line is None:
            assert path in files
            continue
        text = next(text for p, text, b in LINE_COMMENTS if (p, b) == (path, body))
        assert text in files[path].splitlines()[line - 1], (path, line, body)


def test_a_review_without_comments_does_not_point_at_them(seeded):
    silent = Review.objects.published().filter(comments__isnull=True)

    assert silent.exists()
    assert not [review.summary for review in silent if "comment" in review.summary]
    assert all(
        "comment" not in text for text in review_summaries(verdict="approve", number=1, comments=0)
    )
