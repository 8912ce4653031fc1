"""The targets of issue 12, and the tables that show whether a run meets them.

- Load run: no errors (non-2xx responses, socket errors) on any page under 16 connections.
- `--cost`: CPU per request (application + PostgreSQL) of each key page at most 12 ms, of the
  cohort overview at most 25 ms (the CSV has no per-request budget: it grows with the cohort),
  of the file view of a 5,000-line file at most 25 ms and of a 2,000-line diff at most 50 ms.
- `--growth`: at 10x the learners, every page costs at most 1.5x what it costs at 1x; the CSV,
  one row per learner, at most linearly more (10x).
- Every run: each page is rendered on every request (two GETs run the same SQL queries).
"""

from dataclasses import dataclass

from bench.cost import Cost
from bench.inprocess import QueryCount
from bench.load import LoadResult

PAGE_MAX_CPU_MS = 12.0
OVERVIEW_MAX_CPU_MS = 25.0
FILE_MAX_CPU_MS = 25.0  # the file view of a 5,000-line file
DIFF_MAX_CPU_MS = 50.0  # the changes view with a 2,000-line file changed
MAX_GROWTH = 1.5


@dataclass(frozen=True)
class Page:
    path: str
    username: str | None
    target: str  # "page", "overview", "file", "diff" or "csv": see the budgets above


def cpu_budget(page: Page) -> float | None:
    return {
        "page": PAGE_MAX_CPU_MS,
        "overview": OVERVIEW_MAX_CPU_MS,
        "file": FILE_MAX_CPU_MS,
        "diff": DIFF_MAX_CPU_MS,
    }.get(page.target)


def growth_budget(page: Page, *, learner_ratio: float) -> float:
    return learner_ratio if page.target == "csv" else MAX_GROWTH


def rendering_failures(queries: QueryCount) -> list[str]:
    failures = []
    if queries.status != 200:
        failures.append(f"answers {queries.status}")
    if queries.first != queries.second:
        failures.append(f"not rendered again: {queries.first} then {queries.second} queries")
    return failures


def verdict(failures) -> str:
    return "PASS" if not failures else "FAIL (" + ", ".join(failures) + ")"


# Load run -----------------------------------------------------------------------------------


@dataclass
class Row:
    page: Page
    load: LoadResult
    queries: QueryCount
    failures: tuple[str, ...] = ()

    @property
    def passed(self) -> bool:
        return not self.failures


def judge(rows: list[Row]) -> None:
    for row in rows:
        failures = rendering_failures(row.queries)
        if row.load.errors:
            failures.append(f"{row.load.errors} errors")
        row.failures = tuple(failures)


LOAD_HEADERS = ("page", "as", "req/s", "p50 ms", "p99 ms", "errors", "queries", "target")


def load_cells(row: Row) -> tuple[str, ...]:
    return (
        row.page.path,
        row.page.username or "-",
        f"{row.load.per_second:.0f}",
        f"{row.load.p50_ms:.1f}",
        f"{row.load.p99_ms:.1f}",
        str(row.load.errors),
        str(row.queries),
        verdict(row.failures),
    )


# Cost run -----------------------------------------------------------------------------------


@dataclass
class CostRow:
    page: Page
    cost: Cost
    queries: QueryCount
    failures: tuple[str, ...] = ()

    @property
    def passed(self) -> bool:
        return not self.failures


def judge_cost(rows: list[CostRow]) -> None:
    for row in rows:
        failures = rendering_failures(row.queries)
        budget = cpu_budget(row.page)
        if budget is not None and row.cost.total_ms > budget:
            failures.append(f"> {budget:.0f} ms")
        row.failures = tuple(failures)


COST_HEADERS = (
    "page",
    "as",
    "bytes",
    "queries",
    "app CPU ms",
    "PostgreSQL CPU ms",
    "total ms",
    "budget",
    "target",
)


def cost_cells(row: CostRow) -> tuple[str, ...]:
    c = row.cost
    budget = cpu_budget(row.page)
    return (
        row.page.path,
        row.page.username or "-",
        str(c.size),
        str(row.queries),
        f"{c.app_ms:.1f}",
        "-" if c.database_ms is None else f"{c.database_ms:.1f}",
        f"{c.total_ms:.1f}",
        "-" if budget is None else f"≤ {budget:.0f} ms",
        verdict(row.failures),
    )


# Growth -------------------------------------------------------------------------------------


@dataclass
class GrowthRow:
    page: Page
    small: CostRow
    large: CostRow
    learner_ratio: float
    failures: tuple[str, ...] = ()

    @property
    def ratio(self) -> float:
        before = self.small.cost.total_ms
        return self.large.cost.total_ms / before if before else 0.0

    @property
    def passed(self) -> bool:
        return not self.failures


def judge_growth(small: list[CostRow], large: list[CostRow], *, learner_ratio) -> list[GrowthRow]:
    """Pages are matched by their target and position: the paths name different rows (the
    learner, submission and review chosen in each database)."""
    rows = []
    for a, b in zip(small, large, strict=True):
        row = GrowthRow(page=b.page, small=a, large=b, learner_ratio=learner_ratio)
        budget = growth_budget(b.page, learner_ratio=learner_ratio)
        # Query counts are not compared: the rows chosen differ (a learner whose next step is
        # another kind of step runs one query more), and the tests pin each page's count.
        row.failures = (f"> {budget:g}x",) if row.ratio > budget else ()
        rows.append(row)
    return rows


def growth_headers(small_learners: int, large_learners: int) -> tuple[str, ...]:
    return (
        "page (large database)",
        f"ms at {small_learners}",
        f"ms at {large_learners}",
        "ratio",
        "budget",
        "target",
    )


def growth_cells(row: GrowthRow) -> tuple[str, ...]:
    budget = growth_budget(row.page, learner_ratio=row.learner_ratio)
    return (
        row.page.path,
        f"{row.small.cost.total_ms:.1f}",
        f"{row.large.cost.total_ms:.1f}",
        f"{row.ratio:.2f}x",
        f"≤ {budget:g}x",
        verdict(row.failures),
    )


# Rendering ----------------------------------------------------------------------------------


def text_table(headers, body) -> str:
    """The first two columns (page, as) are text, left-aligned; the rest right-aligned, but
    for the last, the verdict."""
    widths = [max(len(r[i]) for r in [headers, *body]) for i in range(len(headers))]
    last = len(headers) - 1

    def line(values):
        return "  ".join(
            v.ljust(w) if i < 1 or i == last or headers[i] == "as" else v.rjust(w)
            for i, (v, w) in enumerate(zip(values, widths, strict=True))
        ).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(headers), rule, *(line(r) for r in body)])


def markdown_table(headers, body) -> str:
    def line(values):
        return "| " + " | ".join(values) + " |"

    last = len(headers) - 1
    rule = (
        "|"
        + "|".join(
            "---" if i < 1 or i == last or h == "as" else "---:" for i, h in enumerate(headers)
        )
        + "|"
    )
    body = [(f"`{r[0]}`", *r[1:]) for r in body]
    return "\n".join([line(headers), rule, *(line(r) for r in body)])
