"""Publication-aware vintage (issue 15 item 6): a Kolada value for a year counts as known
from the day its KPI is published (core.judging.first_known_date with the catalogue's
pattern), so a judgement as of a date never uses a value published after it: not the
ETL's stored results, not a frozen report, not the Agenda 2030 results."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import duckdb
import pytest

from core.forecast import Calibration
from core.judging import (
    FALLBACK_PUBLICATION,
    FrameworkSchedule,
    GoalInput,
    IndicatorInput,
    JudgingInputs,
    Publication,
    Series,
    first_known_date,
    is_known,
    judge_all,
    known_series,
    publication_pattern,
)
from db.judging import query_judging_inputs, query_kpi_publications

# Sjukfrånvaro (N00090) in the 2026 catalogue: published 6 March 2027 for 2026.
MARCH = publication_pattern(dt.date(2027, 3, 6), "2026")
NO_CALIBRATION = Calibration("naive", {})  # no ambition: nothing is forecast


def test_pattern_from_the_catalogue() -> None:
    assert publication_pattern(dt.date(2027, 3, 6), "2026") == Publication(1, 3, 6)
    # Låg inkomst (U01803): published 28 October 2026 for 2024, two years after.
    assert publication_pattern(dt.date(2026, 10, 28), "2024") == Publication(2, 10, 28)
    # Behöriga till yrkesprogram (N15428): published in September for the same year.
    assert publication_pattern(dt.date(2026, 9, 25), 2026) == Publication(0, 9, 25)
    # No pattern: no publication date, no period, or a period that is not a year.
    assert publication_pattern(None, "2026") is None
    assert publication_pattern(dt.date(2027, 3, 6), None) is None
    assert publication_pattern(dt.date(2027, 3, 6), "2025/26") is None


@pytest.mark.parametrize(
    ("publication", "year", "as_of", "known"),
    [
        # A KPI published in March for the previous year.
        (MARCH, 2022, dt.date(2023, 2, 28), False),
        (MARCH, 2022, dt.date(2023, 3, 5), False),
        (MARCH, 2022, dt.date(2023, 3, 6), True),  # on the publication day
        (MARCH, 2022, dt.date(2023, 4, 30), True),
        (MARCH, 2021, dt.date(2023, 2, 28), True),  # the year before is long published
        # Two years after: the 2022 value from 28 October 2024.
        (Publication(2, 10, 28), 2022, dt.date(2024, 8, 31), False),
        (Publication(2, 10, 28), 2022, dt.date(2024, 10, 28), True),
        # Published within its own year: still not before the year has ended (core.status
        # judges only the years before the judging date's).
        (Publication(0, 9, 25), 2022, dt.date(2022, 12, 31), False),
        (Publication(0, 9, 25), 2022, dt.date(2023, 1, 1), True),
        # No pattern: the conservative fallback, 31 December of the year after.
        (None, 2022, dt.date(2023, 8, 31), False),
        (None, 2022, dt.date(2023, 12, 30), False),
        (None, 2022, dt.date(2023, 12, 31), True),
    ],
)
def test_is_known(publication: Publication | None, year: int, as_of: dt.date, known: bool) -> None:
    assert is_known(year, as_of, publication) is known


def test_fallback_and_leap_day() -> None:
    assert first_known_date(2022, None) == dt.date(2023, 12, 31)
    assert first_known_date(2022, FALLBACK_PUBLICATION) == dt.date(2023, 12, 31)
    leap = Publication(1, 2, 29)  # a pattern read from a publication on 29 February
    assert first_known_date(2023, leap) == dt.date(2024, 2, 29)
    assert first_known_date(2022, leap) == dt.date(2023, 2, 28)


def test_known_series_keeps_the_published_years() -> None:
    series: Series = ([2020, 2021, 2022], [1.0, 2.0, 3.0])
    assert known_series(series, dt.date(2023, 2, 28), MARCH) == ([2020, 2021], [1.0, 2.0])
    assert known_series(series, dt.date(2023, 4, 30), MARCH) == (
        [2020, 2021, 2022],
        [1.0, 2.0, 3.0],
    )


def test_successor_judged_on_its_own_pattern() -> None:
    inp = _indicator(successor_kpi_id="NEW", successor_publication=Publication(1, 9, 1))
    assert inp.publication_of("K") == MARCH
    assert inp.publication_of("NEW") == Publication(1, 9, 1)


# ------------------------------------------------------------------ judging on a date


class _Values:
    """A ValueSource in memory: one series, the same on every date."""

    def __init__(self, series: Mapping[str, Series]) -> None:
        self._series = series

    def series(
        self, municipality_id: str, kpis: list[str], gender: str, as_of: dt.date
    ) -> Mapping[str, Series]:
        return {k: self._series[k] for k in kpis if k in self._series}

    def growth(self, kpis: list[str], as_of: dt.date) -> Mapping[tuple[str, int], float]:
        return {}

    def kommun_values(
        self, kpi: str, gender: str, year: int, as_of: dt.date
    ) -> Mapping[str, float]:
        ys, vs = self._series[kpi]
        return {"1962": vs[list(ys).index(year)]}


def _indicator(**kw: object) -> IndicatorInput:
    base: dict[str, object] = {
        "municipality_id": "1962",
        "indicator_id": "i",
        "goal_id": "g",
        "kpi_id": "K",
        "successor_kpi_id": None,
        "kpi_retired": False,
        "direction": "öka",
        "bounded_share": False,
        "ambitions": (),
        "publication": MARCH,
    }
    return IndicatorInput(**{**base, **kw})  # type: ignore[arg-type]


def test_judgement_before_the_publication_day_does_not_use_the_new_year() -> None:
    """End to end through judge_all: judged on 28 February 2023 the 2022 value, published
    on 6 March, is not used (not in the result, not in the series kept with it); on 30
    April it is."""
    inputs = JudgingInputs(
        indicators=(_indicator(),),
        goals=(
            GoalInput("1962", "g", "f", "styrande", "mätbart", "fastställd", dt.date(2026, 12, 31)),
        ),
        frameworks=(
            FrameworkSchedule("f", dt.date(2023, 1, 1), dt.date(2026, 12, 31), (), "1962"),
        ),
    )
    values = _Values({"K": ([2018, 2019, 2020, 2021, 2022], [10.0, 11.0, 12.0, 13.0, 20.0])})
    dates = [(dt.date(2023, 2, 28), None), (dt.date(2023, 4, 30), "Delår")]
    judged, _ = judge_all(inputs, values, NO_CALIBRATION, dt.date(2023, 4, 30), dates=dates)
    february, april = judged
    assert february.result.latest_year == 2021 and february.result.latest_value == 13.0
    assert february.series == ([2018, 2019, 2020, 2021], [10.0, 11.0, 12.0, 13.0])
    assert april.result.latest_year == 2022 and april.result.latest_value == 20.0
    assert april.series[0][-1] == 2022


def test_stored_results_use_only_published_values(tiny_con: duckdb.DuckDBPyConnection) -> None:
    """The ETL's stored results (tiny real snapshot, real catalogue): no result uses a year
    before its KPI published it, and a checkpoint between 1 January and the publication
    day is judged on the year before although the new year's value is in the database."""
    inputs = query_judging_inputs(tiny_con)
    by_indicator = {(i.municipality_id, i.indicator_id): i for i in inputs.indicators}
    rows = tiny_con.execute(
        """
        SELECT r.municipality_id, r.indicator_id, r.judged_kpi_id, r.as_of, r.latest_year,
               i.gender,
               EXISTS (SELECT 1 FROM kolada_value v WHERE v.kpi = r.judged_kpi_id
                       AND v.municipality_id = r.municipality_id AND v.gender = i.gender
                       AND v.year = year(r.as_of) - 1 AND v.value IS NOT NULL) AS has_new_year
        FROM indicator_result r
        JOIN indicator i USING (municipality_id, indicator_id)
        WHERE r.latest_year IS NOT NULL
        """
    ).fetchall()
    assert rows
    held_back = 0
    for m, ind, kpi, as_of, latest, _gender, has_new_year in rows:
        pattern = by_indicator[(m, ind)].publication_of(kpi)
        assert is_known(latest, as_of, pattern), (m, ind, kpi, as_of, latest)
        if has_new_year and not is_known(as_of.year - 1, as_of, pattern):
            assert latest < as_of.year - 1, (m, ind, kpi, as_of, latest)
            held_back += 1
    assert held_back > 0  # the case the rule is for occurs in the real data

    # The catalogue read: a current KPI has its pattern, a retired one without falls back.
    pubs = query_kpi_publications(tiny_con, ["N00090", "N00914", "NOPE"])
    assert pubs["N00090"] is not None and pubs["N00090"].years_after == 1
    assert pubs["N00914"] is None and pubs["NOPE"] is None
