"""All reads the app makes. Every function takes an open connection and returns plain
Python or pandas values; every value from outside is a bound parameter, never pasted
into SQL text."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import duckdb
import pandas as pd

from core.format import numbered_label
from core.scope import RIKET


def query_meta(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    return dict(con.execute("SELECT key, value FROM meta ORDER BY key").fetchall())


def query_framework_municipalities(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """(id, name) of the municipalities that have goal files, by name."""
    return con.execute(
        """
        SELECT DISTINCT m.id, m.title FROM framework f
        JOIN municipality m ON m.id = f.municipality_id
        ORDER BY m.title
        """
    ).fetchall()


def query_last_runs(con: duckdb.DuckDBPyConnection, limit: int = 10) -> pd.DataFrame:
    return con.execute("SELECT * FROM etl_run ORDER BY run_id DESC LIMIT ?", [limit]).df()


def query_frameworks(con: duckdb.DuckDBPyConnection, municipality_id: str) -> pd.DataFrame:
    return con.execute(
        """
        SELECT f.*,
               coalesce((SELECT list(d.ref ORDER BY d.position) FROM decision d
                 WHERE d.framework_id = f.framework_id), []) AS decision_refs,
               coalesce((SELECT list(c.label ORDER BY c.position) FROM checkpoint c
                 WHERE c.framework_id = f.framework_id), []) AS checkpoint_labels
        FROM framework f WHERE f.municipality_id = ? ORDER BY f.position
        """,
        [municipality_id],
    ).df()


def query_areas(con: duckdb.DuckDBPyConnection, municipality_id: str) -> pd.DataFrame:
    return con.execute(
        "SELECT * FROM area WHERE municipality_id = ? ORDER BY framework_id, position",
        [municipality_id],
    ).df()


def query_goals(
    con: duckdb.DuckDBPyConnection, municipality_id: str, as_of: dt.date | None = None
) -> pd.DataFrame:
    """The municipality's goals with their status judged on `as_of` (a bedömningsdag the
    ETL judged; default the data date)."""
    return con.execute(
        """
        SELECT g.*, p.title AS perspective_title,
               (SELECT count(*) FROM indicator i
                 WHERE i.municipality_id = g.municipality_id AND i.goal_id = g.goal_id)
                 AS n_indicators,
               r.status, r.reason AS status_reason, r.counts AS status_counts,
               r.weakest_indicator, r.forecast_allowed, r.assessment, r.disagrees
        FROM goal g
        LEFT JOIN perspective p
               ON p.framework_id = g.framework_id AND p.perspective_id = g.perspective_id
        LEFT JOIN goal_result r
               ON r.municipality_id = g.municipality_id AND r.goal_id = g.goal_id
              AND r.as_of = coalesce($as_of::DATE,
                  (SELECT CAST(value AS DATE) FROM meta WHERE key = 'data_date'))
        WHERE g.municipality_id = $m
        ORDER BY g.framework_id, g.position
        """,
        {"m": municipality_id, "as_of": as_of},
    ).df()


def query_indicator_overview(
    con: duckdb.DuckDBPyConnection, municipality_id: str, as_of: dt.date | None = None
) -> pd.DataFrame:
    """Every goal indicator of a municipality with its latest own value and year, Riket's
    value for that same year (so the two are comparable), and its result judged on `as_of`
    (default the data date)."""
    return con.execute(
        """
        WITH ind AS (
            SELECT * FROM indicator WHERE municipality_id = $m
        ),
        own AS (
            SELECT v.kpi, v.gender, max(v.year) AS year, arg_max(v.value, v.year) AS value
            FROM kolada_value v
            WHERE v.municipality_id = $m
              AND v.kpi IN (SELECT kpi_id FROM ind WHERE kpi_id IS NOT NULL)
              AND v.value IS NOT NULL
            GROUP BY v.kpi, v.gender
        )
        SELECT ind.goal_id, ind.indicator_id, ind.position, ind.title, ind.kpi_id,
               ind.is_local, ind.direction, ind.direction_provenance, ind.gender, ind.unit,
               ind.successor_kpi_id, ind.mapping_confidence, ind.provenance, ind.reason,
               k.title AS kpi_title, k.is_retired, k.publication_date,
               own.year AS latest_year, own.value AS latest_value,
               r.value AS riket_value,
               (SELECT count(*) FROM ambition a
                 WHERE a.municipality_id = ind.municipality_id
                   AND a.indicator_id = ind.indicator_id) AS n_ambitions,
               res.status, res.reason AS status_reason, res.basis, res.judged_kpi_id,
               res.change_per_year, res.noise, res.rank_all, res.n_all, res.quartile_all,
               res.rank_peers, res.n_peers, res.next_publication, res.p_met, res.point,
               res.lo80, res.hi80, res.target_value, res.target_date, res.as_of,
               res.horizon_years,
               res.latest_year AS judged_year, res.latest_value AS judged_value
        FROM ind
        LEFT JOIN kpi k ON k.id = ind.kpi_id
        LEFT JOIN indicator_result res
               ON res.municipality_id = ind.municipality_id
              AND res.indicator_id = ind.indicator_id
              AND res.as_of = coalesce($as_of::DATE,
                  (SELECT CAST(value AS DATE) FROM meta WHERE key = 'data_date'))
        LEFT JOIN own ON own.kpi = ind.kpi_id AND own.gender = ind.gender
        LEFT JOIN kolada_value r
               ON r.kpi = ind.kpi_id AND r.gender = ind.gender
              AND r.municipality_id = $riket AND r.year = coalesce(res.latest_year, own.year)
        ORDER BY ind.goal_id, ind.position
        """,
        {"m": municipality_id, "riket": RIKET, "as_of": as_of},
    ).df()


def query_links(con: duckdb.DuckDBPyConnection, municipality_id: str) -> pd.DataFrame:
    """Goal links with a readable label for each target (SDG name, article heading …)."""
    return con.execute(
        """
        SELECT l.goal_id, l.position, l.link_type, l.target_id, l.provenance, l.reason,
               CASE l.link_type
                 WHEN 'sdg' THEN 'Mål ' || l.target_id || ': ' || s.name_sv_short
                 WHEN 'sdg_target' THEN 'Delmål ' || l.target_id
                      || coalesce(': ' || t.short_title_sv, '')
                 WHEN 'crc' THEN 'Artikel ' || l.target_id || ': ' || c.title_sv
                 WHEN 'challenge' THEN ch.title
                 WHEN 'rus' THEN 'RUS ' || r.number || ': ' || r.title
                 WHEN 'goal' THEN coalesce('Mål ' || g2.number || ': ', '') || g2.title
               END AS label,
               s.color_hex
        FROM goal_link l
        JOIN goal g ON g.municipality_id = l.municipality_id AND g.goal_id = l.goal_id
        LEFT JOIN sdg_goal s ON l.link_type = 'sdg' AND s.goal = TRY_CAST(l.target_id AS INTEGER)
        LEFT JOIN sdg_target t ON l.link_type = 'sdg_target' AND t.target_code = l.target_id
        LEFT JOIN crc_article c
               ON l.link_type = 'crc' AND c.article = TRY_CAST(l.target_id AS INTEGER)
        LEFT JOIN challenge ch ON l.link_type = 'challenge'
              AND ch.framework_id = g.framework_id AND ch.challenge_id = l.target_id
        LEFT JOIN rus_area r ON l.link_type = 'rus'
              AND r.framework_id = g.framework_id AND r.rus_id = l.target_id
        LEFT JOIN goal g2 ON l.link_type = 'goal'
              AND g2.municipality_id = l.municipality_id AND g2.goal_id = l.target_id
        WHERE l.municipality_id = ?
        ORDER BY l.goal_id, l.position
        """,
        [municipality_id],
    ).df()


def query_conflicts(con: duckdb.DuckDBPyConnection, municipality_id: str) -> pd.DataFrame:
    return con.execute(
        """
        SELECT c.* FROM goal_conflict c
        JOIN framework f ON f.framework_id = c.framework_id
        WHERE f.municipality_id = ? ORDER BY c.framework_id, c.conflict_id
        """,
        [municipality_id],
    ).df()


def query_table_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    tables = [
        r[0]
        for r in con.execute(
            "SELECT table_name FROM duckdb_tables() ORDER BY table_name"
        ).fetchall()
    ]
    return {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchall()[0][0] for t in tables}


def query_kpi_ids(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {r[0] for r in con.execute("SELECT id FROM kpi").fetchall()}


def query_kpis_with_values(
    con: duckdb.DuckDBPyConnection, kpis: Sequence[str], geographies: Sequence[str]
) -> set[str]:
    """Which of `kpis` have at least one value stored for any of `geographies`: one pass
    over the (kpi-sorted) value table, whatever the number of KPIs."""
    if not kpis or not geographies:
        return set()
    rows = con.execute(
        """
        SELECT DISTINCT kpi FROM kolada_value
        WHERE kpi IN (SELECT unnest($kpis)) AND municipality_id IN (SELECT unnest($geos))
        """,
        {"kpis": list(kpis), "geos": list(geographies)},
    ).fetchall()
    return {r[0] for r in rows}


def query_kpi_changes(con: duckdb.DuckDBPyConnection, limit: int = 200) -> pd.DataFrame:
    """Recent catalogue changes, with the goal indicators each one touches."""
    return con.execute(
        """
        SELECT c.detected_at, c.change, c.kpi_id, c.title,
               coalesce((SELECT list(i.municipality_id || '/' || i.indicator_id ORDER BY 1)
                  FROM indicator i WHERE i.kpi_id = c.kpi_id), []) AS goal_indicators
        FROM kpi_change c ORDER BY c.detected_at DESC, c.change, c.kpi_id LIMIT ?
        """,
        [limit],
    ).df()


def query_flagged_goal_indicators(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Goal indicators whose KPI is no longer in Kolada's current catalogue."""
    return con.execute(
        """
        SELECT i.municipality_id, m.title AS municipality, i.goal_id, i.indicator_id,
               i.title, i.kpi_id, i.successor_kpi_id,
               (SELECT max(v.year) FROM kolada_value v
                 WHERE v.kpi = i.kpi_id AND v.municipality_id = i.municipality_id) AS last_year
        FROM indicator i JOIN kpi k ON k.id = i.kpi_id
        JOIN municipality m ON m.id = i.municipality_id
        WHERE k.is_retired ORDER BY ALL
        """
    ).df()


def query_peer_groups(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, list[str]]]:
    rows = con.execute(
        """
        SELECT g.id, g.title, list(m.municipality_id ORDER BY m.municipality_id)
        FROM municipality_group g JOIN municipality_group_member m ON m.group_id = g.id
        WHERE g.title LIKE 'Liknande kommuner, övergripande, %'
        GROUP BY g.id, g.title ORDER BY g.id
        """
    ).fetchall()
    return [(i, t, list(m)) for i, t, m in rows]


# ------------------------------------------------------------------ goal page


def query_goal(
    con: duckdb.DuckDBPyConnection,
    municipality_id: str,
    goal_id: str,
    as_of: dt.date | None = None,
) -> pd.DataFrame:
    return con.execute(
        """
        SELECT g.*, f.name AS framework_name, f.goal_level_name, f.area_level_name,
               a.title AS area_title, a.number AS area_number,
               coalesce((SELECT list(d.ref ORDER BY d.position) FROM decision d
                  WHERE d.framework_id = f.framework_id), []) AS decision_refs,
               r.status, r.reason AS status_reason, r.forecast_allowed, r.assessment,
               r.disagrees, r.weakest_indicator
        FROM goal g JOIN framework f ON f.framework_id = g.framework_id
        LEFT JOIN area a ON a.municipality_id = g.municipality_id AND a.area_id = g.area_id
        LEFT JOIN goal_result r ON r.municipality_id = g.municipality_id
              AND r.goal_id = g.goal_id
              AND r.as_of = coalesce($as_of::DATE,
                  (SELECT CAST(value AS DATE) FROM meta WHERE key = 'data_date'))
        WHERE g.municipality_id = $m AND g.goal_id = $g
        """,
        {"m": municipality_id, "g": goal_id, "as_of": as_of},
    ).df()


def query_goal_ids(con: duckdb.DuckDBPyConnection, municipality_id: str) -> list[tuple[str, str]]:
    """(goal id, label) in document order, for the goal pickers; the label is the one
    core.format.numbered_label makes ("Mål 3. Title", "Mål 6 – ej formulerat ännu")."""
    rows = con.execute(
        """
        SELECT g.goal_id, g.number, g.title, f.goal_level_name
        FROM goal g JOIN framework f ON f.framework_id = g.framework_id
        WHERE g.municipality_id = ? ORDER BY f.position, g.position
        """,
        [municipality_id],
    ).fetchall()
    return [(goal, numbered_label(n, title, level)) for goal, n, title, level in rows]


def query_history(
    con: duckdb.DuckDBPyConnection,
    kpi: str,
    gender: str,
    municipality_id: str,
    peers: list[str],
) -> pd.DataFrame:
    """The municipality's and Riket's values (Kolada's), and the peers' median per year
    (computed here), in long form: year, series, value, source."""
    return con.execute(
        """
        SELECT v.year, CASE v.municipality_id WHEN $m THEN 'kommun' ELSE 'riket' END AS series,
               v.value, 'kolada' AS source
        FROM kolada_value v
        WHERE v.kpi = $k AND v.gender = $g AND v.municipality_id IN ($m, $riket)
          AND v.value IS NOT NULL
        UNION ALL
        SELECT v.year, 'liknande', median(v.value), 'beräknad'
        FROM kolada_value v
        WHERE v.kpi = $k AND v.gender = $g AND list_contains($p, v.municipality_id)
          AND v.value IS NOT NULL
        GROUP BY v.year
        ORDER BY 2, 1
        """,
        {"m": municipality_id, "k": kpi, "g": gender, "p": peers, "riket": RIKET},
    ).df()


def query_indicator_ambitions(con: duckdb.DuckDBPyConnection, municipality_id: str) -> pd.DataFrame:
    return con.execute(
        "SELECT indicator_id, kind, date, value, decision FROM ambition "
        "WHERE municipality_id = ? ORDER BY indicator_id, date",
        [municipality_id],
    ).df()


# ------------------------------------------------------------------ analyst explorer


def query_kpi_search(
    con: duckdb.DuckDBPyConnection,
    words: list[str],
    kpi_ids: list[str] | None = None,
    operating_area: str | None = None,
    perspective: str | None = None,
    with_data_for: str | None = None,
    limit: int = 200,
) -> pd.DataFrame:
    """KPIs whose title or description contains every word (any order, partial words,
    case-insensitive; a word typed without å/ä/ö also finds the word with them). Title
    hits rank first. Every input is a bound parameter."""
    params: dict[str, object] = {"lim": limit}
    conds = ["true"]
    score = []
    for i, w in enumerate(words):
        params[f"w{i}"] = f"%{w.lower()}%"
        # Both sides without accents: "behorig" finds "behörig", "behörig" still does.
        conds.append(f"(k.t LIKE strip_accents($w{i}) OR k.d LIKE strip_accents($w{i}))")
        score.append(f"(k.t LIKE strip_accents($w{i}))::INT")
    if kpi_ids is not None:
        params["ids"] = kpi_ids
        conds.append("list_contains($ids, k.id)")
    if operating_area:
        params["oa"] = operating_area
        conds.append("k.operating_area = $oa")
    if perspective:
        params["persp"] = perspective
        conds.append("k.perspective = $persp")
    if with_data_for:
        params["m"] = with_data_for
        conds.append(
            "EXISTS (SELECT 1 FROM kolada_value v WHERE v.kpi = k.id AND v.municipality_id = $m)"
        )
    order = f"({' + '.join(score)}) DESC, k.title" if score else "k.title"
    return con.execute(
        f"""
        WITH k AS (
            SELECT id, title, operating_area, perspective, municipality_type,
                   strip_accents(lower(title)) AS t,
                   strip_accents(lower(coalesce(description, ''))) AS d
            FROM kpi WHERE NOT is_retired
        )
        SELECT k.id, k.title, k.operating_area, k.perspective, k.municipality_type
        FROM k WHERE {" AND ".join(conds)}
        ORDER BY {order} LIMIT $lim
        """,
        params,
    ).df()


def query_kpi_facets(con: duckdb.DuckDBPyConnection) -> tuple[list[str], list[str]]:
    areas = [
        r[0]
        for r in con.execute(
            "SELECT DISTINCT operating_area FROM kpi WHERE operating_area IS NOT NULL "
            "AND NOT is_retired ORDER BY 1"
        ).fetchall()
    ]
    persp = [
        r[0]
        for r in con.execute(
            "SELECT DISTINCT perspective FROM kpi WHERE perspective IS NOT NULL "
            "AND NOT is_retired ORDER BY 1"
        ).fetchall()
    ]
    return areas, persp


def query_goal_kpis(
    con: duckdb.DuckDBPyConnection,
    municipality_id: str,
    goal_id: str | None = None,
    area_id: str | None = None,
    sdg: int | None = None,
) -> list[str]:
    """KPIs the municipality's goals use, optionally only one goal's, one area's, or the
    goals linked to one SDG (directly or through one of its targets). With only an SDG
    chosen, the curated Agenda 2030 KPIs for that SDG are included too."""
    return [
        r[0]
        for r in con.execute(
            """
        SELECT i.kpi_id FROM indicator i
        JOIN goal g ON g.municipality_id = i.municipality_id AND g.goal_id = i.goal_id
        WHERE i.municipality_id = $m AND i.kpi_id IS NOT NULL
          AND ($g IS NULL OR g.goal_id = $g) AND ($a IS NULL OR g.area_id = $a)
          AND ($s IS NULL OR EXISTS (
                SELECT 1 FROM goal_link l
                LEFT JOIN sdg_target t
                       ON l.link_type = 'sdg_target' AND t.target_code = l.target_id
                WHERE l.municipality_id = g.municipality_id AND l.goal_id = g.goal_id
                  AND ((l.link_type = 'sdg' AND l.target_id = CAST($s AS TEXT))
                       OR t.goal = $s)))
        UNION
        SELECT kpi_id FROM kpi_sdg_map
        WHERE $s IS NOT NULL AND $g IS NULL AND $a IS NULL AND sdg = $s
        ORDER BY 1
        """,
            {"m": municipality_id, "g": goal_id, "a": area_id, "s": sdg},
        ).fetchall()
    ]


def query_kpi_meta(con: duckdb.DuckDBPyConnection, kpi_ids: list[str]) -> pd.DataFrame:
    return con.execute("SELECT * FROM kpi WHERE list_contains(?, id) ORDER BY id", [kpi_ids]).df()


def query_values(
    con: duckdb.DuckDBPyConnection,
    kpi_ids: list[str],
    municipality_ids: list[str],
    gender: str,
    first_year: int,
    last_year: int,
) -> pd.DataFrame:
    return con.execute(
        """
        SELECT v.kpi, v.municipality_id, m.title AS municipality, v.year, v.value
        FROM kolada_value v JOIN municipality m ON m.id = v.municipality_id
        WHERE list_contains($k, v.kpi) AND list_contains($m, v.municipality_id)
          AND v.gender = $g AND v.year BETWEEN $y0 AND $y1 AND v.value IS NOT NULL
        ORDER BY v.kpi, m.title, v.year
        """,
        {"k": kpi_ids, "m": municipality_ids, "g": gender, "y0": first_year, "y1": last_year},
    ).df()


def query_ranking(
    con: duckdb.DuckDBPyConnection, kpi: str, gender: str, year: int | None = None
) -> pd.DataFrame:
    """Every kommun's value for one KPI in one year (the latest with data when year is
    None), for rankings and distributions."""
    return con.execute(
        """
        WITH y AS (
            SELECT coalesce($y, max(v.year)) AS year FROM kolada_value v
            JOIN municipality m ON m.id = v.municipality_id AND m.type = 'K'
            WHERE v.kpi = $k AND v.gender = $g AND v.value IS NOT NULL
        )
        SELECT v.municipality_id, m.title AS municipality, v.year, v.value
        FROM kolada_value v JOIN municipality m ON m.id = v.municipality_id AND m.type = 'K'
        WHERE v.kpi = $k AND v.gender = $g AND v.year = (SELECT year FROM y)
          AND v.value IS NOT NULL
        ORDER BY v.value DESC
        """,
        {"k": kpi, "g": gender, "y": year},
    ).df()


def query_year_range(con: duckdb.DuckDBPyConnection) -> tuple[int, int]:
    lo, hi = con.execute("SELECT min(year), max(year) FROM kolada_value").fetchall()[0]
    return int(lo), int(hi)


def query_latest_kpi_year(
    con: duckdb.DuckDBPyConnection, kpi_ids: list[str], gender: str
) -> int | None:
    """The newest year any of the KPIs has a value for (any municipality): an export's
    data vintage, whatever years the extract itself covers."""
    return con.execute(
        "SELECT max(year) FROM kolada_value WHERE list_contains($k, kpi) AND gender = $g "
        "AND value IS NOT NULL",
        {"k": kpi_ids, "g": gender},
    ).fetchall()[0][0]


def query_all_municipalities(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """(id, type) of every municipality, region and Riket."""
    return con.execute("SELECT id, type FROM municipality ORDER BY id").fetchall()


def query_municipality_names(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """(id, name) of every kommun, region and Riket, by name."""
    return con.execute("SELECT id, title FROM municipality ORDER BY title").fetchall()


def query_sdg_reference(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The 17 goals with their Swedish names and official colours."""
    return con.execute(
        "SELECT goal AS sdg, name_sv_short, name_sv_long, color_hex FROM sdg_goal ORDER BY goal"
    ).df()


def query_sdg_targets(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute(
        """
        SELECT target_code, goal AS sdg, short_title_sv, text_sv, text_en
        FROM sdg_target ORDER BY goal, target_code
        """
    ).df()


def query_sdg_kpis(con: duckdb.DuckDBPyConnection, municipality_id: str) -> pd.DataFrame:
    """The curated Agenda 2030 KPIs with their SDG, the municipality's direction-only
    status (sdg_kpi_result) and which Kolada Agenda 2030 groups list them. KPIs Kolada
    publishes only for regions have no result row and are left out."""
    return con.execute(
        """
        SELECT m.kpi_id, m.sdg, m.target_code, m.direction, m.reason AS mapping_reason,
               k.title, k.is_retired, r.status, r.reason AS status_reason, r.basis,
               r.latest_year, r.latest_value, r.change_per_year, r.as_of,
               (SELECT list(s.source ORDER BY s.source) FROM kpi_sdg s
                 WHERE s.kpi_id = m.kpi_id) AS kolada_groups
        FROM kpi_sdg_map m
        JOIN sdg_kpi_result r ON r.kpi_id = m.kpi_id AND r.municipality_id = $m
        LEFT JOIN kpi k ON k.id = m.kpi_id
        ORDER BY m.sdg, k.title
        """,
        {"m": municipality_id},
    ).df()


def query_assessment_comments(
    con: duckdb.DuckDBPyConnection, municipality_id: str
) -> list[tuple[str, dt.date, str, str | None]]:
    """Leadership's assessments: (goal, date, status, comment), oldest first."""
    return con.execute(
        "SELECT goal_id, date, status, comment FROM assessment WHERE municipality_id = ? "
        "ORDER BY goal_id, date",
        [municipality_id],
    ).fetchall()


def query_checkpoints(
    con: duckdb.DuckDBPyConnection, municipality_id: str
) -> list[tuple[str, str]]:
    """The report checkpoints the municipality's goal files name: (label, MM-DD)."""
    return con.execute(
        """
        SELECT DISTINCT c.label, c.month_day FROM checkpoint c
        JOIN framework f ON f.framework_id = c.framework_id
        WHERE f.municipality_id = ? ORDER BY c.month_day, c.label
        """,
        [municipality_id],
    ).fetchall()


def query_checkpoint_goals(con: duckdb.DuckDBPyConnection, municipality_id: str) -> pd.DataFrame:
    """Every goal's computed status at each report checkpoint (values as known then)."""
    return con.execute(
        """
        SELECT r.as_of, r.checkpoint_label, r.goal_id, g.number, g.title, g.area_id,
               a.number AS area_number, a.title AS area_title, r.status, r.reason,
               r.assessment, r.disagrees, g.framework_id, g.position
        FROM goal_result r
        JOIN goal g ON g.municipality_id = r.municipality_id AND g.goal_id = r.goal_id
        LEFT JOIN area a ON a.municipality_id = g.municipality_id AND a.area_id = g.area_id
        WHERE r.municipality_id = ? AND r.checkpoint_label IS NOT NULL
        ORDER BY r.as_of DESC, g.framework_id, g.position
        """,
        [municipality_id],
    ).df()


def query_checkpoint_indicators(
    con: duckdb.DuckDBPyConnection, municipality_id: str, label: str
) -> pd.DataFrame:
    """Every goal indicator's computed status and forecast at one report checkpoint."""
    return con.execute(
        """
        SELECT r.goal_id, g.number, g.title AS goal_title, i.title, r.status, r.reason,
               r.latest_year, r.latest_value, r.target_value, r.target_date, r.point,
               r.lo80, r.hi80, r.horizon_years
        FROM indicator_result r
        JOIN indicator i ON i.municipality_id = r.municipality_id
             AND i.indicator_id = r.indicator_id
        JOIN goal g ON g.municipality_id = r.municipality_id AND g.goal_id = r.goal_id
        WHERE r.municipality_id = ? AND r.checkpoint_label = ?
        ORDER BY g.framework_id, g.position, i.position
        """,
        [municipality_id, label],
    ).df()


def query_judging_dates(
    con: duckdb.DuckDBPyConnection, municipality_id: str
) -> list[tuple[dt.date, str | None]]:
    """The dates the ETL judged the municipality's goals on (core.judging.checkpoint_dates),
    each with its checkpoint label (None for the data date and the run's date)."""
    rows = con.execute(
        """
        SELECT as_of, max(checkpoint_label) FROM goal_result
        WHERE municipality_id = ? GROUP BY as_of ORDER BY as_of
        """,
        [municipality_id],
    ).fetchall()
    return [(d, label) for d, label in rows]


def query_goal_statuses(con: duckdb.DuckDBPyConnection, municipality_id: str) -> pd.DataFrame:
    """Every goal's status on every judged date (for "what changed since the last
    checkpoint")."""
    return con.execute(
        """
        SELECT goal_id, as_of, status FROM goal_result
        WHERE municipality_id = ? ORDER BY goal_id, as_of
        """,
        [municipality_id],
    ).df()


def query_latest_data_year(con: duckdb.DuckDBPyConnection, municipality_id: str) -> int | None:
    """The newest year with a Kolada value for any of the municipality's goal indicators."""
    return con.execute(
        """
        SELECT max(v.year) FROM kolada_value v
        WHERE v.municipality_id = $m AND v.value IS NOT NULL
          AND v.kpi IN (SELECT kpi_id FROM indicator WHERE municipality_id = $m
                        UNION SELECT successor_kpi_id FROM indicator WHERE municipality_id = $m)
        """,
        {"m": municipality_id},
    ).fetchall()[0][0]


def query_indicator_series(
    con: duckdb.DuckDBPyConnection, municipality_id: str
) -> dict[tuple[str, str], tuple[list[int], list[float]]]:
    """(KPI, gender) → the municipality's series, for every KPI its goal indicators name
    (and their successors): the small trend lines on Översikt."""
    rows = con.execute(
        """
        SELECT v.kpi, v.gender, list(v.year ORDER BY v.year), list(v.value ORDER BY v.year)
        FROM kolada_value v
        JOIN (SELECT kpi_id AS kpi, gender FROM indicator WHERE municipality_id = $m
              UNION SELECT successor_kpi_id, gender FROM indicator WHERE municipality_id = $m)
             i ON i.kpi = v.kpi AND i.gender = v.gender
        WHERE v.municipality_id = $m AND v.value IS NOT NULL
        GROUP BY v.kpi, v.gender
        """,
        {"m": municipality_id},
    ).fetchall()
    return {(k, g): (list(y), list(v)) for k, g, y, v in rows}
