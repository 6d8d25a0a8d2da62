"""The KPI catalogue as documents for the search engine (core.kpi_search).

Read by the app (ui.data's cached index), `python -m etl kpi-search` and the benchmark.
"""

from __future__ import annotations

import duckdb

from core.kpi_search import GoalFileUse, KpiDoc
from core.scope import RIKET


def query_kpi_docs(con: duckdb.DuckDBPyConnection) -> list[KpiDoc]:
    """Every KPI of the catalogue, retired ones marked (a lookup finds an old indicator's
    series by its title; a proposal never offers one), with its Agenda 2030 membership,
    data availability,
    the goal files that use it (as an indicator the file names, or its successor; not our
    proposed indicators) and where the catalogue files
    it (KPI groups, operating area, the curated Agenda 2030 goal and target), by id. The
    curated mapping's goals and targets also come as codes (`sdg_goals`, `sdg_targets`), so
    a proposal for a goal linked to target 16.1 can boost the KPIs mapped to it.

    Availability is counted over the municipalities with goal files and Riket: the only
    geographies every KPI's values are fetched for. Goal files' KPIs are fetched for all
    312 geographies, the rest only for these (etl.bundle, core.scope), so a count over all
    kommuner would mostly say "a goal file uses it" again, and would let a goal file's own
    KPIs win the benchmark that measures proposals for it.
    """
    rows = con.execute(
        """
        WITH compared AS (
            SELECT DISTINCT municipality_id AS id FROM framework
            UNION SELECT $riket
        ),
        avail AS (
            SELECT v.kpi, max(v.year) AS latest_year,
                   count(DISTINCT v.municipality_id) FILTER (
                       WHERE v.municipality_id IN (SELECT id FROM compared)) AS n_geo
            FROM kolada_value v WHERE v.value IS NOT NULL GROUP BY v.kpi
        ),
        uses AS (
            SELECT u.kpi_id, list(DISTINCT {'id': u.municipality_id, 'name': m.title}) AS used_by
            FROM (
                -- A goal file's proposed indicators are our reading, not its use: counting
                -- them would let one proposal boost the next.
                SELECT municipality_id, kpi_id FROM indicator
                WHERE kpi_id IS NOT NULL AND provenance <> 'förslag'
                UNION SELECT municipality_id, successor_kpi_id FROM indicator
                WHERE successor_kpi_id IS NOT NULL AND provenance <> 'förslag'
            ) u JOIN municipality m ON m.id = u.municipality_id
            GROUP BY u.kpi_id
        ),
        context AS (
            SELECT kpi_id, list(DISTINCT label ORDER BY label) AS labels,
                   count(DISTINCT label) FILTER (WHERE NOT is_sdg) AS n_groups FROM (
                -- Group titles carry a version date ("Agenda 2030 - Kommun (2024-01)"):
                -- words of a subject, not of a date.
                SELECT m.kpi_id, trim(regexp_replace(g.title, '\\(.*\\)', '')) AS label,
                       false AS is_sdg
                FROM kpi_group_member m JOIN kpi_group g ON g.id = m.group_id
                UNION ALL
                SELECT s.kpi_id, g.name_sv_short || '. ' || coalesce(t.short_title_sv, ''),
                       true
                FROM kpi_sdg_map s JOIN sdg_goal g ON g.goal = s.sdg
                LEFT JOIN sdg_target t ON t.target_code = s.target_code
            ) GROUP BY kpi_id
        ),
        sdg AS (
            SELECT kpi_id, list(DISTINCT sdg ORDER BY sdg) AS goals,
                   coalesce(list(DISTINCT target_code ORDER BY target_code)
                            FILTER (WHERE target_code IS NOT NULL), []) AS targets
            FROM kpi_sdg_map GROUP BY kpi_id
        )
        SELECT k.id, k.title, coalesce(k.description, ''), k.operating_area, k.perspective,
               k.id IN (SELECT kpi_id FROM kpi_sdg) AS a2030,
               a.latest_year, coalesce(a.n_geo, 0), (SELECT count(*) FROM compared),
               coalesce(u.used_by, []), coalesce(c.labels, []), coalesce(c.n_groups, 0),
               k.is_retired, coalesce(s.goals, []), coalesce(s.targets, [])
        FROM kpi k
        LEFT JOIN avail a ON a.kpi = k.id
        LEFT JOIN uses u ON u.kpi_id = k.id
        LEFT JOIN context c ON c.kpi_id = k.id
        LEFT JOIN sdg s ON s.kpi_id = k.id
        ORDER BY k.id
        """,
        {"riket": RIKET},
    ).fetchall()
    return [
        KpiDoc(
            id=r[0],
            title=r[1],
            description=r[2],
            operating_area=r[3],
            perspective=r[4],
            in_agenda2030=bool(r[5]),
            latest_year=r[6],
            n_geographies=int(r[7]),
            n_compared=int(r[8]),
            used_by=tuple(
                GoalFileUse(u["id"], u["name"]) for u in sorted(r[9], key=lambda u: u["id"])
            ),
            context=(*r[10], *([r[3]] if r[3] else [])),
            n_groups=int(r[11]),
            is_retired=bool(r[12]),
            sdg_goals=tuple(int(g) for g in r[13]),
            sdg_targets=tuple(r[14]),
        )
        for r in rows
    ]
