"""The real fetch (learners.snapshots.snapshot_take) against a real git server on loopback."""

import os
import socket
import threading

import pytest

from learners.checks import PASS
from learners.demo_projects import demo_project
from learners.models import Blob, Snapshot
from learners.repository import RepositoryRefused, target_resolve, url_check
from learners.snapshots import snapshot_take
from tests.factories import IterationFactory
from tests.gitserver import GitServer

pytestmark = pytest.mark.django_db

CHECK_KEYS = [
    "readme", "readme-sections", "tests", "dependencies", "gitignore", "no-venv",
    "no-secrets", "env-example", "commits", "python-syntax", "structure",
]  # fmt: skip


def _take(url, sha=""):
    iteration = IterationFactory(repo_url=url, commit_sha=sha)
    snapshot = Snapshot.objects.create(iteration=iteration, requested_sha=sha)
    snapshot_take(snapshot_id=snapshot.pk)
    snapshot.refresh_from_db()
    iteration.refresh_from_db()
    return snapshot, iteration


def _results(snapshot):
    return dict(snapshot.checks.values_list("key", "result"))


def test_good_repository_passes_every_check_and_records_the_head(git_server):
    shas = git_server.repository("good", *demo_project("good"))
    snapshot, iteration = _take(git_server.url("good"))
    assert snapshot.status == Snapshot.Status.READY
    assert snapshot.commit_sha == shas[-1]
    assert iteration.commit_sha == shas[-1]
    assert _results(snapshot) == dict.fromkeys(CHECK_KEYS, PASS)
    assert list(snapshot.checks.values_list("key", flat=True)) == CHECK_KEYS
    assert [c["message"] for c in snapshot.commits] == list(reversed(demo_project("good")[1]))
    assert (snapshot.checks_passed, snapshot.checks_warned, snapshot.checks_failed) == (11, 0, 0)
    readme = snapshot.files.get(path="README.md")
    assert readme.kind == "text"
    assert readme.blob.text == demo_project("good")[0]["README.md"]
    assert snapshot.files.get(path="docs/screenshot.png").kind == "binary"
    assert snapshot.files.get(path="docs/screenshot.png").blob is None


def test_repository_with_beginner_mistakes_fails_exactly_those_checks(git_server):
    git_server.repository("mistakes", *demo_project("needs-work"))
    snapshot, _ = _take(git_server.url("mistakes"))
    failed = {key for key, result in _results(snapshot).items() if result != PASS}
    assert failed == {"no-secrets", "no-venv", "readme-sections", "commits"}
    assert set(_results(snapshot).values()) == {"pass", "fail"}
    secrets = snapshot.checks.get(key="no-secrets")
    assert {
        "file": ".env",
        "line": 2,
        "text": "AWS Access Key: AWS_ACCESS_KEY_ID=AKIA************",
    } in (secrets.evidence)
    assert "AKIAQWERTYUIOPASDF12" not in str(secrets.evidence)
    assert snapshot.checks.get(key="readme-sections").summary == (
        "10 of the 11 sections the roadmap asks for; missing: how to run the tests."
    )


def test_short_sha_is_resolved_and_stored_in_full(git_server):
    shas = git_server.repository("history", *demo_project("good"))
    snapshot, iteration = _take(git_server.url("history"), sha=shas[1][:8])
    assert snapshot.status == Snapshot.Status.READY
    assert iteration.commit_sha == shas[1]
    # That commit has only its own history and files.
    assert len(snapshot.commits) == 2
    assert list(snapshot.files.values_list("path", flat=True)) == ["CHANGELOG"]


def test_full_sha_is_fetched_exactly(git_server):
    shas = git_server.repository("exact", *demo_project("good"))
    snapshot, iteration = _take(git_server.url("exact"), sha=shas[0])
    assert snapshot.commit_sha == shas[0]
    assert iteration.commit_sha == shas[0]


@pytest.mark.parametrize("sha", ["deadbee", "deadbeef" * 5])
def test_missing_commit_fails_with_a_plain_message(git_server, sha):
    git_server.repository("nosha", *demo_project("good"))
    snapshot, iteration = _take(git_server.url("nosha"), sha=sha)
    assert snapshot.status == Snapshot.Status.FAILED
    assert snapshot.reason == Snapshot.Reason.COMMIT_MISSING
    assert snapshot.message.startswith(f"The repository has no commit {sha} ")
    assert iteration.commit_sha == sha
    assert snapshot.checks.count() == 0


def test_private_repository_fails_as_not_found_or_private(git_server):
    git_server.repository("secret", *demo_project("good"))
    git_server.private.add("secret")
    snapshot, _ = _take(git_server.url("secret"))
    assert (snapshot.status, snapshot.reason) == ("failed", "not_found")
    assert snapshot.message.startswith("The repository was not found, or it is private.")


def test_unknown_repository_fails_as_not_found_or_private(git_server):
    snapshot, _ = _take(git_server.url("nothing-here"))
    assert (snapshot.status, snapshot.reason) == ("failed", "not_found")


def test_oversized_repository_fails_as_too_large(git_server, settings):
    settings.REPOSITORY_MAX_DOWNLOAD_MB = 0.25
    files, messages = demo_project("good")
    files["data/dump.bin"] = os.urandom(600 * 1024)  # random bytes do not compress
    git_server.repository("big", files, messages)
    snapshot, _ = _take(git_server.url("big"))
    assert (snapshot.status, snapshot.reason) == ("failed", "too_large")
    assert snapshot.message.startswith("The repository is larger than 256 KB to download")


def test_too_many_files_fails_as_too_large(git_server, settings):
    settings.REPOSITORY_MAX_FILES = 5
    git_server.repository("many", *demo_project("good"))
    snapshot, _ = _take(git_server.url("many"))
    assert (snapshot.status, snapshot.reason) == ("failed", "too_large")
    assert snapshot.message.startswith("The commit has 12 files, more than the 5")


def test_large_text_file_is_listed_with_its_size_not_stored(git_server, settings):
    settings.REPOSITORY_MAX_FILE_KB = 1
    files, messages = demo_project("good")
    files["big.txt"] = "x" * 5000
    git_server.repository("bigfile", files, messages)
    snapshot, _ = _take(git_server.url("bigfile"))
    big = snapshot.files.get(path="big.txt")
    assert (big.kind, big.size, big.blob) == ("too_large", 5000, None)


def test_slow_repository_is_killed_at_the_wall_clock_limit(git_server, settings):
    settings.REPOSITORY_FETCH_SECONDS = 2
    git_server.repository("slow", *demo_project("good"))
    git_server.slow["slow"] = 5
    snapshot, _ = _take(git_server.url("slow"))
    assert (snapshot.status, snapshot.reason) == ("failed", "timed_out")
    assert snapshot.message.startswith("Reading the repository took longer than 2 seconds")


def test_resubmission_stores_only_the_texts_that_changed(git_server):
    git_server.repository("first", *demo_project("good"))
    files, messages = demo_project("good")
    files["tasks/store.py"] += "\n# tidied\n"
    git_server.repository("second", files, messages)
    _take(git_server.url("first"))
    blobs = Blob.objects.count()
    second, _ = _take(git_server.url("second"))
    assert Blob.objects.count() == blobs + 1
    assert second.files.get(path="README.md").blob_id == (
        Snapshot.objects.exclude(pk=second.pk).get().files.get(path="README.md").blob_id
    )


def test_disallowed_host_is_refused_before_any_connection(settings):
    settings.REPOSITORY_HOSTS = ["github.com"]
    snapshot, _ = _take("https://example.org/ada/tasks")
    assert (snapshot.status, snapshot.reason) == ("failed", "host_not_allowed")
    assert snapshot.message == (
        "Repositories can be read from github.com only; example.org is not one of them."
    )


class _Listener:
    """A TCP port that records whether anyone connected to it."""

    def __init__(self, host):
        self.sock = socket.create_server((host, 0))
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.sock.settimeout(0.2)
        self.stopped = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self.stopped.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:  # closed by close(): stop listening
                return
            self.connections += 1
            conn.close()

    def close(self):
        self.stopped.set()
        self.sock.close()


def test_allowed_host_resolving_to_a_private_address_is_refused_before_connecting(settings):
    # "localhost" allowed as a host, but over https it must resolve to a public address.
    listener = _Listener("127.0.0.1")
    settings.REPOSITORY_HOSTS = ["localhost"]
    try:
        snapshot, _ = _take(f"https://localhost:{listener.port}/ada/tasks.git")
    finally:
        listener.close()
    assert (snapshot.status, snapshot.reason) == ("failed", "host_not_allowed")
    assert snapshot.message.startswith("localhost resolves to an address that is not public")
    assert listener.connections == 0


def test_redirect_to_a_private_address_is_refused_before_connecting(git_server, tmp_path):
    target = GitServer(tmp_path / "inside", host="127.0.0.2").start()
    try:
        target.repository("internal", *demo_project("good"))
        git_server.redirects["moved"] = f"http://127.0.0.2:{target.port}/internal"
        snapshot, _ = _take(git_server.url("moved"))
    finally:
        target.stop()
    assert (snapshot.status, snapshot.reason) == ("failed", "host_not_allowed")
    assert git_server.requests == ["/moved.git/info/refs?service=git-upload-pack"]
    assert target.requests == []


def test_redirect_to_an_allowed_address_is_followed(git_server):
    shas = git_server.repository("renamed", *demo_project("good"))
    git_server.redirects["old-name"] = git_server.url("renamed").removesuffix(".git")
    snapshot, _ = _take(git_server.url("old-name"))
    assert (snapshot.status, snapshot.commit_sha) == ("ready", shas[-1])


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://github.com/ada/tasks", "The repository address must start with https://."),
        ("https://ada:pw@github.com/ada/tasks", "Leave the user name and password out"),
        ("ftp://github.com/x", "The repository address must start with https://."),
        ("http://127.0.0.1:8000/x", "The repository address must start with https://."),
    ],
)
def test_url_check_refuses_with_a_reason(url, message):
    with pytest.raises(RepositoryRefused, match=message.replace(".", r"\.")):
        url_check(url, hosts=["github.com"], allow_loopback=False)


def test_loopback_is_allowed_only_when_switched_on_and_only_by_name():
    assert url_check("http://localhost:9/x", hosts=[], allow_loopback=True) == (
        "http",
        "localhost",
        9,
    )
    with pytest.raises(RepositoryRefused):
        url_check("http://127.0.0.2:9/x", hosts=[], allow_loopback=True)
    with pytest.raises(RepositoryRefused):
        url_check("http://localhost/x", hosts=[], allow_loopback=True)  # a port is required


@pytest.mark.parametrize(
    "address", ["127.0.0.1", "10.1.2.3", "192.168.0.1", "169.254.169.254", "::1", "fd00::1",
                "100.64.0.1", "::ffff:10.0.0.1", "0.0.0.0"],
)  # fmt: skip
def test_non_public_addresses_are_refused(address):
    with pytest.raises(RepositoryRefused, match="not public"):
        target_resolve(
            "https://github.com/ada/tasks",
            hosts=["github.com"],
            allow_loopback=False,
            resolve=lambda host, port: ["140.82.121.4", address],
        )


def test_public_addresses_are_pinned():
    target = target_resolve(
        "https://github.com/ada/tasks",
        hosts=["github.com"],
        allow_loopback=False,
        resolve=lambda host, port: ["140.82.121.4"],
    )
    assert (target.host, target.port, target.addresses) == ("github.com", 443, ("140.82.121.4",))
