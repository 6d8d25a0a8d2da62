"""Shared fixtures. One environment variable (MALPULS_DATA_DIR) moves all state, so the
suite builds its own database in a temporary folder and never touches data/malpuls.duckdb."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from config import PROJECT_ROOT, Paths
from core.goals import ReferenceData
from etl.pipeline import build_offline
from etl.reference import read_reference_data

SHARED = PROJECT_ROOT.parent / "shared"


@pytest.fixture(scope="session")
def reference() -> ReferenceData:
    paths = Paths.from_env()
    return read_reference_data(paths.reference_dir, paths.kolada_dir)


@pytest.fixture(scope="session")
def built_paths(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Paths]:
    """A database built once per session from the real bundled data and goal files, with
    MALPULS_DATA_DIR pointing at it (the app under AppTest reads it from there)."""
    folder = tmp_path_factory.mktemp("state")
    old = os.environ.get("MALPULS_DATA_DIR")
    os.environ["MALPULS_DATA_DIR"] = str(folder)
    paths = Paths.from_env()
    build_offline(paths, now=dt.datetime(2026, 1, 1), progress=lambda _m: None)
    yield paths
    if old is None:
        os.environ.pop("MALPULS_DATA_DIR", None)
    else:
        os.environ["MALPULS_DATA_DIR"] = old


@pytest.fixture
def con(built_paths: Paths) -> Iterator[duckdb.DuckDBPyConnection]:
    c = duckdb.connect(str(built_paths.db_path), read_only=True)
    yield c
    c.close()


@pytest.fixture
def goals_dir() -> Path:
    return PROJECT_ROOT / "data" / "goals"
