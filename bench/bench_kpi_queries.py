"""Analyst query benchmark (issue 17 item 2, "Search that finds").

    .venv/bin/python -m bench.bench_kpi_queries

Reads the published database (data/malpuls.duckdb, read-only) and the query set
tests/data/kpi_queries.csv: short queries in an analyst's words, each with the KPIs that
answer it (chosen from the catalogue by meaning before the engine was asked). A query is a
hit when any of its expected KPIs is among the engine's first three (a lookup, as the
explorer runs it). Prints "top-3: X of N (P %)" and each miss with the engine's top 3.
tests/test_kpi_queries.py holds the same measure as a test.
"""

from __future__ import annotations

import csv
import sys
from dataclasses import dataclass
from pathlib import Path

from config import PROJECT_ROOT, Paths
from core.kpi_search import Hit, KpiSearchIndex

QUERIES = PROJECT_ROOT / "tests" / "data" / "kpi_queries.csv"
TOP = 3


@dataclass(frozen=True)
class Query:
    text: str
    expected: frozenset[str]  # any one in the top 3 counts
    note: str


@dataclass(frozen=True)
class Outcome:
    query: Query
    top: tuple[Hit, ...]

    @property
    def hit(self) -> bool:
        return any(h.kpi in self.query.expected for h in self.top)


def read_queries(path: Path = QUERIES) -> list[Query]:
    with path.open(encoding="utf-8", newline="") as f:
        return [
            Query(r["query"], frozenset(r["expected_kpis"].split()), r["note"])
            for r in csv.DictReader(f)
        ]


def evaluate(index: KpiSearchIndex, queries: list[Query], k: int = TOP) -> list[Outcome]:
    return [Outcome(q, tuple(index.search(q.text, k))) for q in queries]


def describe_misses(outcomes: list[Outcome]) -> str:
    lines = []
    for o in outcomes:
        if o.hit:
            continue
        lines.append(f"MISS {o.query.text!r} expected {' '.join(sorted(o.query.expected))}")
        lines.extend(f"    {h.kpi} {h.title}" for h in o.top)
        if not o.top:
            lines.append("    (no hits)")
    return "\n".join(lines)


def main() -> int:
    from db.connection import connect_published
    from db.kpi_docs import query_kpi_docs

    paths = Paths.from_env()
    con, _ = connect_published(paths.db_path)
    try:
        docs = query_kpi_docs(con)
    finally:
        con.close()
    queries = read_queries()
    outcomes = evaluate(KpiSearchIndex(docs), queries)
    hits = sum(o.hit for o in outcomes)
    n = len(outcomes)
    print(f"top-{TOP}: {hits} of {n} ({100 * hits / n:.0f} %)")
    misses = describe_misses(outcomes)
    if misses:
        print(misses)
    return 0


if __name__ == "__main__":
    sys.exit(main())
