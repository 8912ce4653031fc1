"""Writes while pages are measured: another learner ticking an objective at a steady rate.

A load run that writes nothing measures pages over data that never changes: any per-process
cache stays warm and PostgreSQL never sees a write. With `--writes-per-second`, this thread
posts the stage page's objective form through the same gunicorn, the state alternating (done,
not done), for as long as a page is measured.
"""

import threading
import time

from bench.browser import Browser, find_form
from bench.shared_state import TOGGLE_ACTION


class BackgroundWrites:
    def __init__(self, base_url: str, *, username: str, stage_slug: str, per_second: float):
        self.base_url = base_url
        self.per_second = per_second
        self.browser = Browser()
        self.browser.log_in(base_url, username)
        page = self.browser.get(f"{base_url}/stages/{stage_slug}/")
        form = find_form(page.text, TOGGLE_ACTION)
        if page.status != 200 or form is None:
            raise RuntimeError(f"{username} has no objective form on /stages/{stage_slug}/")
        self.form = form
        self.posted = 0
        self.failed = 0
        self._stop = threading.Event()
        self._thread = None

    def __enter__(self):
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def _run(self):
        fields = dict(self.form.fields)
        interval = 1 / self.per_second
        next_at = time.monotonic()
        while not self._stop.is_set():
            fields["done"] = "0" if fields.get("done") == "1" else "1"
            try:
                response = self.browser.post(self.base_url + self.form.action, fields)
            except OSError:
                self.failed += 1
            else:
                if response.status in (302, 303):
                    self.posted += 1
                else:
                    self.failed += 1
            # The "Ticked" message is never read (no redirect is followed): drop it, as a
            # browser showing the next page would, so it does not pile up in the session.
            self.browser.cookies.pop("messages", None)
            next_at += interval
            self._stop.wait(max(0.0, next_at - time.monotonic()))

    def describe(self) -> str:
        return f"{self.posted} ticks posted, {self.failed} refused"
