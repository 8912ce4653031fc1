"""CPU time per request, page by page (`python -m bench --cost`).

Throughput and latency under load move with whatever else the machine is doing; the CPU a
request costs does not. One sync worker serves the pages one request at a time while we read
the worker's and the PostgreSQL backends' CPU counters from /proc, so the numbers hold on a
busy machine and say where a slow page spends its time (Python or the database).
"""

import contextlib
import os
import subprocess
from dataclasses import dataclass

from bench.browser import Browser

TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")
REQUESTS = 100  # per page, after three to warm up


@dataclass(frozen=True)
class Cost:
    path: str
    username: str | None
    app_ms: float
    database_ms: float | None  # None: the server is not on this machine
    size: int

    @property
    def total_ms(self) -> float:
        """What the request costs the machine: the application's CPU and PostgreSQL's (only
        the application's when the database is on another machine)."""
        return self.app_ms + (self.database_ms or 0.0)


def _cpu_seconds(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0  # gone between listing and reading
    return (int(fields[11]) + int(fields[12])) / TICKS_PER_SECOND  # utime + stime


def _pids(*pgrep_args: str) -> list[int]:
    done = subprocess.run(["pgrep", *pgrep_args], capture_output=True, text=True, check=False)
    return [int(pid) for pid in done.stdout.split()]


def backend_pids(database_name: str) -> list[int]:
    # Backends are named "postgres: <user> <database> <client> <state>" in ps.
    return _pids("-f", f"postgres: \\S+ {database_name} ")


def renice(pids, nice: int) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.setpriority(os.PRIO_PROCESS, pid, nice)


def measure(
    server, pages, *, database_name: str, nice: int = 0, requests: int = REQUESTS
) -> list[Cost]:
    """server: a started Gunicorn with one sync worker."""
    workers = _pids("-P", str(server.process.pid))

    def app_cpu():
        return sum(_cpu_seconds(pid) for pid in workers)

    def database_cpu():
        return sum(_cpu_seconds(pid) for pid in backend_pids(database_name))

    database_visible = bool(backend_pids(database_name))
    costs = []
    for page in pages:
        browser = Browser()
        if page.username:
            browser.log_in(server.base_url, page.username)
        url = server.base_url + page.path
        for _ in range(3):  # warm the worker's caches and its database connection
            response = browser.get(url)
        if nice:  # the postmaster forked the worker's backend at the niceness it runs at
            renice(backend_pids(database_name), nice)
        app_before, database_before = app_cpu(), database_cpu()
        for _ in range(requests):
            browser.get(url)
        costs.append(
            Cost(
                path=page.path,
                username=page.username,
                app_ms=(app_cpu() - app_before) / requests * 1000,
                database_ms=(database_cpu() - database_before) / requests * 1000
                if database_visible
                else None,
                size=len(response.body),
            )
        )
    return costs
