"""The analyst query set (issue 17 item 2): top-3 accuracy of the KPI search on
tests/data/kpi_queries.csv, over the full build (ranking depends on which KPIs have values,
which the tiny snapshot mostly lacks). bench/bench_kpi_queries.py prints the same figure.
"""

from __future__ import annotations

import duckdb

from bench.bench_kpi_queries import describe_misses, evaluate, read_queries
from core.kpi_search import KpiSearchIndex
from db.kpi_docs import query_kpi_docs

TARGET = 0.9


def test_query_set_is_well_formed() -> None:
    queries = read_queries()
    assert len(queries) >= 30
    assert len({q.text for q in queries}) == len(queries)
    assert all(q.expected and q.note for q in queries)


def test_top3_accuracy_on_analyst_queries(con: duckdb.DuckDBPyConnection) -> None:
    index = KpiSearchIndex(query_kpi_docs(con))
    queries = read_queries()
    known = {d.id for d in index.docs}
    assert all(q.expected & known for q in queries), "an expected KPI is not in the catalogue"
    outcomes = evaluate(index, queries)
    hits = sum(o.hit for o in outcomes)
    assert hits >= TARGET * len(outcomes), (
        f"top-3: {hits} of {len(outcomes)}\n{describe_misses(outcomes)}"
    )
