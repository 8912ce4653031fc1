"""The benchmark's code pages (issue 15): the files it adds to the demo work, and the pages
it measures answering as the budgets assume."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from bench import inprocess, report
from bench.__main__ import pages_for
from learners.models import SnapshotFile
from tests.reviews.test_seed_demo import curriculum  # noqa: F401 - a fixture


@pytest.fixture
def demo_work(settings, curriculum):  # noqa: F811
    settings.DEBUG = True
    call_command("seed_demo", "--learners", "12", "--mentors", "3", "--work", stdout=StringIO())


def test_the_code_pages_get_their_files_once_and_answer(demo_work):
    first = inprocess.code_pages_prepare()
    again = inprocess.code_pages_prepare()

    assert first == again
    submission_id, number = first
    big = SnapshotFile.objects.filter(path=inprocess.BIG_FILE).select_related("blob")
    assert [entry.blob.line_count for entry in big] == [5000, 5000]
    assert SnapshotFile.objects.filter(path=inprocess.DIFF_FILE).count() == 2
    targets = inprocess.pick_targets()
    pages = [page for page in pages_for(targets) if page.target in ("file", "diff")]
    assert [(page.target, report.cpu_budget(page)) for page in pages] == [
        ("file", 25.0),
        ("diff", 50.0),
    ]
    client = Client()
    client.force_login(get_user_model().objects.get(username="staff"))
    file_page, diff_page = (client.get(page.path) for page in pages)
    assert file_page.status_code == 200
    assert file_page.content.decode().count('<tr id="L') == 5000
    assert diff_page.status_code == 200
    [change] = [c for c in diff_page.context["changes"] if c.path == inprocess.DIFF_FILE]
    assert (change.added, change.removed) == (250, 250)
    assert inprocess.BIG_FILE not in [c.path for c in diff_page.context["changes"]]


def test_a_reused_database_reports_the_learners_it_holds(demo_work, tmp_path, monkeypatch):
    from types import SimpleNamespace

    from bench import __main__ as bench

    assert inprocess.learner_count() == 12  # what seed_demo made, whatever --learners says
    monkeypatch.setattr(bench, "RESULTS_DIR", tmp_path)
    monkeypatch.setattr(bench, "BASE_DIR", tmp_path.parent)
    db = SimpleNamespace(where="here")
    args = SimpleNamespace(mentors=10)

    bench.write_markdown(db=db, args=args, seeded=[12], notes=[], sections=[], reused=True)
    reused = (tmp_path / "latest.md").read_text()
    bench.write_markdown(db=db, args=args, seeded=[300], notes=[], sections=[])
    fresh = (tmp_path / "latest.md").read_text()

    assert "- Database: bootcamp_bench on here, reused from an earlier run (12 learners" in reused
    assert "seeded with `seed_demo --learners 300 --mentors 10 --work`" in fresh
