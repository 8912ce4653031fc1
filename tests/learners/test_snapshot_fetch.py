"""The real fetch (learners.snapshots.snapshot_take) against a real git server on loopback."""

import os
import subprocess
import tempfile
import threading
import time

import pytest

from learners import fetch, snapshots
from learners.checks import PASS
from learners.demo_projects import demo_project
from learners.fetch import FetchFailed
from learners.models import Blob, Snapshot
from learners.repository import RepositoryRefused, target_resolve, url_check
from learners.snapshots import snapshot_take
from tests.factories import IterationFactory
from tests.gitserver import GitServer, git

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
    assert snapshot.message.startswith("The commit has more than the 5 files a snapshot may")


def test_large_text_file_is_listed_with_its_size_not_stored(git_server, settings):
    settings.REPOSITORY_MAX_FILE_KB = 1
    files, messages = demo_project("good")
    files["big.txt"] = "x" * 5000
    git_server.repository("bigfile", files, messages)
    snapshot, _ = _take(git_server.url("bigfile"))
    big = snapshot.files.get(path="big.txt")
    assert (big.kind, big.size, big.blob) == ("too_large", 5000, None)


def test_texts_past_the_stored_limit_are_listed_not_stored(git_server, settings):
    settings.REPOSITORY_MAX_STORED_MB = 3000 / (1024 * 1024)
    files = {"a.txt": "a" * 1000, "b.txt": "b" * 1000, "c.txt": "c" * 1000, "d.txt": "d" * 10}
    git_server.repository("stored", files)
    snapshot, _ = _take(git_server.url("stored"))
    assert snapshot.status == Snapshot.Status.READY
    kinds = dict(snapshot.files.values_list("path", "kind"))
    # Each text counts as its JSON (1,002 characters with the quotes): two fit in 3,000.
    assert kinds == {"a.txt": "text", "b.txt": "text", "c.txt": "too_large", "d.txt": "text"}
    assert snapshot.files.get(path="c.txt").size == 1000


def test_an_answer_larger_than_a_snapshot_may_hold_is_refused_unread(
    git_server, settings, monkeypatch
):
    settings.REPOSITORY_MAX_STORED_MB = 1000 / (1024 * 1024)
    monkeypatch.setattr(fetch, "ANSWER_OVERHEAD_BYTES", 1000)  # in the worker only
    git_server.repository("chatty", *demo_project("good"))
    snapshot, _ = _take(git_server.url("chatty"))
    assert (snapshot.status, snapshot.reason, snapshot.message) == (
        "failed",
        "too_large",
        "The repository's listing is larger than a snapshot may hold.",
    )


def test_slow_repository_is_killed_at_the_wall_clock_limit(git_server, settings):
    settings.REPOSITORY_FETCH_SECONDS = 2
    git_server.repository("slow", *demo_project("good"))
    git_server.slow["slow"] = 5
    snapshot, _ = _take(git_server.url("slow"))
    assert (snapshot.status, snapshot.reason) == ("failed", "timed_out")
    assert snapshot.message.startswith("Reading the repository took longer than 2 seconds")


def test_a_timed_out_fetch_leaves_no_working_directory(git_server, settings, monkeypatch, tmp_path):
    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    settings.REPOSITORY_FETCH_SECONDS = 2
    git_server.repository("slow", *demo_project("good"))
    git_server.slow_fetches["slow"] = 5  # the child has begun writing its working directory
    seen, done = set(), threading.Event()

    def watch():
        while not done.is_set():
            seen.update(path.name[:15] for path in temp.iterdir())
            time.sleep(0.05)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        snapshot, _ = _take(git_server.url("slow"))
    finally:
        done.set()
        watcher.join()
    assert snapshot.reason == "timed_out"
    assert seen == {"bootcamp-fetch-"}  # made by the worker, where it can remove it
    assert list(temp.iterdir()) == []


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


def test_allowed_host_whose_name_does_not_resolve_fails_as_unread_not_as_refused(settings):
    # .invalid never resolves (RFC 6761): the host is allowed, so the one reason is the lookup.
    settings.REPOSITORY_HOSTS = ["nowhere.invalid"]
    snapshot, _ = _take("https://nowhere.invalid/ada/tasks")
    assert (snapshot.status, snapshot.reason, snapshot.message) == (
        "failed",
        "fetch_failed",
        "nowhere.invalid could not be found.",
    )


def test_allowed_host_resolving_to_a_private_address_is_refused_before_connecting(settings):
    # "localhost" allowed as a host, but over https it must resolve to a public address (on
    # port 443, where nothing listens here: a connection would fail with another message).
    settings.REPOSITORY_HOSTS = ["localhost"]
    snapshot, _ = _take("https://localhost/ada/tasks.git")
    assert (snapshot.status, snapshot.reason) == ("failed", "host_not_allowed")
    assert snapshot.message.startswith("localhost resolves to an address that is not public")


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
        ("https://github.com:22/ada/tasks", "may not name a port other than 443."),
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


def test_a_nul_past_the_first_bytes_makes_the_file_binary(git_server):
    files, messages = demo_project("good")
    git_server.repository("late-nul", {**files, "data.txt": b"x" * 9000 + b"\0tail"}, messages)
    snapshot, _ = _take(git_server.url("late-nul"))
    assert snapshot.status == Snapshot.Status.READY
    assert snapshot.files.get(path="data.txt").kind == "binary"
    assert snapshot.files.get(path="data.txt").blob is None


def test_names_that_are_not_utf8_stay_distinct_files(git_server):
    files, messages = demo_project("good")
    # Two names that decode to the same text under errors="replace".
    names = {os.fsdecode(b"name-\xff.txt"): "one\n", os.fsdecode(b"name-\xfe.txt"): "two\n"}
    git_server.repository("odd-names", {**files, **names}, messages)
    snapshot, _ = _take(git_server.url("odd-names"))
    assert snapshot.status == Snapshot.Status.READY
    stored = dict(snapshot.files.filter(path__startswith="name-").values_list("path", "blob__text"))
    assert stored == {"name-\\xfe.txt": "two\n", "name-\\xff.txt": "one\n"}


def test_paths_alike_in_their_first_thousand_characters_are_both_stored(git_server):
    files, messages = demo_project("good")
    folder = "/".join(["d" * 200] * 5)  # 1,004 characters with the slashes
    names = {f"{folder}/first.txt": "one\n", f"{folder}/second.txt": "two\n"}
    git_server.repository("long-paths", {**files, **names}, messages)
    snapshot, _ = _take(git_server.url("long-paths"))
    assert snapshot.status == Snapshot.Status.READY
    stored = dict(snapshot.files.filter(path__startswith="ddd").values_list("path", "blob__text"))
    assert stored == {folder[:1000]: "one\n", folder[:996] + " (2)": "two\n"}


def test_a_malformed_object_is_refused_by_the_fetch(git_server):
    git_server.repository("malformed", *demo_project("good"))
    bare = git_server.root / "repos" / "malformed.git"
    tree = git("rev-parse", "HEAD^{tree}", cwd=bare)
    body = f"tree {tree}\nauthor nobody 1 +0000\ncommitter nobody 1 +0000\n\nAdd the project\n"
    written = subprocess.run(
        ["git", "hash-object", "-t", "commit", "--literally", "-w", "--stdin"],
        input=body, capture_output=True, text=True, check=True, cwd=bare,
    ).stdout.strip()  # fmt: skip
    git("update-ref", "refs/heads/main", written, cwd=bare)
    snapshot, _ = _take(git_server.url("malformed"))
    assert (snapshot.status, snapshot.reason) == ("failed", "fetch_failed")
    assert snapshot.message.startswith("git could not fetch the repository (")


def test_a_key_in_the_fetch_failure_message_is_masked(monkeypatch):
    def fetch_failing(**kwargs):
        raise FetchFailed(
            "fetch_failed", "git could not fetch the repository (AKIAQWERTYUIOPASDF12)."
        )

    monkeypatch.setattr(snapshots, "fetch_repository", fetch_failing)
    snapshot, _ = _take("https://github.com/ada/tasks")
    assert snapshot.message == "git could not fetch the repository (AKIA************)."


def test_an_unexpected_error_fails_that_snapshot_and_the_job_takes_the_next(
    git_server, monkeypatch, caplog
):
    git_server.repository("good", *demo_project("good"))
    first = IterationFactory(repo_url=git_server.url("good"), commit_sha="")
    second = IterationFactory(
        repo_url=git_server.url("good"), commit_sha="", submission=first.submission
    )
    broken = Snapshot.objects.create(iteration=first)
    fine = Snapshot.objects.create(iteration=second)
    real_checks_run = snapshots.checks_run
    calls = []

    def checks_run_failing_once(**kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("a bug")
        return real_checks_run(**kwargs)

    monkeypatch.setattr(snapshots, "checks_run", checks_run_failing_once)
    learner_id = first.submission.learner_id
    assert snapshots.snapshots_take_for_learner(learner_id=learner_id) == 2
    broken.refresh_from_db()
    fine.refresh_from_db()
    assert (broken.status, broken.reason, broken.message) == (
        "failed",
        "fetch_failed",
        "An unexpected error stopped the read.",
    )
    assert broken.files.count() == 0
    assert fine.status == Snapshot.Status.READY
    assert "could not be taken" in caplog.text
    assert "RuntimeError: a bug" in caplog.text
