"""Level breaks: the years Kolada redefined a KPI, found in the KPI's panel across
municipalities. Pure; `segment_start` is called by core.judging.panel_growth (goal
indicators, the what-if) and by etl/results.py (Agenda 2030 KPIs), so a series is judged
on the segment after its KPI's latest break, never across it.

A redefinition moves every geography's level in the same year (U01803, "Invånare 18-64 år
med låg inkomst": Riket 21,0 → 14,4 from 2018 to 2019, every kommun down), while a
municipality's own jump moves one series. So a break is a year whose cross-sectional
median of year-to-year relative changes is an outlier against the KPI's own medians of
other years, taken by almost all kommuner and by Riket the same way, and large.

The thresholds were set on data/malpuls.duckdb (the goal files' 68 KPIs, 2026-11): U01803
2019 (median change −33,8 %, 22 robust standard deviations from the KPI's typical median
change, 100 % of kommuner down, Riket down) and N07900 2010 (broadband ≥ 100 Mbit/s,
−38,7 %, 9,3 sd, 90 % down, Riket 53 → 42) are breaks, and so is N09807 2004 (library
visits, +25 %, 13 sd, 85 % up; Kolada has no Riket value then). The known non-breaks stay below
them: the financial crisis of 2009 (N02797 +23,8 % at 4,3 sd; N00914 −3,7 % at 4,6 sd),
U01803's own 2018 (+5,8 % at 3,7 sd), slow KPIs whose median change hardly moves (N00923:
0,4 % at 11 sd, below the size floor), and the pandemic: library visits, sports and
antibiotics fell in 2020–2021 and came back in 2022 (N09807, N09805, U09800, N00404), a
shock that reverses, not a new definition. A jump counts as a break only once the
REVERSAL_YEARS after it are known and it has not reversed: in the year of a jump a
redefinition and a pandemic look alike (U01803's 2019 is a break from the 2021 values on;
without the wait the pandemic KPIs were cut at 2020 on the 2021–2022 checkpoints).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

# In robust standard deviations (1,4826 × MAD) of the KPI's yearly median changes. Above
# the 2009 crisis (4,6) and the 2020 antibiotics drop (6,0); below N07900 2010 (9,3).
BREAK_Z = 8.0
# The median change must also be large: a slow KPI (MAD near zero) makes a tiny change
# an outlier in sd units without moving anyone's level.
MIN_BREAK_CHANGE = 0.10
# The share of kommuner changing the same way as the median (U01803 2019: 100 %).
MIN_SAME_DIRECTION = 0.8
# A jump within this many years of an opposite jump of at least half the threshold is a
# shock and its return (the pandemic years), not a break; a jump is not a break until the
# years after it are known.
REVERSAL_YEARS = 2
MIN_KOMMUNER = 10  # kommuner with both years for a year's median to count
MIN_YEARS = 5  # yearly medians needed before a typical change can be told
RIKET = "0000"

Panel = Sequence[tuple[str, Sequence[int], Sequence[float]]]


def _is_kommun(geography: str) -> bool:
    # Kolada's ids: Riket 0000, regions 0001–0025, kommuner from 0114.
    return not geography.startswith("00")


def yearly_changes(panel: Panel, up_to: int | None = None) -> dict[int, np.ndarray]:
    """Year Y → every kommun's relative change from Y−1 to Y (kommuner with both values,
    the earlier one non-zero), for years up to `up_to`."""
    out: dict[int, list[float]] = {}
    for geo, years, values in panel:
        if not _is_kommun(geo):
            continue
        s = dict(zip(years, values, strict=True))
        for y, v in s.items():
            prev = s.get(y - 1)
            if (up_to is None or y <= up_to) and prev is not None and prev != 0:
                out.setdefault(y, []).append((v - prev) / abs(prev))
    return {y: np.array(c) for y, c in sorted(out.items()) if len(c) >= MIN_KOMMUNER}


def _riket_change(panel: Panel, year: int) -> float | None:
    for geo, years, values in panel:
        if geo == RIKET:
            s = dict(zip(years, values, strict=True))
            if year in s and s.get(year - 1):
                return (s[year] - s[year - 1]) / abs(s[year - 1])
    return None


def level_breaks(panel: Panel, up_to: int | None = None) -> tuple[int, ...]:
    """The years (ascending) in which one KPI's level breaks across the country, seen
    from its panel of (geography, years, values) series using only years up to `up_to`
    (a judgement never looks at years it could not know). A year Y is a break when:

    - the median over kommuner of the relative change Y−1 → Y lies more than BREAK_Z
      robust standard deviations from the median of the KPI's yearly medians, and is at
      least MIN_BREAK_CHANGE in size;
    - at least MIN_SAME_DIRECTION of the kommuner changed the same way, and Riket did
      too (where it has both years);
    - the REVERSAL_YEARS after it are known, and no opposite jump of half the threshold
      lies within REVERSAL_YEARS years of it (a shock that returns is no break)."""
    changes = yearly_changes(panel, up_to)
    if len(changes) < MIN_YEARS:
        return ()
    years = list(changes)
    medians = np.array([np.median(changes[y]) for y in years])
    centre = np.median(medians)
    scale = 1.4826 * np.median(np.abs(medians - centre))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(scale > 0, (medians - centre) / scale, np.sign(medians - centre) * np.inf)
    out = []
    for i, y in enumerate(years):
        m = medians[i]
        if abs(z[i]) <= BREAK_Z or abs(m) < MIN_BREAK_CHANGE or y + REVERSAL_YEARS > years[-1]:
            continue
        if np.mean(np.sign(changes[y]) == np.sign(m)) < MIN_SAME_DIRECTION:
            continue
        riket = _riket_change(panel, y)
        if riket is not None and np.sign(riket) != np.sign(m):
            continue
        reversed_ = any(
            abs(y2 - y) <= REVERSAL_YEARS and z[j] * np.sign(z[i]) < -BREAK_Z / 2
            for j, y2 in enumerate(years)
        )
        if not reversed_:
            out.append(y)
    return tuple(out)


def segment_start(panel: Panel, origin: int) -> int | None:
    """The first year of the segment a series ending at `origin` is judged on: the latest
    break up to `origin`, or None without one."""
    breaks = level_breaks(panel, up_to=origin)
    return breaks[-1] if breaks else None
