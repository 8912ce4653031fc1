"""Fetch one commit of a learner's repository, safely, in a limited subprocess.

`fetch_repository()` (called by the snapshot service in a worker) starts
`python -m learners.fetch` with resource limits set in the child before it runs anything
(address space, CPU seconds, file size, no core dumps), in a session of its own so the wall
clock kill takes git's processes with it. The child:

1. checks the address (learners.repository) and asks the server for the repository's
   references itself, following each redirect only after checking its target, with the
   connection pinned to the checked addresses;
2. runs the git command line (a list of arguments, never a shell) pinned to the same
   addresses, redirects off: the last 50 commits without file contents
   (`--filter=blob:none`), then the blobs of the one tree, in one more request;
3. reads the blobs and parses the Python files (`ast.parse` of hostile input can exhaust
   memory or recursion: that is why it happens here, under the limits);
4. prints one JSON document on stdout.

Learner code is never executed. No Django here: the child starts quickly and imports nothing
that touches the database.
"""

import ast
import contextlib
import json
import os
import re
import resource
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from http.client import HTTPConnection, HTTPSConnection
from urllib.parse import urljoin, urlsplit

from learners.repository import HostNotFound, RepositoryRefused, Target, target_resolve

HISTORY_DEPTH = 50
GIT_MINIMUM = (2, 37)  # http.curloptResolve, which pins the connection to checked addresses
MAX_REDIRECTS = 5
# The child's answer: the stored texts (Limits.stored_bytes) with the JSON escaping of the
# listing and history around them; a larger answer is refused unread.
ANSWER_OVERHEAD_BYTES = 16 * 1024 * 1024
ANSWER_NAME = "answer.json"
_REFS_SUFFIX = "/info/refs?service=git-upload-pack"
# Failure reasons, the values of Snapshot.Reason.
NOT_FOUND, COMMIT_MISSING, TOO_LARGE, TIMED_OUT, HOST_NOT_ALLOWED, FAILED = (
    "not_found",
    "commit_missing",
    "too_large",
    "timed_out",
    "host_not_allowed",
    "fetch_failed",
)


@dataclass(frozen=True)
class Limits:
    seconds: int = 60
    transfer_bytes: int = 50 * 1024 * 1024
    unpacked_bytes: int = 100 * 1024 * 1024
    files: int = 5000
    file_bytes: int = 1024 * 1024
    stored_bytes: int = 20 * 1024 * 1024  # all texts together; further files are listed only
    memory_bytes: int = 1024 * 1024 * 1024


@dataclass
class FetchFailed(Exception):
    reason: str
    message: str


@dataclass
class FetchedFile:
    path: str
    blob_sha: str
    size: int
    kind: str  # text, binary, too_large, submodule, symlink
    text: str | None = None
    syntax_error: dict | None = None  # {"line": n, "message": "..."} for a .py that fails


@dataclass
class FetchResult:
    commit_sha: str
    commits: list[dict]
    files: list[FetchedFile] = field(default_factory=list)
    transferred_bytes: int = 0


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.0f} MB" if n >= 1024 * 1024 else f"{n // 1024} KB"


# --- The parent side ------------------------------------------------------------------------


def fetch_repository(
    *, url: str, sha: str, hosts: list[str], allow_loopback: bool, limits: Limits
) -> FetchResult:
    """The files and history of `url` at `sha` (or its default branch's head when empty).

    Raises FetchFailed with a reason and a message for the learner.
    """
    # Made and removed here, not in the child: a child killed at the wall clock cleans nothing.
    workdir = tempfile.mkdtemp(prefix="bootcamp-fetch-")
    try:
        return _fetch_in(workdir, url=url, sha=sha, hosts=hosts, allow_loopback=allow_loopback,
                         limits=limits)  # fmt: skip
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _fetch_in(
    workdir: str, *, url: str, sha: str, hosts: list[str], allow_loopback: bool, limits: Limits
) -> FetchResult:
    spec = {
        "url": url,
        "sha": sha,
        "hosts": hosts,
        "allow_loopback": allow_loopback,
        "limits": limits.__dict__,
        "workdir": workdir,
    }
    project_root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    process = subprocess.Popen(  # noqa: S603 (a fixed argument list)
        [sys.executable, "-m", "learners.fetch"],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        cwd=project_root,
        env=_child_env(project_root),
        start_new_session=True,
    )
    try:
        _out, err = process.communicate(json.dumps(spec).encode(), timeout=limits.seconds)
    except subprocess.TimeoutExpired:
        _kill_group(process)
        process.communicate()
        raise FetchFailed(
            TIMED_OUT,
            f"Reading the repository took longer than {limits.seconds} seconds, so it was "
            "stopped. Try again later; if it keeps happening the repository is probably too big.",
        ) from None
    finally:
        _kill_group(process)  # git helpers left behind by the child, if any
    answer = os.path.join(workdir, ANSWER_NAME)
    size = os.path.getsize(answer) if os.path.isfile(answer) else 0
    if size > limits.stored_bytes + ANSWER_OVERHEAD_BYTES:
        raise FetchFailed(TOO_LARGE, "The repository's listing is larger than a snapshot may hold.")
    if process.returncode != 0 or not size:
        if process.returncode in (-signal.SIGKILL, -signal.SIGXCPU, -signal.SIGSEGV) or (
            b"MemoryError" in err or b"File too large" in err
        ):
            raise FetchFailed(
                TOO_LARGE,
                "Reading the repository needed more memory or processor time than a "
                "snapshot may use.",
            )
        raise FetchFailed(FAILED, "An unexpected error stopped the read.")
    with open(answer, encoding="utf-8") as stream:
        data = json.load(stream)
    if "failed" in data:
        raise FetchFailed(data["failed"]["reason"], data["failed"]["message"])
    return FetchResult(
        commit_sha=data["commit_sha"],
        commits=data["commits"],
        files=[FetchedFile(**entry) for entry in data["files"]],
        transferred_bytes=data["transferred_bytes"],
    )


def _child_env(project_root: str) -> dict:
    keep = {name: os.environ[name] for name in ("PATH", "LANG", "LC_ALL") if name in os.environ}
    return {**keep, "PYTHONPATH": project_root, "PYTHONDONTWRITEBYTECODE": "1"}


def _limit_self(limits: dict) -> None:
    """The child's first act: limits that git's processes inherit. (Set here rather than in a
    preexec_fn, which is unsafe in a parent with threads, as a worker may be.)"""
    resource.setrlimit(resource.RLIMIT_AS, (limits["memory_bytes"],) * 2)
    resource.setrlimit(resource.RLIMIT_CPU, (limits["seconds"], limits["seconds"] + 1))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    # No single file (the downloaded pack, the answer) may outgrow its limit by much.
    largest = max(limits["transfer_bytes"], limits["stored_bytes"] + ANSWER_OVERHEAD_BYTES)
    resource.setrlimit(resource.RLIMIT_FSIZE, (largest + 1024 * 1024,) * 2)


def _kill_group(process) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)


# --- The child side -------------------------------------------------------------------------


def _refs_request(target: Target, url: str, timeout: float):
    """GET …/info/refs on the pinned address; returns (status, location)."""
    parts = urlsplit(url)
    path = (parts.path.rstrip("/") or "") + _REFS_SUFFIX
    address = target.addresses[0]
    if target.scheme == "https":
        context = ssl.create_default_context()

        class Pinned(HTTPSConnection):
            def connect(self):
                sock = socket.create_connection((address, target.port), timeout)
                self.sock = context.wrap_socket(sock, server_hostname=target.host)

        connection = Pinned(target.host, target.port, timeout=timeout, context=context)
    else:

        class Pinned(HTTPConnection):
            def connect(self):
                self.sock = socket.create_connection((address, target.port), timeout)

        connection = Pinned(target.host, target.port, timeout=timeout)
    try:
        connection.request(
            "GET", path, headers={"User-Agent": "git/2 (bootcamp)", "Git-Protocol": "version=2"}
        )
        response = connection.getresponse()
        return response.status, response.getheader("Location")
    except (OSError, ssl.SSLError) as error:
        raise FetchFailed(FAILED, f"Could not connect to {target.host}: {error}.") from None
    finally:
        connection.close()


def _follow(url: str, spec: dict) -> tuple[str, Target]:
    """The repository URL after redirects, each target checked before connecting to it."""
    # The parent's wall clock kill ends a slow server; this only keeps a socket from hanging.
    timeout = spec["limits"]["seconds"] + 5
    for _ in range(MAX_REDIRECTS + 1):
        try:
            target = target_resolve(url, hosts=spec["hosts"], allow_loopback=spec["allow_loopback"])
        except HostNotFound as missing:
            raise FetchFailed(FAILED, str(missing)) from None
        except RepositoryRefused as refused:
            raise FetchFailed(HOST_NOT_ALLOWED, str(refused)) from None
        status, location = _refs_request(target, url, timeout)
        if status == 200:
            return url, target
        if status in (401, 403, 404):
            raise FetchFailed(
                NOT_FOUND,
                "The repository was not found, or it is private. Check the address, and make "
                "the repository public so the app and your mentor can read it.",
            )
        if status in (301, 302, 303, 307, 308) and location:
            absolute = urljoin(url.rstrip("/") + _REFS_SUFFIX, location)
            if not absolute.endswith(_REFS_SUFFIX):
                raise FetchFailed(
                    HOST_NOT_ALLOWED,
                    "The server redirected to an address that is not a repository.",
                )
            url = absolute[: -len(_REFS_SUFFIX)]
            continue
        raise FetchFailed(FAILED, f"The repository's server answered HTTP {status}.")
    raise FetchFailed(FAILED, "The repository's server redirected too many times.")


class _Git:
    """git in a bare repository of its own, pinned to the checked addresses, prompts off."""

    def __init__(self, workdir: str, url: str, target: Target, spec: dict):
        self.workdir = workdir
        self.limits = spec["limits"]
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": workdir,
            "GIT_DIR": os.path.join(workdir, "repo.git"),
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_TERMINAL_PROMPT": "0",
            "GIT_ASKPASS": "/bin/false",
            "GIT_PROTOCOL_FROM_USER": "0",
            # Never fetch a missing object behind our back (git 2.45+); one is a failure.
            "GIT_NO_LAZY_FETCH": "1",
            "GIT_ALLOW_PROTOCOL": target.scheme,
            "LC_ALL": "C",
        }
        addresses = ",".join(
            f"[{address}]" if ":" in address else address for address in target.addresses
        )
        self.config = [
            "-c", "http.followRedirects=false",
            "-c", f"http.curloptResolve={target.host}:{target.port}:{addresses}",
            "-c", "credential.helper=",
            "-c", "core.askPass=/bin/false",
            "-c", "protocol.version=2",
            "-c", "fetch.unpackLimit=1",
            "-c", "transfer.fsckObjects=true",
            "-c", "core.packedGitWindowSize=16m",
            "-c", "core.packedGitLimit=128m",
            "-c", "http.lowSpeedLimit=1",
            "-c", f"http.lowSpeedTime={max(1, self.limits['seconds'])}",
        ]  # fmt: skip
        version = self.run("version").stdout.decode().split()[-1]
        if tuple(int(part) for part in re.findall(r"\d+", version)[:2]) < GIT_MINIMUM:
            # Older git ignores http.curloptResolve: the connection would not be pinned.
            raise FetchFailed(FAILED, f"The worker's git {version} is too old; 2.37 is needed.")
        self.run("init", "--bare", "--quiet", self.env["GIT_DIR"])
        self.run("remote", "add", "origin", url)
        self.run("config", "remote.origin.promisor", "true")
        self.run("config", "remote.origin.partialclonefilter", "blob:none")

    def run(self, *args, stdin: bytes | None = None, check=True) -> subprocess.CompletedProcess:
        result = subprocess.run(  # noqa: S603 (an argument list)
            ["git", *self.config, *args],
            input=stdin,
            capture_output=True,
            env=self.env,
            check=False,
        )
        if check and result.returncode != 0:
            raise subprocess.CalledProcessError(
                result.returncode, args, result.stdout, result.stderr
            )
        return result

    def objects_size(self) -> int:
        total = 0
        for root, _dirs, files in os.walk(os.path.join(self.env["GIT_DIR"], "objects")):
            for name in files:
                with contextlib.suppress(OSError):
                    total += os.lstat(os.path.join(root, name)).st_size
        return total

    def fetch(self, *args, stdin: bytes | None = None) -> subprocess.CompletedProcess:
        """git fetch, killed when the objects it wrote pass the transfer limit."""
        process = subprocess.Popen(  # noqa: S603 (an argument list)
            ["git", *self.config, "fetch", "--no-tags", "--no-write-fetch-head", *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=self.env,
        )
        over = threading.Event()

        def watch():
            while process.poll() is None:
                if self.objects_size() > self.limits["transfer_bytes"]:
                    over.set()
                    process.kill()
                    return
                time.sleep(0.05)

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        out, err = process.communicate(stdin)
        watcher.join()
        if (
            over.is_set()
            or self.objects_size() > self.limits["transfer_bytes"]
            or (process.returncode == -signal.SIGXFSZ)
        ):
            raise FetchFailed(
                TOO_LARGE,
                f"The repository is larger than {_mb(self.limits['transfer_bytes'])} to "
                "download, the most a snapshot may fetch. Keep generated files, data sets "
                "and virtual environments out of it.",
            )
        return subprocess.CompletedProcess(process.args, process.returncode, out, err)


_MISSING = re.compile(
    rb"not our ref|couldn't find remote ref|no such remote ref|unadvertised object|"
    rb"bad object|not a valid object"
)
_PRIVATE = re.compile(rb"Authentication failed|could not read Username|HTTP 40[134]|not found")


def _fetch_failure(result, *, sha: str) -> FetchFailed:
    if _MISSING.search(result.stderr) and sha:
        return FetchFailed(COMMIT_MISSING, _commit_missing(sha))
    if _PRIVATE.search(result.stderr):
        return FetchFailed(NOT_FOUND, "The repository was not found, or it is private.")
    last = result.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["no message"]
    return FetchFailed(FAILED, f"git could not fetch the repository ({last[0][:200]}).")


def _commit_missing(sha: str) -> str:
    return (
        f"The repository has no commit {sha} (looked for in the last {HISTORY_DEPTH} commits "
        "of its branches). Check the SHA with git log, and push the commit if it is only on "
        "your computer."
    )


def _resolve_commit(git: _Git, sha: str) -> str:
    limit = ["--depth", str(HISTORY_DEPTH), "--filter=blob:none", "origin"]
    if len(sha) == 40:
        result = git.fetch(*limit, sha)
        if result.returncode != 0:
            raise _fetch_failure(result, sha=sha)
        return sha
    refspecs = ["+HEAD:refs/bootcamp/head"]
    if sha:  # a short SHA: resolved against the branches' recent history
        refspecs.append("+refs/heads/*:refs/remotes/origin/*")
    result = git.fetch(*limit, *refspecs)
    if result.returncode != 0:
        raise _fetch_failure(result, sha=sha)
    name = f"{sha}^{{commit}}" if sha else "refs/bootcamp/head"
    resolved = git.run("rev-parse", "--verify", "--quiet", "--end-of-options", name, check=False)
    if resolved.returncode != 0:
        if sha:
            raise FetchFailed(COMMIT_MISSING, _commit_missing(sha))
        raise FetchFailed(FAILED, "The repository has no commits yet.")
    return resolved.stdout.decode().strip()


def _commits(git: _Git, sha: str) -> list[dict]:
    log = git.run("log", "-z", f"-n{HISTORY_DEPTH}", "--format=%H%x00%an%x00%aI%x00%B", sha)
    fields = log.stdout.decode(errors="replace").split("\0")
    commits = []
    for index in range(0, len(fields) - 3, 4):
        full_sha, author, date, message = fields[index : index + 4]
        commits.append(
            {
                "sha": full_sha.strip(),
                "author": author[:200],
                "date": date,
                "message": message.strip()[:2000],
            }
        )
    return commits


def _tree(git: _Git, sha: str, most: int) -> list[tuple[str, str, str, str]]:
    """(mode, type, object SHA, path) of the entries of the commit's tree, recursively, read
    as git lists them and no more than `most` of them (then git is stopped)."""
    process = subprocess.Popen(  # noqa: S603 (an argument list)
        ["git", *git.config, "ls-tree", "-r", "-z", "--full-tree", sha],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=git.env,
    )
    entries, rest = [], b""
    try:
        while len(entries) < most and (chunk := process.stdout.read(65536)):
            *records, rest = (rest + chunk).split(b"\0")
            for raw in records[: most - len(entries)]:
                meta, _, path = raw.partition(b"\t")
                mode, kind, oid = meta.decode().split()
                # backslashreplace, not replace: two names not in UTF-8 stay two paths
                entries.append((mode, kind, oid, path.decode(errors="backslashreplace")))
    finally:
        process.kill()
        process.stdout.close()
        process.wait()
    if len(entries) < most and process.returncode not in (0, -signal.SIGKILL):
        raise FetchFailed(FAILED, "git could not list the commit's files.")
    return entries


def _is_text(data: bytes) -> str | None:
    if b"\0" in data:  # anywhere: a NUL cannot be stored as text
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _syntax_error(path: str, text: str) -> dict | None:
    try:
        ast.parse(text, filename=path)
    except SyntaxError as error:
        return {"line": error.lineno or 1, "message": error.msg}
    except (RecursionError, MemoryError, ValueError):
        return {"line": 1, "message": "too deeply nested to parse"}
    return None


def _read_blobs(git: _Git, entries, limits: dict) -> list[FetchedFile]:
    blobs = [entry for entry in entries if entry[1] == "blob"]
    if blobs:
        wanted = "".join(f"{oid}\n" for oid in dict.fromkeys(oid for _, _, oid, _ in blobs))
        result = git.fetch("origin", "--stdin", stdin=wanted.encode())
        if result.returncode != 0:
            raise _fetch_failure(result, sha="")
    sizes = {}
    if blobs:
        check = git.run(
            "cat-file", "--batch-check=%(objectname) %(objectsize)",
            stdin="".join(f"{oid}\n" for _, _, oid, _ in blobs).encode(),
        )  # fmt: skip
        for line in check.stdout.decode().splitlines():
            oid, size = line.split()
            if size == "missing":
                raise FetchFailed(FAILED, "The server did not send all of the commit's files.")
            sizes[oid] = int(size)
    unpacked = sum(sizes.get(oid, 0) for _, _, oid, _ in blobs)
    if unpacked > limits["unpacked_bytes"]:
        raise FetchFailed(
            TOO_LARGE,
            f"The commit's files add up to {_mb(unpacked)}, more than the "
            f"{_mb(limits['unpacked_bytes'])} a snapshot may hold.",
        )
    small = [oid for _, _, oid, _ in blobs if sizes[oid] <= limits["file_bytes"]]
    contents = _cat(git, list(dict.fromkeys(small)))
    files, stored = [], 0
    for mode, kind, oid, path in entries:
        if kind != "blob":
            files.append(FetchedFile(path=path, blob_sha=oid, size=0, kind="submodule"))
            continue
        size = sizes[oid]
        if mode == "120000":
            files.append(FetchedFile(path=path, blob_sha=oid, size=size, kind="symlink"))
        elif oid not in contents:
            files.append(FetchedFile(path=path, blob_sha=oid, size=size, kind="too_large"))
        elif (text := _is_text(contents[oid])) is None:
            files.append(FetchedFile(path=path, blob_sha=oid, size=size, kind="binary"))
        elif stored + (cost := len(json.dumps(text))) > limits["stored_bytes"]:
            # The snapshot holds as much text as it may: this file is listed, not stored.
            files.append(FetchedFile(path=path, blob_sha=oid, size=size, kind="too_large"))
        else:
            stored += cost
            error = _syntax_error(path, text) if path.endswith(".py") else None
            files.append(
                FetchedFile(
                    path=path, blob_sha=oid, size=size, kind="text", text=text, syntax_error=error
                )
            )
    return files


def _cat(git: _Git, oids: list[str]) -> dict[str, bytes]:
    if not oids:
        return {}
    out = git.run("cat-file", "--batch", stdin="".join(f"{oid}\n" for oid in oids).encode()).stdout
    contents, position = {}, 0
    while position < len(out):
        header_end = out.index(b"\n", position)
        header = out[position:header_end].decode().split()
        if len(header) != 3:  # "<oid> missing"
            raise FetchFailed(FAILED, "The server did not send all of the commit's files.")
        oid, _kind, size = header
        start = header_end + 1
        contents[oid] = out[start : start + int(size)]
        position = start + int(size) + 1
    return contents


def child_main(spec: dict) -> dict:
    limits = spec["limits"]
    url, target = _follow(spec["url"], spec)
    workdir = spec["workdir"]  # the parent's, which removes it
    git = _Git(workdir, url, target, spec)
    sha = _resolve_commit(git, spec["sha"])
    commits = _commits(git, sha)
    entries = _tree(git, sha, most=limits["files"] + 1)
    if len(entries) > limits["files"]:
        raise FetchFailed(
            TOO_LARGE,
            f"The commit has more than the {limits['files']:,} files a snapshot may hold. "
            "Keep generated files and dependencies out of the repository.",
        )
    files = _read_blobs(git, entries, limits)
    return {
        "commit_sha": sha,
        "commits": commits,
        "files": [file.__dict__ for file in files],
        "transferred_bytes": git.objects_size(),
    }


if __name__ == "__main__":
    request = json.load(sys.stdin)
    _limit_self(request["limits"])
    try:
        answer = child_main(request)
    except FetchFailed as failure:
        answer = {"failed": {"reason": failure.reason, "message": failure.message}}
    with open(os.path.join(request["workdir"], ANSWER_NAME), "w", encoding="utf-8") as out:
        json.dump(answer, out)
