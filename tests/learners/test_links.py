import pytest

from learners.links import blob_line_url, compare_url

OLD = "1111111"
NEW = "abcdef0123456789abcdef0123456789abcdef01"


@pytest.mark.parametrize(
    ("repo_url", "expected"),
    [
        ("https://github.com/ada/tasks", f"https://github.com/ada/tasks/compare/{OLD}...{NEW}"),
        ("https://github.com/ada/tasks/", f"https://github.com/ada/tasks/compare/{OLD}...{NEW}"),
        ("https://github.com/ada/tasks.git", f"https://github.com/ada/tasks/compare/{OLD}...{NEW}"),
        ("http://www.github.com/ada/tasks", f"https://github.com/ada/tasks/compare/{OLD}...{NEW}"),
        ("https://gitlab.com/ada/tasks", f"https://gitlab.com/ada/tasks/-/compare/{OLD}...{NEW}"),
        (
            "https://gitlab.com/group/sub/tasks.git/",
            f"https://gitlab.com/group/sub/tasks/-/compare/{OLD}...{NEW}",
        ),
    ],
)
def test_compare_url_on_github_and_gitlab(repo_url, expected):
    assert compare_url(repo_url, OLD, NEW) == expected


@pytest.mark.parametrize(
    ("repo_url", "old", "new"),
    [
        ("https://bitbucket.org/ada/tasks", OLD, NEW),
        ("https://example.com/ada/tasks", OLD, NEW),
        ("https://github.com/ada", OLD, NEW),
        ("https://github.com/ada/tasks/tree/main", OLD, NEW),
        ("https://gitlab.com/ada/tasks/-/tree/main", OLD, NEW),
        ("ftp://github.com/ada/tasks", OLD, NEW),
        ("https://github.com/ada/tasks", "", NEW),
        ("https://github.com/ada/tasks", OLD, ""),
        ("https://github.com/ada/tasks", OLD, OLD),
        ("https://github.com/ada/tasks", "not-a-sha", NEW),
        ("", OLD, NEW),
    ],
)
def test_compare_url_is_none_when_it_cannot_be_built(repo_url, old, new):
    assert compare_url(repo_url, old, new) is None


@pytest.mark.parametrize(
    ("repo_url", "line", "expected"),
    [
        (
            "https://github.com/ada/tasks",
            12,
            f"https://github.com/ada/tasks/blob/{NEW}/app/main.py#L12",
        ),
        (
            "https://github.com/ada/tasks.git/",
            3,
            f"https://github.com/ada/tasks/blob/{NEW}/app/main.py#L3",
        ),
        (
            "https://github.com/ada/tasks",
            None,
            f"https://github.com/ada/tasks/blob/{NEW}/app/main.py",
        ),
        (
            "https://gitlab.com/ada/tasks/",
            7,
            f"https://gitlab.com/ada/tasks/-/blob/{NEW}/app/main.py#L7",
        ),
    ],
)
def test_blob_line_url_on_github_and_gitlab(repo_url, line, expected):
    assert blob_line_url(repo_url, NEW, "app/main.py", line) == expected


def test_blob_line_url_quotes_odd_characters_in_the_path():
    assert (
        blob_line_url("https://github.com/ada/tasks", NEW, "/docs/read me#1.md", 2)
        == f"https://github.com/ada/tasks/blob/{NEW}/docs/read%20me%231.md#L2"
    )


@pytest.mark.parametrize(
    ("repo_url", "sha", "path"),
    [
        ("https://bitbucket.org/ada/tasks", NEW, "app/main.py"),
        ("https://github.com/ada/tasks", "", "app/main.py"),
        ("https://github.com/ada/tasks", "xyz", "app/main.py"),
        ("https://github.com/ada/tasks", NEW, ""),
    ],
)
def test_blob_line_url_is_none_for_other_hosts_missing_sha_or_path(repo_url, sha, path):
    assert blob_line_url(repo_url, sha, path, 5) is None
