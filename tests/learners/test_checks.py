"""Each automated check (learners.checks) on small made-up file lists: exact results,
sentences and evidence."""

import pytest

from learners.checks import (
    FAIL,
    NA,
    PASS,
    WARN,
    RepoFile,
    check_commits,
    check_dependencies,
    check_env_example,
    check_gitignore,
    check_no_secrets,
    check_no_venv,
    check_python_syntax,
    check_readme,
    check_readme_sections,
    check_structure,
    check_tests,
    checks_run,
    commit_is_weak,
    mask,
)
from learners.demo_projects import demo_project


def files(**by_path):
    return [RepoFile(path=path.replace("__", "/"), text=text) for path, text in by_path.items()]


def f(path, text="", **kwargs):
    return RepoFile(path=path, text=text, **kwargs)


def commit(message, sha="a" * 40):
    return {"sha": sha, "message": message}


def test_readme_missing_fails():
    outcome = check_readme([f("main.py")], [])
    assert (outcome.result, outcome.summary) == (
        FAIL,
        "There is no README at the top of the repository.",
    )


def test_readme_nearly_empty_warns():
    outcome = check_readme([f("README.md", "# Tasks\n")], [])
    assert (outcome.result, outcome.summary) == (
        WARN,
        "README.md has only 2 words: say what the project does and how to use it.",
    )


def test_readme_in_a_subfolder_does_not_count():
    assert check_readme([f("docs/README.md", "word " * 50)], []).result == FAIL


def test_readme_title_and_words_inside_other_words_name_no_section():
    readme = "# Todo CLI\n\nSomewhat small.\n\n## Installation\n\n## Usage\n\n## Tests\n"
    outcome = check_readme_sections([f("README.md", readme)], [])

    found = [item["text"] for item in outcome.evidence if not item["text"].startswith("missing")]
    assert found == [
        "what it does: Somewhat small.",
        "setup or installation: Installation",
        "how to run: Usage",
        "how to run the tests: Tests",
    ]


def test_readme_sections_without_tests_section_fails_naming_it():
    readme = "# T\n\nWhat it is.\n\n## Installation\n\n## Usage\n\n## Features\n"
    outcome = check_readme_sections([f("README.md", readme)], [])
    assert outcome.result == FAIL
    assert outcome.summary == (
        # "Usage" stands for how to run, not for the usage examples as well.
        "4 of the 11 sections the roadmap asks for; missing: how to run the tests, why, "
        "technologies, usage examples, screenshots or API examples, limitations, "
        "future improvements."
    )
    assert {"file": "README.md", "line": 5, "text": "setup or installation: Installation"} in (
        outcome.evidence
    )


def test_readme_sections_with_only_optional_sections_missing_warns():
    readme = "# T\n\nIntro.\n\n## Setup\n\n## Running\n\n## Tests\n"
    outcome = check_readme_sections([f("README.md", readme)], [])
    assert outcome.result == WARN


def test_readme_sections_reads_restructuredtext_headings():
    readme = "Tasks\n=====\n\nIntro.\n\nInstall\n-------\n\nRun it\n------\n\nTesting\n-------\n"
    assert check_readme_sections([f("README.rst", readme)], []).result == WARN


def test_readme_sections_without_readme_is_not_applicable():
    assert check_readme_sections([f("main.py")], []).result == NA


def test_tests_folder_with_pytest_configuration_passes():
    outcome = check_tests(
        [f("app/x.py"), f("tests/test_x.py"), f("pyproject.toml", "[tool.pytest.ini_options]\n")],
        [],
    )
    assert (outcome.result, outcome.summary) == (
        PASS,
        "1 test file, configured by pyproject.toml.",
    )


def test_tests_without_configuration_warns_and_unittest_counts_as_configured():
    assert check_tests([f("app/x.py"), f("tests/test_x.py", "import pytest\n")], []).result == WARN
    assert check_tests([f("tests/test_x.py", "import unittest\n")], []).result == PASS


def test_no_tests_fails_and_no_python_is_not_applicable():
    assert check_tests([f("app/x.py")], []).result == FAIL
    assert check_tests([f("index.html")], []).result == NA


def test_dependencies_in_requirements_or_pyproject_pass():
    outcome = check_dependencies(
        [f("app.py"), f("requirements.txt", "# pinned\nflask\nrequests\n")], []
    )
    assert (outcome.result, outcome.summary) == (PASS, "requirements.txt declares 2 dependencies.")
    pyproject = '[project]\ndependencies = [\n  "django>=5",\n]\n'
    outcome = check_dependencies([f("app.py"), f("pyproject.toml", pyproject)], [])
    assert (outcome.result, outcome.summary) == (PASS, "pyproject.toml declares 1 dependency.")


def test_dependencies_empty_requirements_warns_and_none_fails():
    assert check_dependencies([f("app.py"), f("requirements.txt", "\n")], []).result == WARN
    assert check_dependencies([f("app.py")], []).result == FAIL


def test_gitignore_covering_venv_and_caches_passes():
    outcome = check_gitignore([f(".gitignore", "venv/\n__pycache__/\n*.pyc\n")], [])
    assert outcome.result == PASS


def test_gitignore_without_caches_warns_naming_them():
    outcome = check_gitignore([f(".gitignore", ".venv\n")], [])
    assert (outcome.result, outcome.summary) == (
        WARN,
        ".gitignore does not cover __pycache__, .pyc files.",
    )


def test_gitignore_missing_fails():
    assert check_gitignore([f("app.py")], []).result == FAIL


def test_committed_venv_and_caches_fail_with_their_paths():
    outcome = check_no_venv(
        [
            f("venv/bin/activate"),
            f("app/__pycache__/x.cpython-311.pyc", kind="binary"),
            f("old.pyc", kind="binary"),
            f("app/x.py"),
        ],
        [],
    )
    assert outcome.result == FAIL
    assert outcome.summary == "Committed and should not be: venv, app/__pycache__, old.pyc."


def test_a_virtualenv_under_another_name_is_found_by_its_pyvenv_cfg():
    outcome = check_no_venv([f("myenv/pyvenv.cfg"), f("app.py")], [])
    assert outcome.evidence == [{"file": "myenv", "line": None, "text": ""}]


def test_an_env_package_below_the_top_is_not_a_virtualenv():
    assert check_no_venv([f("app/env/settings.py")], []).result == PASS


def test_committed_env_with_values_fails_masked():
    outcome = check_no_secrets(
        [f(".env", "# local\nDEBUG=\nDATABASE_PASSWORD=hunter2hunter2\n")], []
    )
    assert outcome.result == FAIL
    assert outcome.evidence == [
        {"file": ".env", "line": 3, "text": "DATABASE_PASSWORD=hunt**********"}
    ]
    assert outcome.summary.startswith(
        "1 possible secret committed, the first in .env:3. Remove it,"
    )


def test_env_example_with_placeholders_is_not_a_secret():
    assert check_no_secrets([f(".env.example", "API_KEY=change-me\n")], []).result == PASS


def test_a_private_key_in_code_fails():
    key = "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----\n"
    outcome = check_no_secrets([f("config.py", key)], [])
    assert outcome.result == FAIL
    assert outcome.evidence[0]["file"] == "config.py"
    assert outcome.evidence[0]["line"] == 1
    assert outcome.evidence[0]["text"].startswith("Private Key: ")


def test_a_github_token_in_code_fails_and_is_masked():
    token = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
    outcome = check_no_secrets([f("config.py", f'TOKEN = "{token}"\n')], [])
    assert outcome.result == FAIL
    assert token not in outcome.evidence[0]["text"]
    assert outcome.evidence[0]["text"] == 'GitHub Token: TOKEN = "ghp_************"'


def test_mask_keeps_four_characters_of_long_secrets_only():
    assert mask("KEY=abcdefghijkl", "abcdefghijkl") == "KEY=abcd********"
    assert mask("PIN=1234", "1234") == "PIN=****"


def test_mask_hides_every_occurrence_of_every_secret():
    assert mask("a=abcdefghijkl b=abcdefghijkl c=12345", "abcdefghijkl", "12345") == (
        "a=abcd******** b=abcd******** c=*****"
    )


def test_a_line_with_two_secrets_shows_neither():
    key, token = "AKIAQWERTYUIOPASDF12", "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
    line = f"KEYS = ['{key}', '{token}', '{key}']"
    outcome = check_no_secrets([f("config.py", line + "\n")], [])
    assert outcome.result == FAIL
    masked = "KEYS = ['AKIA************', 'ghp_************', 'AKIA************']"
    assert [e["text"] for e in outcome.evidence] == [f"AWS Access Key, GitHub Token: {masked}"]


def test_a_committed_env_line_with_a_key_shows_no_part_of_it_unmasked():
    key, token = "AKIAQWERTYUIOPASDF12", "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
    outcome = check_no_secrets([f(".env", f"KEYS={key},{token}\n")], [])
    assert key not in str(outcome.evidence)
    assert token not in str(outcome.evidence)
    assert [e["text"] for e in outcome.evidence] == [
        "AWS Access Key, GitHub Token: KEYS=AKIA************,ghp_************"
    ]


def test_env_example_listing_every_variable_read_passes():
    code = 'import os\nA = os.environ["API_KEY"]\nB = os.getenv("DEBUG")\nC = env.str("DB_URL")\n'
    example = "API_KEY=\n# DEBUG=off\nDB_URL=postgres://\n"
    outcome = check_env_example([f("app.py", code), f(".env.example", example)], [])
    assert (outcome.result, outcome.summary) == (
        PASS,
        ".env.example lists all 3 variables the code reads.",
    )


def test_env_example_missing_a_variable_fails_naming_where_it_is_read():
    code = 'import os\n\nKEY = os.environ.get("API_KEY")\n'
    outcome = check_env_example([f("app/settings.py", code), f(".env.example", "DEBUG=\n")], [])
    assert (outcome.result, outcome.summary) == (FAIL, ".env.example does not list API_KEY.")
    assert outcome.evidence == [{"file": "app/settings.py", "line": 3, "text": "API_KEY"}]


def test_env_example_absent_fails_and_no_environment_is_not_applicable():
    assert check_env_example([f("a.py", 'os.getenv("X")')], []).result == FAIL
    assert check_env_example([f("a.py", "print(1)")], []).result == NA


@pytest.mark.parametrize(
    ("message", "weak"),
    [
        ("update", True),
        ("Update", True),
        ("fix", True),
        ("WIP", True),
        ("stuff", True),
        ("Update README.md", True),
        ("refactoring", True),
        ("", True),
        ("Add input validation for task creation", False),
        ("Fix the crash on an empty title", False),
    ],
)
def test_weak_commit_messages(message, weak):
    assert commit_is_weak(message) is weak


def test_commits_mostly_weak_fails_listing_them():
    commits = [commit("update", "1" * 40), commit("fix", "2" * 40), commit("Add the store")]
    outcome = check_commits([], commits)
    assert outcome.result == FAIL
    assert outcome.summary == (
        "1 of the last 3 commit messages is descriptive (33%): messages like “update” do not "
        "say what changed."
    )
    assert outcome.evidence == [
        {"file": "", "line": None, "text": "1111111 update"},
        {"file": "", "line": None, "text": "2222222 fix"},
    ]


def test_a_key_in_a_commit_subject_is_masked_in_the_evidence():
    commits = [commit("AKIAQWERTYUIOPASDF12", "1" * 40), commit("Add the store")]
    assert check_commits([], commits).evidence == [
        {"file": "", "line": None, "text": "1111111 AKIA************"}
    ]


def test_commits_descriptive_pass_and_too_few_warn():
    many = [commit(f"Add feature number {n}") for n in range(5)]
    assert check_commits([], many).result == PASS
    assert check_commits([], many[:2]).result == WARN


def test_one_descriptive_commit_warns_saying_why():
    outcome = check_commits([], [commit("Add the task list")])

    assert (outcome.result, outcome.summary) == (
        WARN,
        "1 of the last 1 commit message is descriptive (100%), but only 1 commit: "
        "commit in small steps, each saying what changed.",
    )


def test_python_syntax_names_the_file_and_line():
    broken = RepoFile(path="app/x.py", text="def (:", syntax_error={"line": 1, "message": "bad"})
    outcome = check_python_syntax([broken, f("app/y.py", "x = 1")], [])
    assert (outcome.result, outcome.summary) == (FAIL, "1 of 2 Python files does not parse.")
    assert outcome.evidence == [{"file": "app/x.py", "line": 1, "text": "bad"}]


def test_structure_warns_on_tests_beside_the_code_and_fails_on_a_pile_of_files():
    assert check_structure([f("app.py"), f("test_app.py")], []).result == WARN
    pile = [f(f"m{n}.py") for n in range(11)]
    assert check_structure(pile, []).result == FAIL
    assert check_structure([f("app/x.py"), f("tests/test_x.py"), f("setup.py")], []).result == PASS


def test_committed_virtualenv_is_counted_once_not_by_every_check():
    project, messages = demo_project("good")
    venv = {".venv/pyvenv.cfg": "", ".venv/lib/site-packages/broken.py": "def (:\n"}
    repo = [
        RepoFile(path=path, text=text if isinstance(text, str) else None)
        for path, text in {**project, **venv}.items()
    ]
    results = {
        o.key: o.result for o in checks_run(files=repo, commits=[commit(m) for m in messages])
    }
    assert results["no-venv"] == FAIL
    assert results["python-syntax"] == PASS  # the venv's broken.py is not the learner's code
