"""KPI search benchmark (issue 16 item 3) on Norberg's hand-mapped indicators.

    .venv/bin/python -m bench.bench_kpi_search

Reads the published database (data/malpuls.duckdb, read-only; build it with
`python -m etl --offline`) and Norberg's goal file (data/goals/1962-norberg.yaml). For each
indicator with a Kolada id it measures
- title → top 10: the indicator's title as the query; a hit when its KPI (or its
  successor) is among the first 10;
- goal text → top 20: the text of the goal the indicator belongs to as the query: its own
  words (title, description, ambition text) and, as its context at a lower weight, its
  area's title and description; with the goal's Agenda 2030 links (`links` of type sdg and
  sdg_target; Norberg's goals have none). A hit when its KPI (or successor) is among the
  first 20. For information also with the goal's own words only, the definition before
  the area was read (for Norberg, whose goals have no description or ambition text, the
  title alone);
for the engine (core.kpi_search: a lookup for titles, `propose_for_goal` for goal texts)
and for the plain baseline the issue names (BM25 with Swedish stemming over title and
description, no boosts, no compound splitting), over the same documents (the catalogue
with its retired KPIs, which the engine finds by title but never proposes) and over the
current KPIs only.

Leave-one-file-out: the engine's "used by other goal files" boost ignores Norberg's own
file (exclude_usage_of="1962"), or the measure would find the answers it is scored on.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from pathlib import Path

import bm25s
import numpy as np
import Stemmer
import yaml

from config import Paths
from core.kpi_search import KpiDoc, KpiSearchIndex, propose_for_goal
from db.connection import connect_published
from db.kpi_docs import query_kpi_docs

NORBERG = "1962"
GOAL_FILE = "1962-norberg.yaml"
TITLE_TOP = 10
GOAL_TOP = 20


@dataclass(frozen=True)
class Case:
    indicator: str
    title: str
    goal_text: str  # the goal's own words: title, description, ambition text
    context: str  # its area's title and description
    sdg_targets: frozenset[str]
    sdg_goals: frozenset[int]
    answers: frozenset[str]  # the KPI and its successor, either counts

    @property
    def full_goal_text(self) -> str:
        """The goal text with its context, as the plain baseline reads it (no weights)."""
        return f"{self.goal_text} {self.context}".strip()


def read_cases(goal_file: Path) -> list[Case]:
    raw = yaml.safe_load(goal_file.read_text(encoding="utf-8"))
    cases = []
    for fw in raw["frameworks"]:
        goals = [(a, g) for a in fw.get("areas", []) for g in a.get("goals", [])]
        goals += [({}, g) for g in fw.get("goals", [])]
        for area, g in goals:
            ambition = (g.get("ambition") or {}).get("text")
            text = " ".join(t for t in (g["title"], g.get("description"), ambition) if t)
            context = " ".join(t for t in (area.get("title"), area.get("description")) if t)
            links = g.get("links", [])
            targets = frozenset(str(x["id"]) for x in links if x["type"] == "sdg_target")
            sdgs = frozenset(int(x["id"]) for x in links if x["type"] == "sdg")
            for ind in g.get("indicators", []):
                if not ind.get("kpi"):
                    continue
                answers = {ind["kpi"]}
                if ind.get("successor"):
                    answers.add(ind["successor"]["kpi"])
                cases.append(
                    Case(ind["id"], ind["title"], text, context, targets, sdgs, frozenset(answers))
                )
    return cases


class PlainBM25:
    """The baseline: BM25 with Swedish stemming over title + description, nothing else."""

    def __init__(self, docs: list[KpiDoc]) -> None:
        self.ids = [d.id for d in docs]
        self.stemmer = Stemmer.Stemmer("swedish")
        tokens = bm25s.tokenize(
            [f"{d.title} {d.description}" for d in docs],
            stopwords="sv",
            stemmer=self.stemmer,
            show_progress=False,
        )
        self.bm25 = bm25s.BM25()
        self.bm25.index(tokens, show_progress=False)
        self.vocab = self.bm25.vocab_dict

    def search(self, text: str, k: int) -> list[str]:
        q = bm25s.tokenize(
            text, stopwords="sv", stemmer=self.stemmer, return_ids=False, show_progress=False
        )[0]
        q = [t for t in dict.fromkeys(q) if t in self.vocab]
        if not q:
            return []
        scores = self.bm25.get_scores(q)
        top = np.argsort(-scores, kind="stable")[:k]
        return [self.ids[i] for i in top if scores[i] > 0]


def _count(cases: list[Case], k: int, search) -> int:
    """How many cases' answers `search(case, k)` finds."""
    return sum(bool(c.answers & set(search(c, k))) for c in cases)


def main() -> int:
    paths = Paths.from_env()
    con, _ = connect_published(paths.db_path)
    try:
        docs = query_kpi_docs(con)
    finally:
        con.close()
    cases = read_cases(paths.goals_dir / GOAL_FILE)
    n = len(cases)
    note = "" if n == 61 else f" (expected 61: the goal file now has {n})"
    print(f"Norberg indicators with a Kolada id: {n}{note}; catalogue: {len(docs)} KPIs")

    started = time.perf_counter()
    index = KpiSearchIndex(docs)
    print(f"engine index built in {time.perf_counter() - started:.2f} s")
    baseline = PlainBM25(docs)
    # The baseline figures were taken over the current catalogue (no retired KPIs).
    current = PlainBM25([d for d in docs if not d.is_retired])

    def lookup(c: Case, k: int) -> list[str]:
        return [h.kpi for h in index.search(c.title, k, exclude_usage_of=NORBERG)]

    def propose(c: Case, k: int) -> list[str]:
        hits = propose_for_goal(
            index,
            c.goal_text,
            n=k,
            municipality_id=NORBERG,
            context=c.context,
            sdg_targets=c.sdg_targets,
            sdg_goals=c.sdg_goals,
        )
        return [h.kpi for h in hits]

    def propose_own_words(c: Case, k: int) -> list[str]:
        hits = propose_for_goal(index, c.goal_text, n=k, municipality_id=NORBERG)
        return [h.kpi for h in hits]

    def plain(bm25: PlainBM25, query: str):
        if query == "title":
            return lambda c, k: bm25.search(c.title, k)
        return lambda c, k: bm25.search(c.full_goal_text, k)

    started = time.perf_counter()
    e_title = _count(cases, TITLE_TOP, lookup)
    e_goal = _count(cases, GOAL_TOP, propose)
    per_query = (time.perf_counter() - started) / (2 * n) * 1000
    e_own = _count(cases, GOAL_TOP, propose_own_words)
    b_title = _count(cases, TITLE_TOP, plain(baseline, "title"))
    b_goal = _count(cases, GOAL_TOP, plain(baseline, "goal"))
    c_title = _count(cases, TITLE_TOP, plain(current, "title"))
    c_goal = _count(cases, GOAL_TOP, plain(current, "goal"))
    n_linked = sum(bool(c.sdg_targets or c.sdg_goals) for c in cases)
    print(
        f"title → top {TITLE_TOP}: {e_title} of {n}  (baseline plain BM25: {b_title} of {n}; "
        f"over current KPIs only: {c_title} of {n})"
    )
    print(
        "goal text = the goal's title, description and ambition text, with its area's title "
        f"and description as context (weighted lower); Agenda 2030 links: {n_linked} of {n} "
        "indicators' goals have any"
    )
    print(
        f"goal text → top {GOAL_TOP}: {e_goal} of {n}  (baseline plain BM25: {b_goal} of {n}; "
        f"over current KPIs only: {c_goal} of {n})"
    )
    print(
        f"goal's own words only (title, description, ambition; for Norberg the title) → "
        f"top {GOAL_TOP}: {e_own} of {n}"
    )
    print(f"engine: {per_query:.1f} ms per query (mean)")
    print("targets: title ≥ 55, goal text ≥ 25")
    return 0


if __name__ == "__main__":
    sys.exit(main())
