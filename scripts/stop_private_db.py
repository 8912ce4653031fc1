"""Stop the private PostgreSQL that development and tests start under .data/."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bootcamp.devdb import stop_server  # noqa: E402

if not stop_server(ROOT / ".data" / "postgres"):
    print("The private PostgreSQL is not running.")
