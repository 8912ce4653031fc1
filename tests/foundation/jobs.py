"""Real workers and a real SMTP server on loopback, for the job-queue tests.

A worker is `manage.py procrastinate worker` in a subprocess, pointed at the test database;
the SMTP server is aiosmtpd in a thread of the test process.
"""

import asyncio
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote, urlencode

from aiosmtpd.controller import Controller
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def job_deferred(
    *, seconds_ago: int = 0, status: str | None = None, scheduled_in: int | None = None
) -> int:
    """A mail job deferred `seconds_ago` (its events backdated), optionally moved to `status`
    or scheduled `scheduled_in` seconds ahead; returns its id. For message 0, which no row
    is: run, it would do nothing."""
    from bootcamp.tasks import mail_send

    job_id = mail_send.defer(message_id=0)
    with connection.cursor() as cursor:
        if status is not None:
            cursor.execute(
                "UPDATE procrastinate_jobs SET status = %s WHERE id = %s", [status, job_id]
            )
        if scheduled_in is not None:
            cursor.execute(
                "UPDATE procrastinate_jobs SET scheduled_at = now() + make_interval(secs => %s) "
                "WHERE id = %s",
                [scheduled_in, job_id],
            )
        cursor.execute(
            "UPDATE procrastinate_events SET at = now() - make_interval(secs => %s) "
            "WHERE job_id = %s",
            [seconds_ago, job_id],
        )
    return job_id


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url() -> str:
    """The test database, as a DATABASE_URL another process can use (socket or TCP)."""
    db = connection.settings_dict
    query = {key: value for key, value in (("host", db["HOST"]), ("port", db["PORT"])) if value}
    user = quote(db["USER"] or "", safe="")
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    return f"postgres://{user}{password}@/{db['NAME']}?{urlencode(query)}"


def worker_env(smtp_port: int) -> dict:
    env = {
        **os.environ,
        "DEBUG": "on",
        "DATABASE_URL": database_url(),
        "CONN_MAX_AGE": "0",
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "EMAIL_TIMEOUT": "3",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


def worker_command(*, wait: bool, queues: str = "mail") -> list[str]:
    return [
        sys.executable,
        "manage.py",
        "procrastinate",
        "worker",
        f"--queues={queues}",
        "--wait" if wait else "--one-shot",
        # Retries are scheduled seconds ahead; look for them often.
        "--fetch-job-polling-interval=0.2",
    ]


def run_worker_once(smtp_port: int, log: Path, queues: str = "mail") -> None:
    """A worker that runs every job ready now, then exits."""
    with log.open("a") as out:
        subprocess.run(
            worker_command(wait=False, queues=queues),
            cwd=ROOT,
            env=worker_env(smtp_port),
            stdout=out,
            stderr=subprocess.STDOUT,
            timeout=60,
            check=True,
        )


def start_worker(smtp_port: int, log: Path) -> subprocess.Popen:
    with log.open("a") as out:  # the child keeps its own copy of the file
        return subprocess.Popen(
            worker_command(wait=True), cwd=ROOT, env=worker_env(smtp_port), stdout=out, stderr=out
        )


def stop_worker(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_for(condition, *, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


class Recorder:
    """aiosmtpd handler: keeps each message it accepts. With `hold` set, the next message is
    kept waiting in DATA (a server that hangs) until `release` is set, then answered with
    `hold_reply` (refused, unless that is a 250). `refuse` maps recipients to the reply their
    RCPT TO gets."""

    def __init__(self):
        self.messages = []
        self.hold = False
        self.hold_reply = "451 4.3.0 try again later"
        self.holding = threading.Event()
        self.release = threading.Event()
        self.refuse = {}

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.hold:
            self.hold = False
            self.holding.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
            if not self.hold_reply.startswith("250"):
                return self.hold_reply
        self.messages.append(envelope)
        return "250 OK"


class SMTPServer:
    def __init__(self, port: int):
        self.port = port
        self.recorder = Recorder()
        self.controller = Controller(self.recorder, hostname="127.0.0.1", port=port)

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.recorder.release.set()
        self.controller.stop()

    @property
    def recipients(self) -> list[str]:
        return sorted(rcpt for envelope in self.recorder.messages for rcpt in envelope.rcpt_tos)
