"""A private PostgreSQL under .data/ for development and tests (the pgserver package).

Used only when DATABASE_URL is not set. The server outlives the process that started
it, so the dev server's autoreloader, manage.py commands and pytest share one; stop it
with `make stop-db`.
"""

import warnings
from pathlib import Path

DATABASE_NAME = "bootcamp"


def private_database(base_dir: Path) -> dict:
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (CI, containers); harmless here.
        warnings.simplefilter("ignore")
        import pgserver  # a dev dependency: production always sets DATABASE_URL

    data_dir = base_dir / ".data"
    data_dir.mkdir(exist_ok=True)
    server = pgserver.get_server(data_dir / "postgres", cleanup_mode=None)
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
