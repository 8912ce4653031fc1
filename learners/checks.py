"""The automated pre-review: static checks of a repository snapshot against the roadmap's
repository checklist. Nothing here runs the learner's code; every check reads file names and
texts (and the Python parse results the fetch subprocess recorded).

Each check returns an Outcome: pass / warn / fail / not applicable, a sentence, and evidence
(file, line, the matched text with any secret masked). `checks_run()` runs them all in the
order of CHECKS; the keys are curriculum's ChecklistItem.Check choices.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
from detect_secrets.plugins.base import RegexBasedDetector
from django.template.defaultfilters import pluralize

from curriculum.models import AutomatedCheck

PASS, WARN, FAIL, NA = "pass", "warn", "fail", "na"
EVIDENCE_MAX = 10
TOP_LEVEL_PY_MAX = 5


@dataclass(frozen=True)
class RepoFile:
    path: str
    kind: str = "text"  # learners.models.SnapshotFile.Kind values
    size: int = 0
    text: str | None = None
    syntax_error: dict | None = None  # {"line": n, "message": "..."}

    @property
    def name(self) -> str:
        return PurePosixPath(self.path).name

    @property
    def parts(self) -> tuple[str, ...]:
        return PurePosixPath(self.path).parts

    @property
    def is_top_level(self) -> bool:
        return "/" not in self.path


@dataclass
class Outcome:
    key: str
    result: str
    summary: str
    evidence: list[dict] = field(default_factory=list)


def _evidence(file: str = "", line: int | None = None, text: str = "") -> dict:
    return {"file": file, "line": line, "text": text[:200]}


# --- What counts as what --------------------------------------------------------------------

_VENV_DIRS = {".venv", "venv", "env", ".env", "virtualenv", "site-packages", "node_modules"}
_CACHE_DIRS = {"__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache"}
_README = re.compile(r"^readme(\.(md|markdown|rst|txt))?$", re.IGNORECASE)
_TEST_MODULE = re.compile(r"^(test_.*|.*_test)\.py$")
_ENV_FILE = re.compile(r"^\.env(\.[\w-]+)?$")
_ENV_EXAMPLE = re.compile(r"^\.env\.(example|sample|template|dist)$|^example\.env$")


def _venv_roots(files: list[RepoFile]) -> set[str]:
    """Folders that are a virtual environment: named like one, or holding a pyvenv.cfg."""
    roots = {str(PurePosixPath(f.path).parent) for f in files if f.name == "pyvenv.cfg"}
    for f in files:
        for index, part in enumerate(f.parts[:-1]):
            if part in _VENV_DIRS and not (part in {"env", ".env"} and index > 0):
                roots.add("/".join(f.parts[: index + 1]))
                break
    return roots


def _in(path: str, roots: set[str]) -> bool:
    return any(path == root or path.startswith(f"{root}/") for root in roots)


def _own(files: list[RepoFile]) -> list[RepoFile]:
    """The learner's own files: not a committed virtual environment or cache."""
    roots = _venv_roots(files)
    return [
        f
        for f in files
        if not _in(f.path, roots)
        and not _CACHE_DIRS.intersection(f.parts)
        and f.kind != "submodule"
    ]


def _python(files: list[RepoFile]) -> list[RepoFile]:
    return [f for f in files if f.path.endswith(".py")]


def _readme(files: list[RepoFile]) -> RepoFile | None:
    candidates = [f for f in files if f.is_top_level and _README.match(f.name)]
    return min(candidates, key=lambda f: (not f.name.lower().endswith(".md"), f.name), default=None)


# --- The checks -----------------------------------------------------------------------------


def check_readme(files, commits) -> Outcome:
    readme = _readme(files)
    if readme is None:
        return Outcome(
            AutomatedCheck.README, FAIL, "There is no README at the top of the repository."
        )
    words = len((readme.text or "").split())
    if words < 30:
        return Outcome(
            AutomatedCheck.README,
            WARN,
            f"{readme.path} has only {words} words: say what the project does and how to use it.",
            [_evidence(readme.path)],
        )
    return Outcome(
        AutomatedCheck.README,
        PASS,
        f"{readme.path} is there ({words} words).",
        [_evidence(readme.path)],
    )


# The roadmap's README sections, each with the heading words that stand for it. `required`
# ones fail the check when missing; the others only warn.
README_SECTIONS = [
    ("what it does", r"about|overview|description|what|introduction|summary", False),
    ("why", r"why|motivation|purpose|background|goal", False),
    ("features", r"feature", False),
    ("technologies", r"tech|stack|built with|tools|librar|dependenc|requirement", False),
    ("setup or installation", r"install|setup|set up|getting started|prerequisite", True),
    ("how to run", r"\brun|usage|start|launch|how to use", True),
    ("how to run the tests", r"test", True),
    ("usage examples", r"usage|example|demo|how to use", False),
    ("screenshots or API examples", r"screenshot|screen|api|endpoint|request|demo", False),
    ("limitations", r"limitation|known issue|caveat|not (yet )?supported", False),
    ("future improvements", r"future|roadmap|todo|next step|improvement|ideas", False),
]
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$")


def _headings(text: str) -> list[tuple[int, str]]:
    """(line number, heading text) of Markdown (#) and reStructuredText (underlined) headings."""
    lines = text.splitlines()
    found = []
    for number, line in enumerate(lines, start=1):
        match = _HEADING.match(line)
        if match:
            found.append((number, match.group(1)))
        elif (
            number < len(lines)
            and line.strip()
            and re.fullmatch(r"([=\-~^*+#])\1{2,}", lines[number].strip())
        ):
            found.append((number, line.strip()))
    return found


def check_readme_sections(files, commits) -> Outcome:
    readme = _readme(files)
    if readme is None or not readme.text:
        return Outcome(AutomatedCheck.README_SECTIONS, NA, "No README to read.")
    headings = _headings(readme.text)
    # The title names the project, not a section ("# Todo CLI" is no "to do" list).
    if headings and readme.text.lstrip().startswith("# "):
        headings = headings[1:]
    evidence, missing_required, missing, used = [], [], [], set()
    for name, pattern, required in README_SECTIONS:
        # Words from their start ("install" in "Installation", not "what" in "somewhat"), and
        # each heading stands for one section only, the first in the roadmap's order.
        hit = next(
            (
                (line, text)
                for line, text in headings
                if line not in used and re.search(rf"\b(?:{pattern})", text, re.IGNORECASE)
            ),
            None,
        )
        if hit is None and name == "what it does":
            # An introduction under the title counts: most READMEs open with one.
            body = [line for line in readme.text.splitlines()[1:12] if line.strip()]
            if body and not _HEADING.match(body[0]):
                hit = (2, body[0].strip())
        if hit:
            used.add(hit[0])
            evidence.append(_evidence(readme.path, hit[0], f"{name}: {hit[1]}"))
        else:
            (missing_required if required else missing).append(name)
            evidence.append(_evidence(readme.path, None, f"missing: {name}"))
    found = len(README_SECTIONS) - len(missing) - len(missing_required)
    summary = f"{found} of the {len(README_SECTIONS)} sections the roadmap asks for"
    if missing_required:
        return Outcome(
            AutomatedCheck.README_SECTIONS,
            FAIL,
            f"{summary}; missing: {', '.join(missing_required + missing)}.",
            evidence,
        )
    if missing:
        return Outcome(
            AutomatedCheck.README_SECTIONS, WARN, f"{summary}; missing: {', '.join(missing)}.",
            evidence,
        )  # fmt: skip
    return Outcome(AutomatedCheck.README_SECTIONS, PASS, f"All {summary}.", evidence)


def _pytest_configured(files: list[RepoFile]) -> RepoFile | None:
    markers = {
        "pytest.ini": None,
        "conftest.py": None,
        "pyproject.toml": r"^\[tool\.pytest",
        "setup.cfg": r"^\[tool:pytest\]",
        "tox.ini": r"^\[(pytest|testenv)",
    }
    for f in files:
        if f.name in markers:
            pattern = markers[f.name]
            if pattern is None or re.search(pattern, f.text or "", re.MULTILINE):
                return f
    return None


def check_tests(files, commits) -> Outcome:
    python = _python(files)
    if not python:
        return Outcome(AutomatedCheck.TESTS, NA, "No Python files.")
    tests = [f for f in python if _TEST_MODULE.match(f.name) or {"tests", "test"} & set(f.parts)]
    if not tests:
        return Outcome(AutomatedCheck.TESTS, FAIL, "No tests folder and no test_*.py modules.")
    listed = [_evidence(f.path) for f in tests[:EVIDENCE_MAX]]
    config = _pytest_configured(files)
    uses_unittest = any(re.search(r"^\s*(import|from) unittest", f.text or "", re.M) for f in tests)
    if config is None and not uses_unittest:
        return Outcome(
            AutomatedCheck.TESTS,
            WARN,
            f"{len(tests)} test file{pluralize(tests)}, but no pytest configuration (pytest.ini, "
            "conftest.py or [tool.pytest.ini_options] in pyproject.toml) and no unittest.",
            listed,
        )
    how = config.path if config else "unittest"
    return Outcome(
        AutomatedCheck.TESTS,
        PASS,
        f"{len(tests)} test file{pluralize(tests)}, configured by {how}.",
        listed,
    )


def _declared_requirements(f: RepoFile) -> int:
    text = f.text or ""
    if f.name.startswith("requirements") and f.name.endswith(".txt"):
        return sum(1 for line in text.splitlines() if line.strip() and not line.startswith("#"))
    if f.name == "pyproject.toml":
        block = re.search(r"^dependencies\s*=\s*\[(.*?)\]", text, re.MULTILINE | re.DOTALL)
        poetry = re.search(r"^\[tool\.poetry\.dependencies\]\n((?:[^\[].*\n?)*)", text, re.M)
        if block:
            return len(re.findall(r"[\"'][^\"']+[\"']", block.group(1)))
        if poetry:
            return sum(1 for line in poetry.group(1).splitlines() if "=" in line)
        return 0
    if f.name in {"Pipfile", "setup.py", "setup.cfg", "environment.yml"}:
        return 1 if re.search(r"packages|install_requires|dependencies", text) else 0
    return 0


def check_dependencies(files, commits) -> Outcome:
    if not _python(files):
        return Outcome(AutomatedCheck.DEPENDENCIES, NA, "No Python files.")
    declared = [(f, n) for f in files if f.is_top_level and (n := _declared_requirements(f))]
    if declared:
        f, n = declared[0]
        return Outcome(
            AutomatedCheck.DEPENDENCIES,
            PASS,
            f"{f.path} declares {n} dependenc{'y' if n == 1 else 'ies'}.",
            [_evidence(f.path)],
        )
    empty = [f for f in files if f.is_top_level and f.name.startswith("requirements")]
    if empty:
        return Outcome(
            AutomatedCheck.DEPENDENCIES,
            WARN,
            f"{empty[0].path} lists no packages.",
            [_evidence(empty[0].path)],
        )
    return Outcome(
        AutomatedCheck.DEPENDENCIES,
        FAIL,
        "No requirements.txt or pyproject.toml declaring the dependencies.",
    )


_IGNORE_NEEDS = {
    "the virtual environment": r"^/?\.?venv\*?/?$|^/?env/?$|^\*venv\*?/?$",
    "__pycache__": r"__pycache__|^\*\.py\[?c",
    ".pyc files": r"\*\.py\[?c|\*\.pyc|__pycache__",
}


def check_gitignore(files, commits) -> Outcome:
    ignore = next((f for f in files if f.path == ".gitignore"), None)
    if ignore is None:
        return Outcome(AutomatedCheck.GITIGNORE, FAIL, "There is no .gitignore.")
    lines = [line.strip() for line in (ignore.text or "").splitlines()]
    missing = [
        name
        for name, pattern in _IGNORE_NEEDS.items()
        if not any(re.search(pattern, line) for line in lines if not line.startswith("#"))
    ]
    if missing:
        return Outcome(
            AutomatedCheck.GITIGNORE,
            WARN,
            f".gitignore does not cover {', '.join(missing)}.",
            [_evidence(".gitignore")],
        )
    return Outcome(
        AutomatedCheck.GITIGNORE,
        PASS,
        ".gitignore covers the virtual environment and caches.",
        [_evidence(".gitignore")],
    )


def check_no_venv(files, commits) -> Outcome:
    roots = _venv_roots(files)
    committed = sorted(roots)
    caches = sorted(
        {
            "/".join(f.parts[: f.parts.index(cache) + 1])
            for f in files
            for cache in _CACHE_DIRS & set(f.parts)
        }
    )
    pyc = [f.path for f in files if f.path.endswith((".pyc", ".pyo")) and not _in(f.path, roots)]
    found = committed + caches + [p for p in pyc if not any(p.startswith(f"{c}/") for c in caches)]
    if not found:
        return Outcome(
            AutomatedCheck.NO_VENV,
            PASS,
            "No virtual environment, __pycache__ or .pyc files committed.",
        )
    return Outcome(
        AutomatedCheck.NO_VENV,
        FAIL,
        f"Committed and should not be: {', '.join(found[:3])}"
        f"{f' and {len(found) - 3} more' if len(found) > 3 else ''}.",
        [_evidence(path) for path in found[:EVIDENCE_MAX]],
    )


# detect-secrets' detectors of known credential formats (AWS, GitHub, Stripe, private keys, …);
# not its entropy and keyword guesses, which flag every lock file and test fixture, nor the
# public IP address one, which is not a credential.
_DETECTORS = [
    cls()
    for cls in get_mapping_from_secret_type_to_class().values()
    if issubclass(cls, RegexBasedDetector) and cls.__name__ != "IPPublicDetector"
]


_TOKEN_CHAR = re.compile(r"[A-Za-z0-9_\-+/.~]")


def _secrets_in(line: str) -> dict[str, str]:
    """Each secret detect-secrets' detectors find on the line, with its detector's name."""
    found = {}
    for detector in _DETECTORS:
        for secret in detector.analyze_string(line):
            found.setdefault(secret, detector.secret_type)
    return found


def mask_secrets(text: str) -> str:
    """The text with every secret the detectors find in it masked (commit subjects, git's own
    error text): shown to mentors and learners, it must not repeat a key either."""
    return mask(text, *_secrets_in(text))


def mask(line: str, *secrets: str) -> str:
    """The line with every occurrence of each secret's whole token (a detector may match only
    its prefix) shown as its first four characters and asterisks; short ones all asterisks."""
    line = line.strip()
    spans = []
    for secret in filter(None, secrets):
        start = line.find(secret)
        while start >= 0:
            begin, end = start, start + len(secret)
            while begin > 0 and _TOKEN_CHAR.match(line[begin - 1]):
                begin -= 1
            while end < len(line) and _TOKEN_CHAR.match(line[end]):
                end += 1
            spans.append((begin, end))
            start = line.find(secret, start + len(secret))
    # Tokens of different secrets may overlap: mask their union, right to left.
    merged = []
    for begin, end in sorted(spans):
        if merged and begin <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((begin, end))
    for begin, end in reversed(merged):
        token = line[begin:end]
        shown = token[:4] if len(token) > 8 else ""
        line = line[:begin] + shown + "*" * min(12, len(token) - len(shown)) + line[end:]
    return line


def check_no_secrets(files, commits) -> Outcome:
    evidence = []
    for f in files:
        if f.text is None:
            continue
        if _ENV_FILE.match(f.name) and not _ENV_EXAMPLE.match(f.name):
            for number, line in enumerate(f.text.splitlines(), start=1):
                key, sep, value = line.partition("=")
                value = value.strip().strip("\"'")
                if sep and value and not line.lstrip().startswith("#"):
                    found = _secrets_in(line) if len(line) <= 2000 else {}
                    evidence.append(_evidence(f.path, number, mask(line, value, *found)))
        for number, line in enumerate(f.text.splitlines(), start=1):
            if len(line) > 2000:  # minified or generated: not where a person pastes a key
                continue
            found = _secrets_in(line)
            if found:  # every secret any detector found on the line, masked
                kinds = ", ".join(dict.fromkeys(found.values()))
                evidence.append(_evidence(f.path, number, f"{kinds}: {mask(line, *found)}"))
    if any(f.name.endswith((".pem", ".key")) or f.name in {"id_rsa", "id_ed25519"} for f in files):
        evidence += [
            _evidence(f.path, None, "a private key file")
            for f in files
            if f.name.endswith((".pem", ".key")) or f.name in {"id_rsa", "id_ed25519"}
        ]
    # One line can match twice (a .env value that is also an AWS key): report it once.
    unique = list({(e["file"], e["line"]): e for e in evidence}.values())
    if not unique:
        return Outcome(AutomatedCheck.NO_SECRETS, PASS, "No secrets or private keys found.")
    first = unique[0]
    where = f"{first['file']}:{first['line']}" if first["line"] else first["file"]
    return Outcome(
        AutomatedCheck.NO_SECRETS,
        FAIL,
        f"{len(unique)} possible secret{pluralize(unique)} committed, the first in {where}. "
        f"Remove {pluralize(unique, 'it,them')}, revoke {pluralize(unique, 'it,them')}, and read "
        f"{pluralize(unique, 'it,them')} from the environment instead.",
        unique[:EVIDENCE_MAX],
    )


_ENV_READS = re.compile(
    r"""(?:os\.environ\[|os\.environ\.get\(|os\.getenv\(|\benv(?:\.\w+)?\()\s*["']([A-Z][A-Z0-9_]*)["']"""
)


def check_env_example(files, commits) -> Outcome:
    reads: dict[str, tuple[str, int]] = {}
    for f in _python(files):
        for number, line in enumerate((f.text or "").splitlines(), start=1):
            for name in _ENV_READS.findall(line):
                reads.setdefault(name, (f.path, number))
    if not reads:
        return Outcome(AutomatedCheck.ENV_EXAMPLE, NA, "The code reads no environment variables.")
    example = next((f for f in files if _ENV_EXAMPLE.match(f.name)), None)
    if example is None:
        path, line = next(iter(reads.values()))
        return Outcome(
            AutomatedCheck.ENV_EXAMPLE,
            FAIL,
            f"The code reads {len(reads)} environment variable{pluralize(reads)} but there is no "
            f".env.example listing {pluralize(reads, 'it,them')}.",
            [_evidence(path, line, name) for name, (path, line) in list(reads.items())[:10]],
        )
    documented = set(re.findall(r"^\s*#?\s*([A-Z][A-Z0-9_]*)\s*=", example.text or "", re.M))
    undocumented = {name: where for name, where in reads.items() if name not in documented}
    if undocumented:
        return Outcome(
            AutomatedCheck.ENV_EXAMPLE,
            FAIL,
            f"{example.path} does not list {', '.join(sorted(undocumented))}.",
            [_evidence(path, line, name) for name, (path, line) in undocumented.items()][:10],
        )
    return Outcome(
        AutomatedCheck.ENV_EXAMPLE,
        PASS,
        (
            f"{example.path} lists the variable the code reads."
            if len(reads) == 1
            else f"{example.path} lists all {len(reads)} variables the code reads."
        ),
        [_evidence(example.path)],
    )


_WEAK_MESSAGES = {
    "update", "updates", "updated", "fix", "fixes", "fixed", "wip", "changes", "change",
    "minor changes", "small fix", "stuff", "misc", "commit", "test", "tmp", "temp",
    "update readme", "update readme.md", "first commit", "asdf", "done", "more",
}  # fmt: skip


def commit_is_weak(message: str) -> bool:
    subject = (message or "").strip().splitlines()[0] if (message or "").strip() else ""
    words = re.sub(r"[^\w\s.]", " ", subject.lower()).split()
    return len(words) <= 1 or " ".join(words) in _WEAK_MESSAGES


def check_commits(files, commits) -> Outcome:
    if not commits:
        return Outcome(AutomatedCheck.COMMITS, NA, "No commits to read.")
    weak = [c for c in commits if commit_is_weak(c["message"])]
    share = (len(commits) - len(weak)) / len(commits)
    summary = (
        f"{len(commits) - len(weak)} of the last {len(commits)} commit message{pluralize(commits)} "
        f"{pluralize(len(commits) - len(weak), 'is,are')} descriptive ({share:.0%})"
    )
    evidence = [
        _evidence("", None, f"{c['sha'][:7]} {mask_secrets(c['message'].splitlines()[0])[:80]}")
        for c in weak[:EVIDENCE_MAX]
    ]
    if share < 0.5:
        return Outcome(
            AutomatedCheck.COMMITS,
            FAIL,
            f"{summary}: messages like “update” do not say what changed.",
            evidence,
        )
    if len(commits) < 3:
        steps = "only 1 commit" if len(commits) == 1 else f"only {len(commits)} commits"
        return Outcome(
            AutomatedCheck.COMMITS,
            WARN,
            f"{summary}, but {steps}: commit in small steps, each saying what changed.",
            evidence,
        )
    if share < 0.8:
        return Outcome(AutomatedCheck.COMMITS, WARN, f"{summary}.", evidence)
    return Outcome(AutomatedCheck.COMMITS, PASS, f"{summary}.", evidence)


def check_python_syntax(files, commits) -> Outcome:
    python = [f for f in _python(files) if f.text is not None]
    if not python:
        return Outcome(AutomatedCheck.PYTHON_SYNTAX, NA, "No Python files.")
    broken = [f for f in python if f.syntax_error]
    if broken:
        return Outcome(
            AutomatedCheck.PYTHON_SYNTAX,
            FAIL,
            f"{len(broken)} of {len(python)} Python file{pluralize(python)} "
            f"{pluralize(broken, 'does,do')} not parse.",
            [
                _evidence(f.path, f.syntax_error["line"], f.syntax_error["message"])
                for f in broken[:EVIDENCE_MAX]
            ],
        )
    summary = (
        "The one Python file parses."
        if len(python) == 1
        else f"All {len(python)} Python files parse."
    )
    return Outcome(AutomatedCheck.PYTHON_SYNTAX, PASS, summary)


def check_structure(files, commits) -> Outcome:
    python = _python(files)
    if not python:
        return Outcome(AutomatedCheck.STRUCTURE, NA, "No Python files.")
    top = [f for f in python if f.is_top_level and f.name not in {"setup.py", "conftest.py"}]
    loose_tests = [f for f in top if _TEST_MODULE.match(f.name)]
    evidence = [_evidence(f.path) for f in top[:EVIDENCE_MAX]]
    if len(top) > 2 * TOP_LEVEL_PY_MAX:
        return Outcome(
            AutomatedCheck.STRUCTURE,
            FAIL,
            f"{len(top)} Python files at the top level: put the code in a package and the "
            "tests in a tests folder.",
            evidence,
        )
    if loose_tests or len(top) > TOP_LEVEL_PY_MAX:
        problem = (
            f"tests beside the code at the top level ({', '.join(f.path for f in loose_tests)})"
            if loose_tests
            else f"{len(top)} Python files at the top level"
        )
        return Outcome(AutomatedCheck.STRUCTURE, WARN, f"Mostly tidy, but {problem}.", evidence)
    return Outcome(
        AutomatedCheck.STRUCTURE,
        PASS,
        f"Source and tests are apart; {len(top)} Python file{pluralize(top)} at the top level.",
        evidence,
    )


CHECKS: dict[str, Callable[[list[RepoFile], list[dict]], Outcome]] = {
    AutomatedCheck.README: check_readme,
    AutomatedCheck.README_SECTIONS: check_readme_sections,
    AutomatedCheck.TESTS: check_tests,
    AutomatedCheck.DEPENDENCIES: check_dependencies,
    AutomatedCheck.GITIGNORE: check_gitignore,
    AutomatedCheck.NO_VENV: check_no_venv,
    AutomatedCheck.NO_SECRETS: check_no_secrets,
    AutomatedCheck.ENV_EXAMPLE: check_env_example,
    AutomatedCheck.COMMITS: check_commits,
    AutomatedCheck.PYTHON_SYNTAX: check_python_syntax,
    AutomatedCheck.STRUCTURE: check_structure,
}


def checks_run(*, files: list[RepoFile], commits: list[dict]) -> list[Outcome]:
    """Every check, in order. `no-venv` and `no-secrets` see every file; the others only the
    learner's own (a committed virtual environment is counted once, not by every check)."""
    own = _own(files)
    outcomes = []
    for key, check in CHECKS.items():
        seen = files if key in {AutomatedCheck.NO_VENV, AutomatedCheck.NO_SECRETS} else own
        outcomes.append(check(seen, commits))
    return outcomes
