"""`make run` starts the development server and a worker as one command (scripts/run.py with
the Makefile's --also); both stop together."""

import json
import signal
import subprocess
import sys
import urllib.request

import psutil
import pytest

from tests.foundation.jobs import ROOT, free_port, wait_for, worker_env


def _deep_health(port: int):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz?deep", timeout=2) as page:
            return json.load(page)
    except OSError:
        return None  # not listening yet, or 503 while the worker starts


@pytest.mark.django_db(transaction=True)
def test_run_dev_serves_with_a_live_worker_and_sigterm_stops_both():
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "scripts/run.py",
            f"--url=http://127.0.0.1:{port}",
            "--logins=/nonexistent",
            f"--also={sys.executable} manage.py procrastinate worker",
            "--",
            sys.executable,
            "manage.py",
            "runserver",
            "--noreload",
            f"127.0.0.1:{port}",
        ],
        cwd=ROOT,
        env=worker_env(free_port()),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        # ?deep is ok only with the worker's heartbeat in the database: both are up.
        assert wait_for(lambda: _deep_health(port), timeout=60, what="the server") == {
            "status": "ok"
        }
        family = psutil.Process(process.pid).children(recursive=True)
        assert len(family) >= 2  # runserver (and its reloader child) and the worker

        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
        gone, alive = psutil.wait_procs(family, timeout=10)
        assert alive == []
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
