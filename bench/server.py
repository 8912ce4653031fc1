"""gunicorn instances started (and always stopped) by the benchmark."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

from bench.database import BASE_DIR


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    """One gunicorn master with its workers, in a process group of its own.

    The group lets stop() reach every worker even if the master is wedged, and keeps a Ctrl-C
    in the terminal from reaching gunicorn before the harness has printed what it has. It stays
    in the harness's session, so the kernel's per-session CPU share (autogroup) covers the
    harness, wrk and gunicorn together.
    """

    def __init__(self, *, name: str, env: dict, workers: int, threads: int, log_path):
        self.name = name
        self.env = env
        self.workers = workers
        self.threads = threads
        self.log_path = log_path
        self.port = free_port()
        self.process = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def describe(self) -> str:
        kind = f"gthread, {self.threads} threads each" if self.threads > 1 else "sync"
        return f"{self.workers} workers ({kind})"

    def start(self, *, timeout: float = 60.0) -> None:
        command = [
            sys.executable, "-m", "gunicorn", "bootcamp.wsgi:application",
            "--bind", f"127.0.0.1:{self.port}",
            "--workers", str(self.workers),
            "--worker-class", "gthread" if self.threads > 1 else "sync",
            "--threads", str(self.threads),
            "--worker-tmp-dir", "/dev/shm" if os.path.isdir("/dev/shm") else "/tmp",
            "--graceful-timeout", "5",
            "--log-level", "warning",
            "--error-logfile", "-",
        ]  # fmt: skip
        with open(self.log_path, "w") as log:  # the child keeps its own copy of the descriptor
            self.process = subprocess.Popen(
                command,
                cwd=BASE_DIR,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                process_group=0,
            )
        self.wait_healthy(timeout=timeout)

    def wait_healthy(self, *, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"gunicorn {self.name} exited with {self.process.returncode}; "
                    f"see {self.log_path}"
                )
            try:
                with urllib.request.urlopen(f"{self.base_url}/healthz", timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn {self.name} did not answer /healthz in {timeout:.0f} s")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        group = os.getpgid(self.process.pid)
        os.killpg(group, signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(group, signal.SIGKILL)
            self.process.wait()
        # Workers that outlived their master still belong to the group.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(group, signal.SIGKILL)
