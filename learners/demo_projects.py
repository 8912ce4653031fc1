"""Small, realistic learner repositories, generated (no network): seed_demo gives the demo
iterations snapshots of them, and the snapshot tests serve them from a local git server.

`demo_project("good")` meets the whole repository checklist; `demo_project("needs-work")` is
the same project with the beginner's mistakes the checks exist for: a committed `.env` with an
AWS-style key, a committed `.venv/`, a README without a tests section, commits named "update".
"""

import hashlib
import random

from learners.checks import RepoFile, checks_run
from learners.fetch import FetchedFile, FetchResult
from learners.highlight import source_lines, stored_highlighting
from learners.models import Blob, CheckResult, Snapshot, SnapshotFile

README = """\
# Task manager

A command-line to-do list that keeps your tasks in a JSON file.

## Why I built it

To practise packaging a small Python application, storing data in a file and testing a
command-line interface, the first project of the bootcamp roadmap.

## Features

- Add a task with a title and an optional due date
- List open tasks, oldest first
- Mark a task as done

## Technologies

Python 3.11, the standard library's `argparse` and `json`, pytest for the tests.

## Installation

```bash
python -m venv .venv
source .venv/bin/activate
pip install -r requirements.txt
cp .env.example .env
```

## How to run

```bash
python -m tasks add "Buy milk" --due 2025-01-31
python -m tasks list
python -m tasks done 1
```

{tests}## Usage examples

```text
$ python -m tasks list
1  Buy milk  (due 31 Jan)
```

## Screenshots

![The task list in a terminal](docs/screenshot.png)

## Limitations

Single user, local use only: there is no authentication and no locking of the tasks file.

## Future improvements

Priorities and tags, and a small web interface on top of the same store.
"""

TESTS_SECTION = """\
## Running the tests

```bash
pytest
```

"""

STORE = '''\
"""A JSON file of tasks."""

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

DEFAULT_PATH = Path.home() / ".tasks.json"


@dataclass
class Task:
    id: int
    title: str
    due: str | None = None
    done: bool = False


def store_path() -> Path:
    return Path(os.environ.get("TASKS_FILE", DEFAULT_PATH))


def load() -> list[Task]:
    path = store_path()
    if not path.exists():
        return []
    return [Task(**row) for row in json.loads(path.read_text())]


def save(tasks: list[Task]) -> None:
    store_path().write_text(json.dumps([asdict(task) for task in tasks], indent=2))


def add(title: str, due: str | None = None) -> Task:
    if not title.strip():
        raise ValueError("A task needs a title.")
    tasks = load()
    task = Task(id=max((t.id for t in tasks), default=0) + 1, title=title.strip(), due=due)
    tasks.append(task)
    save(tasks)
    return task


def complete(task_id: int) -> Task:
    tasks = load()
    for task in tasks:
        if task.id == task_id:
            task.done = True
            save(tasks)
            return task
    raise KeyError(f"There is no task {task_id}.")
'''

CLI = '''\
"""python -m tasks add|list|done"""

import argparse
import logging
import os
import sys

from tasks import store

logging.basicConfig(level=os.environ.get("LOG_LEVEL", "WARNING"))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="tasks")
    commands = parser.add_subparsers(dest="command", required=True)
    add = commands.add_parser("add")
    add.add_argument("title")
    add.add_argument("--due")
    commands.add_parser("list")
    done = commands.add_parser("done")
    done.add_argument("id", type=int)
    args = parser.parse_args(argv)
    try:
        if args.command == "add":
            task = store.add(args.title, args.due)
            print(f"Added {task.id}: {task.title}")
        elif args.command == "list":
            for task in store.load():
                if not task.done:
                    print(f"{task.id}  {task.title}")
        else:
            store.complete(args.id)
    except (ValueError, KeyError) as error:
        print(error, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
'''

TEST_STORE = """\
import pytest

from tasks import store


@pytest.fixture(autouse=True)
def tasks_file(tmp_path, monkeypatch):
    monkeypatch.setenv("TASKS_FILE", str(tmp_path / "tasks.json"))


def test_add_then_load_returns_the_task():
    store.add("Buy milk")
    assert [task.title for task in store.load()] == ["Buy milk"]


def test_add_refuses_an_empty_title():
    with pytest.raises(ValueError, match="needs a title"):
        store.add("   ")


def test_complete_unknown_task_raises():
    with pytest.raises(KeyError):
        store.complete(99)
"""

GOOD_COMMITS = [
    "Create the package layout and a first README",
    "Store tasks in a JSON file with add and load",
    "Add the add, list and done commands",
    "Test the store, including an empty title",
    "Document installation, usage and limitations",
]


def demo_project(variant: str = "good") -> tuple[dict[str, str | bytes], list[str]]:
    """(files by path, commit messages oldest first) of the task-manager repository."""
    files: dict[str, str | bytes] = {
        "README.md": README.replace("{tests}", TESTS_SECTION),
        ".gitignore": ".venv/\n__pycache__/\n*.py[cod]\n.env\n.pytest_cache/\n",
        ".env.example": "# Where the tasks are kept\nTASKS_FILE=~/.tasks.json\nLOG_LEVEL=WARNING\n",
        "requirements.txt": "pytest>=8.0\n",
        "pyproject.toml": '[project]\nname = "tasks"\nversion = "0.1.0"\n\n'
        '[tool.pytest.ini_options]\ntestpaths = ["tests"]\n',
        "tasks/__init__.py": "",
        "tasks/__main__.py": "from tasks.cli import main\n\nraise SystemExit(main())\n",
        "tasks/store.py": STORE,
        "tasks/cli.py": CLI,
        "tests/test_store.py": TEST_STORE,
        "docs/screenshot.png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64),
    }
    if variant == "good":
        return files, list(GOOD_COMMITS)
    if variant != "needs-work":
        raise ValueError(f"unknown demo project {variant!r}")
    files["README.md"] = README.replace("{tests}", "")
    # load() crashes when the file does not exist yet: the bug a first review points out.
    files["tasks/store.py"] = STORE.replace("    if not path.exists():\n        return []\n", "")
    files[".env"] = (
        "TASKS_FILE=/home/ada/tasks.json\n"
        "AWS_ACCESS_KEY_ID=AKIAQWERTYUIOPASDF12\n"  # an AWS-style key id, not a real one
    )
    files[".venv/pyvenv.cfg"] = "home = /usr/bin\nversion = 3.11.2\n"
    files[".venv/lib/python3.11/site-packages/six.py"] = '"""six"""\n__version__ = "1.16.0"\n'
    return files, ["update", "update", "update", "update", "update"]


def git_blob_sha(data: bytes) -> str:
    """The SHA git gives a file with this content (what a real fetch stores it under)."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def _encoded(content: str | bytes) -> bytes:
    return content if isinstance(content, bytes) else content.encode()


def demo_fetch_result(variant: str, *, commit_sha: str, rng: random.Random) -> FetchResult:
    """What fetching the demo project at `commit_sha` would give, without git or a network."""
    files, messages = demo_project(variant)
    fetched = []
    for path, content in sorted(files.items()):
        data = _encoded(content)
        is_text = isinstance(content, str)
        fetched.append(
            FetchedFile(
                path=path,
                blob_sha=git_blob_sha(data),
                size=len(data),
                kind="text" if is_text else "binary",
                text=content if is_text else None,
            )
        )
    commits = [
        {
            "sha": commit_sha if index == 0 else f"{rng.getrandbits(160):040x}",
            "author": "",
            "date": "",
            "message": message,
        }
        for index, message in enumerate(reversed(messages))
    ]
    return FetchResult(commit_sha=commit_sha, commits=commits, files=fetched)


def demo_snapshots_create(*, iterations, rng: random.Random) -> int:
    """A ready snapshot of a demo project for each saved iteration, in a few bulk INSERTs:
    first iterations often the "needs-work" project, later ones the good one. Returns how many."""
    outcomes, blobs = {}, {}
    for variant in ("good", "needs-work"):
        sample = demo_fetch_result(variant, commit_sha="0" * 40, rng=rng)
        outcomes[variant] = checks_run(
            files=[
                RepoFile(path=f.path, kind=f.kind, size=f.size, text=f.text) for f in sample.files
            ],
            commits=sample.commits,
        )
        blobs.update({f.blob_sha: f for f in sample.files if f.kind == "text"})
    Blob.objects.bulk_create(
        [
            Blob(
                sha=sha,
                text=f.text,
                size=f.size,
                highlighted=stored_highlighting(path=f.path, text=f.text),
                line_count=len(source_lines(f.text)),
            )
            for sha, f in blobs.items()
        ],
        ignore_conflicts=True,
    )
    # A first iteration that was followed by another is the "needs-work" project, so the
    # mentor's "changes since iteration 1" has changes to show.
    resubmitted = {i.submission_id for i in iterations if i.number > 1}
    snapshots, results = [], {}
    for iteration in iterations:
        first = iteration.number == 1
        variant = (
            "needs-work"
            if first and (rng.random() < 0.5 or iteration.submission_id in resubmitted)
            else "good"
        )
        result = demo_fetch_result(variant, commit_sha=iteration.commit_sha, rng=rng)
        counts = {
            value: sum(o.result == value for o in outcomes[variant])
            for value in ("pass", "warn", "fail")
        }
        snapshots.append(
            Snapshot(
                iteration=iteration,
                status=Snapshot.Status.READY,
                requested_sha=iteration.commit_sha,
                commit_sha=iteration.commit_sha,
                commits=result.commits,
                checks_passed=counts["pass"],
                checks_warned=counts["warn"],
                checks_failed=counts["fail"],
                requested_at=iteration.submitted_at,
                finished_at=iteration.submitted_at,
            )
        )
        results[iteration.pk] = (variant, result)
    Snapshot.objects.bulk_create(snapshots, batch_size=1000)
    files, checks = [], []
    for snapshot in snapshots:
        variant, result = results[snapshot.iteration_id]
        files.extend(
            SnapshotFile(
                snapshot=snapshot,
                path=f.path,
                kind=f.kind,
                size=f.size,
                blob_sha=f.blob_sha,
                blob_id=f.blob_sha if f.kind == "text" else None,
            )
            for f in result.files
        )
        checks.extend(
            CheckResult(
                snapshot=snapshot,
                key=o.key,
                position=position,
                result=o.result,
                summary=o.summary,
                evidence=o.evidence,
            )
            for position, o in enumerate(outcomes[variant])
        )
    SnapshotFile.objects.bulk_create(files, batch_size=2000)
    CheckResult.objects.bulk_create(checks, batch_size=2000)
    return len(snapshots)
