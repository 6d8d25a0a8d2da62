"""db.checks: the checks before publishing."""

from __future__ import annotations

from pathlib import Path

from db import checks
from db.connection import create_database


def test_duplicate_values_in_the_whole_table_or_among_written_kpis(tmp_path: Path) -> None:
    con = create_database(tmp_path / "x.duckdb")
    try:
        con.execute(
            "INSERT INTO kolada_value VALUES ('A', '0665', 2020, 'T', 1.0), "
            "('A', '0665', 2020, 'T', 2.0), ('B', '0665', 2020, 'T', 3.0), "
            "('B', '0665', 2021, 'T', 3.0)"
        )
        assert checks.query_duplicate_values(con) == 1
        assert checks.query_duplicate_values(con, ["A", "C"]) == 1
        assert checks.query_duplicate_values(con, ["B"]) == 0
        assert checks.query_duplicate_values(con, []) == 0  # a quiet night wrote nothing
    finally:
        con.close()
