"""Shared checks for the hardening tests."""

import re
from html.parser import HTMLParser


def csp_directives(response):
    header = response.headers["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def assert_security_headers(response):
    """The headers every response of the app must carry, whatever its status."""
    where = f"{response.request['REQUEST_METHOD']} {response.request['PATH_INFO']}"
    assert "Content-Security-Policy" in response.headers, f"no CSP header on {where}"
    directives = csp_directives(response)
    assert directives["script-src"] == ["'self'"], where
    assert directives["style-src"] == ["'self'"], where
    assert directives["object-src"] == ["'none'"], where
    assert directives["frame-ancestors"] == ["'none'"], where
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"], where
    assert "'unsafe-eval'" not in response.headers["Content-Security-Policy"], where
    assert response.headers["X-Content-Type-Options"] == "nosniff", where
    assert response.headers["Referrer-Policy"] == "same-origin", where
    assert response.headers["X-Frame-Options"] == "DENY", where
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin", where


def cache_directives(response) -> set[str]:
    return {part.strip() for part in response.headers.get("Cache-Control", "").split(",")} - {""}


def assert_private_to(actor: str, response):
    """A logged-in user's answer, whatever it is, may be kept by no browser or proxy."""
    if actor != "anonymous":
        where = f"{response.request['REQUEST_METHOD']} {response.request['PATH_INFO']} as {actor}"
        assert {"private", "no-store"} <= cache_directives(response), where


class _ActiveContentFinder(HTMLParser):
    """Collects what could run script in a page: <script> other than same-origin files,
    on*= handlers, javascript:/vbscript: (and non-image data:) URLs, frames and objects;
    and <style>/style= (no template has them, so they can only come from user input)."""

    URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        src = attributes.get("src") or ""
        if tag == "script" and not (src.startswith("/") and not src.startswith("//")):
            self.found.append(f"<script {attrs}>")
        if tag in {"iframe", "frame", "object", "embed", "base", "style"}:
            self.found.append(f"<{tag} {attrs}>")
        for name, value in attrs:
            if name.startswith("on") or name == "style":
                self.found.append(f"<{tag} {name}=…>")
            if name in self.URL_ATTRIBUTES and value:
                # Browsers drop whitespace and control characters anywhere in a scheme.
                scheme = re.sub(r"[\x00-\x20]", "", value).lower().split(":", 1)[0]
                if scheme in {"javascript", "vbscript"} or (scheme == "data" and tag != "img"):
                    self.found.append(f"<{tag} {name}={value[:60]!r}>")

    handle_startendtag = handle_starttag


def active_content(html):
    finder = _ActiveContentFinder()
    finder.feed(html)
    finder.close()
    return finder.found
