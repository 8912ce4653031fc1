"""Two gunicorn instances, one database, one browser session alternating between them.

If sessions, CSRF secrets or any state lived inside a process, a request landing on the other
instance would be sent to the login page or refused; here every one must succeed. And A's pages
must show what was posted to B: a page A kept from before the tick (in any per-process cache)
would offer the same tick again.
"""

import re
from dataclasses import dataclass

from bench import inprocess
from bench.browser import Browser, find_form

TOGGLE_ACTION = r"/objectives/(\d+)/check/"


@dataclass(frozen=True)
class SharedStateResult:
    ok: bool
    line: str


def check(a, b, *, targets, requests: int = 20) -> SharedStateResult:
    """Log in on A, then cycle dashboard -> submission -> stage page -> objective tick, sending
    request i to A when i is even and to B when odd: the stage page (and its CSRF token) always
    comes from A and the tick is always posted to B."""
    browser = Browser()
    browser.log_in(a.base_url, targets.learner)
    dashboard = "/dashboard/"
    submission = f"/submissions/{targets.submission_id}/"
    stage = f"/stages/{targets.stage_slug}/"

    served = {a.name: 0, b.name: 0}
    failures = []
    toggles = 0
    form = None
    ticked_to = None  # the state the last tick posted to B set
    for i in range(requests):
        server = a if i % 2 == 0 else b
        step = i % 4
        if step == 3:
            if form is None:
                failures.append(f"#{i}: no objective form on {stage} to post")
                continue
            objective_id = int(re.search(TOGGLE_ACTION, form.action).group(1))
            before = inprocess.objective_is_ticked(
                username=targets.learner, objective_id=objective_id
            )
            fields = dict(form.fields)
            response = browser.post(server.base_url + form.action, fields)
            ticked_to = fields.get("done")
            after = inprocess.objective_is_ticked(
                username=targets.learner, objective_id=objective_id
            )
            expected = response.status in (200, 302, 303) and after != before
            toggles += 1
            label = f"POST {form.action}"
        else:
            path = (dashboard, submission, stage)[step]
            response = browser.get(server.base_url + path)
            expected = response.status == 200
            label = f"GET {path}"
            if step == 2 and expected:
                form = find_form(response.text, TOGGLE_ACTION)
                offered = dict(form.fields).get("done") if form else None
                if ticked_to is not None and offered == ticked_to:
                    expected = False
                    label += f" (still offers done={offered}, the state B just set: stale)"
        served[server.name] += 1
        if not expected:
            failures.append(f"#{i} {label} on {server.name} answered {response.status}")

    summary = (
        f"{requests - len(failures)}/{requests} requests as expected in one session "
        f"({a.name}: {served[a.name]}, {b.name}: {served[b.name]}; {toggles} objective ticks "
        f"posted to {b.name} with the CSRF token from {a.name}'s page, each seen in PostgreSQL "
        f"and on {a.name}'s next stage page)"
    )
    if failures:
        summary += "; FAILED: " + "; ".join(failures[:5])
    return SharedStateResult(ok=not failures, line=summary)
