"""The nightly run against the Kolada v3 API.

Order matters for safety: metadata and goal files are fetched and validated first, the
values are staged page by page in a *copy* of the published database as they come (all of
Kolada, 9.5 M values, never sits in memory), then applied to that copy, checked, and only
then published by atomic rename. Any failure before the rename leaves the published file
byte-identical; the outcome is recorded in data/etl_status.json either way, under the run
lock (etl.pipeline.locked_run).

A KPI that leaves Kolada's catalogue never stops a run, wherever it is named (a goal
indicator, a successor, `extra_kpis`, the Agenda 2030 mapping): its history stays, the run
warns and publishes. A KPI new to the scope is fetched whole in the run that first meets
it, even an incremental one.

The scope can be all of Kolada (etl.toml `[scope] all_kpis = true`, `extra_geographies =
"alla"`): every KPI × every municipality and region, asked in the fewest questions
(core.scope.plan_fetch: 26 for a full run, every KPI at once per municipality batch and
year batch).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import duckdb

from config import Paths
from core.agenda import SdgMapping
from core.errors import MalpulsError
from core.goals import GoalFile, ReferenceData
from core.scope import (
    FetchPart,
    RunMode,
    Scope,
    decide_mode,
    plan_fetch,
    plan_scope,
    successor_kpis,
)
from db import checks, load, migrations, queries, sync
from db.calibration import read_calibration
from db.connection import connect_read_only
from etl.goal_files import display_name, read_goal_files
from etl.kolada_client import KoladaClient
from etl.pipeline import DatabaseError, build_offline, check_database, locked_run
from etl.publish import staged_file
from etl.reference import read_reference_data, read_sdg_mapping
from etl.results import compute_results
from etl.settings import Settings

# Questions naming years (every incremental run, and full runs over every geography) ask
# FIRST_YEAR to next year: Kolada's series start in the 1990s, and 1990–2027 is two year
# batches of 25. A full run replaces only the years it asked (db.sync.apply_incoming).
FIRST_YEAR = 1990


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
    plan: tuple[FetchPart, ...] = ()  # the value questions, asked or (dry run) to ask
    backfilled: tuple[str, ...] = ()  # KPIs new to the scope, fetched whole
    value_requests: int = 0  # data requests made: first pages, further pages, retries
    value_retries: int = 0

    @property
    def planned_requests(self) -> int:
        """The value questions (first pages): the fewest that cover the run's scope."""
        return sum(part.requests for part in self.plan)

    @property
    def further_pages(self) -> int:
        """Pages the answers needed beyond their first: planned_requests plus these is the
        least any client could ask for the same answers at 5,000 rows a page."""
        return self.value_requests - self.value_retries - self.planned_requests


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


# meta: the KPIs a live run has fetched whole (a full run, or a backfill), as a JSON list.
FETCHED_WHOLE_KEY = "kpis_fetched_whole"


def _fetched_whole(meta: dict[str, str]) -> set[str]:
    try:
        return set(json.loads(meta.get(FETCHED_WHOLE_KEY, "[]")))
    except ValueError:
        return set()


def _new_to_scope(db_path: Path, scope: Scope) -> set[str]:
    """Scope KPIs that an incremental run has no history to add changes to: none of their
    values stored for their geographies (a KPI just added to a goal file or to
    `extra_kpis`) and never fetched whole before, or retired in the database (back in
    the catalogue after vanishing: what is stored may be stale). A KPI fetched whole once
    that still has no values (Kolada has none yet) is not fetched whole again every
    night: its values come as changes when Kolada publishes them."""
    con = connect_read_only(db_path)
    try:
        kpi = queries.query_kpi_meta(con, [*scope.goal_kpis, *scope.extra_kpis])
        out = set(kpi.loc[kpi["is_retired"].astype(bool), "id"])
        done = _fetched_whole(queries.query_meta(con))
        for kpis, geos in scope.groups:
            out |= set(kpis) - queries.query_kpis_with_values(con, kpis, geos) - done
    except duckdb.Error as exc:
        raise DatabaseError(f"Databasen {db_path} kunde inte läsas: {exc}") from exc
    finally:
        con.close()
    return out


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
    """One run, under the run lock; `now` is its start. Except in a dry run, the status
    file records the outcome (etl.pipeline.locked_run), and what a killed run left behind
    is cleared first. Raises MalpulsError (LockedError before anything is written)."""
    with locked_run(
        paths,
        mode="full" if full else "incremental",
        started=now,
        progress=progress,
        record=not dry_run,
    ) as record:
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
        record.mode = mode.mode
        own_client = client is None
        client = client or KoladaClient(settings.client)
        try:
            result = _run(
                paths,
                settings,
                client,
                mode,
                known,
                now=now,
                force=force,
                dry_run=dry_run,
                notes=record.warnings,
                progress=progress,
                on_batch=on_batch,
            )
        finally:
            if own_client:
                client.close()
        record.warnings = result.warnings
        return result


def _catalogue_warnings(
    goal_files: Sequence[GoalFile],
    settings: Settings,
    sdg_mapping: Sequence[SdgMapping],
    *,
    fresh_ids: set[str],
    vanished: frozenset[str],
    kpi_groups: Sequence[tuple[str, str, Sequence[str]]],
) -> list[str]:
    """References to KPIs (and KPI groups) that today's catalogue lacks, besides goal
    indicators (the database's kpi_change flags those): each is skipped, with its history
    kept, and named here so a person can mend the file."""
    warnings = [
        f"Efterföljaren {k} har försvunnit ur Koladas katalog men anges i en målfil; "
        "dess historik behålls, men nya värden kommer inte"
        for k in sorted(successor_kpis(goal_files) - fresh_ids)
    ]
    warnings += [
        f"Nyckeltalet {k} i inställningarna (scope.extra_kpis) finns inte i Koladas katalog "
        "och hämtas inte"
        for k in sorted(set(settings.extra_kpis) - fresh_ids)
    ]
    group_ids = {gid for gid, _, _ in kpi_groups}
    warnings += [
        f"Nyckeltalsgruppen {g} i inställningarna (scope.extra_kpi_groups) finns inte i Kolada "
        "och hämtas inte"
        for g in sorted(set(settings.extra_kpi_groups) - group_ids)
    ]
    warnings += [
        f"Nyckeltalet {k} i Agenda 2030-kopplingen (data/reference/kpi_sdg_mapping.csv) har "
        "försvunnit ur Koladas katalog; dess historik behålls"
        for k in sorted({m.kpi_id for m in sdg_mapping} & vanished)
    ]
    return warnings


def _fetch(
    client: KoladaClient,
    con: duckdb.DuckDBPyConnection,
    plan: Sequence[FetchPart],
    on_batch: Callable[[int, int], None] | None,
) -> int:
    """Ask the plan's questions and stage the answers (sync.append_incoming) page by page,
    kept to each part's KPIs and geographies; returns the number of values staged.
    `on_batch` counts questions over the whole plan."""
    total = sum(part.requests for part in plan)
    asked = staged = 0
    for part in plan:
        from_date = part.from_date.isoformat() if part.from_date else None
        if part.every_kpi:
            questions = client.value_questions(municipalities=part.geographies, years=part.years)
        elif part.years:
            questions = client.value_questions(kpis=part.kpis, years=part.years)
        else:
            questions = client.value_questions(kpis=part.kpis, municipalities=part.geographies)
        # Questions that leave a list out are answered for all of it: keep the part's own.
        kpis = set(part.kpis) if part.every_kpi else None
        geos = set(part.geographies) if part.years and not part.every_kpi else None
        offset = asked

        def progress(done: int, _n: int, offset: int = offset) -> None:
            if on_batch:
                on_batch(offset + done, total)

        pages = client.stream_values(questions, from_date=from_date, on_batch=progress)
        with contextlib.closing(pages):
            for page in pages:
                if kpis is not None or geos is not None:
                    page = [
                        r
                        for r in page
                        if (kpis is None or r.kpi in kpis)
                        and (geos is None or r.municipality_id in geos)
                    ]
                staged += sync.append_incoming(con, page)
        asked += len(questions)
    return staged


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
    notes: list[str],
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
    vanished = frozenset((known | base.kpis) - fresh_ids - base.retired_kpis)
    ref = ReferenceData(
        sdg_goals=base.sdg_goals,
        sdg_targets=base.sdg_targets,
        crc_articles=base.crc_articles,
        kpis=frozenset(fresh_ids),
        retired_kpis=frozenset((known | base.kpis | base.retired_kpis) - fresh_ids),
        municipalities=frozenset(m["id"] for m in municipalities),
        vanished_kpis=vanished,
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
        all_kpis=settings.all_kpis,
        extras_everywhere=settings.extra_geographies == "alla",
    )
    vanished_goal_kpis = [k for k in scope.goal_kpis if k not in fresh_ids]
    # A goal KPI that is not in today's catalogue is neither fetched nor replaced: its
    # stored history stays, and the run flags it instead.
    scope = replace(scope, goal_kpis=tuple(k for k in scope.goal_kpis if k in fresh_ids))
    notes = notes + _catalogue_warnings(
        goal_files,
        settings,
        sdg_mapping,
        fresh_ids=fresh_ids,
        vanished=vanished,
        kpi_groups=kpi_groups,
    )
    backfill: set[str] = set()
    if mode.mode == "incremental" and paths.db_path.exists():
        backfill = _new_to_scope(paths.db_path, scope)
    plan = plan_fetch(scope, mode, years=range(FIRST_YEAR, now.year + 2), backfill=backfill)
    result = LiveResult(
        mode=mode, scope=scope, warnings=list(notes), plan=plan, backfilled=tuple(sorted(backfill))
    )
    if vanished_goal_kpis:
        progress(f"Målnyckeltal som saknas i Koladas katalog: {', '.join(vanished_goal_kpis)}")
    if result.backfilled:
        progress(f"Nya i omfattningen, hämtas i sin helhet: {', '.join(result.backfilled)}")
    progress(
        f"Omfattning: {len(scope.goal_kpis)} målnyckeltal × {len(scope.all_geographies)} "
        f"kommuner/regioner, {len(scope.extra_kpis)} extra nyckeltal × "
        f"{len(scope.extra_geographies)}; {result.planned_requests} dataanrop ("
        + ", ".join(f"{p.requests} {p.shape}" for p in plan)
        + ")"
        + (f", ändringar sedan {mode.from_date}" if mode.from_date else "")
    )
    if dry_run:
        result.requests, result.retries = client.stats.requests, client.stats.retries
        return result

    sources = [
        (display_name(p), gf)
        for p, gf in zip(sorted(paths.goals_dir.glob("*.yaml")), goal_files, strict=True)
    ]
    # What was asked without from_date is replaced whole: the scope in a full run, the
    # KPIs new to the scope in an incremental one (in the years asked, when they were).
    replaced = [(p.kpis, p.geographies, p.years) for p in plan if p.from_date is None]

    with staged_file(paths.db_path) as tmp:
        try:
            shutil.copyfile(paths.db_path, tmp)
            con = duckdb.connect(str(tmp))
        except (OSError, duckdb.Error) as exc:
            raise DatabaseError(f"Databasen kunde inte kopieras till {tmp}: {exc}") from exc
        try:
            applied = migrations.migrate(con)
            if applied:
                progress(f"  Databasen uppgraderad: {', '.join(applied)}")
            # The values go straight into the copy as they come (all of Kolada is 9.5 M),
            # never all into memory; the published file is untouched until the rename.
            sync.stage_incoming(con)
            progress("Hämtar värden …")
            t_fetch = time.perf_counter()
            requests_before = client.stats.requests
            retries_before = client.stats.retries
            result.fetched = _fetch(client, con, plan, on_batch)
            result.value_requests = client.stats.requests - requests_before
            result.value_retries = client.stats.retries - retries_before
            result.fetch_seconds = time.perf_counter() - t_fetch
            progress(
                f"  {result.fetched} värden hämtade med {result.value_requests} dataanrop: "
                f"{result.planned_requests} frågor (det minsta antal som täcker omfattningen) "
                f"+ {result.further_pages} sidor till som svaren krävde"
                + (f" + {result.value_retries} omförsök" if result.value_retries else "")
            )
            t_db = time.perf_counter()
            progress("Uppdaterar databasen (på en kopia) …")
            result.kpi_changes = sync.refresh_kpis(con, kpis, now)
            sync.replace_municipalities(con, municipalities, muni_groups)
            sync.replace_kpi_groups(con, kpi_groups)
            # A full run rewrites the scope: check the whole table afterwards. An
            # incremental run wrote only the KPIs that came (none on a quiet night).
            written = None if replaced else sync.query_incoming_kpis(con)
            before = sync.count_values_in_scope(con, scope.groups)
            changes = sync.apply_incoming(con, full_scope=replaced or None, at=now)
            result.added, result.changed, result.deleted = (
                changes.added,
                changes.changed,
                changes.deleted,
            )
            after = sync.count_values_in_scope(con, scope.groups)
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
            compute_results(con, calibration, now.date(), progress, app_db_path=paths.app_db_path)
            check = check_database(con, values_from="från Kolada", written_kpis=written)
            vanished_indicators = checks.query_vanished_goal_kpis(con)
            result.warnings = (
                notes
                + check.warnings
                + [
                    f"Nyckeltalet {k} har försvunnit ur Koladas katalog men används i en målfil"
                    for k in vanished_indicators
                ]
            )
            meta = {
                "data_source": f"Kolada API v3 ({settings.client.base_url})",
                "data_date": now.date().isoformat(),
                "catalog_date": now.date().isoformat(),
                "last_live_success": now.isoformat(timespec="seconds"),
                # Which geographies the extra KPIs were fetched for: the explorer's
                # coverage note tells "Målpuls hämtar inte" from "Kolada har inga värden".
                "extra_geographies": settings.extra_geographies,
            }
            whole = set(result.backfilled)
            if mode.mode == "full":
                meta["last_full_reload"] = now.isoformat(timespec="seconds")
                whole = {*scope.goal_kpis, *scope.extra_kpis}
            meta[FETCHED_WHOLE_KEY] = json.dumps(
                sorted(_fetched_whole(queries.query_meta(con)) | whole)
            )
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
            raise DatabaseError(f"Databasen kunde inte uppdateras: {exc}") from exc
        finally:
            con.close()
    result.published = True
    result.db_seconds = time.perf_counter() - t_db
    return result
