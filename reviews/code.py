"""The code a review is about: file views, excerpts around comments, and the changes between
two iterations with the earlier review's comments carried to their place in the new code.

Rows are built here in Python, not in a template loop: a 5,000-line file is 5,000 rows, and
Django's template engine spends ~10 µs a row on even a small loop body (docs/PERFORMANCE.md).
The code itself is the snapshot job's stored, escaped highlighting (learners.highlight); every
other piece of text put into a row goes through `html.escape`/`format_html`.
"""

from dataclasses import dataclass, field
from difflib import SequenceMatcher
from html import escape as plain_escape
from urllib.parse import urlencode

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from rapidfuzz.distance import Indel

from bootcamp.markdown import render_markdown
from learners.highlight import blob_lines, source_lines

EXCERPT_CONTEXT = 2  # lines shown before and after a comment's line
DIFF_CONTEXT = 3  # unchanged lines around each change, as `git diff`


# --- One file ------------------------------------------------------------------------------


class _LineCells:
    """The line-number cell of each row: for the mentor holding the claim, a link to the review
    form with a new comment on path:line filled in (the no-JavaScript way to start one,
    `/mentor/submissions/7/review/?path=app%2Fmain.py&line=12#new-comment`), else an anchor.
    The cell's markup is made once per file, as a `str.format` template of the line number:
    5,000 urlencode() calls, or 5,000 SafeString joins, cost more than the rest of the page.
    Its pieces are escaped with the standard library's `html.escape` (Django's `escape` is
    that, marked safe; a plain str formats without a Python-level call per row)."""

    def __init__(
        self,
        *,
        path: str,
        review_url: str | None,
        anchor_prefix: str = "L",
        td: str = '<td class="code-ln">',  # the number cell's opening tag
    ):
        if review_url is None:
            anchor = _braces(plain_escape(anchor_prefix))
            self.template = f'{td}<a href="#{anchor}{{0}}">{{0}}</a></td>'
        else:
            start = _braces(plain_escape(f"{review_url}?{urlencode({'path': path})}&line="))
            self.template = (
                f'{td}<a href="{start}{{0}}#new-comment" class="line-comment-link"'
                ' data-line="{0}" aria-label="Comment on line {0}">{0}</a></td>'
            )
        self.format = self.template.format

    def __call__(self, number: int) -> str:
        return self.format(number)


def _braces(text: str) -> str:
    """`text` as literal text in a `str.format` template."""
    return text.replace("{", "{{").replace("}", "}}")


def _comment_rows(comments, *, columns: int) -> str:
    if not comments:
        return ""
    cells = "".join(
        format_html(
            '<div class="inline-comment border-start border-3 ps-2 my-1"><div class="small'
            ' text-body-secondary">{}</div><div class="markdown">{}</div></div>',
            comment.label,
            render_markdown(comment.body),
        )
        for comment in comments
    )
    return (
        f'<tr class="code-comments"><td colspan="{columns - 1}"></td>'
        f'<td class="code-comment-cell">{cells}</td></tr>'
    )


def file_rows(
    lines: list[str], *, path: str, review_url: str | None, comments_at=None
) -> SafeString:
    """The <tr>s of a file view: a line number (a link that starts a comment, when the viewer
    may comment) and the highlighted line, with any comments on it below."""
    comments_at = comments_at or {}
    # No classes on the cells: the file view's table styles its line rows' first and last
    # cells (app.css, `.code-file`), which keeps 5,000 rows a quarter lighter.
    cell = _LineCells(path=path, review_url=review_url, td="<td>")
    row = f'<tr id="L{{0}}">{cell.template}<td>{{1}}</td></tr>'.format
    parts = []
    for number, line in enumerate(lines, start=1):
        parts.append(row(number, line))
        if number in comments_at:
            parts.append(_comment_rows(comments_at[number], columns=2))
    return mark_safe("".join(parts))  # noqa: S308 - escaped above and by learners.highlight


# --- Excerpts ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ExcerptLine:
    number: int
    html: str
    text: str
    is_target: bool


def excerpt(*, html_lines: list[str], text_lines: list[str], line: int) -> list[ExcerptLine]:
    """The lines around `line` (1-based); empty when the line is not in the file."""
    if not 1 <= line <= len(html_lines):
        return []
    start = max(1, line - EXCERPT_CONTEXT)
    end = min(len(html_lines), line + EXCERPT_CONTEXT)
    return [
        ExcerptLine(
            number=number,
            html=mark_safe(html_lines[number - 1]),  # noqa: S308 - learners.highlight escaped it
            text=text_lines[number - 1] if number <= len(text_lines) else "",
            is_target=number == line,
        )
        for number in range(start, end + 1)
    ]


def excerpt_as_text(lines: list[ExcerptLine]) -> str:
    """An excerpt for a plain-text e-mail: "> 12 | code" marks the comment's line."""
    width = len(str(lines[-1].number)) if lines else 1
    return "\n".join(
        f"{'>' if ln.is_target else ' '} {ln.number:>{width}} | {ln.text}".rstrip() for ln in lines
    )


# --- Changes between two iterations ------------------------------------------------------


@dataclass
class CarriedComment:
    """A line comment of the earlier review, placed in the new code."""

    comment: object
    path: str | None  # where it is now; None when the file is gone
    line: int | None
    state: str  # "same", "moved", "changed", "removed"; "file": on the whole file (no line);
    # "no_line": its line was past the end of the file it was written on
    excerpt: list = field(default_factory=list)

    @property
    def label(self) -> str:
        old = f"{self.comment.path}:{self.comment.line}" if self.comment.line else self.comment.path
        if self.state == "file":
            return f"Earlier comment on {old}"
        if self.state == "no_line":
            return f"Earlier comment on {old} — that line was not in the file"
        if self.state == "removed":
            return f"Earlier comment on {old} — file removed"
        if self.state == "changed":
            return f"Earlier comment on {old} — this line changed"
        if self.state == "moved":
            return f"Earlier comment on {old} — now {self.path}:{self.line}"
        return f"Earlier comment on {old}"

    @property
    def body(self) -> str:
        return self.comment.body


@dataclass
class FileChange:
    path: str
    old_path: str | None
    status: str  # "added", "removed", "modified", "renamed"
    added: int = 0
    removed: int = 0
    rows: SafeString = mark_safe("")
    anchor: str = ""
    too_large: bool = False  # over DIFF_MAX_LINES: no rows, a link to the file view instead


# A file longer than this (either side) is listed without its diff: difflib on it would take
# the page seconds, and nobody reads such a diff on a page.
DIFF_MAX_LINES = 5_000


def place_line(opcodes, line: int, *, old_length: int) -> tuple[int | None, bool]:
    """Where old line `line` (1-based) is in the new text: (new line, unchanged?). A line in a
    replaced or deleted block is placed where that block now starts (or None if the new text
    is empty), marked changed."""
    if not 1 <= line <= old_length:
        return None, False
    index = line - 1
    for tag, i1, i2, j1, _j2 in opcodes:
        if i1 <= index < i2:
            if tag == "equal":
                return j1 + (index - i1) + 1, True
            return j1 + 1, False
    return None, False


def line_opcodes(old: list[str], new: list[str]) -> list[tuple[str, int, int, int, int]]:
    """difflib-style opcodes (tag, i1, i2, j1, j2) of a shortest edit from `old` to `new`
    (insertions and deletions around a longest common subsequence of lines, as Myers' diff,
    git's default, finds one; git then slides hunks for readability, this does not), by
    rapidfuzz's Indel in C++: difflib's matcher took 30 ms on a 2,000-line file with a change
    every 16 lines, this under 1 ms. Its table is len(old) × len(new) / 64 words, so callers
    compare files of at most DIFF_MAX_LINES lines. Lines are numbered by exact text first, so
    equal means equal, not an equal hash. A deletion next to an insertion is one "replace": a
    changed line reads as removed then added, and a comment on it is placed where its block
    now starts."""
    ids: dict[str, int] = {}
    old_ids = [ids.setdefault(line, len(ids)) for line in old]
    new_ids = [ids.setdefault(line, len(ids)) for line in new]
    merged: list[tuple[str, int, int, int, int]] = []
    for tag, i1, i2, j1, j2 in Indel.opcodes(old_ids, new_ids):
        if tag != "equal" and merged and merged[-1][0] != "equal":
            _tag, start_i, _i2, start_j, _j2 = merged[-1]
            merged[-1] = ("replace", start_i, i2, start_j, j2)
        else:
            merged.append((tag, i1, i2, j1, j2))
    return merged


class _Hunks(SequenceMatcher):
    """difflib's grouping of opcodes into hunks with context (`get_grouped_opcodes`, as
    `unified_diff` uses it), over opcodes found by `line_opcodes` instead of its own matcher."""

    def __init__(self, opcodes):
        super().__init__(None, (), ())
        self._found = opcodes

    def get_opcodes(self):
        return list(self._found)  # a copy: the grouping trims its first and last opcode


# The + and − are drawn by CSS (app.css, `.code-diff`), so they are not copied with the code;
# a screen reader hears the words.
_SIGN = {
    "add": '<span class="visually-hidden">added: </span>',
    "del": '<span class="visually-hidden">removed: </span>',
    "ctx": "",
}


def _diff_row(kind: str, old_n, new_n, html: str, *, cell, row_prefix: str) -> str:
    old_cell = f'<td class="code-ln">{old_n}</td>' if old_n else '<td class="code-ln"></td>'
    if new_n:
        return (
            f'<tr class="diff-{kind}" id="{row_prefix}{new_n}">{old_cell}{cell(new_n)}'
            f'<td class="code-line">{_SIGN[kind]}{html}</td></tr>'
        )
    return (
        f'<tr class="diff-{kind}">{old_cell}<td class="code-ln"></td>'
        f'<td class="code-line">{_SIGN[kind]}{html}</td></tr>'
    )


def diff_rows(
    *,
    old: list[str],
    new: list[str],
    old_text,
    new_text,
    path,
    review_url,
    comments_at,
    opcodes=None,
) -> tuple[SafeString, int, int, object]:
    """A unified diff of one file as <tr>s, its added and removed counts, and its opcodes
    (`opcodes`: the file's `line_opcodes`, when the caller has them already)."""
    opcodes = line_opcodes(old_text, new_text) if opcodes is None else opcodes
    added = sum(j2 - j1 for tag, _i1, _i2, j1, j2 in opcodes if tag in ("insert", "replace"))
    removed = sum(i2 - i1 for tag, i1, i2, _j1, _j2 in opcodes if tag in ("delete", "replace"))
    row_prefix = plain_escape(f"{path}-L")
    cell = _LineCells(path=path, review_url=review_url, anchor_prefix=f"{path}-L")
    parts = []
    for group in _Hunks(opcodes).get_grouped_opcodes(DIFF_CONTEXT):
        i_start, j_start = group[0][1], group[0][3]
        i_end, j_end = group[-1][2], group[-1][4]
        parts.append(
            f'<tr class="diff-hunk"><td colspan="3">@@ -{i_start + 1},{i_end - i_start} '
            f"+{j_start + 1},{j_end - j_start} @@</td></tr>"
        )
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                for offset in range(i2 - i1):
                    n = j1 + offset + 1
                    parts.append(
                        _diff_row(
                            "ctx", i1 + offset + 1, n, new[n - 1], cell=cell, row_prefix=row_prefix
                        )
                    )
                    parts.append(_comment_rows(comments_at.get(n), columns=3))
                continue
            for index in range(i1, i2):
                parts.append(
                    _diff_row("del", index + 1, None, old[index], cell=cell, row_prefix=row_prefix)
                )
            for index in range(j1, j2):
                n = index + 1
                parts.append(
                    _diff_row("add", None, n, new[index], cell=cell, row_prefix=row_prefix)
                )
                parts.append(_comment_rows(comments_at.get(n), columns=3))
    return mark_safe("".join(parts)), added, removed, opcodes  # noqa: S308 - escaped above


def _lines(blob, path):
    if blob is None:
        return [], []
    return blob_lines(blob, path=path), source_lines(blob.text)


def changes_between(*, old_files: dict, new_files: dict, comments, review_url) -> dict:
    """The changed files between two snapshots and the earlier comments carried forward.

    `old_files`/`new_files`: path -> SnapshotFile with `loaded_blob` (selectors.load_blobs).
    Renames are followed when a removed path's blob is an added path's blob (same content).
    """
    added_paths = [p for p in new_files if p not in old_files]
    removed_paths = [p for p in old_files if p not in new_files]
    by_blob = {}
    for path in added_paths:
        by_blob.setdefault(new_files[path].blob_sha, path)
    renames, renamed_from = {}, {}  # old path -> new path, and back (no scans of values)
    for path in removed_paths:
        target = by_blob.get(old_files[path].blob_sha)
        if target is not None and target not in renamed_from:
            renames[path] = target
            renamed_from[target] = path

    # Comments to carry, by where they land: found before the rows are built, so each shows
    # under its line in the diff. Placement needs the file's opcodes, computed once per file.
    opcodes_of, lines_of = {}, {}

    def file_lines(files, path):
        key = (id(files), path)
        if key not in lines_of:
            entry = files.get(path)
            lines_of[key] = _lines(entry.loaded_blob if entry else None, path)
        return lines_of[key]

    carried = []
    for comment in comments:
        if not comment.path:
            continue  # a general comment: the review's own, not the code's
        old_entry = old_files.get(comment.path)
        new_path = comment.path if comment.path in new_files else renames.get(comment.path)
        if new_path is None:
            carried.append(CarriedComment(comment, None, None, "removed"))
            continue
        if not comment.line:
            carried.append(CarriedComment(comment, new_path, None, "file"))
            continue
        new_entry = new_files[new_path]
        if old_entry is None or old_entry.blob_sha == new_entry.blob_sha:
            state = "same" if new_path == comment.path else "moved"
            carried.append(CarriedComment(comment, new_path, comment.line, state))
            continue
        old_html, old_text = file_lines(old_files, comment.path)
        new_html, new_text = file_lines(new_files, new_path)
        if max(len(old_text), len(new_text)) > DIFF_MAX_LINES:
            # Not compared (the matching's table grows with the product of the two lengths):
            # the comment stays at its number, marked changed, as the file is not diffed.
            line, same = min(comment.line, len(new_text)) or None, False
        else:
            if comment.path not in opcodes_of:
                opcodes_of[comment.path] = line_opcodes(old_text, new_text)
            line, same = place_line(
                opcodes_of[comment.path], comment.line, old_length=len(old_text)
            )
        if line is not None and line > len(new_text):
            line = len(new_text) or None
        if comment.line > len(old_text):
            # Past the end of the file it was written on (data from before lines were
            # checked): there is no line to follow.
            carried.append(CarriedComment(comment, new_path, None, "no_line"))
            continue
        state = "changed" if not same else ("same" if line == comment.line else "moved")
        carried.append(CarriedComment(comment, new_path, line, state))
    for entry in carried:
        if entry.path and entry.line:
            html, text = file_lines(new_files, entry.path)
            entry.excerpt = excerpt(html_lines=html, text_lines=text, line=entry.line)

    changes = []
    paths = sorted(set(new_files) | set(removed_paths))
    for path in paths:
        if path in renamed_from:
            changes.append(FileChange(path=path, old_path=renamed_from[path], status="renamed"))
            continue
        old_entry, new_entry = old_files.get(path), new_files.get(path)
        if path in renames:
            continue
        if old_entry is not None and new_entry is not None:
            if old_entry.blob_sha == new_entry.blob_sha:
                continue
            status = "modified"
        else:
            status = "added" if old_entry is None else "removed"
        old_html, old_text = file_lines(old_files, path)
        new_html, new_text = file_lines(new_files, path)
        if max(len(old_text), len(new_text)) > DIFF_MAX_LINES:
            changes.append(FileChange(path=path, old_path=None, status=status, too_large=True))
            continue
        comments_at = {}
        for entry in carried:
            if entry.path == path and entry.line:
                comments_at.setdefault(entry.line, []).append(entry)
        rows, plus, minus, _ = diff_rows(
            old=old_html,
            new=new_html,
            old_text=old_text,
            new_text=new_text,
            path=path,
            review_url=review_url if new_entry is not None else None,
            comments_at=comments_at,
            opcodes=opcodes_of.get(path),
        )
        changes.append(
            FileChange(
                path=path, old_path=None, status=status, added=plus, removed=minus, rows=rows
            )
        )
    for number, change in enumerate(changes, start=1):
        change.anchor = f"file-{number}"
    return {"changes": changes, "carried": carried}
