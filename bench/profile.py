"""Where a page's CPU goes, in-process (`python -m bench.profile`, after a `make bench` run).

`--cost` measures what gunicorn and PostgreSQL spend per request; this serves the same pages
in the harness process through a logged-in `django.test.Client`, on the bench database the
last run left (production settings, DEBUG off), so a change can be compared before and after
within a minute on a busy machine: the median CPU of this process per request (Python:
middleware, ORM, templates; plus the test client's own small share), the bench database's
PostgreSQL backend CPU per request, and the function calls cProfile counts in one request —
a figure that does not move with the machine's load. `--profile PAGE` prints that request's
cProfile table, sorted by cumulative CPU time (`--sort tottime`: by own time).
"""

import argparse
import cProfile
import io
import os
import pstats
import statistics
import time

from bench import database, inprocess
from bench.__main__ import pages_for, production_env
from bench.cost import _cpu_seconds


def parse_args(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__)
    parser.add_argument("--requests", type=int, default=50, help="per page, after 3 (50)")
    parser.add_argument("--only", help="only the pages whose path contains this")
    parser.add_argument(
        "--profile", metavar="PAGE", help="print the cProfile table of the page containing this"
    )
    parser.add_argument("--lines", type=int, default=40, help="rows of that table (40)")
    parser.add_argument(
        "--match", default="", help="only the table's rows whose function matches this regex"
    )
    parser.add_argument("--sort", default="cumulative", help="pstats order (cumulative)")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    db = database.locate()
    inprocess.setup(production_env(db.url))

    pages = [
        page
        for page in pages_for(inprocess.pick_targets())
        if page.path != "/healthz" and (not args.only or args.only in page.path)
    ]
    print("| page | as | calls | app CPU ms (median) | PostgreSQL CPU ms | total ms |")
    print("|---|---|---:|---:|---:|---:|")
    for page in pages:
        measure(page, args)
    print(f"\n{args.requests} requests a page; load average {os.getloadavg()[0]:.1f}")
    return 0


def measure(page, args) -> None:
    """One row of the table (and the cProfile table, if asked for)."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(get_user_model().objects.get(username=page.username))

    def fetch():
        response = client.get(page.path)
        if response.streaming:
            b"".join(response.streaming_content)
        assert response.status_code == 200, (page.path, response.status_code)

    for _ in range(3):
        fetch()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    local = os.path.exists(f"/proc/{backend}/stat")
    app, db_before = [], _cpu_seconds(backend)
    for _ in range(args.requests):
        start = time.process_time()
        fetch()
        app.append(time.process_time() - start)
    db_ms = (_cpu_seconds(backend) - db_before) / args.requests * 1000 if local else None
    profiler = cProfile.Profile(time.process_time)  # CPU, not waiting on PostgreSQL
    profiler.runcall(fetch)
    stats = pstats.Stats(profiler)
    app_ms = statistics.median(app) * 1000
    db_cell = f"{db_ms:.1f}" if db_ms is not None else "-"
    print(
        f"| `{page.path}` | {page.username} | {stats.total_calls} | {app_ms:.1f} "
        f"| {db_cell} | {app_ms + (db_ms or 0.0):.1f} |"
    )
    if args.profile and args.profile in page.path:
        out = io.StringIO()
        restrictions = [args.match] if args.match else []
        pstats.Stats(profiler, stream=out).sort_stats(args.sort).print_stats(
            *restrictions, args.lines
        )
        print(out.getvalue())


if __name__ == "__main__":
    raise SystemExit(main())
