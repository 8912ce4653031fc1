import pytest

from learners.links import blob_line_url, commit_url, compare_url

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
        # Copied while looking at a branch or a file: the repository is what counts.
        (
            "https://github.com/ada/tasks/tree/main",
            f"https://github.com/ada/tasks/compare/{OLD}...{NEW}",
        ),
        (
            "https://github.com/ada/tasks/tree/feature/login?tab=readme#top",
            f"https://github.com/ada/tasks/compare/{OLD}...{NEW}",
        ),
        (
            "https://github.com/ada/tasks/blob/main/app/main.py",
            f"https://github.com/ada/tasks/compare/{OLD}...{NEW}",
        ),
        (
            "https://gitlab.com/ada/tasks/-/tree/main",
            f"https://gitlab.com/ada/tasks/-/compare/{OLD}...{NEW}",
        ),
        (
            "https://gitlab.com/group/sub/tasks.git/-/blob/main/README.md",
            f"https://gitlab.com/group/sub/tasks/-/compare/{OLD}...{NEW}",
        ),
        # Self-hosted GitLab keeps its own host, scheme and port.
        (
            "https://gitlab.example.org/team/tasks",
            f"https://gitlab.example.org/team/tasks/-/compare/{OLD}...{NEW}",
        ),
        (
            "http://gitlab.school.test:8080/team/tasks.git/-/tree/main",
            f"http://gitlab.school.test:8080/team/tasks/-/compare/{OLD}...{NEW}",
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
        ("https://github.com/ada/tasks/issues", OLD, NEW),
        ("https://github.com/", OLD, NEW),
        ("https://gitlab.com/ada/-/tree/main", OLD, NEW),
        ("https://mygitlab.example.org/ada/tasks", OLD, NEW),
        ("https://example.com/gitlab.com/ada/tasks", OLD, NEW),
        ("https://gitlab.example.org:99999/ada/tasks", OLD, NEW),
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
        (
            "https://github.com/ada/tasks/tree/main",
            4,
            f"https://github.com/ada/tasks/blob/{NEW}/app/main.py#L4",
        ),
        (
            "https://gitlab.example.org/group/sub/tasks/-/tree/main",
            9,
            f"https://gitlab.example.org/group/sub/tasks/-/blob/{NEW}/app/main.py#L9",
        ),
    ],
)
def test_blob_line_url_on_github_and_gitlab(repo_url, line, expected):
    assert blob_line_url(repo_url, NEW, "app/main.py", line) == expected


def test_blob_line_url_quotes_odd_characters_in_the_path():
    assert (
        blob_line_url("https://github.com/ada/tasks", NEW, "/docs/read me#1.md", 2)
        == f"https://github.com/ada/tasks/blob/{NEW}/docs/read%20me%231.md?plain=1#L2"
    )


@pytest.mark.parametrize(
    ("repo_url", "path", "expected"),
    [
        (
            "https://github.com/ada/tasks",
            "README.md",
            f"https://github.com/ada/tasks/blob/{NEW}/README.md?plain=1#L12",
        ),
        (
            "https://github.com/ada/tasks",
            "docs/Guide.RST",
            f"https://github.com/ada/tasks/blob/{NEW}/docs/Guide.RST?plain=1#L12",
        ),
        (
            "https://gitlab.com/ada/tasks",
            "README.md",
            f"https://gitlab.com/ada/tasks/-/blob/{NEW}/README.md?plain=1#L12",
        ),
        (
            "https://github.com/ada/tasks",
            "app/md.py",
            f"https://github.com/ada/tasks/blob/{NEW}/app/md.py#L12",
        ),
    ],
)
def test_line_links_into_rendered_files_ask_for_the_source(repo_url, path, expected):
    assert blob_line_url(repo_url, NEW, path, 12) == expected


def test_a_markdown_file_without_a_line_is_linked_rendered():
    assert (
        blob_line_url("https://github.com/ada/tasks", NEW, "README.md", None)
        == f"https://github.com/ada/tasks/blob/{NEW}/README.md"
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


@pytest.mark.parametrize(
    ("repo_url", "expected"),
    [
        ("https://github.com/ada/tasks", f"https://github.com/ada/tasks/commit/{NEW}"),
        ("https://github.com/ada/tasks.git/", f"https://github.com/ada/tasks/commit/{NEW}"),
        ("https://github.com/ada/tasks/tree/main", f"https://github.com/ada/tasks/commit/{NEW}"),
        ("https://gitlab.com/ada/tasks", f"https://gitlab.com/ada/tasks/-/commit/{NEW}"),
        (
            "https://gitlab.com/group/sub/tasks/-/tree/main",
            f"https://gitlab.com/group/sub/tasks/-/commit/{NEW}",
        ),
        (
            "http://gitlab.school.test:8080/team/tasks",
            f"http://gitlab.school.test:8080/team/tasks/-/commit/{NEW}",
        ),
    ],
)
def test_commit_url_on_github_and_gitlab(repo_url, expected):
    assert commit_url(repo_url, NEW) == expected


@pytest.mark.parametrize(
    ("repo_url", "sha"),
    [
        ("https://bitbucket.org/ada/tasks", NEW),
        ("https://example.com/ada/tasks", NEW),
        ("https://github.com/ada", NEW),
        ("", NEW),
        ("https://github.com/ada/tasks", ""),
        ("https://github.com/ada/tasks", "abc"),
        ("https://github.com/ada/tasks", "not-a-sha"),
    ],
)
def test_commit_url_is_none_for_other_hosts_or_a_missing_sha(repo_url, sha):
    assert commit_url(repo_url, sha) is None
