"""The one table: each page's numbers, its ratio to /healthz and whether it meets its target."""

from dataclasses import dataclass

from bench.inprocess import QueryCount
from bench.load import LoadResult

MIN_RATIO = 0.25  # of /healthz throughput, for every page but the cohort overview and CSV
MAX_P99_MS = 100.0
OVERVIEW_MAX_P99_MS = 250.0


@dataclass(frozen=True)
class Page:
    path: str
    username: str | None
    target: str  # "page": ratio and p99 < 100 ms; "overview": p99 < 250 ms; "csv": no errors


@dataclass
class Row:
    page: Page
    load: LoadResult
    queries: QueryCount
    ratio: float = 0.0
    failures: tuple[str, ...] = ()

    @property
    def passed(self) -> bool:
        return not self.failures


def judge(rows: list[Row]) -> None:
    floor = rows[0].load.per_second  # /healthz comes first
    for row in rows:
        row.ratio = row.load.per_second / floor if floor else 0.0
        failures = []
        if row.load.errors:
            failures.append(f"{row.load.errors} errors")
        if row.page.target == "page":
            if row.ratio < MIN_RATIO:
                failures.append(f"ratio < {MIN_RATIO}")
            if row.load.p99_ms >= MAX_P99_MS:
                failures.append(f"p99 >= {MAX_P99_MS:.0f} ms")
        elif row.page.target == "overview" and row.load.p99_ms >= OVERVIEW_MAX_P99_MS:
            failures.append(f"p99 >= {OVERVIEW_MAX_P99_MS:.0f} ms")
        row.failures = tuple(failures)


HEADERS = ("page", "as", "req/s", "p50 ms", "p99 ms", "errors", "queries", "vs healthz", "target")
ALIGN_RIGHT = (False, False, True, True, True, True, True, True, False)


def cells(row: Row) -> tuple[str, ...]:
    verdict = "PASS" if row.passed else "FAIL (" + ", ".join(row.failures) + ")"
    return (
        row.page.path,
        row.page.username or "-",
        f"{row.load.per_second:.0f}",
        f"{row.load.p50_ms:.1f}",
        f"{row.load.p99_ms:.1f}",
        str(row.load.errors),
        str(row.queries),
        f"{row.ratio:.2f}",
        verdict,
    )


def text_table(rows: list[Row]) -> str:
    body = [cells(row) for row in rows]
    widths = [max(len(r[i]) for r in [HEADERS, *body]) for i in range(len(HEADERS))]

    def line(values):
        return "  ".join(
            v.rjust(w) if right else v.ljust(w)
            for v, w, right in zip(values, widths, ALIGN_RIGHT, strict=True)
        ).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(HEADERS), rule, *(line(r) for r in body)])


def markdown_table(rows: list[Row]) -> str:
    def line(values):
        return "| " + " | ".join(values) + " |"

    rule = "|" + "|".join("---:" if right else "---" for right in ALIGN_RIGHT) + "|"
    body = [cells(row) for row in rows]
    body = [(f"`{r[0]}`", *r[1:]) for r in body]
    return "\n".join([line(HEADERS), rule, *(line(r) for r in body)])
