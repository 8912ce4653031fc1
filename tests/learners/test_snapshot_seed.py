"""seed_demo gives every demo iteration a ready snapshot of a generated project, and its line
comments point at real lines of those files."""

import random
import subprocess
from io import StringIO

import pytest
from django.core.management import call_command

from learners.demo_projects import demo_fetch_result, demo_project, git_blob_sha
from learners.models import Blob, Iteration, Snapshot, SnapshotFile
from reviews.models import ReviewComment
from tests.factories import ProjectFactory, StageFactory


@pytest.fixture
def seeded(settings, db):
    settings.DEBUG = True
    for number in (1, 2):
        stage = StageFactory(number=number, slug=f"s{number}")
        ProjectFactory(stage=stage, order=1, slug=f"p{number}")
    call_command("seed_demo", stdout=StringIO(), learners=6, mentors=2, work=True)


def test_every_demo_iteration_has_a_ready_snapshot_with_checks(seeded):
    iterations = Iteration.objects.count()
    assert iterations > 0
    assert Snapshot.objects.filter(status="ready").count() == iterations
    assert set(Snapshot.objects.values_list("checks_passed", "checks_failed").distinct()) <= {
        (11, 0),
        (7, 4),
    }
    snapshot = Snapshot.objects.select_related("iteration").first()
    assert snapshot.commit_sha == snapshot.iteration.commit_sha
    assert snapshot.checks.count() == 11


def test_demo_texts_are_stored_once_for_every_snapshot(seeded):
    good, _ = demo_project("good")
    needs_work, _ = demo_project("needs-work")
    texts = {
        git_blob_sha(c.encode())
        for c in [*good.values(), *needs_work.values()]
        if isinstance(c, str)
    }
    assert set(Blob.objects.values_list("sha", flat=True)) == texts
    assert SnapshotFile.objects.filter(path="tasks/store.py").count() == Iteration.objects.count()


def test_demo_line_comments_point_at_real_lines(seeded):
    comments = ReviewComment.objects.exclude(path="").filter(line__isnull=False)
    assert comments.exists()
    good, _ = demo_project("good")
    for comment in comments:
        assert comment.path in good
        assert 1 <= comment.line <= good[comment.path].count("\n")


def test_demo_blob_shas_are_the_ones_git_computes(tmp_path):
    path = tmp_path / "store.py"
    path.write_text(demo_project("good")[0]["tasks/store.py"])
    by_git = subprocess.run(
        ["git", "hash-object", str(path)], capture_output=True, text=True, check=True
    ).stdout.strip()
    result = demo_fetch_result("good", commit_sha="a" * 40, rng=random.Random(1))
    assert next(f.blob_sha for f in result.files if f.path == "tasks/store.py") == by_git
