"""The throw-away benchmark database: where it lives, creating it afresh, filling it."""

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import environ
import psycopg
from psycopg import sql

BASE_DIR = Path(__file__).resolve().parent.parent
BENCH_DATABASE = "bootcamp_bench"


@dataclass(frozen=True)
class BenchDatabase:
    url: str  # DATABASE_URL for the bench database, as the app parses it
    admin: dict  # psycopg connect() arguments for the server's `postgres` database
    where: str  # for the report


def locate() -> BenchDatabase:
    """The server of DATABASE_URL if set (environment or .env), else the private pgserver."""
    base_url = os.environ.get("DATABASE_URL", "")
    if base_url:
        config = environ.Env.db_url_config(base_url)
        parts = urlsplit(base_url)
        # Keep everything but the last path segment (the database name): the unix-socket form
        # postgres://user@/%2Fsocket%2Fdir/name has the socket directory in the path.
        head = parts.path.rsplit("/", 1)[0]
        url = urlunsplit(parts._replace(path=f"{head}/{BENCH_DATABASE}"))
        where = f"{config['HOST'] or 'localhost'}:{config['PORT'] or 5432} (DATABASE_URL)"
    else:
        from bootcamp.devdb import private_database

        config = private_database(BASE_DIR)
        # django-environ does not unquote the host part, but takes a path that starts with a
        # quoted "/" as the socket directory: postgres://postgres@:PORT/%2Fsocket%2Fdir/NAME.
        socket_dir = quote(config["HOST"], safe="")
        url = f"postgres://{config['USER']}@:{config['PORT']}/{socket_dir}/{BENCH_DATABASE}"
        where = f"private PostgreSQL, socket {config['HOST']}"
    admin = {
        "host": config["HOST"] or None,
        "port": config["PORT"] or None,
        "user": config["USER"] or None,
        "password": config["PASSWORD"] or None,
        "dbname": "postgres",
        "autocommit": True,
    }
    return BenchDatabase(url=url, admin=admin, where=where)


def recreate(db: BenchDatabase) -> None:
    name = sql.Identifier(BENCH_DATABASE)
    with psycopg.connect(**db.admin) as conn:
        # FORCE: a gunicorn left over from an interrupted run may still hold connections.
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(name))


def manage(args: list[str], *, env: dict, log) -> None:
    """Run one manage.py command in production settings; its output goes to the log file."""
    log.write(f"\n$ manage.py {' '.join(args)}\n")
    log.flush()
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"manage.py {' '.join(args)} failed (exit {result.returncode}); see {log.name}"
        )


def prepare(*, env: dict, learners: int, mentors: int, log) -> None:
    manage(["migrate", "--no-input"], env=env, log=log)
    manage(["load_curriculum"], env=env, log=log)
    manage(
        ["seed_demo", "--learners", str(learners), "--mentors", str(mentors), "--work", "--force"],
        env=env,
        log=log,
    )


def analyze(db: BenchDatabase) -> None:
    """Fresh statistics, as autovacuum keeps them on a live database. Without them the planner
    guesses row counts for the just-seeded tables, and autovacuum's own ANALYZE could land in
    the middle of a measurement and change the plans."""
    with psycopg.connect(**{**db.admin, "dbname": BENCH_DATABASE}) as conn:
        conn.execute("VACUUM (ANALYZE)")


def collectstatic(*, env: dict, log) -> None:
    # Production serves static files through WhiteNoise's manifest storage: no manifest, no page.
    manage(["collectstatic", "--no-input", "--verbosity", "0"], env=env, log=log)
