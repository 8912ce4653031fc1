"""`make run`'s last step: start the app's processes, then say where to go and how to log in.

    run.py --url http://127.0.0.1:8000 --logins FILE -- COMMAND [--also COMMAND ...]

Each COMMAND (the web server first; more, such as a worker, with --also) runs until one of
them stops, or Ctrl-C or SIGTERM stops them all. Once the server answers on the URL's port,
the last lines on the screen are its address and the demo logins (from FILE, seed_demo's).
"""

import argparse
import contextlib
import os
import shlex
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

WAIT_SECONDS = 60


def _answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def _demo_logins(path: Path) -> list[str]:
    lines = path.read_text().splitlines() if path.exists() else []
    starts = [number for number, line in enumerate(lines) if line.startswith("Demo logins")]
    return lines[starts[-1] :] if starts else []


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def _stop(processes: list[subprocess.Popen]) -> None:
    """SIGTERM to each command's process group (runserver's reloader has a child), then kill."""
    for process in processes:
        # Even when the leader has exited: what it started (the reloader's child) may not have.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--logins", type=Path, required=True)
    parser.add_argument("--also", action="append", default=[], help="another command to run")
    parser.add_argument("server", nargs=argparse.REMAINDER)
    options = parser.parse_args(argv)
    server = options.server[1:] if options.server[:1] == ["--"] else options.server
    commands = [server, *(shlex.split(command) for command in options.also)]

    address = urlsplit(options.url)
    if _answers(address.hostname, address.port or 80):
        # An earlier run killed with SIGKILL leaves its server behind; saying "running" for it
        # and then failing to bind would be wrong twice.
        print(f"Something already answers on {options.url}: stop it, or choose another PORT=.")
        return 1
    signal.signal(signal.SIGTERM, _interrupt)  # `kill` stops everything too, as Ctrl-C does
    # Each in a process group of its own, so that stopping one stops all it started.
    processes = [subprocess.Popen(command, start_new_session=True) for command in commands]
    deadline = time.monotonic() + WAIT_SECONDS
    interrupted = False
    try:
        while not _answers(address.hostname, address.port or 80):
            if time.monotonic() > deadline or any(p.poll() is not None for p in processes):
                break
            time.sleep(0.2)
        else:
            print(f"\nbootcamp is running: open {options.url}/", *_demo_logins(options.logins),
                  "Stop it with Ctrl-C.", sep="\n", flush=True)  # fmt: skip
        while all(process.poll() is None for process in processes):
            time.sleep(0.5)
    except KeyboardInterrupt:
        interrupted = True
    finally:
        _stop(processes)
    # Stopped by Ctrl-C is a normal end; a command that stopped by itself is not.
    return 0 if interrupted else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
