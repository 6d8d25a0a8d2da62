"""The nightly ETL over real HTTP against the local Kolada v3 stand-in (tests/standin),
serving the bundled real data. Faulted, the run either completes with exactly the right
data, or fails with a clear message, a non-zero exit and a published database
byte-identical to before: one whole run for each of the two outcomes. Each fault on its own
(which are retried, how long to wait, when to give up) is tested on the client, in
milliseconds, in test_kolada_client.py."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import duckdb
import pytest

import etl.pipeline
from config import PROJECT_ROOT, Paths
from core.errors import MalpulsError
from db import migrations
from etl.__main__ import main as etl_main
from etl.kolada_client import KoladaError
from etl.live import LiveResult, run_live
from etl.pipeline import build_offline
from etl.publish import LockedError, lock_path, run_lock
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
    assert len(first_pages) == result.planned_requests
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
    # 3 Vaggeryd KPIs × 312 geographies: one KPI batch × two year batches (1990–2027),
    # every municipality at once (not 13 municipality batches).
    assert result.planned_requests == 2
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
        # A limit below the share the 13 deletions are of the values in scope (the scope
        # holds at most every stored value, so 13 / all is a lower bound of that share).
        with duckdb.connect(str(p.db_path), read_only=True) as con:
            stored = con.execute("SELECT count(*) FROM kolada_value").fetchone()[0]
        strict = replace(_settings(own), max_value_loss_share=13 / stored / 2)
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


def _cli_env(paths: Paths, api: KoladaStandIn, tmp_path: Path, **toml: object) -> dict[str, str]:
    """The environment of a CLI run: state in the folder of `paths`, settings pointing at
    the stand-in (with `toml` lines added to the [kolada] section)."""
    config = tmp_path / "etl.toml"
    extra = "".join(f"{k} = {v}\n" for k, v in toml.items())
    # A read timeout a loaded machine never reaches: the failures tested here are answers.
    config.write_text(
        f'[kolada]\nbase_url = "{api.base_url}"\ntimeout_seconds = 120\nmax_retries = 1\n'
        f"rate_per_second = 200\n{extra}",
        encoding="utf-8",
    )
    return {
        "MALPULS_DATA_DIR": str(paths.db_path.parent),
        "MALPULS_GOALS_DIR": str(paths.goals_dir),
        "MALPULS_CONFIG": str(config),
    }


def _cli(
    paths: Paths, api: KoladaStandIn, tmp_path: Path, *args: str, **toml: object
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "etl", *args],
        cwd=PROJECT_ROOT,
        env={**os.environ, **_cli_env(paths, api, tmp_path, **toml)},
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

    # A 500 (a 503 says "slow down", and the client waits that out for a long while).
    api.add_fault("500", path_contains="/v3/kpi", times=-1)
    failed = _cli(paths, api, tmp_path)
    assert failed.returncode == 3
    assert "serverfel 500" in failed.stderr and "oförändrad" in failed.stderr
    assert "Traceback" not in failed.stderr
    assert _sha(paths.db_path) == before
    assert '"outcome": "failed"' in paths.status_path.read_text(encoding="utf-8")


def test_cli_dry_run_and_usage(paths: Paths, api: KoladaStandIn, tmp_path: Path) -> None:
    plan = _cli(paths, api, tmp_path, "--dry-run")
    assert plan.returncode == 0, plan.stderr
    assert "Plan: full" in plan.stdout and "; 2 dataanrop" in plan.stdout
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


# ---------------------------------------------------------------- issue 14: robustness

VAGGERYD = "0665-vaggeryd.yaml"
NO_VALUES_KPI = "N00003"  # in the catalogue, no values anywhere in the snapshot


def _edit_goal_file(paths: Paths, old: str, new: str) -> None:
    path = paths.goals_dir / VAGGERYD
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def _add_indicator(paths: Paths, indicator_id: str, kpi: str) -> None:
    """A new indicator on Vaggeryd's first goal (ks-1), after its only one."""
    anchor = "                reason: Ambitionstexten nämner planberedskap uttryckligen.\n"
    _edit_goal_file(
        paths,
        anchor,
        anchor + f"              - id: {indicator_id}\n                title: Ny indikator {kpi}\n"
        f"                kpi: {kpi}\n                direction: öka\n"
        "                direction_provenance: förslag\n",
    )


def _as_after_a_live_run(db: Path, when: dt.datetime) -> None:
    """Make the published file look like one a live run (full reload included) published
    at `when`, so the next run is incremental."""
    with duckdb.connect(str(db)) as con:
        for key in ("last_live_success", "last_full_reload"):
            con.execute(
                "INSERT OR REPLACE INTO meta VALUES (?, ?)",
                [key, when.isoformat(timespec="seconds")],
            )


def _status(paths: Paths) -> dict[str, Any]:
    return json.loads(paths.status_path.read_text(encoding="utf-8"))


def _leftovers(paths: Paths) -> list[Path]:
    return sorted(paths.db_path.parent.glob(f".{paths.db_path.name}.*"))


def test_vanished_successor_and_other_references_warn_and_publish(
    tmp_path: Path, template_db: Path
) -> None:
    """Issue 14.1: Kolada drops a KPI that a goal file names as a successor (and one in
    `extra_kpis`, and one in the Agenda 2030 mapping). The run used to fail with exit 1
    on every night until a person edited the goal file; now it keeps the history, warns
    and publishes, as for a vanished indicator KPI."""
    with KoladaStandIn(KOLADA) as own:
        p = _vaggeryd_paths(tmp_path, template_db)
        _edit_goal_file(
            p,
            "                kpi: N00999\n",
            "                kpi: N00999\n                successor: {kpi: N15643}\n",
        )
        history = _scope_values(p.db_path, ("N15643", "N00923", "N00209"))
        assert {r[0] for r in history} == {"N15643", "N00923", "N00209"}
        for kpi in ("N15643", "N00923", "N00209"):
            assert own.remove_kpi(kpi)
        settings = replace(_settings(own), extra_kpis=("N00923",))
        result = _run(p, own, settings, full=True)
        assert result.published
        warned = "\n".join(result.warnings)
        assert "Efterföljaren N15643 har försvunnit ur Koladas katalog" in warned
        assert "Nyckeltalet N00923 i inställningarna (scope.extra_kpis)" in warned
        assert "Nyckeltalet N00209 i Agenda 2030-kopplingen" in warned
        assert "N15643" not in result.scope.goal_kpis and not result.scope.extra_kpis
        assert _scope_values(p.db_path, ("N15643", "N00923", "N00209")) == history
        with duckdb.connect(str(p.db_path), read_only=True) as con:
            assert con.execute(
                "SELECT successor_kpi_id FROM indicator WHERE kpi_id = 'N00999'"
            ).fetchall() == [("N15643",)]
            assert con.execute(
                "SELECT id FROM kpi WHERE is_retired AND id IN ('N15643', 'N00923', 'N00209') "
                "ORDER BY id"
            ).fetchall() == [("N00209",), ("N00923",), ("N15643",)]
        assert '"outcome": "ok"' in p.status_path.read_text(encoding="utf-8")


def test_kpi_new_to_the_scope_is_fetched_whole_in_an_incremental_run(
    paths: Paths, api: KoladaStandIn, template_db: Path
) -> None:
    """Issue 14.2: an incremental run asks only for changes since the last run, so a KPI
    that joins the scope (a new goal indicator, a new `extra_kpis` entry, a KPI back in
    the catalogue) got only its recent changes until the weekly full reload. Now such a
    KPI is fetched whole in the same run, for its geographies; the rest stays incremental.
    Also issue 14.9: the plan's request count is what the run asks, and the warning for an
    indicator without values says they came from Kolada."""
    _as_after_a_live_run(paths.db_path, NOW - dt.timedelta(days=1))
    # N00906 (in no goal file, so only the core geographies) joins through extra_kpis.
    served = {k: _scope_values(template_db, (k,)) for k in ("N15428", "N00906", "N03926")}
    with duckdb.connect(str(paths.db_path)) as con:
        # Never fetched for this database: no values stored.
        con.execute("DELETE FROM kolada_value WHERE kpi IN ('N15428', 'N00906')")
        # Vanished once (retired here, history kept) and now back, with a stale value and
        # a value Kolada no longer serves.
        con.execute("UPDATE kpi SET is_retired = true WHERE id = 'N03926'")
        con.execute(
            "UPDATE kolada_value SET value = value + 100 "
            "WHERE kpi = 'N03926' AND municipality_id = '0665' AND year = 2021"
        )
        con.execute("INSERT INTO kolada_value VALUES ('N03926', '0665', 1991, 'T', 1.0)")
    _add_indicator(paths, "ks-1-ny", "N15428")
    _add_indicator(paths, "ks-1-utan-varden", NO_VALUES_KPI)
    settings = replace(_settings(api), extra_kpis=("N00906",))

    result = _run(paths, api, settings)
    assert result.mode.mode == "incremental" and result.published
    assert _scope_values(paths.db_path, ("N15428",)) == served["N15428"]  # all 312 geographies
    assert _scope_values(paths.db_path, ("N03926",)) == served["N03926"]  # stale rows mended
    core = set(result.scope.core_geographies)
    assert _scope_values(paths.db_path, ("N00906",)) == [
        r for r in served["N00906"] if r[1] in core
    ]
    assert len(served["N15428"]) > 20000 and 0 < len(core) < 312
    assert result.backfilled == (NO_VALUES_KPI, "N00906", "N03926", "N15428")
    # Asked whole: the new KPIs; asked for changes: the one the database already held.
    data = [r for r in api.request_log if "/v3/data/" in r]
    first_pages = [r for r in data if not re.search(r"[?&]page=", r)]
    assert len(set(first_pages)) == result.planned_requests
    for r in first_pages:
        assert ("from_date=" in r) == ("N00999" in r), r
    # Issue 14.9: a live run's values come from Kolada, not from the snapshot.
    warned = "\n".join(result.warnings)
    assert f"Inga värden från Kolada för {NO_VALUES_KPI} (kommun 0665" in warned
    assert "ögonblicksbilden" not in warned

    # The next night: every KPI fetched whole once is asked for changes only, also the one
    # Kolada still has no values for (it is not fetched whole again every night).
    api.clear_log()
    again = _run(paths, api, settings, now=NOW + dt.timedelta(days=1))
    assert again.mode.mode == "incremental" and again.published
    assert again.backfilled == ()
    data = [r for r in api.request_log if "/v3/data/" in r]
    assert data and all("from_date=" in r for r in data if not re.search(r"[?&]page=", r))


def _start_cli(
    paths: Paths, api: KoladaStandIn, tmp_path: Path, *args: str
) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "etl", *args],
        cwd=PROJECT_ROOT,
        env={**os.environ, **_cli_env(paths, api, tmp_path)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for_line(proc: subprocess.Popen[str], words: str) -> list[str]:
    """Read the run's log until a line with `words`; the lines read so far."""
    assert proc.stderr is not None
    seen = []
    for line in proc.stderr:
        seen.append(line)
        if words in line:
            return seen
    raise AssertionError(f"the run ended without {words!r}:\n{''.join(seen)}")


STAGING = "Uppdaterar databasen (på en kopia)"


def test_killed_run_is_cleaned_up_and_recorded_by_the_next(
    paths: Paths, api: KoladaStandIn, tmp_path: Path
) -> None:
    """Issue 14.6, SIGKILL: a run killed while it writes its copy leaves the copy (51 MB in
    production) and its WAL; nothing can run in the killed process. The next run removes
    them under the lock and records that the previous run was interrupted."""
    before = _sha(paths.db_path)
    proc = _start_cli(paths, api, tmp_path, "--full")
    _wait_for_line(proc, STAGING)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    assert any(p.name.endswith(".building") for p in _leftovers(paths))  # the defect's state
    assert _sha(paths.db_path) == before
    assert _status(paths)["running"]["pid"] == proc.pid  # the marker says who was running

    after = _cli(paths, api, tmp_path, "--full")
    assert after.returncode == 0, after.stderr
    assert _leftovers(paths) == []
    status = _status(paths)
    assert status["outcome"] == "ok" and "running" not in status
    assert status["interrupted_run"]["pid"] == proc.pid
    assert any("Förra körningen" in w and "avbröts" in w for w in status["warnings"])
    assert any("Rester efter en avbruten körning togs bort" in w for w in status["warnings"])


def test_sigterm_cleans_up_records_and_exits_non_zero(
    paths: Paths, api: KoladaStandIn, tmp_path: Path
) -> None:
    """Issue 14.6, SIGTERM (`kill`, systemd's stop): the run unwinds like a failure, so
    the copy is removed, the status records the interruption and the exit code is
    128 + 15; the published file is untouched."""
    before = _sha(paths.db_path)
    proc = _start_cli(paths, api, tmp_path, "--full")
    _wait_for_line(proc, STAGING)
    proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 128 + signal.SIGTERM, stderr
    assert "Körningen avbröts (SIGTERM)" in stderr and "Traceback" not in stderr
    assert _leftovers(paths) == []
    assert _sha(paths.db_path) == before
    status = _status(paths)
    assert (status["outcome"], status["error_title"], status["interrupted"]) == (
        "failed",
        "Körningen avbröts",
        True,
    )
    assert "running" not in status


def test_status_is_written_under_the_lock_and_readable_by_others(
    paths: Paths, api: KoladaStandIn, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 14.7: the status was written after the lock was let go (a run starting then
    could have its status overwritten) and with mode 0600 (a dashboard running as another
    user could not read it). The CLI, in this process, with every status write checked."""
    for key, value in _cli_env(paths, api, tmp_path).items():
        monkeypatch.setenv(key, value)
    real_write = etl.pipeline.write_json_atomic
    writes: list[tuple[dict[str, Any], bool]] = []

    def checked_write(path: Path, data: dict[str, Any]) -> None:
        try:
            with run_lock(lock_path(paths.db_path)):
                held = False
        except LockedError:
            held = True
        writes.append((data, held))
        real_write(path, data)

    monkeypatch.setattr(etl.pipeline, "write_json_atomic", checked_write)
    old_umask = os.umask(0o022)
    try:
        assert etl_main(["--full"]) == 0
    finally:
        os.umask(old_umask)
    assert writes and all(held for _, held in writes)
    assert [d.get("outcome") for d, _ in writes][-1] == "ok"
    assert stat.S_IMODE(paths.status_path.stat().st_mode) == 0o644


def test_a_run_that_cannot_take_the_lock_writes_no_status(
    paths: Paths, api: KoladaStandIn, tmp_path: Path
) -> None:
    """Issue 14.7: the status belongs to the run holding the lock, live or offline (the
    offline build took no lock at all)."""
    paths.status_path.write_text('{"outcome": "ok", "by": "the running run"}', encoding="utf-8")
    before = paths.status_path.read_bytes()
    with run_lock(lock_path(paths.db_path)):
        for args in ((), ("--offline",)):
            proc = _cli(paths, api, tmp_path, *args)
            assert proc.returncode == 5, (args, proc.stderr)
            assert "En annan ETL-körning håller låset" in proc.stderr
            assert paths.status_path.read_bytes() == before
    assert _leftovers(paths) == []


def test_cli_dry_run_counts_the_incremental_plan(
    paths: Paths, api: KoladaStandIn, tmp_path: Path
) -> None:
    """Issue 14.9: an incremental dry run printed the full run's count (then 13 for
    Vaggeryd's three KPIs × 312 geographies); it asks 2 (one KPI batch × two year batches)."""
    _as_after_a_live_run(paths.db_path, dt.datetime.now() - dt.timedelta(days=1))
    before = _sha(paths.db_path)
    plan = _cli(paths, api, tmp_path, "--dry-run")
    assert plan.returncode == 0, plan.stderr
    assert "Plan: incremental" in plan.stdout
    assert "; 2 dataanrop" in plan.stdout and "; 13 dataanrop" not in plan.stdout
    assert _sha(paths.db_path) == before
    assert not paths.status_path.exists()  # a dry run writes nothing


def test_database_failure_has_its_own_exit_code(
    paths: Paths, api: KoladaStandIn, tmp_path: Path
) -> None:
    """Issue 14.9: a DuckDB error while the copy is written (here a table missing from the
    published file) was reported as invalid input (exit 1); it is a database error, exit
    6, with the published file untouched and no copy left behind."""
    with duckdb.connect(str(paths.db_path)) as con:
        con.execute("DROP TABLE kpi_change")
    before = _sha(paths.db_path)
    failed = _cli(paths, api, tmp_path, "--full")
    assert failed.returncode == 6, failed.stderr
    assert "Databasfel: Databasen kunde inte uppdateras" in failed.stderr
    assert "Traceback" not in failed.stderr
    assert _sha(paths.db_path) == before
    assert _leftovers(paths) == []
    assert _status(paths)["error_title"] == "Databasfel"
