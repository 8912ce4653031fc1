"""assert_accessible(page): an axe-core scan of the page as it stands, failing on any
serious or critical violation.

axe-core's script comes from the axe-playwright-python package (it ships axe.min.js in its
own folder), so nothing is fetched from the network.
"""

from functools import cache
from pathlib import Path

import axe_playwright_python

FAILING_IMPACTS = ("serious", "critical")


@cache
def _axe_source():
    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text(encoding="utf-8")


def axe_violations(page):
    """Run axe-core on the page; return its violations of serious or critical impact."""
    # page.evaluate runs through the DevTools protocol, which the page's Content-Security-Policy
    # does not govern (unlike add_script_tag, which inserts an inline <script> the CSP blocks),
    # so the scan runs on the page exactly as users get it, CSP enforced.
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(_axe_source())
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [v for v in results["violations"] if v["impact"] in FAILING_IMPACTS]


def assert_accessible(page):
    violations = axe_violations(page)
    if not violations:
        return
    lines = [f"{len(violations)} serious/critical axe violation(s) on {page.url}:"]
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:10]:
            target = " ".join(str(part) for part in node["target"])
            lines.append(f"    at {target}: {node['html'][:160]}")
    raise AssertionError("\n".join(lines))
