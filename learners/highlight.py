"""A learner's file as highlighted lines: escaped HTML, one string per source line.

Done once per Blob by the snapshot job (Pygments takes ~170 ms for 5,000 lines of Python) and
stored in `Blob.highlighted`, so a page only joins stored strings. Every piece of the file's
text passes through `html.escape`; the only markup is ours (`<span class="k">`, Pygments'
short class names, styled by static/css/pygments.css), and no span crosses a line break, so
any line can be shown alone (a comment's excerpt, one side of a diff).
"""

import html
import logging
from itertools import groupby
from operator import itemgetter

from pygments.lexers import TextLexer, get_lexer_for_filename
from pygments.styles import get_style_by_name
from pygments.token import STANDARD_TYPES
from pygments.util import ClassNotFound

logger = logging.getLogger(__name__)

# Past this size a file is stored escaped but not highlighted: some lexers are slow, and the
# snapshot job should not spend minutes on one generated file.
HIGHLIGHT_MAX_CHARS = 100_000
# Past this many characters highlighted for one snapshot, its other new files are left for
# the file view to highlight when one is opened (each under HIGHLIGHT_MAX_CHARS).
SNAPSHOT_HIGHLIGHT_BUDGET = 2_000_000
LINE_SEPARATOR = "\n"  # between the stored lines; escaped text never contains one


def source_lines(text: str) -> list[str]:
    """The file's lines as editors and git count them: \\r\\n and \\r end a line too, and a
    final line break does not start an empty line."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text:
        return []
    return text.removesuffix("\n").split("\n")


def _css_class(token_type) -> str:
    # The most specific standard type Pygments knows a class for (Token.Name.Function.Magic
    # has none of its own: "nf" from Token.Name.Function).
    while token_type not in STANDARD_TYPES:
        token_type = token_type.parent
    return STANDARD_TYPES[token_type]


def _lexer_for(path: str):
    try:
        # By name only: guessing from the content runs every lexer's analyser.
        return get_lexer_for_filename(path.rsplit("/", 1)[-1], stripnl=False, ensurenl=False)
    except ClassNotFound:
        return TextLexer(stripnl=False, ensurenl=False)


def _styled_classes(style_name: str) -> frozenset[str]:
    """The token classes `style_name` gives a look of its own (static/css/pygments.css is
    Pygments' "default" style, `HtmlFormatter(style="default").get_style_defs(".codehilite")`).
    Whitespace is left out: it has a colour there, but nothing to colour."""
    style = get_style_by_name(style_name)
    looks = ("color", "bold", "italic", "underline", "bgcolor", "border")
    return frozenset(
        css
        for token_type, css in STANDARD_TYPES.items()
        if css and css != "w" and any(style.style_for_token(token_type)[look] for look in looks)
    )


# Names and punctuation are most of a file's tokens and the default style leaves them plain:
# they are stored as bare (escaped) text, and neighbouring tokens of one class share a span.
# A 5,000-line file's rows are a third smaller, and every code page that much lighter.
STYLED_CLASSES = _styled_classes("default")


def _line_html(pieces: list[tuple[str, str]]) -> str:
    return "".join(
        f'<span class="{css}">{"".join(map(itemgetter(1), run))}</span>'
        if css
        else "".join(map(itemgetter(1), run))
        for css, run in groupby(pieces, key=itemgetter(0))
    )


def _highlighted_parts(*, path: str, lines: list[str]) -> list[list[tuple[str, str]]]:
    """Each line's (class, escaped text) pieces; the class is "" where the style has none."""
    out: list[list[tuple[str, str]]] = [[]]
    for token_type, value in _lexer_for(path).get_tokens("\n".join(lines)):
        css = _css_class(token_type)
        if css not in STYLED_CLASSES:
            css = ""
        for index, piece in enumerate(value.split("\n")):
            if index:
                out.append([])
            if piece:
                out[-1].append((css, html.escape(piece)))
    return out


def highlight_lines(*, path: str, text: str) -> list[str]:
    """The highlighted HTML of each line of `text` (as many as `source_lines(text)`)."""
    lines = source_lines(text)
    if len(text) > HIGHLIGHT_MAX_CHARS:
        return [html.escape(line) for line in lines]
    try:
        out = _highlighted_parts(path=path, lines=lines)
    except Exception:
        # A lexer's bug (they are many, and a learner's file may be anything) must not fail
        # the snapshot or the page: the file is shown escaped, unhighlighted.
        logger.exception("highlighting %r failed; shown unhighlighted", path)
        return [html.escape(line) for line in lines]
    rendered = [_line_html(parts) for parts in out]
    # A lexer may add or drop a final newline; the lines are the text's, whatever it did.
    rendered = rendered[: len(lines)]
    rendered += [html.escape(line) for line in lines[len(rendered) :]]
    return rendered


def stored_highlighting(*, path: str, text: str) -> str:
    return LINE_SEPARATOR.join(highlight_lines(path=path, text=text))


def blob_lines(blob, *, path: str) -> list[str]:
    """A stored blob's highlighted lines (highlighted now if it predates highlighting)."""
    if blob.highlighted is None:
        return highlight_lines(path=path, text=blob.text)
    if not blob.line_count:
        return []
    return blob.highlighted.split(LINE_SEPARATOR)
