"""The nightly run against the Kolada v3 API.

Order matters for safety: everything is fetched and validated first (metadata, goal files,
values), then applied to a *copy* of the published database, checked, and only then
published by atomic rename. Any failure before the rename leaves the published file
byte-identical; the outcome is recorded in data/etl_status.json either way.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

import duckdb

from config import Paths
from core.errors import DataError, MalpulsError
from core.goals import ReferenceData
from core.scope import RunMode, Scope, decide_mode, plan_scope
from db import checks, load, migrations, queries, sync
from db.calibration import read_calibration
from db.connection import connect_read_only
from etl.goal_files import display_name, read_goal_files
from etl.kolada_client import KoladaClient
from etl.pipeline import build_offline, check_database
from etl.publish import staged_file
from etl.reference import read_reference_data, read_sdg_mapping
from etl.results import compute_results
from etl.settings import Settings

FIRST_YEAR = 1990  # Kolada's series start in the 1990s; incremental runs ask from here


class LockedError(MalpulsError):
    title = "En annan körning pågår"


class PublishCheckError(MalpulsError):
    title = "Kontrollen före publicering stoppade körningen"


@dataclass
class LiveResult:
    mode: RunMode
    scope: Scope
    requests: int = 0
    retries: int = 0
    added: int = 0
    changed: int = 0
    deleted: int = 0
    kpi_changes: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    published: bool = False
    fetched: int = 0
    fetch_seconds: float = 0.0  # fetching values over HTTP
    db_seconds: float = 0.0  # applying them to the staged copy, checking, publishing


@contextmanager
def run_lock(path: Path) -> Iterator[None]:
    """Exclusive, non-blocking: a second run fails at once instead of queueing behind a
    slow one. The OS drops the lock if the process dies, so a crash never wedges cron."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise LockedError(
                f"En annan ETL-körning håller låset {path}. Försök igen när den är klar."
            ) from None
        yield
    finally:
        os.close(fd)


def _state(db_path: Path) -> tuple[dt.datetime | None, dt.datetime | None, set[str]]:
    """(last live success, last full reload, every KPI id the database knows)."""
    con = connect_read_only(db_path)
    try:
        meta = queries.query_meta(con)
        known = queries.query_kpi_ids(con)
    finally:
        con.close()

    def ts(key: str) -> dt.datetime | None:
        return dt.datetime.fromisoformat(meta[key]) if key in meta else None

    return ts("last_live_success"), ts("last_full_reload"), known


def run_live(
    paths: Paths,
    settings: Settings,
    *,
    now: dt.datetime,
    full: bool = False,
    since: dt.date | None = None,
    force: bool = False,
    dry_run: bool = False,
    client: KoladaClient | None = None,
    progress: Callable[[str], object] = print,
    on_batch: Callable[[int, int], None] | None = None,
) -> LiveResult:
    with run_lock(paths.db_path.with_name(paths.db_path.name + ".lock")):
        if not paths.db_path.exists() and not dry_run:
            progress("Ingen databas ännu: bygger först från den medföljande ögonblicksbilden …")
            build_offline(paths, now=now, progress=progress)
        last_success, last_full, known = (
            _state(paths.db_path) if paths.db_path.exists() else (None, None, set())
        )
        mode = decide_mode(
            now=now,
            full=full,
            since=since,
            last_success=last_success,
            last_full=last_full,
            full_reload_days=settings.full_reload_days,
            safety_margin_days=settings.safety_margin_days,
        )
        own_client = client is None
        client = client or KoladaClient(settings.client)
        try:
            return _run(
                paths,
                settings,
                client,
                mode,
                known,
                now=now,
                force=force,
                dry_run=dry_run,
                progress=progress,
                on_batch=on_batch,
            )
        finally:
            if own_client:
                client.close()


def _run(
    paths: Paths,
    settings: Settings,
    client: KoladaClient,
    mode: RunMode,
    known: set[str],
    *,
    now: dt.datetime,
    force: bool,
    dry_run: bool,
    progress: Callable[[str], object],
    on_batch: Callable[[int, int], None] | None,
) -> LiveResult:
    progress(f"Läge: {mode.mode} ({mode.reason})")
    progress("Hämtar metadata från Kolada (nyckeltal, kommuner, grupper) …")
    kpis = client.fetch_kpis()
    municipalities = client.fetch_municipalities()
    muni_groups = client.fetch_municipality_groups()
    kpi_groups = client.fetch_kpi_groups()
    fresh_ids = {k["id"] for k in kpis}

    base = read_reference_data(paths.reference_dir, paths.kolada_dir)
    # Goal files stay valid when a KPI vanishes from Kolada: the database still knows it.
    ref = ReferenceData(
        sdg_goals=base.sdg_goals,
        sdg_targets=base.sdg_targets,
        crc_articles=base.crc_articles,
        kpis=frozenset(fresh_ids),
        retired_kpis=frozenset((known | base.kpis | base.retired_kpis) - fresh_ids),
        municipalities=frozenset(m["id"] for m in municipalities),
    )
    goal_files = read_goal_files(paths.goals_dir, ref)
    sdg_mapping = read_sdg_mapping(paths.reference_dir, ref)
    calibration = read_calibration(paths.calibration_path)
    scope = plan_scope(
        goal_files,
        geographies=[m["id"] for m in municipalities],
        municipality_groups=muni_groups,
        kpi_groups=kpi_groups,
        extra_kpis=settings.extra_kpis,
        extra_kpi_groups=settings.extra_kpi_groups,
        known_kpis=fresh_ids,
    )
    vanished_goal_kpis = [k for k in scope.goal_kpis if k not in fresh_ids]
    # A goal KPI that is not in today's catalogue is neither fetched nor replaced: its
    # stored history stays, and the run flags it instead.
    scope = replace(scope, goal_kpis=tuple(k for k in scope.goal_kpis if k in fresh_ids))
    result = LiveResult(mode=mode, scope=scope)
    if vanished_goal_kpis:
        progress(f"Målnyckeltal som saknas i Koladas katalog: {', '.join(vanished_goal_kpis)}")
    progress(
        f"Omfattning: {len(scope.goal_kpis)} målnyckeltal × {len(scope.all_geographies)} "
        f"kommuner/regioner, {len(scope.extra_kpis)} extra nyckeltal × "
        f"{len(scope.core_geographies)}; minst {scope.minimum_requests} dataanrop"
        + (f", ändringar sedan {mode.from_date}" if mode.from_date else "")
    )
    if dry_run:
        result.requests, result.retries = client.stats.requests, client.stats.retries
        return result

    from_date = mode.from_date.isoformat() if mode.from_date else None
    progress("Hämtar värden …")
    t_fetch = time.perf_counter()
    if mode.mode == "incremental":
        # Changes are few: ask for every municipality at once, per year batch.
        geos = set(scope.all_geographies)
        records = [
            r
            for r in client.fetch_values_all_municipalities(
                scope.goal_kpis,
                range(FIRST_YEAR, now.year + 2),
                from_date=from_date,
                on_batch=on_batch,
            )
            if r.municipality_id in geos
        ]
    else:
        records = client.fetch_values(
            scope.goal_kpis, scope.all_geographies, from_date=from_date, on_batch=on_batch
        )
    if scope.extra_kpis:
        records += client.fetch_values(
            scope.extra_kpis, scope.core_geographies, from_date=from_date, on_batch=on_batch
        )
    result.fetch_seconds = time.perf_counter() - t_fetch
    progress(f"  {len(records)} värden hämtade")
    t_db = time.perf_counter()

    sources = [
        (display_name(p), gf)
        for p, gf in zip(sorted(paths.goals_dir.glob("*.yaml")), goal_files, strict=True)
    ]
    parts = [(scope.goal_kpis, scope.all_geographies)]
    if scope.extra_kpis:
        parts.append((scope.extra_kpis, scope.core_geographies))

    with staged_file(paths.db_path) as tmp:
        shutil.copyfile(paths.db_path, tmp)
        con = duckdb.connect(str(tmp))
        try:
            progress("Uppdaterar databasen (på en kopia) …")
            applied = migrations.migrate(con)
            if applied:
                progress(f"  Databasen uppgraderad: {', '.join(applied)}")
            result.kpi_changes = sync.refresh_kpis(con, kpis, now)
            sync.replace_municipalities(con, municipalities, muni_groups)
            sync.replace_kpi_groups(con, kpi_groups)
            before = sync.count_values_in_scope(con, parts)
            changes = sync.apply_values(
                con, records, full_scope=parts if mode.mode == "full" else None, at=now
            )
            result.added, result.changed, result.deleted = (
                changes.added,
                changes.changed,
                changes.deleted,
            )
            after = sync.count_values_in_scope(con, parts)
            if before and (before - after) / before > settings.max_value_loss_share and not force:
                raise PublishCheckError(
                    f"{before - after} av {before} lagrade värden i omfattningen skulle försvinna "
                    f"({(before - after) / before:.0%}, gränsen är "
                    f"{settings.max_value_loss_share:.0%}). Databasen publiceras inte. "
                    "Kör med --force om förlusten är väntad."
                )
            sync.clear_goal_tables(con)
            load.load_goal_files(con, sources)
            load.replace_sdg_mapping(con, sdg_mapping)
            compute_results(con, calibration, now.date(), progress)
            check = check_database(con)
            result.warnings = check.warnings + [
                f"Nyckeltalet {k} har försvunnit ur Koladas katalog men används i en målfil"
                for k in checks.query_vanished_goal_kpis(con)
            ]
            meta = {
                "data_source": f"Kolada API v3 ({settings.client.base_url})",
                "data_date": now.date().isoformat(),
                "catalog_date": now.date().isoformat(),
                "last_live_success": now.isoformat(timespec="seconds"),
            }
            if mode.mode == "full":
                meta["last_full_reload"] = now.isoformat(timespec="seconds")
            load.upsert_meta(con, meta)
            result.requests, result.retries = client.stats.requests, client.stats.retries
            load.insert_run(
                con,
                started_at=now,
                finished_at=dt.datetime.now(),
                mode=mode.mode,
                requests=result.requests,
                retries=result.retries,
                rows_added=result.added,
                rows_changed=result.changed,
                rows_deleted=result.deleted,
                outcome="ok",
                warnings=result.warnings,
            )
            checks.checkpoint(con)
        except duckdb.Error as exc:
            raise DataError(f"Databasen kunde inte uppdateras: {exc}") from exc
        finally:
            con.close()
    result.published = True
    result.db_seconds = time.perf_counter() - t_db
    result.fetched = len(records)
    return result
