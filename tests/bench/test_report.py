"""The benchmark's verdicts: which measurements meet issue 12's targets."""

from bench import report
from bench.cost import Cost
from bench.inprocess import QueryCount

PAGE = report.Page("/dashboard/", "learner1", "page")
OVERVIEW = report.Page("/cohorts/demo/", "staff", "overview")
CSV = report.Page("/cohorts/demo/progress.csv", "staff", "csv")


def cost_row(page, *, app_ms, database_ms=1.0, queries=(7, 7)):
    cost = Cost(
        path=page.path, username=page.username, app_ms=app_ms, database_ms=database_ms, size=1
    )
    first, second = queries
    return report.CostRow(
        page=page, cost=cost, queries=QueryCount(first=first, second=second, status=200)
    )


def test_cpu_budgets_count_the_application_and_postgresql():
    rows = [
        cost_row(PAGE, app_ms=11.0, database_ms=1.0),  # 12.0: on the budget
        cost_row(PAGE, app_ms=11.0, database_ms=1.1),
        cost_row(OVERVIEW, app_ms=24.0),
        cost_row(OVERVIEW, app_ms=24.5),
        cost_row(CSV, app_ms=400.0),  # no per-request budget
    ]

    report.judge_cost(rows)

    assert [row.failures for row in rows] == [(), ("> 12 ms",), (), ("> 25 ms",), ()]


def test_a_page_served_with_fewer_queries_the_second_time_fails():
    row = cost_row(PAGE, app_ms=2.0, queries=(7, 3))

    report.judge_cost([row])

    assert row.failures == ("not rendered again: 7 then 3 queries",)


def test_growth_allows_pages_half_again_and_the_csv_its_rows():
    small = [
        cost_row(PAGE, app_ms=9.0),
        cost_row(OVERVIEW, app_ms=19.0),
        cost_row(CSV, app_ms=49.0),
    ]
    large = [
        cost_row(PAGE, app_ms=14.0),  # 15 / 10 = 1.5x
        cost_row(OVERVIEW, app_ms=31.0),  # 32 / 20 = 1.6x
        cost_row(CSV, app_ms=501.0),  # 502 / 50 = 10.04x
    ]

    growth = report.judge_growth(small, large, learner_ratio=10)

    assert [round(row.ratio, 2) for row in growth] == [1.5, 1.6, 10.04]
    assert [row.failures for row in growth] == [(), ("> 1.5x",), ("> 10x",)]
