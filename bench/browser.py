"""A tiny cookie-keeping HTTP client: enough to log in and post a form like a browser would."""

import http.client
import re
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

DEMO_PASSWORD = "bootcamp-demo"  # seed_demo's default


class Response:
    def __init__(self, status: int, headers, body: bytes):
        self.status = status
        self.headers = headers
        self.body = body

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class Browser:
    """Cookies are kept per browser, not per host, so one session can visit two servers."""

    def __init__(self):
        self.cookies: dict[str, str] = {}

    def request(self, method: str, url: str, *, data: dict | None = None) -> Response:
        parts = urlsplit(url)
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        headers = {}
        if self.cookies:
            headers["Cookie"] = self.cookie_header()
        body = None
        if data is not None:
            body = urlencode(data)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(
                method, parts.path + (f"?{parts.query}" if parts.query else ""), body, headers
            )
            raw = conn.getresponse()
            response = Response(raw.status, raw.headers, raw.read())
        finally:
            conn.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return response

    def get(self, url: str) -> Response:
        return self.request("GET", url)

    def post(self, url: str, data: dict) -> Response:
        return self.request("POST", url, data=data)

    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def log_in(self, base_url: str, username: str, password: str = DEMO_PASSWORD) -> str:
        """Log in through the real login form; returns the session id."""
        page = self.get(f"{base_url}/accounts/login/")
        form = find_form(page.text, r"/accounts/login/|^$")
        if page.status != 200 or form is None:
            raise RuntimeError(f"login page answered {page.status} without a login form")
        fields = dict(form.fields)
        fields.update(username=username, password=password)
        answer = self.post(f"{base_url}/accounts/login/", fields)
        if answer.status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(
                f"logging in as {username} answered {answer.status}, not a redirect with a session"
            )
        return self.cookies["sessionid"]


class Form:
    def __init__(self, action: str):
        self.action = action
        self.fields: list[tuple[str, str]] = []
        self.submitted = False


class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms: list[Form] = []
        self._current: Form | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._current = Form(attrs.get("action") or "")
            self.forms.append(self._current)
        elif tag in ("input", "button") and self._current is not None and attrs.get("name"):
            kind = attrs.get("type") or ("submit" if tag == "button" else "text")
            # What a browser sends when the form's first button is pressed untouched: hidden
            # fields, ticked boxes and that button's own name=value.
            if kind == "submit":
                if not self._current.submitted:
                    self._current.submitted = True
                    self._current.fields.append((attrs["name"], attrs.get("value") or ""))
            elif kind == "hidden":
                self._current.fields.append((attrs["name"], attrs.get("value") or ""))
            elif kind in ("checkbox", "radio") and "checked" in attrs:
                self._current.fields.append((attrs["name"], attrs.get("value") or "on"))

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None


def find_forms(html: str, action_pattern: str) -> list[Form]:
    parser = _FormParser()
    parser.feed(html)
    return [form for form in parser.forms if re.search(action_pattern, form.action)]


def find_form(html: str, action_pattern: str) -> Form | None:
    forms = find_forms(html, action_pattern)
    return forms[0] if forms else None
