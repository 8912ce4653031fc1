"""The private PostgreSQL comes back after any stop: pgserver's state file is repaired first.

All on temporary data directories, never the checkout's .data/."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bootcamp.devdb import STATE_FILE, repair_state, stop_server

ROOT = Path(__file__).resolve().parent.parent.parent


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid  # reaped: no process has it for the moment


@pytest.fixture
def pgdata(tmp_path):
    path = tmp_path / "postgres"
    path.mkdir()
    return path


@pytest.mark.parametrize("content", ["", "{", "null", '{"pids": [1]}', "\x00\x00"])
def test_an_empty_or_invalid_state_file_is_emptied(pgdata, content):
    (pgdata / STATE_FILE).write_text(content)

    assert repair_state(pgdata) == []
    assert json.loads((pgdata / STATE_FILE).read_text()) == []


def test_dead_pids_are_dropped_and_live_ones_kept(pgdata):
    live, dead = os.getpid(), dead_pid()
    (pgdata / STATE_FILE).write_text(json.dumps([dead, live, "x", -1]))

    assert repair_state(pgdata) == [live]
    assert json.loads((pgdata / STATE_FILE).read_text()) == [live]


def test_a_missing_state_file_stays_missing(pgdata):
    assert repair_state(pgdata) == []
    assert not (pgdata / STATE_FILE).exists()


def start(base: Path) -> subprocess.CompletedProcess:
    """What `make run` does first: start the private server, in a process of its own."""
    return subprocess.run(
        [sys.executable, "-m", "bootcamp.devdb", str(base)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_server_starts_again_after_a_kill_left_an_empty_state_file(tmp_path):
    pgdata = tmp_path / ".data" / "postgres"
    try:
        assert start(tmp_path).returncode == 0
        assert stop_server(pgdata)
        # As a kill during a write leaves it: empty, and a dead pid before that.
        (pgdata / STATE_FILE).write_text("")

        started = start(tmp_path)

        assert started.returncode == 0, started.stderr
        assert (pgdata / "postmaster.pid").exists()
        assert json.loads((pgdata / STATE_FILE).read_text()) == []
    finally:
        stop_server(pgdata)
    assert not (pgdata / "postmaster.pid").exists()
