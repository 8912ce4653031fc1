"""The one way Markdown becomes HTML: cmark-gfm (GitHub's own), Pygments, then nh3 sanitising.

cmark-gfm's cost is linear in its input, so no text a learner can type stalls a page. What it
cannot bound is the size of its output (a 20,000-character table of 3,000 columns is 5 MB of
HTML): `validate_markdown` refuses, as a form error, any text whose HTML is over
MAX_RENDERED_CHARACTERS or nests deeper than MAX_NESTING, on every form that takes Markdown.
"""

import html
import re
from functools import lru_cache

import cmarkgfm
import nh3
from cmarkgfm.cmark import Options
from django.core.exceptions import ValidationError
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import TextLexer, get_lexer_by_name
from pygments.token import STANDARD_TYPES
from pygments.util import ClassNotFound

MAX_RENDERED_CHARACTERS = 200_000
# nh3's HTML parser slows down with the square of nesting depth (7,000 nested quotes: 1 s).
MAX_NESTING = 100
# cmark-gfm pads every row of a table to its header's width, so a wide header over many short
# lines is millions of cells (3,000 columns, 1,000 lines: 5 MB of HTML in 0.6 s). Counted
# before rendering: columns of the widest delimiter row times the lines of the text.
MAX_TABLE_CELLS = 20_000
# Pygments' lexers are regular expressions of varying cost (Scala: 0.8 s for 20,000
# characters): past this many characters of code in one text, blocks are shown unhighlighted.
MAX_HIGHLIGHTED_CHARACTERS = 5_000

# Raw HTML passes through cmark-gfm (UNSAFE) because nh3 strips it afterwards, exactly as it
# did after python-markdown. Task lists stay off: they would need <input> in the allow-list.
_OPTIONS = Options.CMARK_OPT_UNSAFE | Options.CMARK_OPT_GITHUB_PRE_LANG
_EXTENSIONS = ["table", "strikethrough", "autolink"]
# cmark-gfm writes fenced code as <pre lang="py"><code>…escaped…</code></pre>, one per block.
# Code inside is escaped, so "[^<]*" finds the block's end without scanning the rest of the text
# from every unclosed raw <pre><code> (a lazy ".*?" made that quadratic).
_CODE_BLOCK = re.compile(r'<pre(?: lang="([^"]*)")?><code>([^<]*)</code></pre>')
_FORMATTER = HtmlFormatter(cssclass="codehilite")
# "[^<>]" stops at the next "<": raw HTML such as "<a" * 10000 has no ">" to find.
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)[^<>]*?(/?)>")
_VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "wbr"}

# No <img>: images from other hosts are blocked by the CSP anyway, and a learner's notes have
# no business loading third-party content into a mentor's browser.
ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "div", "em", "h1", "h2", "h3",
    "h4", "h5", "h6", "hr", "i", "li", "ol", "p", "pre", "span", "strong", "sub", "sup",
    "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "th": {"align"},
    "td": {"align"},
}
# Only the classes syntax highlighting needs: any other class would let user text restyle the
# page with Bootstrap's utilities (e.g. a full-screen fake "log in again" overlay).
ALLOWED_CLASSES = {
    "div": {"codehilite"},
    "span": {css_class for css_class in STANDARD_TYPES.values() if css_class},
}


def _nesting(rendered: str) -> int:
    """How deep the elements of `rendered` nest (unclosed ones count as open): one pass."""
    depth = deepest = 0
    for closing, tag, self_closing in _TAG.findall(rendered):
        if tag.lower() in _VOID_TAGS or self_closing:
            continue
        depth = max(depth - 1, 0) if closing else depth + 1
        deepest = max(deepest, depth)
    return deepest


def _table_cells(text: str) -> int:
    """At most how many cells the tables of `text` can have: one pass, no regular expression."""
    lines = text.splitlines()
    columns = 0
    for line in lines:
        row = line.lstrip(" \t>").strip()  # a table inside a quote counts too
        if "-" in row and "|" in row and set(row) <= set("|-: \t"):
            columns = max(columns, row.strip("|").count("|") + 1)
    return columns * len(lines)


def _html_of(text: str) -> str | None:
    """cmark-gfm's HTML for `text`, or None when it is too large or too deep to sanitise."""
    if _table_cells(text) > MAX_TABLE_CELLS:
        return None
    rendered = cmarkgfm.markdown_to_html_with_extensions(
        text, options=_OPTIONS, extensions=_EXTENSIONS
    )
    if len(rendered) > MAX_RENDERED_CHARACTERS or _nesting(rendered) > MAX_NESTING:
        return None
    return rendered


def _highlight_blocks(rendered: str) -> str:
    budget = MAX_HIGHLIGHTED_CHARACTERS

    def highlight_one(match: re.Match) -> str:
        nonlocal budget
        language, code = match.group(1) or "", html.unescape(match.group(2))
        budget -= len(code)
        try:
            # The first word only, as GitHub does: "python title=x" is Python.
            lexer = get_lexer_by_name(language.split()[0]) if budget >= 0 else TextLexer()
        except (ClassNotFound, IndexError):
            lexer = TextLexer()
        return highlight(code, lexer, _FORMATTER)

    return _CODE_BLOCK.sub(highlight_one, rendered)


@lru_cache(maxsize=1024)
def render_markdown(text: str) -> SafeString:
    """Markdown source to sanitised HTML, safe to put on a page.

    Text too complex to format (stored before the limit, or by the admin) is shown as it was
    typed. Cached per process: the same brief or review renders once, not once per request.
    """
    text = text or ""
    rendered = _html_of(text)
    if rendered is None:
        return format_html("<pre>{}</pre>", text)
    clean = nh3.clean(
        _highlight_blocks(rendered),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer",
    )
    return mark_safe(clean.strip())  # noqa: S308 - nh3 has just sanitised it


def validate_markdown(text: str) -> None:
    """The validator of every Markdown form field: refuses text whose HTML would be too large."""
    if _html_of(text or "") is None:
        raise ValidationError(
            "This text is too complex to show: shorten it, or simplify its tables and its "
            "nested lists and quotes.",
            code="too_complex",
        )
