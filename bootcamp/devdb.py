"""A private PostgreSQL under .data/ for development and tests (the pgserver package).

Used only when DATABASE_URL is not set. The server outlives the process that started
it, so the dev server's autoreloader, manage.py commands and pytest share one; stop it
with `make stop-db`. `make run` starts it once (`python -m bootcamp.devdb`) before it
launches anything else, so no two processes start it at the same moment.
"""

import json
import os
import shlex
import subprocess
import sys
import warnings
from pathlib import Path

DATABASE_NAME = "bootcamp"
# pgserver's list of the processes holding the server open; it trusts the file blindly.
STATE_FILE = ".handle_pids.json"


def _pgserver():
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (CI, containers); harmless here.
        warnings.simplefilter("ignore")
        import pgserver  # a dev dependency: production always sets DATABASE_URL

    return pgserver


def _is_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # alive, another user's
    return True


def repair_state(pgdata: Path) -> list[int]:
    """Keep only the live pids in pgserver's state file; returns them.

    A process killed while writing it leaves it empty (then every start fails with a
    JSONDecodeError), and a killed process never takes its pid out again.
    """
    path = pgdata / STATE_FILE
    if not path.exists():
        return []
    try:
        stored = json.loads(path.read_text())
    except (ValueError, UnicodeDecodeError):
        stored = None
    pids = stored if isinstance(stored, list) else []
    live = [pid for pid in pids if isinstance(pid, int) and pid > 0 and _is_alive(pid)]
    if live != stored:
        path.write_text(json.dumps(live))
    return live


def start_server(pgdata: Path):
    """The running pgserver server for `pgdata`, started (and its state repaired) if need be."""
    pgserver = _pgserver()
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    # The lock pgserver itself holds while it reads and writes the state file.
    with pgserver.postgres_server.PostgresServer._lock:
        repair_state(pgdata)
    return pgserver.get_server(pgdata, cleanup_mode=None)


def stop_server(pgdata: Path) -> bool:
    """Stop the server of `pgdata` if one runs there; False if none did."""
    if not (pgdata / "postmaster.pid").exists():
        return False
    pgserver = _pgserver()
    pg_ctl = Path(pgserver.__file__).parent / "pginstall" / "bin" / "pg_ctl"
    command = [str(pg_ctl), "stop", "-D", str(pgdata), "-m", "fast", "-w"]
    # pgserver runs the server as its own system user when we are root.
    if os.geteuid() == 0 and pgdata.owner() != "root":
        command = ["su", pgdata.owner(), "-s", "/bin/sh", "-c", shlex.join(command)]
    return subprocess.run(command, check=False, capture_output=True).returncode == 0


def private_database(base_dir: Path) -> dict:
    server = start_server(base_dir / ".data" / "postgres")
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';").strip()
    if "(1 row)" not in exists:
        server.psql(f"CREATE DATABASE {DATABASE_NAME};")
    info = server.get_postmaster_info()
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": DATABASE_NAME,
        "USER": "postgres",
        "PASSWORD": "",
        "HOST": str(info.socket_dir),
        "PORT": str(info.port or ""),
    }


if __name__ == "__main__":  # `make run`: start the server once, before anything else.
    base = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent
    private_database(base)
