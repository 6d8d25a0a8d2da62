"""Shared fixtures and the test marks. One environment variable (MALPULS_DATA_DIR) moves all
state, so the suite builds its own databases in temporary folders and never touches
data/malpuls.duckdb.

Two databases, each built once per session by the real pipeline:
- `tiny_paths` / `tiny_env` / `tiny_con`: a tiny real snapshot (tests/tiny.py), for the
  fast unit and AppTest runs;
- `built_paths` / `con`: the full bundled snapshot, for assertions that need all of it
  (ranks among 290 kommuner, counts checked against the bundled file).

Marks follow what a test does (pytest_collection_modifyitems): `slow` for a test that uses
the full build (and, set by hand, for the few that take many seconds by design), `live`
for one that starts the Kolada stand-in over HTTP, `browser` for tests/test_browser.py.
`make test-fast` leaves those three out; an autouse guard fails any test it selects that
still builds from the full snapshot or starts the stand-in.
"""

from __future__ import annotations

import datetime as dt
import inspect
import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import duckdb
import pytest

from config import PROJECT_ROOT, Paths
from core.goals import ReferenceData
from db import load
from etl.pipeline import build_offline
from etl.reference import read_reference_data
from tests.standin import KoladaStandIn
from tests.tiny import cut_tiny_kolada

SHARED = PROJECT_ROOT.parent / "shared"


def goal_file_without_proposals(name: str, dest: Path) -> Path:
    """A copy of a bundled goal file at `dest` as the municipality wrote it: the proposals
    `python -m etl propose` wrote into it are taken out (etl.goal_edit.remove_proposals),
    for tests that add their own target values to a file that has none."""
    from etl.goal_edit import remove_proposals

    paths = Paths.from_env()
    shutil.copy2(paths.goals_dir / name, dest)
    remove_proposals(dest, ref=read_reference_data(paths.reference_dir, paths.kolada_dir))
    return dest


@pytest.fixture(scope="session")
def reference() -> ReferenceData:
    paths = Paths.from_env()
    return read_reference_data(paths.reference_dir, paths.kolada_dir)


@pytest.fixture(scope="session")
def built_paths(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Paths]:
    """A database built once per session from the real bundled data and goal files, with
    MALPULS_DATA_DIR pointing at it (the app under AppTest reads it from there). A test
    using it is marked slow; most tests want `tiny_paths` instead."""
    folder = tmp_path_factory.mktemp("state")
    old = os.environ.get("MALPULS_DATA_DIR")
    os.environ["MALPULS_DATA_DIR"] = str(folder)
    paths = Paths.from_env()
    started = time.perf_counter()
    build_offline(paths, now=dt.datetime(2026, 1, 1), progress=lambda _m: None)
    _BUILDS["full"] = (time.perf_counter() - started, _count_values(paths.db_path))
    yield paths
    if old is None:
        os.environ.pop("MALPULS_DATA_DIR", None)
    else:
        os.environ["MALPULS_DATA_DIR"] = old


@pytest.fixture
def con(built_paths: Paths) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to the full build (the test is marked slow)."""
    c = duckdb.connect(str(built_paths.db_path), read_only=True)
    yield c
    c.close()


@pytest.fixture(scope="session")
def tiny_paths(tmp_path_factory: pytest.TempPathFactory) -> Paths:
    """A database built once per session by the real pipeline from a tiny real Kolada
    snapshot (tests/tiny.py) and all goal files. Its `kolada_dir` is the tiny snapshot, so
    a test can build it again (`replace(tiny_paths, db_path=...)`). It leaves
    MALPULS_DATA_DIR alone: AppTests take `tiny_env`, which points it here per test."""
    root = tmp_path_factory.mktemp("tiny")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MALPULS_DATA_DIR", str(root / "state"))
        base = Paths.from_env()
    paths = replace(base, kolada_dir=root / "kolada")
    paths.db_path.parent.mkdir()
    started = time.perf_counter()
    cut_tiny_kolada(base.kolada_dir, paths.goals_dir, paths.reference_dir, paths.kolada_dir)
    build_offline(paths, now=dt.datetime(2026, 1, 1), progress=lambda _m: None)
    _BUILDS["tiny"] = (time.perf_counter() - started, _count_values(paths.db_path))
    return paths


@pytest.fixture
def tiny_env(tiny_paths: Paths, monkeypatch: pytest.MonkeyPatch) -> Paths:
    """MALPULS_DATA_DIR points at the tiny database for this test (the app under AppTest
    reads it from there); restored afterwards."""
    monkeypatch.setenv("MALPULS_DATA_DIR", str(tiny_paths.db_path.parent))
    return tiny_paths


@pytest.fixture
def tiny_con(tiny_paths: Paths) -> Iterator[duckdb.DuckDBPyConnection]:
    c = duckdb.connect(str(tiny_paths.db_path), read_only=True)
    yield c
    c.close()


@pytest.fixture
def goals_dir() -> Path:
    return PROJECT_ROOT / "data" / "goals"


# ---------------------------------------------------------------------- marks and their guard

BUNDLED_KOLADA = PROJECT_ROOT / "data" / "kolada"
# Fixtures that build from the full bundled snapshot: a test using one (directly or through
# another fixture) is slow. Tests that build it inside their own body carry @pytest.mark.slow.
FULL_BUILD_FIXTURES = {"built_paths"}
LIVE_MODULES = {"test_etl_live.py", "test_standin.py"}
BROWSER_MODULES = {"test_browser.py"}
FAST_EXCLUDED = ("slow", "live", "browser")

_BUILDS: dict[str, tuple[float, int]] = {}  # "tiny"/"full" → (build seconds, values)


def _count_values(db: Path) -> int:
    with duckdb.connect(str(db), read_only=True) as c:
        return c.execute("SELECT count(*) FROM kolada_value").fetchall()[0][0]


def _starts_standin(item: pytest.Item) -> bool:
    """A test whose own body starts the stand-in or the live ETL (as in test_reports.py)."""
    try:
        source = inspect.getsource(item.function)  # type: ignore[attr-defined]
    except (AttributeError, OSError, TypeError):
        return False
    return "KoladaStandIn(" in source or "run_live(" in source


def pytest_configure(config: pytest.Config) -> None:
    # pytest-xdist registers this mark; declared here too so a browser module also runs
    # under `-p no:xdist` with --strict-markers.
    config.addinivalue_line("markers", "xdist_group(name): run in one xdist worker")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        module = item.path.name
        if module in BROWSER_MODULES:
            item.add_marker(pytest.mark.browser)
            # Under pytest-xdist (`--dist loadgroup`) the browser tests share one worker and
            # so one Streamlit server and one Chromium.
            item.add_marker(pytest.mark.xdist_group("browser"))
        if module in LIVE_MODULES or _starts_standin(item):
            item.add_marker(pytest.mark.live)
        if FULL_BUILD_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(autouse=True)
def _fast_tests_stay_fast(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """So the marks cannot drift: a test that `make test-fast` selects (no slow, live or
    browser mark) fails if it loads the full bundled snapshot or starts the stand-in."""
    if any(request.node.get_closest_marker(m) for m in FAST_EXCLUDED):
        yield
        return
    broken: list[str] = []
    load_snapshot = load.load_kolada_snapshot

    def guarded_load(con: duckdb.DuckDBPyConnection, folder: Path) -> None:
        if Path(folder).resolve() == BUNDLED_KOLADA.resolve():
            broken.append(
                "builds from the full bundled snapshot: use tiny_paths/tiny_env/tiny_con, "
                "or mark it @pytest.mark.slow"
            )
            pytest.fail(broken[-1])
        load_snapshot(con, folder)

    def refuse_start(self: KoladaStandIn) -> KoladaStandIn:
        broken.append("starts the Kolada stand-in over HTTP: mark it @pytest.mark.live")
        pytest.fail(broken[-1])

    monkeypatch.setattr(load, "load_kolada_snapshot", guarded_load)
    monkeypatch.setattr(KoladaStandIn, "start", refuse_start)
    yield
    # The app under AppTest reports a failure inside its script as a page exception: fail
    # here too, with the reason.
    if broken:
        pytest.fail(f"{request.node.nodeid} {broken[0]}")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    for name, (seconds, values) in sorted(_BUILDS.items(), reverse=True):
        terminalreporter.write_line(
            f"{name} database: built in {seconds:.1f} s, {values:,} Kolada values"
        )
