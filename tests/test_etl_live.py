"""The nightly ETL over real HTTP against the local Kolada v3 stand-in (tests/standin),
serving the bundled real data. Faulted, the run either completes with exactly the right
data, or fails with a clear message, a non-zero exit and a published database
byte-identical to before: one whole run for each of the two outcomes. Each fault on its own
(which are retried, how long to wait, when to give up) is tested on the client, in
milliseconds, in test_kolada_client.py."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import duckdb
import pytest

from config import PROJECT_ROOT, Paths
from core.errors import MalpulsError
from db import migrations
from etl.kolada_client import KoladaError
from etl.live import LiveResult, run_live, run_lock
from etl.pipeline import build_offline
from etl.settings import Settings

from .standin import KoladaStandIn, quick_settings

NOW = dt.datetime(2026, 11, 22, 3, 0)
KOLADA = PROJECT_ROOT / "data" / "kolada"
GOALS = PROJECT_ROOT / "data" / "goals"


@pytest.fixture(scope="module")
def api() -> Iterator[KoladaStandIn]:
    with KoladaStandIn(KOLADA) as server:
        yield server


@pytest.fixture(autouse=True)
def _clean_api(api: KoladaStandIn) -> Iterator[None]:
    api.clear_faults()
    api.clear_log()
    yield
    api.clear_faults()


@pytest.fixture(scope="module")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An offline-built database (bundled snapshot + all goal files), built once."""
    folder = tmp_path_factory.mktemp("template")
    paths = replace(
        Paths.from_env(), db_path=folder / "malpuls.duckdb", status_path=folder / "etl_status.json"
    )
    build_offline(paths, now=NOW - dt.timedelta(days=30), progress=lambda _m: None)
    return paths.db_path


def _goals(tmp_path: Path, *names: str) -> Path:
    """A goal folder with some of the real goal files (fewer KPIs keep fault tests quick)."""
    folder = tmp_path / "goals"
    folder.mkdir()
    for name in names or [p.name for p in GOALS.glob("*.yaml")]:
        shutil.copy(GOALS / name, folder / name)
    return folder


def _vaggeryd_paths(tmp_path: Path, template_db: Path) -> Paths:
    """A copy of the template database and a goal folder with Vaggeryd's file only."""
    shutil.copy(template_db, tmp_path / "malpuls.duckdb")
    return replace(
        Paths.from_env(),
        goals_dir=_goals(tmp_path, "0665-vaggeryd.yaml"),
        db_path=tmp_path / "malpuls.duckdb",
        status_path=tmp_path / "etl_status.json",
    )


@pytest.fixture
def paths(tmp_path: Path, template_db: Path) -> Paths:
    return _vaggeryd_paths(tmp_path, template_db)


def _settings(api: KoladaStandIn, **client: object) -> Settings:
    return quick_settings(api, **client)


def _run(
    paths: Paths, api: KoladaStandIn, settings: Settings | None = None, **kw: object
) -> LiveResult:
    return run_live(
        paths, settings or _settings(api), now=kw.pop("now", NOW), progress=lambda _m: None, **kw
    )


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _value(db: Path, kpi: str, muni: str, year: int, gender: str = "T") -> float | None:
    with duckdb.connect(str(db), read_only=True) as con:
        row = con.execute(
            "SELECT value FROM kolada_value WHERE kpi = ? AND municipality_id = ? "
            "AND year = ? AND gender = ?",
            [kpi, muni, year, gender],
        ).fetchone()
    return row[0] if row else None


def _scope_values(db: Path, kpis: tuple[str, ...]) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(
            "SELECT * FROM kolada_value WHERE list_contains(?, kpi) ORDER BY ALL", [list(kpis)]
        ).fetchall()


# ---------------------------------------------------------------- complete runs


def test_full_run_all_goal_files_gives_exactly_the_served_data(
    tmp_path: Path, template_db: Path, api: KoladaStandIn
) -> None:
    shutil.copy(template_db, tmp_path / "malpuls.duckdb")
    p = replace(
        Paths.from_env(),
        goals_dir=_goals(tmp_path),
        db_path=tmp_path / "malpuls.duckdb",
        status_path=tmp_path / "etl_status.json",
    )
    before = _scope_values(p.db_path, ("N15428", "N00923"))
    # A read timeout no loaded machine reaches: slowness must not turn into retries here.
    result = _run(p, api, _settings(api, timeout=120.0), full=True)
    assert result.published and result.mode.mode == "full"
    # The stand-in serves the same real data the snapshot holds: nothing may change.
    assert (result.added, result.changed, result.deleted) == (0, 0, 0)
    assert _scope_values(p.db_path, ("N15428", "N00923")) == before
    assert len(result.scope.all_geographies) == 312
    # Requests: the plan's minimum (one per batch), plus the further pages the answers
    # needed, plus retries. The counts below hold whether or not a retry happened: a
    # retry repeats a URL, it never adds a batch.
    data_requests = [r for r in api.request_log if "/v3/data/" in r]
    first_pages = {r for r in data_requests if not re.search(r"[?&]page=", r)}
    assert len(first_pages) == result.scope.minimum_requests
    # Every further request is the next page of a batch asked for, and a URL is asked
    # again only as often as the client says it retried.
    for r in set(data_requests) - first_pages:
        m = re.search(r"[?&]page=(\d+)", r)
        assert m and int(m.group(1)) >= 2, r
        assert any(q.split("?")[0] == r.split("?")[0] for q in first_pages)
    assert len(data_requests) - len(set(data_requests)) <= result.retries
    # The count the run records is what Kolada saw.
    assert api.request_count == result.requests
    with duckdb.connect(str(p.db_path), read_only=True) as con:
        run = con.execute(
            "SELECT mode, outcome, requests FROM etl_run ORDER BY run_id DESC LIMIT 1"
        ).fetchone()
        meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
    assert run == ("full", "ok", result.requests)
    assert meta["last_full_reload"].startswith("2026-11-22")


def test_incremental_with_nothing_changed(paths: Paths, api: KoladaStandIn) -> None:
    _run(paths, api, full=True)
    api.clear_log()
    result = _run(paths, api, now=NOW + dt.timedelta(days=1))
    assert result.mode.mode == "incremental"
    assert result.mode.from_date == dt.date(2026, 11, 19)
    assert (result.added, result.changed, result.deleted) == (0, 0, 0)
    data = [r for r in api.request_log if "/v3/data/" in r]
    assert all("from_date=2026-11-19" in r for r in data)
    # Few changes: every municipality at once, per year batch (1990-2027: two batches).
    assert len(data) == 2 and all("/year/" in r and "/municipality/" not in r for r in data)


def test_revised_added_and_deleted_values_are_applied(tmp_path: Path, template_db: Path) -> None:
    with KoladaStandIn(KOLADA) as own:  # mutations must not leak into other tests
        p = _vaggeryd_paths(tmp_path, template_db)
        _run(p, own, full=True)
        old = _value(p.db_path, "N03926", "0665", 2021)
        assert old is not None
        own.revise("N03926", "0665", 2021, "T", old + 1.5, on=NOW.date())
        own.revise("N03926", "0665", 2023, "T", 2.0, on=NOW.date())  # a new year arrives
        assert own.delete("N00999", "0665", 2020, "T", on=NOW.date())
        result = _run(p, own, now=NOW + dt.timedelta(days=1))
        assert result.mode.mode == "incremental"
        assert (result.added, result.changed, result.deleted) == (1, 1, 1)
        assert _value(p.db_path, "N03926", "0665", 2021) == pytest.approx(old + 1.5)
        assert _value(p.db_path, "N03926", "0665", 2023) == 2.0
        assert _value(p.db_path, "N00999", "0665", 2020) is None
        # A full reload afterwards agrees with the incremental result.
        full = _run(p, own, full=True, now=NOW + dt.timedelta(days=2))
        assert (full.added, full.changed, full.deleted) == (0, 0, 0)


def test_vanished_kpi_keeps_history_and_is_flagged(tmp_path: Path, template_db: Path) -> None:
    with KoladaStandIn(KOLADA) as own:
        p = _vaggeryd_paths(tmp_path, template_db)
        history = _scope_values(p.db_path, ("N00999",))
        assert history
        assert own.remove_kpi("N00999")
        result = _run(p, own, full=True)
        assert result.published
        assert result.kpi_changes["vanished"] == 1
        assert any("N00999" in w for w in result.warnings)
        assert _scope_values(p.db_path, ("N00999",)) == history
        with duckdb.connect(str(p.db_path), read_only=True) as con:
            assert con.execute("SELECT is_retired FROM kpi WHERE id = 'N00999'").fetchone() == (
                True,
            )
            assert con.execute(
                "SELECT change FROM kpi_change WHERE kpi_id = 'N00999'"
            ).fetchall() == [("vanished",)]
            # The goal indicator is still there.
            assert con.execute(
                "SELECT count(*) FROM indicator WHERE kpi_id = 'N00999'"
            ).fetchone() == (1,)


def test_dry_run_prints_plan_and_changes_nothing(paths: Paths, api: KoladaStandIn) -> None:
    before = _sha(paths.db_path)
    result = _run(paths, api, dry_run=True)
    assert not result.published
    assert result.scope.minimum_requests == 13  # 3 Vaggeryd KPIs × 312 geographies
    assert not [r for r in api.request_log if "/v3/data/" in r]
    assert _sha(paths.db_path) == before


# ---------------------------------------------------------------- recovered faults


TRANSIENT_FAULTS: list[tuple[str, dict[str, object]]] = [
    ("429", {"retry_after": 1}),
    ("500", {}),
    ("503", {}),
    ("drop", {}),
    ("malformed", {}),
    ("truncated", {}),
    ("truncated", {"full_length": True}),
    ("slow", {"delay": 2.5}),  # beyond the 2 s read timeout of quick_settings
]


def test_transient_faults_are_retried_to_the_right_data(paths: Paths, api: KoladaStandIn) -> None:
    """One run meets every transient fault, each once, on its data requests, and a
    relative next_url in the paged KPI catalogue: it publishes exactly the data Kolada
    serves (the template was built from the same snapshot)."""
    kpis = ("N03926", "N00999", "N07923")
    expected = _scope_values(paths.db_path, kpis)
    faults = [
        api.add_fault(kind, path_contains="/v3/data/", times=1, **params)
        for kind, params in TRANSIENT_FAULTS
    ]
    faults.append(api.add_fault("relative_next", path_contains="/v3/kpi?", times=1))
    # Retry-After is capped so the run does not sleep a second for it (the client tests
    # check it is honoured); retries to spare for a machine slow enough to time out.
    settings = _settings(api, max_retry_after=0.05, max_retries=5)
    result = _run(paths, api, settings, full=True)
    assert result.published
    assert all(f.times == 0 for f in faults)  # every fault fired
    assert (result.added, result.changed, result.deleted) == (0, 0, 0)
    assert _scope_values(paths.db_path, kpis) == expected
    assert result.retries >= len(TRANSIENT_FAULTS)


# ---------------------------------------------------------------- failed runs


def test_persistent_fault_fails_cleanly(paths: Paths, api: KoladaStandIn) -> None:
    """Kolada stops answering in the middle of the data: the run fails after its retries,
    the message names the URL, the published database is byte-identical and no half-built
    copy is left. (The CLI's exit code 3: test_cli_success_then_failure_exit_codes_and_status.)"""
    before = _sha(paths.db_path)
    api.add_fault("drop", path_contains="/v3/data/", times=-1)
    with pytest.raises(KoladaError) as info:
        _run(paths, api, full=True, settings=_settings(api, max_retries=2))
    assert "anslutningen bröts" in str(info.value) and "efter 3 försök" in str(info.value)
    assert "/v3/data/" in str(info.value)  # the message names the URL
    assert _sha(paths.db_path) == before
    assert not list(paths.db_path.parent.glob(".*building*"))


def test_mass_disappearance_is_refused_unless_forced(tmp_path: Path, template_db: Path) -> None:
    with KoladaStandIn(KOLADA) as own:
        p = _vaggeryd_paths(tmp_path, template_db)
        for year in range(2010, 2023):
            own.delete("N03926", "0665", year, "T", on=NOW.date())
        strict = replace(_settings(own), max_value_loss_share=0.0005)
        before = _sha(p.db_path)
        with pytest.raises(MalpulsError, match="skulle försvinna"):
            _run(p, own, settings=strict, full=True)
        assert _sha(p.db_path) == before
        forced = _run(p, own, settings=strict, full=True, force=True)
        assert forced.published and forced.deleted >= 13


def test_second_run_is_locked_out(paths: Paths, api: KoladaStandIn) -> None:
    lock = paths.db_path.with_name(paths.db_path.name + ".lock")
    with run_lock(lock), pytest.raises(MalpulsError, match="En annan ETL-körning"):
        _run(paths, api)


# ---------------------------------------------------------------- the CLI


def _cli(
    paths: Paths, api: KoladaStandIn, tmp_path: Path, *args: str, **toml: object
) -> subprocess.CompletedProcess[str]:
    config = tmp_path / "etl.toml"
    extra = "".join(f"{k} = {v}\n" for k, v in toml.items())
    # A read timeout a loaded machine never reaches: the failures tested here are answers.
    config.write_text(
        f'[kolada]\nbase_url = "{api.base_url}"\ntimeout_seconds = 120\nmax_retries = 1\n'
        f"rate_per_second = 200\n{extra}",
        encoding="utf-8",
    )
    env = {
        **os.environ,
        "MALPULS_DATA_DIR": str(paths.db_path.parent),
        "MALPULS_GOALS_DIR": str(paths.goals_dir),
        "MALPULS_CONFIG": str(config),
    }
    return subprocess.run(
        [sys.executable, "-m", "etl", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def test_cli_success_then_failure_exit_codes_and_status(
    paths: Paths, api: KoladaStandIn, tmp_path: Path
) -> None:
    ok = _cli(paths, api, tmp_path, "--full")
    assert ok.returncode == 0, ok.stderr
    assert "Klart (full)" in ok.stderr
    assert '"outcome": "ok"' in paths.status_path.read_text(encoding="utf-8")
    before = _sha(paths.db_path)

    api.add_fault("503", path_contains="/v3/kpi", times=-1)
    failed = _cli(paths, api, tmp_path)
    assert failed.returncode == 3
    assert "serverfel 503" in failed.stderr and "oförändrad" in failed.stderr
    assert "Traceback" not in failed.stderr
    assert _sha(paths.db_path) == before
    assert '"outcome": "failed"' in paths.status_path.read_text(encoding="utf-8")


def test_cli_dry_run_and_usage(paths: Paths, api: KoladaStandIn, tmp_path: Path) -> None:
    plan = _cli(paths, api, tmp_path, "--dry-run")
    assert plan.returncode == 0, plan.stderr
    assert "minst 13 dataanrop" in plan.stdout
    bad = _cli(paths, api, tmp_path, "--since", "2026-02-30")
    assert bad.returncode == 2
    assert "inget datum" in bad.stderr


def _as_before_migrations(con: duckdb.DuckDBPyConnection) -> None:
    """Make a freshly built file look like one a version before migrations published:
    meta.schema_version '1' and no _migrations table."""
    con.execute("DROP TABLE _migrations")
    con.execute("INSERT INTO meta VALUES ('schema_version', '1')")


def test_database_from_an_older_version_is_upgraded(paths: Paths, api: KoladaStandIn) -> None:
    """A published file built before the Agenda 2030 and vintage tables existed: the live
    run migrates it (m001_baseline adds what it lacks), then runs as usual."""
    with duckdb.connect(str(paths.db_path)) as con:
        _as_before_migrations(con)
        for table in ("value_revision", "kpi_sdg_map", "sdg_kpi_result"):
            con.execute(f"DROP TABLE {table}")
        con.execute("DROP MACRO TABLE values_as_of")
    result = _run(paths, api, full=True)
    assert result.mode.mode == "full"
    with duckdb.connect(str(paths.db_path), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM kpi_sdg_map").fetchall()[0][0] == 99
        assert con.execute("SELECT count(*) FROM sdg_kpi_result").fetchall()[0][0] > 50
        assert (
            con.execute("SELECT count(*) FROM values_as_of(DATE '2020-01-01')").fetchall()[0][0]
            == con.execute("SELECT count(*) FROM kolada_value").fetchall()[0][0]
        )
        assert con.execute("SELECT name FROM _migrations").fetchall() == [
            (m.name,) for m in migrations.MIGRATIONS
        ]
        assert "schema_version" not in dict(con.execute("FROM meta").fetchall())
        migrations.check_readable(con)


def test_live_run_applies_a_pending_migration_and_keeps_the_history(
    paths: Paths, api: KoladaStandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The published file has value revisions from earlier runs; the code has a migration
    (test-only here) that adds a column. The live run applies it to its copy before
    writing, and every earlier revision is still there. (tests/test_migrations.py adds a
    column to value_revision itself; here the column goes on a table the live run does not
    write, since its INSERTs list no columns.)"""
    earlier = ("N00914", "0665", 2001, "T", 1.5, 2.5, dt.datetime(2026, 3, 1, 3, 0))
    with duckdb.connect(str(paths.db_path)) as con:
        _as_before_migrations(con)
        con.execute("INSERT INTO value_revision VALUES (?, ?, ?, ?, ?, ?, ?)", earlier)
    monkeypatch.setattr(migrations, "MIGRATIONS", list(migrations.MIGRATIONS))

    @migrations.migration
    def m999_sdg_name_en_long(con: duckdb.DuckDBPyConnection) -> None:
        con.execute("ALTER TABLE sdg_goal ADD COLUMN name_en_long TEXT")

    _run(paths, api)
    with duckdb.connect(str(paths.db_path), read_only=True) as con:
        assert con.execute(
            "SELECT * FROM value_revision WHERE replaced_at < ?", [NOW]
        ).fetchall() == [earlier]
        assert con.execute("SELECT count(name_en_long) FROM sdg_goal").fetchall() == [(0,)]
        assert con.execute("SELECT max(name) FROM _migrations").fetchall() == [
            ("m999_sdg_name_en_long",)
        ]
        migrations.check_readable(con)
