"""The one way Markdown becomes HTML: python-markdown, then nh3 sanitising."""

from functools import lru_cache

import markdown as md
import nh3
from django.utils.safestring import SafeString, mark_safe
from pygments.token import STANDARD_TYPES

EXTENSIONS = ["fenced_code", "codehilite", "tables", "sane_lists"]
EXTENSION_CONFIGS = {"codehilite": {"guess_lang": False, "css_class": "codehilite"}}

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


@lru_cache(maxsize=1024)
def render_markdown(text: str) -> SafeString:
    """Markdown source to sanitised HTML, safe to put on a page.

    Cached per process: the same brief or review renders once, not once per request.
    """
    html = md.markdown(text or "", extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS)
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer",
    )
    return mark_safe(clean)  # noqa: S308 - nh3 has just sanitised it
