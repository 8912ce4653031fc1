"""Links into a learner's repository on GitHub or GitLab; None for hosts we cannot link into."""

from urllib.parse import quote, urlsplit

# Hosts whose URL layout we know: (owner/repo path) + the separator before "compare"/"blob".
_HOSTS = {"github.com": "/", "www.github.com": "/", "gitlab.com": "/-/", "www.gitlab.com": "/-/"}


def _repo_base(repo_url: str) -> tuple[str, str] | None:
    """("https://host/owner/repo", separator) for a known host, else None."""
    try:
        parts = urlsplit((repo_url or "").strip())
    except ValueError:
        return None
    host = (parts.hostname or "").lower()
    if parts.scheme not in {"http", "https"} or host not in _HOSTS:
        return None
    path = parts.path.rstrip("/")
    path = path.removesuffix(".git").rstrip("/")
    segments = [segment for segment in path.split("/") if segment]
    # GitHub repos are exactly owner/repo; GitLab allows nested groups (group/sub/repo).
    if len(segments) < 2 or (host.endswith("github.com") and len(segments) != 2):
        return None
    if "-" in segments:  # a GitLab URL that already points inside a repo (/-/tree/…)
        return None
    return f"https://{host.removeprefix('www.')}/{'/'.join(segments)}", _HOSTS[host]


def _is_sha(value: str) -> bool:
    return 7 <= len(value or "") <= 40 and all(c in "0123456789abcdefABCDEF" for c in value)


def compare_url(repo_url: str, old_sha: str, new_sha: str) -> str | None:
    """The host's "compare" page between two commits, or None when it cannot be built."""
    base = _repo_base(repo_url)
    if base is None or not (_is_sha(old_sha) and _is_sha(new_sha)) or old_sha == new_sha:
        return None
    root, sep = base
    return f"{root}{sep}compare/{old_sha}...{new_sha}"


def blob_line_url(repo_url: str, sha: str, path: str, line: int | None) -> str | None:
    """A link to `path` (at `line`, if given) at commit `sha`, or None when it cannot be built."""
    base = _repo_base(repo_url)
    path = (path or "").strip().lstrip("/")
    if base is None or not _is_sha(sha) or not path:
        return None
    root, sep = base
    url = f"{root}{sep}blob/{sha}/{quote(path)}"
    if line:
        url += f"#L{int(line)}"
    return url
