"""Shared checks for the hardening tests."""


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
