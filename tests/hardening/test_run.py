"""`make run`: SITE_URL follows the port, and scripts/run.py ends the screen with the address
and the demo logins, then stops every process it started."""

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def make_run_dry(tmp_path, *args, env=None, dotenv=None):
    """The commands `make run` would run, in a directory with no .env but `dotenv`."""
    for name in ("pyproject.toml", "constraints.txt", ".env"):
        (tmp_path / name).write_text(dotenv if name == ".env" and dotenv else "")
    (tmp_path / ".venv").mkdir()
    (tmp_path / ".venv" / ".installed-stamp").write_text("")
    environment = {key: value for key, value in os.environ.items() if key != "SITE_URL"}
    return subprocess.run(
        ["make", "-n", "-f", str(ROOT / "Makefile"), "run", *args],
        cwd=tmp_path,
        env={**environment, **(env or {})},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout


def test_make_run_passes_a_site_url_on_its_own_port(tmp_path):
    assert "SITE_URL=http://127.0.0.1:8311 " in make_run_dry(tmp_path, "PORT=8311")


def test_make_run_keeps_a_site_url_set_in_the_environment(tmp_path):
    output = make_run_dry(tmp_path, "PORT=8311", env={"SITE_URL": "https://bootcamp.example.org"})

    assert "SITE_URL=https://bootcamp.example.org " in output


def test_make_run_keeps_a_site_url_set_in_dot_env(tmp_path):
    output = make_run_dry(
        tmp_path, "PORT=8311", dotenv="# SITE_URL=http://x\nSITE_URL=https://dotenv.example.org\n"
    )

    assert "SITE_URL=https://dotenv.example.org " in output


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def test_run_prints_the_address_and_logins_last_and_stops_everything(tmp_path):
    port = free_port()
    logins = tmp_path / "setup.log"
    logins.write_text("Migrated.\nDemo logins (password: pw):\n  staff\n  learner1\n")
    marker = tmp_path / "worker-ran"
    worker = f"{sys.executable} -c \"open('{marker}', 'w'); import time; time.sleep(120)\""
    run = subprocess.Popen(
        [sys.executable, "scripts/run.py", "--url", f"http://127.0.0.1:{port}"]
        + ["--logins", str(logins), "--also", worker, "--"]
        + [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        lines = []
        while not lines or lines[-1] != "Stop it with Ctrl-C.":
            line = run.stdout.readline()
            assert line, f"run.py ended early: {lines}"
            lines.append(line.rstrip("\n"))

        assert lines[-5:] == [
            f"bootcamp is running: open http://127.0.0.1:{port}/",
            "Demo logins (password: pw):",
            "  staff",
            "  learner1",
            "Stop it with Ctrl-C.",
        ]
        assert answers(port)
        assert marker.exists()
    finally:
        run.send_signal(signal.SIGTERM)
        returncode = run.wait(timeout=20)
        run.stdout.close()

    assert returncode == 0
    assert not answers(port)


def test_run_refuses_to_start_when_something_already_answers_on_the_port(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        marker = tmp_path / "server-ran"

        result = subprocess.run(
            [sys.executable, "scripts/run.py", "--url", f"http://127.0.0.1:{port}"]
            + ["--logins", str(tmp_path / "none.log"), "--"]
            + [sys.executable, "-c", f"open('{marker}', 'w')"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=30,
        )

    assert result.returncode == 1
    assert result.stdout.strip() == (
        f"Something already answers on http://127.0.0.1:{port}: stop it, or choose another PORT=."
    )
    assert not marker.exists()
