"""Hypothesis strategies for hostile input."""

from hypothesis import strategies as st

VALID_REPO = "https://github.com/ada/task-manager"
# Raw HTML that would run script (or restyle the page) if it reached a page unescaped.
HTML_PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    '<img src=x onerror="alert(1)">',
    "<svg onload=alert(1)>",
    "<iframe src='javascript:alert(1)'></iframe>",
    "<a href='java&#x09;script:alert(1)'>x</a>",
    '"><script>alert(1)</script>',
    "<p onmouseover=alert(1)>hover</p>",
    "<p style='position:fixed'>cover</p>",
    "<style>body{display:none}</style>",
    "<form action=javascript:alert(1)><button>go</button></form>",
]
# The same through Markdown's own syntax, and inside code (which must come out as text).
MARKDOWN_PAYLOADS = [
    "[click me](javascript:alert(1))",
    "[click me](JaVaScRiPt:alert(1))",
    "![pic](javascript:alert(1))",
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "```html\n<script>alert(1)</script>\n```",
    "`<img src=x onerror=alert(1)>`",
]
XSS_PAYLOADS = HTML_PAYLOADS + MARKDOWN_PAYLOADS

urls = st.one_of(
    st.text(max_size=80),
    st.builds(
        str.__add__,
        st.sampled_from(
            [
                "javascript:",
                "JAVASCRIPT:",
                " javascript:",
                "data:text/html,",
                "ftp://",
                "http://",
                "https://",
                "//",
                "https://github.com/",
            ]
        ),
        st.text(max_size=60),
    ),
    st.sampled_from(["javascript:alert(1)", "data:text/html,<script>alert(1)</script>", ""]),
    st.integers(min_value=480, max_value=3000).map(lambda n: "https://example.com/" + "a" * n),
    st.just(VALID_REPO),
)
shas = st.one_of(
    st.text(max_size=50),
    st.text(alphabet="0123456789abcdefABCDEF", max_size=45),
    st.sampled_from(["", "<script>", "a1b2c3d", "g" * 40]),
)
markdown = st.one_of(
    st.text(max_size=200),
    st.lists(st.one_of(st.sampled_from(XSS_PAYLOADS), st.text(max_size=20)), max_size=6).map(
        "\n\n".join
    ),
)

paths = st.one_of(
    st.text(max_size=60),
    st.sampled_from(
        [
            "app/main.py",
            "../../etc/passwd",
            '"><script>alert(1)</script>',
            "a b/c d.py",
            "javascript:alert(1)",
            "/abs/path.py",
            "x" * 301,
        ]
    ),
)
lines = st.one_of(
    st.integers(min_value=-5, max_value=10**12).map(str),
    st.text(max_size=12),
    st.just(""),
)
comment_rows = st.lists(st.tuples(paths, lines, markdown), max_size=4)
total_forms = st.one_of(st.none(), st.sampled_from(["", "abc", "-1", "100000000"]))
emails = st.one_of(
    st.text(max_size=120),
    st.lists(
        st.one_of(
            st.emails().map(str),
            st.sampled_from(
                ['"<script>"@example.com', "a@b", "javascript:alert(1)@x.com", "x" * 300]
            ),
        ),
        max_size=5,
    ).map(", ".join),
)
