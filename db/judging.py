"""Reads for judging: what the ETL, the report freezer and the what-if need to judge goals
as of a date. Kept apart from the page reads (db/queries.py): these feed core.judging and
return its types.

`ValuesAsOf` is core.judging's ValueSource over the database: values as they were known on
a date (the `values_as_of` table macro in schema.sql) where a live run has changed values
since, the current values otherwise. It reads each (KPI, gender) series' values and
revisions once and works out every date's values in memory (KpiHistory): a query per date,
series and KPI cost a night's run minutes once value_revision held a year of changes
(issue 14). The per-query reads below (query_series, query_kpi_panel, query_kommun_values
with `as_of`) answer the same questions straight from the macro: the what-if and the SDG
results use them for current values, and the tests hold ValuesAsOf to them.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from core.judging import (
    FrameworkSchedule,
    GoalInput,
    IndicatorInput,
    JudgingInputs,
    KpiTrend,
    Publication,
    Series,
    is_bounded_share,
    panel_growth,
    publication_pattern,
    vintage_date,
)
from core.scope import peer_group
from core.status import Ambition
from db.queries import query_peer_groups


def _values_source(as_of: dt.date | None) -> tuple[str, list]:
    """The table expression for Kolada values: current, or as known at the end of a day
    (db/schema.sql: values_as_of) with its parameter."""
    if as_of is None:
        return "kolada_value", []
    return "values_as_of(?::DATE)", [as_of]


def query_series(
    con: duckdb.DuckDBPyConnection,
    municipality_id: str,
    kpis: list[str],
    gender: str,
    as_of: dt.date | None = None,
) -> dict[str, tuple[list[int], list[float]]]:
    source, params = _values_source(as_of)
    rows = con.execute(
        f"""
        SELECT kpi, list(year ORDER BY year), list(value ORDER BY year) FROM {source}
        WHERE municipality_id = ? AND list_contains(?, kpi) AND gender = ?
          AND value IS NOT NULL
        GROUP BY kpi
        """,
        [*params, municipality_id, kpis, gender],
    ).fetchall()
    return {k: (list(y), list(v)) for k, y, v in rows}


def query_kpi_panel(
    con: duckdb.DuckDBPyConnection, kpi: str, as_of: dt.date | None = None
) -> list[tuple[str, list, list]]:
    """Every geography's gender-T series of one KPI (for the pooled trend)."""
    source, params = _values_source(as_of)
    return con.execute(
        f"""
        SELECT municipality_id, list(year ORDER BY year), list(value ORDER BY year)
        FROM {source} WHERE kpi = ? AND gender = 'T' AND value IS NOT NULL
        GROUP BY municipality_id ORDER BY municipality_id
        """,
        [*params, kpi],
    ).fetchall()


def query_kommun_values(
    con: duckdb.DuckDBPyConnection,
    kpi: str,
    gender: str,
    year: int,
    as_of: dt.date | None = None,
) -> list[tuple[str, float]]:
    source, params = _values_source(as_of)
    return con.execute(
        f"""
        SELECT v.municipality_id, v.value FROM {source} v
        JOIN municipality m ON m.id = v.municipality_id AND m.type = 'K'
        WHERE v.kpi = ? AND v.gender = ? AND v.year = ? AND v.value IS NOT NULL
        """,
        [*params, kpi, gender, year],
    ).fetchall()


def query_kommun_ids(con: duckdb.DuckDBPyConnection) -> frozenset[str]:
    """The municipalities of type kommun (the field a rank is taken over)."""
    return frozenset(
        r[0] for r in con.execute("SELECT id FROM municipality WHERE type = 'K'").fetchall()
    )


def query_kpi_histories(
    con: duckdb.DuckDBPyConnection, series: list[tuple[str, str]]
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """The current values (non-null) of these (KPI, gender) series and every recorded
    revision of them, as column arrays in no particular order: (kpi, gender,
    municipality_id, year, value) and (kpi, gender, municipality_id, year, old_value with
    `no_old` where it is NULL, the run's `day` as days since 1970-01-01, its time `at` in
    microseconds). Two scans in all: read one KPI at a time, the same took a second and a
    half for a night's 68 KPIs."""
    wanted = {"kpis": [k for k, _ in series], "genders": [g for _, g in series]}
    current = con.execute(
        """
        SELECT kpi, gender, municipality_id, CAST(year AS INTEGER) AS year, value
        FROM kolada_value
        SEMI JOIN (SELECT unnest($kpis) AS kpi, unnest($genders) AS gender) USING (kpi, gender)
        WHERE value IS NOT NULL
        """,
        wanted,
    ).fetchnumpy()
    revisions = con.execute(
        """
        SELECT kpi, gender, municipality_id, CAST(year AS INTEGER) AS year,
               coalesce(old_value, 0) AS old_value, old_value IS NULL AS no_old,
               CAST(CAST(replaced_at AS DATE) - DATE '1970-01-01' AS INTEGER) AS day,
               epoch_us(replaced_at) AS at
        FROM value_revision
        SEMI JOIN (SELECT unnest($kpis) AS kpi, unnest($genders) AS gender) USING (kpi, gender)
        """,
        wanted,
    ).fetchnumpy()
    return current, revisions


_EPOCH = dt.date(1970, 1, 1)


@dataclass(frozen=True)
class KpiHistory:
    """One KPI's series of one gender as known on any date, in memory: the
    `values_as_of` macro of schema.sql answered from one read of the current values and
    revisions instead of one query per date and series.

    The rule is the macro's, row for row: a key that a run changed after the date takes
    the old value of its earliest such revision, skipping revisions without an old value
    as the macro's arg_min does; a key whose later revisions all lack one is left out;
    every other key keeps its current value. tests/test_results_incremental.py holds the
    two together on a history of added, changed, deleted and re-added values.

    Keys (municipality, year) are numbered in that order, so a municipality's series is a
    contiguous run (`spans`, in municipality order) ordered by year."""

    municipality: np.ndarray  # per key
    year: np.ndarray
    present: np.ndarray  # per key: has a current value
    value: np.ndarray  # that value
    rev_key: np.ndarray  # per revision, ordered by key and, within a key, by time
    rev_day: np.ndarray  # the run's day, days since 1970-01-01
    rev_old: np.ndarray  # the value it replaced
    rev_has_old: np.ndarray  # False where the key had no value before the run
    days: np.ndarray  # the days with a revision, ascending
    spans: dict[str, slice]  # municipality → its keys

    def vintage(self, as_of: dt.date) -> int | None:
        """The first day after `as_of` on which a run changed this series (days since
        1970), or None when none did: every date with the same answer sees the same
        values."""
        days = self.days
        last = _EPOCH + dt.timedelta(days=int(days[-1])) if len(days) else None
        if vintage_date(as_of, last) is None:
            return None
        return int(days[np.searchsorted(days, (as_of - _EPOCH).days, "right")])

    def as_of(self, vintage: int | None) -> tuple[np.ndarray, np.ndarray]:
        """(present, value) per key as known before the runs of day `vintage` (current
        values for None)."""
        if vintage is None:
            return self.present, self.value
        later = self.rev_day >= vintage
        present, value = self.present.copy(), self.value.copy()
        present[self.rev_key[later]] = False
        has_old = later & self.rev_has_old
        keys, first = np.unique(self.rev_key[has_old], return_index=True)
        value[keys] = self.rev_old[has_old][first]
        present[keys] = True
        return present, value


def _histories(
    current: dict[str, np.ndarray], revisions: dict[str, np.ndarray]
) -> dict[tuple[str, str], KpiHistory]:
    """Split query_kpi_histories' columns into one KpiHistory per (KPI, gender). Every
    key, current or revised, is numbered by sorting (kpi, gender, municipality, year)
    codes, so no Python loop runs per value."""
    n_cur = len(current["kpi"])
    year = np.concatenate([current["year"], revisions["year"]]).astype(np.int64)
    if not len(year):
        return {}
    codes, labels = {}, {}
    for c in ("kpi", "gender", "municipality_id"):
        both = np.concatenate([current[c], revisions[c]])
        codes[c], labels[c] = pd.factorize(both, sort=True)
    y0, ny = int(year.min()), int(year.max() - year.min()) + 1
    ng, nm = len(labels["gender"]), len(labels["municipality_id"])
    series = codes["kpi"] * ng + codes["gender"]
    composite = (series * nm + codes["municipality_id"]) * ny + year - y0
    keys, index = np.unique(composite, return_inverse=True)
    key_series = keys // (nm * ny)
    key_muni = np.asarray(labels["municipality_id"], dtype=object)[keys // ny % nm]
    key_year = keys % ny + y0
    cur_key, rev_key = index[:n_cur], index[n_cur:]
    order = np.lexsort((revisions["at"], rev_key))
    rev_key = rev_key[order]
    rev_day = revisions["day"][order].astype(np.int64)
    rev_old = revisions["old_value"][order]
    rev_has_old = ~revisions["no_old"][order].astype(bool)
    present = np.zeros(len(keys), dtype=bool)
    present[cur_key] = True
    value = np.full(len(keys), np.nan)
    value[cur_key] = current["value"]

    out = {}
    bounds = np.searchsorted(key_series, np.arange(len(labels["kpi"]) * ng + 1))
    for code, (a, b) in enumerate(itertools.pairwise(bounds)):
        if a == b:
            continue
        ra, rb = np.searchsorted(rev_key, [a, b])
        muni = key_muni[a:b]
        runs = np.flatnonzero(np.r_[True, muni[1:] != muni[:-1], True])
        kpi, gender = labels["kpi"][code // ng], labels["gender"][code % ng]
        out[(str(kpi), str(gender))] = KpiHistory(
            municipality=muni,
            year=key_year[a:b],
            present=present[a:b],
            value=value[a:b],
            rev_key=rev_key[ra:rb] - a,
            rev_day=rev_day[ra:rb],
            rev_old=rev_old[ra:rb],
            rev_has_old=rev_has_old[ra:rb],
            days=np.unique(rev_day[ra:rb]),
            spans={muni[i]: slice(int(i), int(j)) for i, j in itertools.pairwise(runs)},
        )
    return out


_NONE, _INT, _FLOAT, _BOOL = (np.array([], dtype=t) for t in (object, np.int64, float, bool))
_EMPTY = KpiHistory(
    municipality=_NONE,
    year=_INT,
    present=_BOOL,
    value=_FLOAT,
    rev_key=_INT,
    rev_day=_INT,
    rev_old=_FLOAT,
    rev_has_old=_BOOL,
    days=_INT,
    spans={},
)


Panel = list[tuple[str, list[int], list[float]]]


class ValuesAsOf:
    """core.judging.ValueSource over the database. Each (KPI, gender) series is read once
    (KpiHistory) and its values as known on a date are computed in memory, once per
    distinct set of runs after the date; the pooled trend is computed only for the origin
    years asked for."""

    def __init__(
        self, con: duckdb.DuckDBPyConnection, series: Iterable[tuple[str, str]] = ()
    ) -> None:
        """`series`: (KPI, gender) to read up front, in one go (what a run will judge; the
        pooled trend reads gender T); any other is read when first asked for."""
        self.con = con
        self._history: dict[tuple[str, str], KpiHistory] = {}
        self._states: dict[tuple[str, str, int | None], tuple[np.ndarray, np.ndarray]] = {}
        self._panels: dict[tuple[str, int | None], Panel] = {}
        self._growth: dict[tuple[str, int | None, int], KpiTrend | None] = {}
        self._kommuner: frozenset[str] | None = None
        self._is_kommun: dict[tuple[str, str], np.ndarray] = {}
        self._kommun_keys: dict[tuple[str, str, int], np.ndarray] = {}
        self.read(series)

    def read(self, series: Iterable[tuple[str, str]]) -> None:
        """Read the histories of these (KPI, gender) series not read yet (one without
        values or revisions has an empty one)."""
        wanted = sorted(set(series) - self._history.keys())
        if wanted:
            found = _histories(*query_kpi_histories(self.con, wanted))
            self._history |= {s: found.get(s, _EMPTY) for s in wanted}

    def _state(
        self, kpi: str, gender: str, as_of: dt.date
    ) -> tuple[KpiHistory, int | None, np.ndarray, np.ndarray]:
        if (kpi, gender) not in self._history:
            self.read([(kpi, gender)])
        h = self._history[(kpi, gender)]
        v = h.vintage(as_of)
        if (kpi, gender, v) not in self._states:
            self._states[(kpi, gender, v)] = h.as_of(v)
        return h, v, *self._states[(kpi, gender, v)]

    def series(
        self, municipality_id: str, kpis: list[str], gender: str, as_of: dt.date
    ) -> Mapping[str, Series]:
        out: dict[str, tuple[list[int], list[float]]] = {}
        for kpi in kpis:
            h, _, present, value = self._state(kpi, gender, as_of)
            span = h.spans.get(municipality_id)
            if span is None or not present[span].any():
                continue
            p = present[span]
            out[kpi] = (h.year[span][p].tolist(), value[span][p].tolist())
        return out

    def kpi_panel(self, kpi: str, as_of: dt.date) -> tuple[int | None, Panel]:
        """Every geography's gender-T series of the KPI, as query_kpi_panel reads it, and
        the vintage it was read for."""
        h, v, present, value = self._state(kpi, "T", as_of)
        if (kpi, v) not in self._panels:
            panel = []
            for m, span in h.spans.items():
                p = present[span]
                if p.any():
                    panel.append((m, h.year[span][p].tolist(), value[span][p].tolist()))
            self._panels[(kpi, v)] = panel
        return v, self._panels[(kpi, v)]

    def growth(self, kpis: list[str], as_of: dt.date) -> Mapping[tuple[str, int], KpiTrend]:
        return _PooledGrowth(self, tuple(kpis), as_of)

    def pooled_growth(self, kpi: str, year: int, as_of: dt.date) -> KpiTrend | None:
        """The KPI's pooled trend at one origin year and the level break it starts at, as
        panel_growth gives them for all."""
        v, panel = self.kpi_panel(kpi, as_of)
        if (kpi, v, year) not in self._growth:
            self._growth[(kpi, v, year)] = panel_growth(panel, [year]).get(year)
        return self._growth[(kpi, v, year)]

    def kommun_values(
        self, kpi: str, gender: str, year: int, as_of: dt.date
    ) -> Mapping[str, float]:
        h, _, present, value = self._state(kpi, gender, as_of)
        if self._kommuner is None:
            self._kommuner = query_kommun_ids(self.con)
        if (kpi, gender) not in self._is_kommun:
            kommuner = self._kommuner
            self._is_kommun[(kpi, gender)] = np.fromiter(
                (m in kommuner for m in h.municipality), bool, len(h.year)
            )
        if (kpi, gender, year) not in self._kommun_keys:
            self._kommun_keys[(kpi, gender, year)] = np.flatnonzero(
                self._is_kommun[(kpi, gender)] & (h.year == year)
            )
        keys = self._kommun_keys[(kpi, gender, year)]
        keys = keys[present[keys]]
        return dict(zip(h.municipality[keys].tolist(), value[keys].tolist(), strict=True))


class _PooledGrowth(Mapping[tuple[str, int], KpiTrend]):
    """ValuesAsOf.growth's answer: (KPI, origin year) → pooled trend and the level break
    it starts at (core.judging.KpiTrend), each computed when first looked up. Judging an
    indicator on a date needs one origin of each KPI; working out every origin of every
    KPI's panel on every date was most of a night's run."""

    def __init__(self, source: ValuesAsOf, kpis: tuple[str, ...], as_of: dt.date) -> None:
        self._source, self._kpis, self._as_of = source, kpis, as_of

    def __getitem__(self, key: tuple[str, int]) -> KpiTrend:
        kpi, year = key
        g = self._source.pooled_growth(kpi, year, self._as_of) if kpi in self._kpis else None
        if g is None:
            raise KeyError(key)
        return g

    def _all(self) -> dict[tuple[str, int], KpiTrend]:
        out: dict[tuple[str, int], KpiTrend] = {}
        for kpi in self._kpis:
            _, panel = self._source.kpi_panel(kpi, self._as_of)
            out |= {(kpi, y): g for y, g in panel_growth(panel).items()}
        return out

    def __iter__(self) -> Iterator[tuple[str, int]]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())


@dataclass(frozen=True)
class IndicatorFacts:
    """What a stored result or a report shows beside the judgement (not an input to it)."""

    title: str
    unit: str | None
    publication_date: dt.date | None  # the next publication of the KPI judged


def _opt(v: Any) -> Any:
    """pandas gives NaN/NaT for a missing value; core wants None."""
    return None if v is None or (not isinstance(v, str | list) and pd.isna(v)) else v


def _date(v: Any) -> dt.date | None:
    v = _opt(v)
    return None if v is None else pd.Timestamp(v).date()


def _indicator_frame(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute(
        """
        SELECT i.municipality_id, i.indicator_id, i.goal_id, i.title, i.kpi_id,
               i.successor_kpi_id, coalesce(k.is_retired, false) AS kpi_retired,
               i.direction, i.gender, i.unit,
               k.title AS kpi_title, k.publication_date, k.publ_period,
               sk.publication_date AS succ_publication, sk.publ_period AS succ_publ_period,
               f.period_end
        FROM indicator i
        JOIN goal g ON g.municipality_id = i.municipality_id AND g.goal_id = i.goal_id
        JOIN framework f ON f.framework_id = g.framework_id
        LEFT JOIN kpi k ON k.id = i.kpi_id
        LEFT JOIN kpi sk ON sk.id = i.successor_kpi_id
        ORDER BY i.municipality_id, i.goal_id, i.position
        """
    ).df()


def query_judging_inputs(con: duckdb.DuckDBPyConnection) -> JudgingInputs:
    """Every goal indicator and goal with what judging them needs (not the values)."""
    ambitions: dict[tuple[str, str], list[Ambition]] = {}
    for m, i, d, v, kind, provenance in con.execute(
        "SELECT municipality_id, indicator_id, date, value, kind, provenance FROM ambition "
        "ORDER BY ALL"
    ).fetchall():
        ambitions.setdefault((m, i), []).append(Ambition(d, v, kind, provenance))
    indicators = tuple(
        IndicatorInput(
            municipality_id=r.municipality_id,
            indicator_id=r.indicator_id,
            goal_id=r.goal_id,
            kpi_id=_opt(r.kpi_id),
            successor_kpi_id=_opt(r.successor_kpi_id),
            kpi_retired=bool(r.kpi_retired),
            direction=r.direction,
            bounded_share=is_bounded_share(_opt(r.unit), _opt(r.kpi_title)),
            ambitions=tuple(ambitions.get((r.municipality_id, r.indicator_id), ())),
            gender=r.gender,
            period_end=_date(r.period_end),
            publication=publication_pattern(_date(r.publication_date), _opt(r.publ_period)),
            successor_publication=publication_pattern(
                _date(r.succ_publication), _opt(r.succ_publ_period)
            ),
        )
        for r in _indicator_frame(con).itertuples()
    )
    goal_rows = con.execute(
        """
        SELECT g.municipality_id, g.goal_id, g.framework_id, g.type, g.measurability,
               g.definition_status, f.period_end, m.title AS municipality
        FROM goal g JOIN framework f ON f.framework_id = g.framework_id
        JOIN municipality m ON m.id = g.municipality_id
        ORDER BY g.municipality_id, g.framework_id, g.position
        """
    ).fetchall()
    goals = tuple(GoalInput(*r[:7]) for r in goal_rows)
    frameworks = tuple(
        FrameworkSchedule(f, start, end, tuple((label, md) for label, md in cps), m)
        for f, start, end, cps, m in con.execute(
            """
            SELECT f.framework_id, f.period_start, f.period_end,
                   coalesce((SELECT list((c.label, c.month_day) ORDER BY c.position)
                      FROM checkpoint c WHERE c.framework_id = f.framework_id), []),
                   f.municipality_id
            FROM framework f ORDER BY f.framework_id
            """
        ).fetchall()
    )
    assessments: dict[tuple[str, str], list[tuple[dt.date, str]]] = {}
    for m, g, d, status in con.execute(
        "SELECT municipality_id, goal_id, date, status FROM assessment ORDER BY ALL"
    ).fetchall():
        assessments.setdefault((m, g), []).append((d, status))
    groups = query_peer_groups(con)
    peers = {}
    for m, name in {(r[0], r[7]) for r in goal_rows}:
        group = peer_group(groups, name)
        peers[m] = tuple(group[1]) if group else ()
    return JudgingInputs(
        indicators=indicators,
        goals=goals,
        frameworks=frameworks,
        assessments={k: tuple(v) for k, v in assessments.items()},
        peers=peers,
    )


def query_indicator_facts(
    con: duckdb.DuckDBPyConnection,
) -> dict[tuple[str, str, str | None], IndicatorFacts]:
    """(municipality, indicator, KPI judged) → title, unit and next publication; the
    publication is the successor's when the successor is judged."""
    out: dict[tuple[str, str, str | None], IndicatorFacts] = {}
    for r in _indicator_frame(con).itertuples():
        key = (r.municipality_id, r.indicator_id)
        out[(*key, _opt(r.kpi_id))] = IndicatorFacts(
            r.title, _opt(r.unit), _date(r.publication_date)
        )
        if _opt(r.successor_kpi_id):
            out[(*key, r.successor_kpi_id)] = IndicatorFacts(
                r.title, _opt(r.unit), _date(r.succ_publication)
            )
    return out


def query_kpi_publications(
    con: duckdb.DuckDBPyConnection, kpis: list[str]
) -> dict[str, Publication | None]:
    """KPI → its publication pattern in the catalogue (None without one, or for a KPI not
    in it): when a value for a year counts as known (core.judging.is_known)."""
    rows = con.execute(
        "SELECT id, publication_date, publ_period FROM kpi WHERE list_contains(?, id)", [kpis]
    ).fetchall()
    found = {k: publication_pattern(d, period) for k, d, period in rows}
    return {k: found.get(k) for k in kpis}


def query_sdg_kpi_directions(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str, str]]:
    """Curated Agenda 2030 KPI → (its direction, its title), leaving out KPIs Kolada
    publishes for regions only (a kommun has no value for them). One direction per KPI is
    checked when the mapping is read."""
    rows = con.execute(
        """
        SELECT DISTINCT m.kpi_id, m.direction, coalesce(k.title, '')
        FROM kpi_sdg_map m LEFT JOIN kpi k ON k.id = m.kpi_id
        WHERE coalesce(k.municipality_type, '') <> 'L'
        ORDER BY 1
        """
    ).fetchall()
    return {kpi: (direction, title) for kpi, direction, title in rows}
