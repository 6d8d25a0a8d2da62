"""Reads for the Målvärden chart (issue 16): the Liknande kommuner's band over the years.

Called by reports.targets_doc (the chart both the page and the document draw). The
municipality's own series, Riket and the peers' median come from db.queries.query_history;
this adds the spread around that median, so a proposed delmål can be read against where
similar municipalities actually are.
"""

from __future__ import annotations

import duckdb
import pandas as pd


def query_peer_band(
    con: duckdb.DuckDBPyConnection, kpi: str, gender: str, peers: list[str]
) -> pd.DataFrame:
    """Per year the peers' lower quartile, median and upper quartile (computed here) and
    how many of them have a value: year, q25, median, q75, n. Empty without peers.

    Continuous quartiles (`quantile_cont`), as numpy's default: with 7-8 peers a quartile
    lies between two municipalities, and the band should not jump to one of them."""
    return con.execute(
        """
        SELECT v.year, quantile_cont(v.value, 0.25) AS q25, median(v.value) AS median,
               quantile_cont(v.value, 0.75) AS q75, count(*) AS n
        FROM kolada_value v
        WHERE v.kpi = $k AND v.gender = $g AND list_contains($p, v.municipality_id)
          AND v.value IS NOT NULL
        GROUP BY v.year
        ORDER BY v.year
        """,
        {"k": kpi, "g": gender, "p": peers},
    ).df()
