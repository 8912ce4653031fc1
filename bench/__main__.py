"""`python -m bench` (what `make bench` runs): seed, serve, load, count, print one table."""

import argparse
import contextlib
import datetime
import os
import platform
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import environ

from bench import cost, database, inprocess, report, shared_state
from bench.browser import Browser
from bench.database import BASE_DIR
from bench.load import run_wrk, wrk_path
from bench.server import Gunicorn
from bench.writes import BackgroundWrites

RESULTS_DIR = BASE_DIR / "bench-results"
GROWTH_FACTOR = 10


def parse_args(argv):
    cores = os.cpu_count() or 1
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--learners", type=int, default=300)
    parser.add_argument("--mentors", type=int, default=10)
    parser.add_argument(
        "--reuse-db",
        action="store_true",
        help="keep the bench database of the last run instead of seeding a fresh one",
    )
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per page (10)")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds per page first (2)")
    parser.add_argument(
        "--workers",
        type=int,
        default=2 * cores + 1,
        help=f"gunicorn workers (2 x cores + 1 = {2 * cores + 1})",
    )
    parser.add_argument(
        "--threads", type=int, default=1, help="threads per worker; above 1 uses gthread (1)"
    )
    parser.add_argument(
        "--wrk-threads", type=int, default=min(cores, 4), help="wrk threads (cores, at most 4)"
    )
    parser.add_argument("--only", help="measure only the pages whose path contains this")
    parser.add_argument("--shared-requests", type=int, default=20)
    parser.add_argument(
        "--nice",
        type=int,
        default=0,
        help="run the benchmark (gunicorn, wrk, the bench database's PostgreSQL backends) at "
        "this niceness; -10 (as root) keeps other work on a shared machine from skewing it",
    )
    parser.add_argument(
        "--writes-per-second",
        type=float,
        default=0,
        help="while each page is measured, another learner ticks an objective this often, "
        "so kept pages keep going stale (0)",
    )
    parser.add_argument(
        "--cost",
        action="store_true",
        help="instead of the load run, measure the CPU each page costs (one request at a time) "
        f"and check it against the budgets ({report.PAGE_MAX_CPU_MS:g} ms a page, "
        f"{report.OVERVIEW_MAX_CPU_MS:g} ms the cohort overview)",
    )
    parser.add_argument(
        "--growth",
        action="store_true",
        help=f"--cost at --learners and again on a fresh database with {GROWTH_FACTOR}x the "
        f"learners; each page may cost at most {report.MAX_GROWTH:g}x more, the CSV "
        f"{GROWTH_FACTOR}x (its rows)",
    )
    args = parser.parse_args(argv)
    if args.growth and args.reuse_db:
        parser.error("--growth seeds both databases afresh; it cannot --reuse-db")
    return args


def production_env(database_url: str) -> dict:
    """What a production deployment sets, minus TLS (the benchmark speaks plain HTTP)."""
    env = dict(os.environ)
    env.update(
        DEBUG="off",
        SECRET_KEY=secrets.token_urlsafe(50),
        DATABASE_URL=database_url,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="off",
        SESSION_COOKIE_SECURE="off",
        CSRF_COOKIE_SECURE="off",
        SECURE_HSTS_SECONDS="0",
        EMAIL_URL="dummymail://",
        SITE_URL="http://127.0.0.1",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    env.pop("TEST_DATABASE_NAME", None)
    return env


def pages_for(targets: inprocess.Targets) -> list[report.Page]:
    Page = report.Page
    return [
        Page("/healthz", None, "page"),
        Page("/dashboard/", targets.learner, "page"),
        Page(f"/stages/{targets.stage_slug}/", targets.learner, "page"),
        Page(f"/submissions/{targets.submission_id}/", targets.learner, "page"),
        Page("/mentor/queue/", targets.mentor, "page"),
        Page(f"/mentor/submissions/{targets.review_submission_id}/review/", targets.mentor, "page"),
        Page(f"/cohorts/{targets.cohort_slug}/", targets.staff, "overview"),
        Page(f"/cohorts/{targets.cohort_slug}/?sort=-progress", targets.staff, "overview"),
        Page(f"/cohorts/{targets.cohort_slug}/progress.csv", targets.staff, "csv"),
        *_code_pages(targets),
    ]


def _code_pages(targets: inprocess.Targets) -> list[report.Page]:
    """The file view of a 5,000-line file and a 2,000-line diff (issue 15), as a mentor of the
    cohort (staff: any reviewer sees them alike)."""
    if targets.code_submission_id is None:
        return []
    base = f"/submissions/{targets.code_submission_id}/iterations/{targets.code_iteration}"
    return [
        report.Page(f"{base}/files/{inprocess.BIG_FILE}", targets.staff, "file"),
        report.Page(f"{base}/changes/", targets.staff, "diff"),
    ]


def say(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def machine() -> str:
    memory = ""
    try:
        with open("/proc/meminfo") as meminfo:
            kib = int(meminfo.readline().split()[1])
        memory = f", {kib / 1024 / 1024:.1f} GiB memory"
    except (OSError, ValueError, IndexError):
        pass
    model = ""
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            model = next(
                ln.split(":", 1)[1].strip() for ln in cpuinfo if ln.startswith("model name")
            )
    except (OSError, StopIteration):
        pass
    return (
        f"{os.cpu_count()} cores (nproc){f' {model}' if model else ''}{memory}, "
        f"{platform.platform()}, Python {platform.python_version()}"
    )


def busy_warning(nice: int) -> str | None:
    """Other work on the machine (a test run, a browser) takes CPU from the server: say so."""
    load = os.getloadavg()[0]
    cores = os.cpu_count() or 1
    if load <= cores / 2:
        return None
    if nice < 0:
        return (
            f"load average {load:.1f} on {cores} cores before the run: other work was running, "
            f"behind the benchmark's niceness {nice}"
        )
    return (
        f"load average {load:.1f} on {cores} cores before the run: something else is busy, "
        "so the numbers below are low (as root, --nice -10 puts the benchmark first)"
    )


def git_revision() -> str:
    done = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=BASE_DIR, capture_output=True, text=True
    )
    return done.stdout.strip() or "unknown"


def prioritise(nice: int) -> None:
    """Everything the harness starts inherits its niceness, except the PostgreSQL backends,
    which the postmaster forks: renice those serving the bench database now."""
    if nice:
        cost.renice(cost.backend_pids(database.BENCH_DATABASE), nice)


@contextlib.contextmanager
def niceness(nice: int):
    """Run the block at this niceness, the session's share of the CPU included, and put the
    session's share back afterwards: it is shared with the shell that started us."""
    if not nice:
        yield
        return
    # With autogroup scheduling (most desktop and VM kernels) the CPU is shared between
    # sessions first; only the session's own niceness counts against other sessions.
    autogroup = Path("/proc/self/autogroup")
    before = None
    try:
        os.setpriority(os.PRIO_PROCESS, 0, nice)
        if autogroup.exists():
            before = int(autogroup.read_text().split()[-1])
            autogroup.write_text(str(nice))
    except PermissionError:
        raise RuntimeError(f"--nice {nice} needs root") from None
    try:
        yield
    finally:
        if before is not None:
            autogroup.write_text(str(before))


@dataclass
class Prepared:
    """A seeded bench database, Django set up on it in this process, and what to measure."""

    learners: int
    targets: inprocess.Targets
    pages: list
    queries: dict
    busy: str | None
    reused: bool = False


def prepare(args, *, db, env, learners: int, reuse: bool) -> Prepared:
    setup_log_path = RESULTS_DIR / "setup.log"
    with open(setup_log_path, "a" if reuse else "w") as setup_log:
        if reuse:
            say(f"reusing database {database.BENCH_DATABASE} on {db.where}")
        else:
            say(f"creating database {database.BENCH_DATABASE} on {db.where}")
            inprocess.close()
            database.recreate(db)
            say(
                f"migrate, load_curriculum, seed_demo --learners {learners} "
                f"--mentors {args.mentors} --work (log: {setup_log_path.relative_to(BASE_DIR)})"
            )
            started = time.monotonic()
            database.prepare(env=env, learners=learners, mentors=args.mentors, log=setup_log)
            database.analyze(db)
            say(f"seeded and analysed in {time.monotonic() - started:.0f} s")
        database.collectstatic(env=env, log=setup_log)

    inprocess.setup(env)
    if reuse:  # what the last run seeded, not what --learners says
        learners = inprocess.learner_count()
        say(f"it holds {learners} learners")
    busy = busy_warning(args.nice)
    if busy:
        say(f"WARNING: {busy}")
    targets = inprocess.pick_targets()
    say(
        f"targets: learner {targets.learner} (submission {targets.submission_id}, stage "
        f"{targets.stage_slug}), mentor {targets.mentor} (review of submission "
        f"{targets.review_submission_id}{'' if targets.review_claimed else ', not claimed'})"
    )
    pages = pages_for(targets)
    if args.only:
        pages = [pages[0]] + [p for p in pages[1:] if args.only in p.path]

    queries = {}
    for page in pages:
        count = inprocess.count_queries(page.path, page.username)
        queries[page.path] = count
        if count.status != 200:
            say(f"WARNING: {page.path} as {page.username} answers {count.status} in-process")
    return Prepared(
        learners=learners,
        targets=targets,
        pages=pages,
        queries=queries,
        busy=busy,
        reused=reuse,
    )


def run(args) -> int:
    wrk_path()  # fail before an expensive seed if the load tool is missing
    RESULTS_DIR.mkdir(exist_ok=True)
    # The app reads .env too; DATABASE_URL may be set there rather than in the environment.
    if (BASE_DIR / ".env").is_file():
        environ.Env.read_env(BASE_DIR / ".env")
    db = database.locate()
    env = production_env(db.url)
    if args.growth:
        return run_growth(args, db=db, env=env)
    prepared = prepare(args, db=db, env=env, learners=args.learners, reuse=args.reuse_db)
    if args.cost:
        return run_cost(args, db=db, env=env, prepared=prepared)
    return run_load(args, db=db, env=env, prepared=prepared)


def run_load(args, *, db, env, prepared: Prepared) -> int:
    pages, queries = prepared.pages, prepared.queries
    servers = []
    rows = []
    shared = None
    writes = None
    targets = prepared.targets
    try:

        def start_gunicorn(name):
            server = Gunicorn(
                name=name,
                env=env,
                workers=args.workers,
                threads=args.threads,
                log_path=RESULTS_DIR / f"gunicorn-{name}.log",
            )
            servers.append(server)
            server.start()
            return server

        a = start_gunicorn("A")
        say(f"gunicorn A on {a.base_url}: {a.describe()}")

        cookies = {}  # what a browser sends after logging in: the session and CSRF cookies
        for username in {p.username for p in pages if p.username}:
            browser = Browser()
            browser.log_in(a.base_url, username)
            cookies[username] = browser.cookie_header()

        if args.writes_per_second > 0:
            writes = BackgroundWrites(
                a.base_url,
                username="learner2" if targets.learner == "learner1" else "learner1",
                stage_slug=targets.stage_slug,
                per_second=args.writes_per_second,
            )
        for page in pages:
            url = a.base_url + page.path
            cookie = cookies.get(page.username)
            load = dict(connections=args.connections, threads=args.wrk_threads, cookie=cookie)
            prioritise(args.nice)
            with writes or contextlib.nullcontext():
                if args.warmup > 0:
                    run_wrk(url, seconds=args.warmup, **load)
                    prioritise(args.nice)  # backends the warm-up opened
                result = run_wrk(url, seconds=args.duration, **load)
            rows.append(report.Row(page=page, load=result, queries=queries[page.path]))
            say(
                f"{page.path}: {result.per_second:.0f} req/s, p99 {result.p99_ms:.1f} ms, "
                f"{result.errors} errors"
            )

        b = start_gunicorn("B")
        say(f"gunicorn B on {b.base_url}: two instances on one database")
        try:
            shared = shared_state.check(a, b, targets=targets, requests=args.shared_requests)
        except RuntimeError as error:
            shared = shared_state.SharedStateResult(ok=False, line=str(error))
    finally:
        for server in reversed(servers):
            server.stop()
        if servers:
            say("gunicorn stopped")

    report.judge(rows)
    body = [report.load_cells(row) for row in rows]
    shared_line = f"Two instances: {'PASS' if shared.ok else 'FAIL'}: {shared.line}"
    config = (
        f"gunicorn {a.describe()}; wrk {args.connections} connections, {args.wrk_threads} "
        f"threads, {args.duration:.0f} s per page after {args.warmup:.0f} s warm-up"
        + (f"; run at niceness {args.nice}" if args.nice else "")
        + (
            f"; {args.writes_per_second:g} writes/s by another learner during each page "
            f"({writes.describe()})"
            if writes
            else ""
        )
    )
    print()
    print(report.text_table(report.LOAD_HEADERS, body))
    print()
    print(shared_line)
    print(config)
    if prepared.busy:
        print(f"WARNING: {prepared.busy}")
    write_markdown(
        db=db,
        args=args,
        seeded=[prepared.learners],
        reused=prepared.reused,
        notes=[config, *([f"WARNING: {prepared.busy}"] if prepared.busy else [])],
        sections=[report.markdown_table(report.LOAD_HEADERS, body), shared_line],
    )
    failed = [row.page.path for row in rows if not row.passed]
    if not shared.ok:
        failed.append("two instances")
    if writes and writes.failed:
        failed.append("background writes")
    return verdict(failed)


def measure_cost(args, *, env, prepared: Prepared) -> list[report.CostRow]:
    # A connection that reaches CONN_MAX_AGE mid-measurement would take the CPU its backend
    # used with it when it exits (the CSV at 3,000 learners runs for longer than a minute).
    server = Gunicorn(
        name="cost",
        env={**env, "CONN_MAX_AGE": "3600"},
        workers=1,
        threads=1,
        log_path=RESULTS_DIR / "gunicorn-cost.log",
    )
    try:
        server.start()
        say(f"one sync worker on {server.base_url}, one request at a time")
        prioritise(args.nice)
        costs = cost.measure(
            server, prepared.pages, database_name=database.BENCH_DATABASE, nice=args.nice
        )
    finally:
        server.stop()
    rows = [
        report.CostRow(page=page, cost=c, queries=prepared.queries[page.path])
        for page, c in zip(prepared.pages, costs, strict=True)
    ]
    report.judge_cost(rows)
    return rows


def load_line() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.1f} / {five:.1f} / {fifteen:.1f} (1 / 5 / 15 min)"


def run_cost(args, *, db, env, prepared: Prepared) -> int:
    before = load_line()
    rows = measure_cost(args, env=env, prepared=prepared)
    after = load_line()
    body = [report.cost_cells(row) for row in rows]
    config = cost_config(args, before=before, after=after)
    print()
    print(report.text_table(report.COST_HEADERS, body))
    print()
    print(config)
    write_markdown(
        db=db,
        args=args,
        seeded=[prepared.learners],
        reused=prepared.reused,
        notes=[config],
        sections=[report.markdown_table(report.COST_HEADERS, body)],
    )
    return verdict([row.page.path for row in rows if not row.passed])


def cost_config(args, *, before, after) -> str:
    return (
        f"one sync gunicorn worker, {cost.REQUESTS} requests per page after 3 to warm up"
        + (f"; run at niceness {args.nice}" if args.nice else "")
        + f"; {before} before, {after} after"
    )


def run_growth(args, *, db, env) -> int:
    large_learners = args.learners * GROWTH_FACTOR
    measured = {}
    for learners in (args.learners, large_learners):
        prepared = prepare(args, db=db, env=env, learners=learners, reuse=False)
        before = load_line()
        rows = measure_cost(args, env=env, prepared=prepared)
        measured[learners] = (rows, cost_config(args, before=before, after=load_line()))
        print()
        print(f"At {learners} learners:")
        print(report.text_table(report.COST_HEADERS, [report.cost_cells(r) for r in rows]))
    (small, small_config), (large, large_config) = measured.values()
    growth = report.judge_growth(small, large, learner_ratio=GROWTH_FACTOR)
    headers = report.growth_headers(args.learners, large_learners)
    body = [report.growth_cells(row) for row in growth]
    print()
    print(f"Growth from {args.learners} to {large_learners} learners:")
    print(report.text_table(headers, body))
    print()
    print(f"At {args.learners}: {small_config}")
    print(f"At {large_learners}: {large_config}")
    write_markdown(
        db=db,
        args=args,
        seeded=[args.learners, large_learners],
        notes=[f"At {args.learners}: {small_config}", f"At {large_learners}: {large_config}"],
        sections=[
            f"At {args.learners} learners (the budgets apply here):",
            report.markdown_table(report.COST_HEADERS, [report.cost_cells(r) for r in small]),
            f"At {large_learners} learners:",
            report.markdown_table(report.COST_HEADERS, [report.cost_cells(r) for r in large]),
            f"Growth from {args.learners} to {large_learners} learners:",
            report.markdown_table(headers, body),
        ],
    )
    failed = [f"{row.page.path} at {args.learners}" for row in small if not row.passed]
    failed += [f"{row.page.path} growth" for row in growth if not row.passed]
    failed += [
        f"{row.page.path} at {large_learners}"
        for row in large
        if report.rendering_failures(row.queries)
    ]
    return verdict(failed)


def verdict(failed: list[str]) -> int:
    if failed:
        print(f"\nFAIL: {', '.join(failed)}", file=sys.stderr)
        return 1
    print("\nAll targets met.")
    return 0


def write_markdown(*, db, args, seeded, notes, sections, reused=False) -> None:
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    options = " ".join(sys.argv[1:])
    if os.environ.get("MAKELEVEL"):
        command = f'make bench BENCH_ARGS="{options}"' if options else "make bench"
    else:
        command = f"python -m bench {options}".rstrip()
    seeds = "seeded with " + " and ".join(
        f"`seed_demo --learners {n} --mentors {args.mentors} --work`" for n in seeded
    )
    if reused:
        seeds = f"reused from an earlier run ({seeded[0]} learners in the demo cohort)"
    lines = [
        f"# Benchmark run, {now}",
        "",
        f"- Command: `{command}` at commit {git_revision()}",
        f"- Machine: {machine()}",
        f"- Database: {database.BENCH_DATABASE} on {db.where}, {seeds}",
        *(f"- {note}" for note in notes),
        "",
    ]
    for section in sections:
        lines += [section, ""]
    path = RESULTS_DIR / "latest.md"
    path.write_text("\n".join(lines))
    say(f"written {path.relative_to(BASE_DIR)}")


def main(argv=None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)

    def stop_on_sigterm(signum, frame):
        raise SystemExit(128 + signum)  # unwinds through the finally that stops gunicorn

    signal.signal(signal.SIGTERM, stop_on_sigterm)
    # Started in the background by a non-interactive shell, SIGINT arrives ignored: undo that.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with niceness(args.nice):
            return run(args)
    except KeyboardInterrupt:
        print("\ninterrupted; everything the benchmark started is stopped", file=sys.stderr)
        return 130
    except RuntimeError as error:
        print(f"\nbench: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
