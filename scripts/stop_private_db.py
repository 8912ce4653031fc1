"""Stop the private PostgreSQL that development and tests start under .data/."""

import subprocess
import sys
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / ".data" / "postgres"

if not (DATA / "postmaster.pid").exists():
    print("The private PostgreSQL is not running.")
    sys.exit(0)
import pgserver  # noqa: E402

pg_ctl = Path(pgserver.__file__).parent / "pginstall" / "bin" / "pg_ctl"
command = [str(pg_ctl), "stop", "-D", str(DATA), "-m", "fast"]
# pgserver runs the server as its own system user when we are root.
owner = DATA.owner()
if owner != "root" and Path("/usr/bin/su").exists() and sys.platform == "linux":
    import os

    if os.geteuid() == 0:
        command = ["su", owner, "-s", "/bin/sh", "-c", " ".join(command)]
subprocess.run(command, check=False)
