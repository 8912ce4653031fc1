"""factory_boy factories for every model. Tests build exactly the rows they need."""

import datetime
from functools import cache

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from bootcamp.models import OutboxMessage
from curriculum.models import (
    ChecklistItem,
    InterviewArea,
    Objective,
    Project,
    ReadinessStatement,
    Stage,
)
from learners.demo_projects import git_blob_sha
from learners.highlight import source_lines, stored_highlighting
from learners.models import (
    Blob,
    BugStory,
    Cohort,
    Iteration,
    Membership,
    ObjectiveCheck,
    Portfolio,
    Snapshot,
    SnapshotFile,
    Submission,
)
from reviews.models import (
    MockInterview,
    MockInterviewRating,
    ReadinessSignOff,
    Reply,
    Review,
    ReviewComment,
)

PASSWORD = "correct-horse-battery"


@cache
def _password_hash():
    # Argon2 is slow on purpose; hash once per test run, not once per user.
    return make_password(PASSWORD)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.LazyFunction(_password_hash)


class StaffFactory(UserFactory):
    username = factory.Sequence(lambda n: f"staff{n}")
    is_staff = True
    is_superuser = True


class StageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Stage

    number = factory.Sequence(lambda n: n + 1)
    slug = factory.Sequence(lambda n: f"stage-{n + 1}")
    title = factory.Sequence(lambda n: f"Stage {n + 1}")
    summary = "What this stage covers."
    body = "Study **this**, then practise."


class ObjectiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Objective

    stage = factory.SubFactory(StageFactory)
    order = factory.Sequence(lambda n: n + 1)
    text = factory.Sequence(lambda n: f"Explain concept {n}")


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    stage = factory.SubFactory(StageFactory)
    slug = factory.Sequence(lambda n: f"project-{n}")
    title = factory.Sequence(lambda n: f"Project {n}")
    summary = "Build a small thing."
    brief = "Build it **well**."
    skills = "Functions\nTesting"
    features = "Add a task\nList tasks"
    is_required = True
    order = factory.Sequence(lambda n: n + 1)


class ChecklistItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChecklistItem

    order = factory.Sequence(lambda n: n + 1)
    text = factory.Sequence(lambda n: f"Checklist item {n}")
    help = "What the mentor looks for."


class CohortFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cohort

    name = factory.Sequence(lambda n: f"Cohort {n}")
    slug = factory.Sequence(lambda n: f"cohort-{n}")
    starts_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=30))
    ends_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=150))


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    cohort = factory.SubFactory(CohortFactory)
    user = factory.SubFactory(UserFactory)
    role = Membership.Role.LEARNER


class SubmissionFactory(factory.django.DjangoModelFactory):
    """A submitted submission with no iteration; use IterationFactory for the work itself."""

    class Meta:
        model = Submission

    learner = factory.SubFactory(UserFactory)
    project = factory.SubFactory(ProjectFactory)
    cohort = factory.SubFactory(CohortFactory)
    status = Submission.Status.SUBMITTED


class IterationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Iteration

    submission = factory.SubFactory(SubmissionFactory)
    number = factory.Sequence(lambda n: n + 1)
    repo_url = "https://github.com/learner/project"
    commit_sha = "a1b2c3d4e5f6a7b8c9d0a1b2c3d4e5f6a7b8c9d0"
    notes = "First version."


class ObjectiveCheckFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ObjectiveCheck

    learner = factory.SubFactory(UserFactory)
    objective = factory.SubFactory(ObjectiveFactory)


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Review

    iteration = factory.SubFactory(IterationFactory)
    mentor = factory.SubFactory(UserFactory)
    summary = "Good start."
    verdict = Review.Verdict.REQUEST_CHANGES
    published_at = None


class ReviewCommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReviewComment

    review = factory.SubFactory(ReviewFactory)
    path = "app/main.py"
    line = 10
    body = "Consider a smaller function here."
    order = factory.Sequence(lambda n: n)


class ReplyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reply

    submission = factory.SubFactory(SubmissionFactory)
    author = factory.SubFactory(UserFactory)
    body = "Thanks, I will fix it."


class OutboxMessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OutboxMessage

    template = "invitation"
    to = factory.Sequence(lambda n: f"person{n}@example.com")
    from_email = "bootcamp <bootcamp@localhost>"
    subject = "[bootcamp] You are invited to Demo cohort"
    body = "Hello,\n"
    queued_at = factory.LazyFunction(timezone.now)


def ready_snapshot(iteration, files: dict, **fields) -> Snapshot:
    """A ready snapshot of `iteration` holding `files` (path -> text, or bytes for a binary
    file), stored and highlighted as the snapshot job stores them."""
    snapshot = Snapshot.objects.create(iteration=iteration, status=Snapshot.Status.READY, **fields)
    for path, content in files.items():
        data = content if isinstance(content, bytes) else content.encode()
        sha = git_blob_sha(data)
        if isinstance(content, bytes):
            SnapshotFile.objects.create(
                snapshot=snapshot, path=path, kind="binary", size=len(data), blob_sha=sha
            )
            continue
        Blob.objects.get_or_create(
            sha=sha,
            defaults={
                "text": content,
                "size": len(data),
                "highlighted": stored_highlighting(path=path, text=content),
                "line_count": len(source_lines(content)),
            },
        )
        SnapshotFile.objects.create(
            snapshot=snapshot, path=path, kind="text", size=len(data), blob_sha=sha, blob_id=sha
        )
    return snapshot


class InterviewAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InterviewArea

    order = factory.Sequence(lambda n: n + 1)
    name = factory.Sequence(lambda n: f"Area {n}")


class ReadinessStatementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReadinessStatement

    order = factory.Sequence(lambda n: n + 1)
    text = factory.Sequence(lambda n: f"You can do thing {n}.")


class BugStoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BugStory

    iteration = factory.SubFactory(IterationFactory, repo_url="")
    bug = "Completed tasks showed in the open-task filter."
    reproduction = "Three tasks, one marked complete, then the filter."
    cause = "The status was compared to complete instead of completed."
    fix = "Fixed the condition."
    testing = "Added a test for the filter."
    lesson = "Use constants for statuses."


class MockInterviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MockInterview

    learner = factory.SubFactory(UserFactory)
    cohort = factory.SubFactory(CohortFactory)
    mentor = factory.SubFactory(UserFactory)
    held_on = factory.LazyFunction(lambda: timezone.localdate())
    questions = "What is the difference between a list and a dictionary?"
    published_at = None


class MockInterviewRatingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MockInterviewRating

    interview = factory.SubFactory(MockInterviewFactory)
    area = factory.SubFactory(InterviewAreaFactory)
    rating = 3
    note = ""


class ReadinessSignOffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReadinessSignOff

    learner = factory.SubFactory(UserFactory)
    cohort = factory.SubFactory(CohortFactory)
    mentor = factory.SubFactory(UserFactory)
    note = "Ready: two projects that survive questions."


class PortfolioFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Portfolio

    learner = factory.SubFactory(UserFactory)
    slug = factory.Sequence(lambda n: f"portfolio-{n}")
    bio = "I build small, tested Python tools."
    is_published = True
