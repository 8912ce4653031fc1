"""`make run`: the development server and a job worker, started and stopped together.

Ctrl-C or SIGTERM stops both; when either exits, the other is stopped too.
Usage: python scripts/run_dev.py [HOST:PORT]
"""

import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str]) -> int:
    address = argv[1] if len(argv) > 1 else "127.0.0.1:8000"
    manage = [sys.executable, str(ROOT / "manage.py")]
    children = [
        subprocess.Popen([*manage, "runserver", address], cwd=ROOT),
        # Every queue, a few jobs at a time: a slow repository job leaves room for e-mail.
        subprocess.Popen([*manage, "procrastinate", "worker", "--concurrency=4"], cwd=ROOT),
    ]

    def stop(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        for child in children:
            if child.poll() is None:
                child.terminate()
        for child in children:
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
    return next((child.returncode for child in children if child.returncode), 0)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
