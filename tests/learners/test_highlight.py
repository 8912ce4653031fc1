"""Highlighting stored once per blob by the snapshot job (learners.highlight, snapshot_store),
and the mark on a resubmission whose tree did not change."""

import importlib
import random
import re

import pytest
from django.apps import apps as django_apps
from django.conf import settings

from bootcamp.models import Notification
from learners import highlight, snapshots
from learners.demo_projects import demo_fetch_result
from learners.highlight import (
    HIGHLIGHT_MAX_CHARS,
    STYLED_CLASSES,
    blob_lines,
    highlight_lines,
    source_lines,
)
from learners.models import Blob, Snapshot
from learners.snapshots import snapshot_store
from tests.factories import IterationFactory, SubmissionFactory


def test_each_source_line_is_one_highlighted_line_and_no_span_crosses_a_break():
    text = 'def f():\n    """A\n    docstring."""\n    return 1 < 2\n'

    lines = highlight_lines(path="app/f.py", text=text)

    assert len(lines) == len(source_lines(text)) == 4
    assert lines[0] == '<span class="k">def</span> <span class="nf">f</span>():'
    # Whitespace, names and punctuation have no look of their own in the stylesheet: bare
    # text, not a span each; neighbours of one class share a span.
    assert lines[3] == (
        '    <span class="k">return</span> <span class="mi">1</span> <span class="o">&lt;</span>'
        ' <span class="mi">2</span>'
    )
    # The docstring's two lines each carry their own span.
    assert lines[1].endswith('<span class="sd">&quot;&quot;&quot;A</span>')
    assert lines[2] == '<span class="sd">    docstring.&quot;&quot;&quot;</span>'
    assert all(line.count("<span") == line.count("</span>") for line in lines)


def test_the_classes_left_as_spans_are_the_ones_the_stylesheet_colours():
    stylesheet = (settings.BASE_DIR / "static/css/pygments.css").read_text()
    coloured = set(re.findall(r"^\.codehilite \.([a-z0-9]+) \{", stylesheet, re.MULTILINE))

    assert coloured - {"hll", "w"} == STYLED_CLASSES
    assert {"n", "p"}.isdisjoint(STYLED_CLASSES)


def test_the_learners_text_is_escaped_whatever_the_lexer():
    text = "<script>alert('x')</script>\n<b>&amp;</b>"

    for path in ("page.html", "notes.txt", "README.md", "unknown.zzz"):
        joined = "".join(highlight_lines(path=path, text=text))
        assert "<script" not in joined
        assert "<b>" not in joined


@pytest.mark.parametrize(
    ("text", "count"),
    [("", 0), ("one", 1), ("one\n", 1), ("\n\n", 2), ("a\r\nb\rc", 3), ("\nlead\n", 2)],
)
def test_lines_are_counted_as_editors_count_them(text, count):
    assert len(source_lines(text)) == count
    assert len(highlight_lines(path="a.py", text=text)) == count


def test_leading_and_trailing_blank_lines_keep_their_numbers():
    lines = highlight_lines(path="a.py", text="\n\nx = 1\n\n")

    assert len(lines) == 4
    assert lines[2] == 'x <span class="o">=</span> <span class="mi">1</span>'


def test_a_blob_stored_before_highlighting_is_highlighted_when_read(db):
    blob = Blob(sha="a" * 40, text="x = 1\ny = 2\n", size=12)

    assert blob_lines(blob, path="a.py") == highlight_lines(path="a.py", text=blob.text)


def _store(iteration, variant="good", sha=""):
    snapshot = Snapshot.objects.create(iteration=iteration, requested_sha=sha)
    result = demo_fetch_result(variant, commit_sha="c" * 40, rng=random.Random(1))
    snapshot_store(snapshot=snapshot, result=result)
    return snapshot


def test_the_snapshot_job_stores_each_blobs_highlighting_once(learner):
    submission = SubmissionFactory(learner=learner)
    _store(IterationFactory(submission=submission, number=1))

    store = Blob.objects.get(files__path="tasks/store.py")
    assert store.line_count == len(source_lines(store.text))
    assert (
        store.highlighted.split("\n")[0]
        == '<span class="sd">&quot;&quot;&quot;A JSON file of tasks.&quot;&quot;&quot;</span>'
    )


def test_an_older_blob_without_highlighting_gets_it_when_a_snapshot_has_it_again(learner):
    submission = SubmissionFactory(learner=learner)
    _store(IterationFactory(submission=submission, number=1))
    Blob.objects.update(highlighted=None, line_count=None)

    _store(IterationFactory(submission=submission, number=2, commit_sha="c" * 40), sha="c" * 40)

    assert not Blob.objects.filter(highlighted__isnull=True).exists()


def test_a_resubmission_with_the_same_tree_is_marked_and_the_learner_told(learner):
    submission = SubmissionFactory(learner=learner)
    first = _store(IterationFactory(submission=submission, number=1))
    second = _store(IterationFactory(submission=submission, number=2, commit_sha=""))

    assert (first.unchanged_since, second.unchanged_since) == (None, 1)
    [notification] = Notification.objects.filter(user=learner)
    assert notification.kind == "code_unchanged"
    assert notification.text == (
        f"Iteration 2 of “{submission.project.title}” has the same code as iteration 1"
    )


def test_a_snapshot_stored_again_does_not_tell_the_learner_again(learner):
    submission = SubmissionFactory(learner=learner)
    _store(IterationFactory(submission=submission, number=1))
    second = _store(IterationFactory(submission=submission, number=2, commit_sha=""))
    result = demo_fetch_result("good", commit_sha="c" * 40, rng=random.Random(1))

    snapshot_store(snapshot=second, result=result)

    assert second.unchanged_since == 1
    assert Notification.objects.filter(kind="code_unchanged").count() == 1


def test_a_resubmission_with_changed_code_is_not_marked(learner):
    submission = SubmissionFactory(learner=learner)
    _store(IterationFactory(submission=submission, number=1), variant="needs-work")
    second = _store(IterationFactory(submission=submission, number=2, commit_sha=""))

    assert second.unchanged_since is None
    assert not Notification.objects.exists()


def test_the_same_sha_on_purpose_is_marked_without_telling_the_learner_again(learner):
    submission = SubmissionFactory(learner=learner)
    _store(IterationFactory(submission=submission, number=1))
    second = _store(IterationFactory(submission=submission, number=2), sha="c" * 40)

    assert second.unchanged_since == 1
    assert not Notification.objects.exists()


def test_a_file_over_the_cap_is_escaped_not_highlighted():
    text = "x = '<b>'\n" * (HIGHLIGHT_MAX_CHARS // 10 + 1)
    assert len(text) > HIGHLIGHT_MAX_CHARS == 100_000

    lines = highlight_lines(path="big.py", text=text)

    assert set(lines) == {"x = &#x27;&lt;b&gt;&#x27;"}
    assert len(lines) == HIGHLIGHT_MAX_CHARS // 10 + 1


def test_a_lexer_that_fails_leaves_the_file_escaped(monkeypatch, caplog):
    class Broken:
        def get_tokens(self, text):
            raise RuntimeError("lexer bug")

    monkeypatch.setattr(highlight, "_lexer_for", lambda path: Broken())

    assert highlight_lines(path="a.py", text="<i>\nb\n") == ["&lt;i&gt;", "b"]
    assert "highlighting 'a.py' failed" in caplog.text


def test_past_the_snapshot_budget_files_are_left_to_the_file_view(learner, monkeypatch):
    monkeypatch.setattr(snapshots, "SNAPSHOT_HIGHLIGHT_BUDGET", 1)
    submission = SubmissionFactory(learner=learner)
    _store(IterationFactory(submission=submission, number=1))

    store = Blob.objects.get(files__path="tasks/store.py")
    # Only the empty file fits a budget of one character.
    assert list(Blob.objects.filter(highlighted__isnull=False).values_list("text", flat=True)) == [
        ""
    ]
    assert store.line_count == len(source_lines(store.text))
    assert blob_lines(store, path="tasks/store.py") == highlight_lines(
        path="tasks/store.py", text=store.text
    )


def test_the_job_highlights_before_it_locks_the_snapshot(learner, monkeypatch):
    calls = []
    result = demo_fetch_result("good", commit_sha="c" * 40, rng=random.Random(1))
    monkeypatch.setattr(snapshots, "fetch_repository", lambda **kwargs: result)
    highlight_all, lock = snapshots.snapshot_highlighting, snapshots._locked
    monkeypatch.setattr(
        snapshots,
        "snapshot_highlighting",
        lambda result: calls.append("highlight") or highlight_all(result),
    )
    monkeypatch.setattr(snapshots, "_locked", lambda claim: calls.append("lock") or lock(claim))
    iteration = IterationFactory(submission=SubmissionFactory(learner=learner), number=1)
    snapshot = Snapshot.objects.create(iteration=iteration)

    snapshots.snapshot_take(snapshot_id=snapshot.pk)

    assert calls == ["highlight", "lock"]
    assert Snapshot.objects.get().status == Snapshot.Status.READY
    assert Blob.objects.get(files__path="tasks/store.py").highlighted.startswith(
        '<span class="sd">'
    )


def test_the_backfill_migration_counts_lines_of_old_blobs_and_leaves_highlighting(db):
    backfill = importlib.import_module("learners.migrations.0012_blob_line_count_backfill")
    texts = {"a" * 40: "x\ny\n", "b" * 40: "", "c" * 40: "one\r\ntwo\rthree"}
    for sha, text in texts.items():
        Blob.objects.create(sha=sha, text=text, size=len(text))
    Blob.objects.create(sha="d" * 40, text="q\n", size=2, line_count=7, highlighted="q")

    backfill.count_lines(django_apps, None)

    assert dict(Blob.objects.values_list("sha", "line_count")) == {
        "a" * 40: 2,
        "b" * 40: 0,
        "c" * 40: 3,
        "d" * 40: 7,
    }
    assert all(len(source_lines(t)) == backfill._line_count(t) for t in texts.values())
    assert Blob.objects.filter(highlighted__isnull=True).count() == 3
    assert backfill.Migration.atomic is False
