"""Links into a learner's repository on GitHub or GitLab; None for hosts we cannot link into.

Known hosts: github.com, gitlab.com, and any self-hosted GitLab whose host name starts with
"gitlab." (gitlab.example.org). A repository URL copied from the browser while looking at a
branch or a file (…/tree/main, …/blob/main/x.py, GitLab's …/-/tree/main) still names the
repository: the suffix is dropped, as is a trailing ".git".
"""

import unicodedata
from urllib.parse import quote, urlsplit

GITHUB, GITLAB = "github", "gitlab"
# Before "compare"/"blob": GitHub puts them right after the repository, GitLab after "/-/".
_SEPARATOR = {GITHUB: "/", GITLAB: "/-/"}


def _host_kind(host: str) -> str | None:
    host = host.removeprefix("www.")
    if host == "github.com":
        return GITHUB
    if host == "gitlab.com" or host.startswith("gitlab."):
        return GITLAB
    return None


def has_hidden_characters(value: str) -> bool:
    """Control or invisible format characters (U+202E reverses the text shown after it)."""
    return any(unicodedata.category(char) in {"Cc", "Cf"} for char in value)


def port_in_range(url: str) -> bool:
    """False for a port outside 1-65535 (urlsplit raises on those)."""
    try:
        port = urlsplit(url).port
    except ValueError:
        return False
    return port is None or port > 0


def names_repository(url: str) -> bool:
    """False for a GitHub or GitLab URL that stops short of owner/name (a profile page)."""
    parts = urlsplit(url)
    kind = _host_kind((parts.hostname or "").lower())
    if kind is None:
        return True  # another host: we cannot tell what its paths mean
    segments = [segment for segment in parts.path.split("/") if segment]
    if kind == GITLAB and "-" in segments:
        segments = segments[: segments.index("-")]
    return len(segments) >= 2


def _repo_base(repo_url: str) -> tuple[str, str] | None:
    """("https://host/owner/repo", separator) for a known host, else None."""
    try:
        parts = urlsplit((repo_url or "").strip())
        port = parts.port
    except ValueError:
        return None
    host = (parts.hostname or "").lower()
    kind = _host_kind(host)
    if parts.scheme not in {"http", "https"} or kind is None:
        return None
    segments = [segment for segment in parts.path.split("/") if segment]
    if kind == GITHUB:
        # owner/repo, then perhaps tree/<ref>/… or blob/<ref>/… from the browser.
        if len(segments) > 2 and segments[2] in {"tree", "blob"}:
            segments = segments[:2]
        if len(segments) != 2:
            return None
    elif "-" in segments:
        # GitLab allows nested groups (group/sub/repo); "/-/" starts the pages inside a repo.
        segments = segments[: segments.index("-")]
    if segments:
        segments[-1] = segments[-1].removesuffix(".git")
    segments = [segment for segment in segments if segment]
    if len(segments) < 2:
        return None
    if host in {"github.com", "www.github.com", "gitlab.com", "www.gitlab.com"}:
        root = f"https://{host.removeprefix('www.')}"
    else:  # self-hosted: keep its scheme and port, it may not serve https on 443
        root = f"{parts.scheme}://{host}{f':{port}' if port else ''}"
    return f"{root}/{'/'.join(segments)}", _SEPARATOR[kind]


def _is_sha(value: str) -> bool:
    return 7 <= len(value or "") <= 40 and all(c in "0123456789abcdefABCDEF" for c in value)


def compare_url(repo_url: str, old_sha: str, new_sha: str) -> str | None:
    """The host's "compare" page between two commits, or None when it cannot be built."""
    base = _repo_base(repo_url)
    if base is None or not (_is_sha(old_sha) and _is_sha(new_sha)) or old_sha == new_sha:
        return None
    root, sep = base
    return f"{root}{sep}compare/{old_sha}...{new_sha}"


# Files GitHub and GitLab show rendered, where a line anchor reaches nothing: `?plain=1`
# shows the source with line numbers on both (GitHub; GitLab since 15.2, merge request 91810).
RENDERED_SUFFIXES = (".md", ".markdown", ".mdown", ".mkd", ".rst", ".adoc", ".asciidoc", ".org")


def blob_line_url(repo_url: str, sha: str, path: str, line: int | None) -> str | None:
    """A link to `path` (at `line`, if given) at commit `sha`, or None when it cannot be built."""
    base = _repo_base(repo_url)
    path = (path or "").strip().lstrip("/")
    if base is None or not _is_sha(sha) or not path:
        return None
    root, sep = base
    url = f"{root}{sep}blob/{sha}/{quote(path)}"
    if line:
        if path.lower().endswith(RENDERED_SUFFIXES):
            url += "?plain=1"
        url += f"#L{int(line)}"
    return url


def commit_url(repo_url: str, sha: str) -> str | None:
    """The host's page for one commit, or None when it cannot be built."""
    base = _repo_base(repo_url)
    if base is None or not _is_sha(sha):
        return None
    root, sep = base
    return f"{root}{sep}commit/{sha}"


def clone_url(repo_url: str) -> str:
    """The address git fetches: a GitHub/GitLab page URL (…/tree/main) reduced to the
    repository, other addresses as they are."""
    base = _repo_base(repo_url)
    return base[0] if base else (repo_url or "").strip()
