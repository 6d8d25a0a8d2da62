"""The app's own store: what people write in Målpuls (issue 19), kept apart from the nightly
database. Assessments with their sign-off and history, and the uploaded versions of local
indicators, live in one SQLite file (`Paths.app_db_path`, `malpuls-app.sqlite` beside the
nightly database). The ETL publishes a new DuckDB file every night; it never writes this one.

Who opens it:
- the app writes and reads through `AppStore` (the pages, under Streamlit);
- the ETL and the report freezer, in their own processes, read through `read_signed_off`
  and `read_local_versions`, which open the file read-only and never create it;
- `python -m etl backup-app` / `restore-app` call `backup` and `restore`.

Why SQLite in WAL mode and not a second DuckDB file: DuckDB allows one read-write process
or any number of read-only processes, never both, so the ETL could not read while the app
is open for writing. SQLite in WAL mode has one writer and many readers in other processes
at once; readers see the last committed state and never block the writer. Writers queue on
`busy_timeout`; a save that still cannot get the lock fails as StoreWriteError.

Decisions:
- One connection per call. Streamlit runs each session's script in its own thread, and a
  sqlite3 connection must not be shared between threads without a lock around every use.
  Opening a SQLite connection is cheap (a file open and a few PRAGMAs), writes are a few a
  minute, and a fresh connection per call also picks up a restored file at the next call.
  So `AppStore` holds only its path and is safe to share (e.g. in `st.cache_resource`).
- `synchronous=FULL`: in WAL mode NORMAL survives a crash of the program but can lose the
  last commits on a power cut; FULL syncs the WAL at each commit. A person was told
  "sparat", and the writes are few and small, so durability wins over the fsync.
- Every change is a compare-and-set inside `BEGIN IMMEDIATE` (the write lock is taken before
  the current version is read) and `UPDATE … WHERE version = ?`: a save made on an older
  version is a ConflictError naming who changed it, never a silent overwrite.
- Schema: migrations are named functions applied once and in order (as db.migrations does
  for the nightly database), recorded in `schema_version` and in `PRAGMA user_version`;
  `PRAGMA application_id` marks the file as a Målpuls store, which `restore` checks.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import sqlite3
import urllib.parse
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from core.errors import DataError
from core.people import (
    ASSESSMENT_STATUSES,
    Assessment,
    AssessmentChange,
    AssessmentDraft,
    AssessmentKey,
    ConflictError,
    LocalRow,
    LocalVersion,
    NotAllowedError,
    StoreWriteError,
)

# 'MÅLP' would not fit in ASCII; any fixed 32-bit number marks the file as ours.
APPLICATION_ID = 0x4D4C5053  # "MLPS"
BUSY_TIMEOUT_MS = 5000
EXPECTED_TABLES = frozenset(
    {"schema_version", "assessment", "assessment_change", "local_version", "local_row"}
)
GENDERS = ("T", "K", "M")


# ---------------------------------------------------------------------------- migrations

Migration = Callable[[sqlite3.Connection], None]


def _m001_initial(con: sqlite3.Connection) -> None:
    con.execute(
        """CREATE TABLE assessment (
            municipality_id TEXT NOT NULL,
            goal_id TEXT NOT NULL,
            checkpoint TEXT NOT NULL,           -- ISO date
            status TEXT NOT NULL,
            comment TEXT NOT NULL,
            actions TEXT NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('utkast', 'klar')),
            version INTEGER NOT NULL CHECK (version >= 1),
            updated_by TEXT NOT NULL,
            updated_at TEXT NOT NULL,           -- ISO datetime as given by the caller
            signed_off_by TEXT,
            signed_off_at TEXT,
            PRIMARY KEY (municipality_id, goal_id, checkpoint),
            CHECK ((state = 'klar') = (signed_off_by IS NOT NULL AND signed_off_at IS NOT NULL))
        ) STRICT"""
    )
    con.execute(
        """CREATE TABLE assessment_change (
            municipality_id TEXT NOT NULL,
            goal_id TEXT NOT NULL,
            checkpoint TEXT NOT NULL,
            version INTEGER NOT NULL,
            action TEXT NOT NULL
                CHECK (action IN ('sparat utkast', 'klarmarkerat', 'öppnat igen')),
            status TEXT NOT NULL,
            comment TEXT NOT NULL,
            actions TEXT NOT NULL,
            changed_by TEXT NOT NULL,
            changed_at TEXT NOT NULL,
            PRIMARY KEY (municipality_id, goal_id, checkpoint, version),
            FOREIGN KEY (municipality_id, goal_id, checkpoint)
                REFERENCES assessment (municipality_id, goal_id, checkpoint)
        ) STRICT"""
    )
    con.execute(
        """CREATE TABLE local_version (
            municipality_id TEXT NOT NULL,
            indicator_id TEXT NOT NULL,
            version INTEGER NOT NULL CHECK (version >= 1),
            unit TEXT,
            filename TEXT NOT NULL,
            uploaded_by TEXT NOT NULL,
            uploaded_at TEXT NOT NULL,
            PRIMARY KEY (municipality_id, indicator_id, version)
        ) STRICT"""
    )
    con.execute(
        """CREATE TABLE local_row (
            municipality_id TEXT NOT NULL,
            indicator_id TEXT NOT NULL,
            version INTEGER NOT NULL,
            row_no INTEGER NOT NULL,            -- the order of the uploaded file
            year INTEGER NOT NULL,
            gender TEXT NOT NULL CHECK (gender IN ('T', 'K', 'M')),
            value REAL NOT NULL,
            PRIMARY KEY (municipality_id, indicator_id, version, row_no),
            UNIQUE (municipality_id, indicator_id, version, year, gender),
            FOREIGN KEY (municipality_id, indicator_id, version)
                REFERENCES local_version (municipality_id, indicator_id, version)
                ON DELETE CASCADE
        ) STRICT"""
    )


# Append only: a released migration is never renamed or edited.
MIGRATIONS: tuple[tuple[str, Migration], ...] = (("m001_initial", _m001_initial),)
SCHEMA_VERSION = len(MIGRATIONS)


def _migrate(con: sqlite3.Connection, path: Path) -> None:
    """Bring the file up to SCHEMA_VERSION under the write lock (a second process racing to
    create the schema waits, then finds it done)."""
    if _user_version(con) == SCHEMA_VERSION:
        return
    con.execute("BEGIN IMMEDIATE")
    try:
        current = _user_version(con)
        if current > SCHEMA_VERSION:
            raise _newer_file(path, current)
        if current == 0:
            if con.execute("SELECT count(*) FROM sqlite_schema").fetchone()[0]:
                raise DataError(
                    f"{path} är en SQLite-fil men inte Målpuls appdatabas. Flytta den och "
                    "starta appen igen, eller återställ en säkerhetskopia "
                    "(python -m etl restore-app --from FIL).",
                    title="Fel fil",
                )
            con.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            con.execute(
                "CREATE TABLE schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
                " applied_at TEXT NOT NULL DEFAULT (datetime('now'))) STRICT"
            )
        for number, (name, apply) in enumerate(MIGRATIONS, start=1):
            if number > current:
                apply(con)
                con.execute(
                    "INSERT INTO schema_version (version, name) VALUES (?, ?)", (number, name)
                )
        con.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def _user_version(con: sqlite3.Connection) -> int:
    return con.execute("PRAGMA user_version").fetchone()[0]


def _newer_file(path: Path, version: int) -> DataError:
    return DataError(
        f"Appens databas {path} är skriven av en nyare version av Målpuls (schemaversion "
        f"{version}, den här versionen känner till {SCHEMA_VERSION}). Uppdatera Målpuls.",
        title="Nyare databas",
    )


# ---------------------------------------------------------------------------- errors


def _reason(exc: BaseException) -> str:
    """What went wrong, in words a municipal administrator can act on."""
    if isinstance(exc, OSError):
        return f"mappen kan inte skapas eller skrivas ({exc.strerror or exc})"
    name = getattr(exc, "sqlite_errorname", "") or ""
    text = str(exc).lower()
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in text:
        return (
            "databasen var upptagen av en annan skrivning längre än "
            f"{BUSY_TIMEOUT_MS // 1000} sekunder. Försök igen om en stund"
        )
    if name.startswith("SQLITE_READONLY") or "readonly" in text:
        return "databasen är skrivskyddad"
    if name.startswith("SQLITE_FULL") or "full" in text:
        return "disken är full"
    if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or "not a database" in text:
        return (
            "filen är skadad eller ingen databas. Återställ den senaste säkerhetskopian "
            "(python -m etl restore-app --from FIL)"
        )
    if name.startswith("SQLITE_CANTOPEN"):
        return "filen eller dess mapp kan inte öppnas för skrivning"
    return f"databasfel ({exc})"


def _write_error(path: Path, exc: BaseException) -> StoreWriteError:
    return StoreWriteError(
        f"Kunde inte spara i appens databas ({path}): {_reason(exc)}. Inget har sparats; "
        "formuläret är kvar. Kontakta administratören om felet står kvar."
    )


def _read_error(path: Path, exc: BaseException) -> DataError:
    return DataError(
        f"Kunde inte läsa appens databas ({path}): {_reason(exc)}.",
        title="Appens databas kan inte läsas",
    )


# ---------------------------------------------------------------------------- connections


def _tune(con: sqlite3.Connection, busy_timeout_ms: int) -> None:
    con.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
    con.execute("PRAGMA foreign_keys = ON")
    con.execute("PRAGMA synchronous = FULL")


def _ro_uri(path: Path) -> str:
    return f"file:{urllib.parse.quote(str(path.resolve()))}?mode=ro"


@contextlib.contextmanager
def _read_only(path: Path, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> Iterator[sqlite3.Connection]:
    """A read-only connection (`mode=ro`: never creates or changes the file)."""
    con = sqlite3.connect(_ro_uri(path), uri=True, isolation_level=None)
    try:
        con.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        yield con
    finally:
        con.close()


class AppStore:
    """The app's handle on its store. Holds only the path: every method opens its own
    connection (see the module docstring), so one instance can serve every Streamlit thread.

    Opening creates the folder, the file and its schema when they are missing (a failure is
    a StoreWriteError). Reads raise DataError when the file cannot be read; writes raise
    StoreWriteError, ConflictError or NotAllowedError and leave the file as it was.
    """

    def __init__(self, path: Path, *, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> None:
        self.path = Path(path)
        self.busy_timeout_ms = busy_timeout_ms
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self._connection():
                pass
        except (sqlite3.Error, OSError) as exc:
            raise StoreWriteError(
                f"Kunde inte skapa appens databas ({self.path}): {_reason(exc)}. "
                "Kontakta administratören.",
                title="Appens databas kan inte skapas",
            ) from exc

    @contextlib.contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        # isolation_level=None: transactions are begun explicitly (BEGIN IMMEDIATE), never
        # implicitly by the sqlite3 module.
        con = sqlite3.connect(self.path, isolation_level=None, timeout=self.busy_timeout_ms / 1000)
        try:
            _tune(con, self.busy_timeout_ms)
            if con.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                con.execute("PRAGMA journal_mode = WAL")  # recorded in the file
            _migrate(con, self.path)
            yield con
        finally:
            con.close()

    @contextlib.contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        try:
            with self._connection() as con:
                yield con
        except sqlite3.Error as exc:
            raise _read_error(self.path, exc) from exc

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One transaction holding the write lock from its first statement, so what it reads
        (the current version) cannot change before it writes. Rolled back on any error."""
        try:
            with self._connection() as con:
                con.execute("BEGIN IMMEDIATE")
                try:
                    yield con
                    con.execute("COMMIT")
                except BaseException:
                    if con.in_transaction:
                        con.execute("ROLLBACK")
                    raise
        except (sqlite3.Error, OSError) as exc:
            raise _write_error(self.path, exc) from exc

    # ------------------------------------------------------------------------ assessments

    def assessment(self, key: AssessmentKey) -> Assessment | None:
        with self._read() as con:
            row = _current_row(con, key)
        return None if row is None else _assessment(row)

    def assessments(
        self, municipality_id: str, checkpoint: dt.date | None = None
    ) -> list[Assessment]:
        """The current state of every assessment of the municipality (drafts and klar),
        optionally for one checkpoint, by goal and checkpoint."""
        with self._read() as con:
            rows = con.execute(
                f"{_SELECT_ASSESSMENT} WHERE municipality_id = ?"
                " AND (? IS NULL OR checkpoint = ?) ORDER BY goal_id, checkpoint",
                (municipality_id, _iso(checkpoint), _iso(checkpoint)),
            ).fetchall()
        return [_assessment(r) for r in rows]

    def history(self, municipality_id: str, goal_id: str) -> list[AssessmentChange]:
        """Every change of the goal's assessments (all checkpoints), newest first."""
        with self._read() as con:
            rows = con.execute(
                "SELECT municipality_id, goal_id, checkpoint, version, action, status, comment,"
                " actions, changed_by, changed_at FROM assessment_change"
                " WHERE municipality_id = ? AND goal_id = ?"
                " ORDER BY changed_at DESC, checkpoint DESC, version DESC",
                (municipality_id, goal_id),
            ).fetchall()
        return [
            AssessmentChange(
                key=AssessmentKey(m, g, dt.date.fromisoformat(c)),
                version=v,
                action=a,
                status=s,
                comment=co,
                actions=ac,
                by=by,
                at=dt.datetime.fromisoformat(at),
            )
            for m, g, c, v, a, s, co, ac, by, at in rows
        ]

    def save_draft(
        self,
        key: AssessmentKey,
        draft: AssessmentDraft,
        *,
        by: str,
        expected_version: int,
        now: dt.datetime,
    ) -> Assessment:
        """Save the form as a draft. `expected_version` is the version the form was opened
        on (0: there was none). Raises ConflictError when someone saved in between and
        NotAllowedError when the assessment is klar."""
        return self._change(key, draft, by=by, expected=expected_version, now=now, done=False)

    def mark_done(
        self,
        key: AssessmentKey,
        draft: AssessmentDraft,
        *,
        by: str,
        expected_version: int,
        now: dt.datetime,
    ) -> Assessment:
        """Save the form and sign it off (state klar) in one change; same rules as
        save_draft."""
        return self._change(key, draft, by=by, expected=expected_version, now=now, done=True)

    def reopen(
        self, key: AssessmentKey, *, by: str, expected_version: int, now: dt.datetime
    ) -> Assessment:
        """Back to utkast, keeping the words. Who may do this is the UI's check."""
        _check_text("by", by)
        with self._write() as con:
            row = _current_row(con, key)
            _check_version(key, row, expected_version)
            assert row is not None  # _check_version refuses expected_version 0 on a row
            current = _assessment(row)
            if current.state != "klar":
                raise NotAllowedError(
                    "Bedömningen är inte klarmarkerad, så det finns inget att öppna igen.",
                    title="Redan ett utkast",
                )
            new = Assessment(
                key=key,
                status=current.status,
                comment=current.comment,
                actions=current.actions,
                state="utkast",
                version=current.version + 1,
                updated_by=by,
                updated_at=now,
            )
            _store(con, new, expected_version, action="öppnat igen")
        return new

    def _change(
        self,
        key: AssessmentKey,
        draft: AssessmentDraft,
        *,
        by: str,
        expected: int,
        now: dt.datetime,
        done: bool,
    ) -> Assessment:
        _check_draft(draft)
        _check_text("by", by)
        with self._write() as con:
            row = _current_row(con, key)
            _check_version(key, row, expected)
            if row is not None and _assessment(row).state == "klar":
                raise NotAllowedError(
                    "Bedömningen är klarmarkerad. En administratör kan öppna den igen.",
                    title="Bedömningen är klarmarkerad",
                )
            new = Assessment(
                key=key,
                status=draft.status,
                comment=draft.comment,
                actions=draft.actions,
                state="klar" if done else "utkast",
                version=expected + 1,
                updated_by=by,
                updated_at=now,
                signed_off_by=by if done else None,
                signed_off_at=now if done else None,
            )
            _store(con, new, expected, action="klarmarkerat" if done else "sparat utkast")
        return new

    # ------------------------------------------------------------------------ local values

    def save_local_version(
        self,
        municipality_id: str,
        indicator_id: str,
        rows: Sequence[LocalRow],
        *,
        unit: str | None,
        filename: str,
        by: str,
        now: dt.datetime,
    ) -> LocalVersion:
        """Keep one upload as the indicator's next version (previous + 1), all rows or none."""
        _check_rows(rows)
        _check_text("by", by)
        with self._write() as con:
            (previous,) = con.execute(
                "SELECT coalesce(max(version), 0) FROM local_version"
                " WHERE municipality_id = ? AND indicator_id = ?",
                (municipality_id, indicator_id),
            ).fetchone()
            version = LocalVersion(
                municipality_id=municipality_id,
                indicator_id=indicator_id,
                version=previous + 1,
                rows=tuple(rows),
                unit=unit,
                filename=filename,
                uploaded_by=by,
                uploaded_at=now,
            )
            con.execute(
                "INSERT INTO local_version (municipality_id, indicator_id, version, unit,"
                " filename, uploaded_by, uploaded_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (municipality_id, indicator_id, version.version, unit, filename, by, _iso(now)),
            )
            con.executemany(
                "INSERT INTO local_row (municipality_id, indicator_id, version, row_no, year,"
                " gender, value) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (municipality_id, indicator_id, version.version, i, r.year, r.gender, r.value)
                    for i, r in enumerate(rows)
                ],
            )
        return version

    def local_versions(
        self, municipality_id: str, indicator_id: str | None = None
    ) -> list[LocalVersion]:
        """Every upload with its rows, by indicator, oldest first."""
        with self._read() as con:
            return _query_local_versions(con, municipality_id, indicator_id)

    def latest_local_version(self, municipality_id: str, indicator_id: str) -> LocalVersion | None:
        with self._read() as con:
            (latest,) = con.execute(
                "SELECT max(version) FROM local_version"
                " WHERE municipality_id = ? AND indicator_id = ?",
                (municipality_id, indicator_id),
            ).fetchone()
            if latest is None:
                return None
            found = _query_local_versions(con, municipality_id, indicator_id, version=latest)
        return found[0]


# ---------------------------------------------------------------------------- helpers

_SELECT_ASSESSMENT = (
    "SELECT municipality_id, goal_id, checkpoint, status, comment, actions, state, version,"
    " updated_by, updated_at, signed_off_by, signed_off_at FROM assessment"
)


def _iso(value: dt.date | dt.datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _current_row(con: sqlite3.Connection, key: AssessmentKey) -> tuple | None:
    return con.execute(
        f"{_SELECT_ASSESSMENT} WHERE municipality_id = ? AND goal_id = ? AND checkpoint = ?",
        (key.municipality_id, key.goal_id, key.checkpoint.isoformat()),
    ).fetchone()


def _assessment(row: tuple) -> Assessment:
    m, g, c, status, comment, actions, state, version, by, at, s_by, s_at = row
    return Assessment(
        key=AssessmentKey(m, g, dt.date.fromisoformat(c)),
        status=status,
        comment=comment,
        actions=actions,
        state=state,
        version=version,
        updated_by=by,
        updated_at=dt.datetime.fromisoformat(at),
        signed_off_by=s_by,
        signed_off_at=None if s_at is None else dt.datetime.fromisoformat(s_at),
    )


def _when(at: dt.datetime) -> str:
    return f"{at:%Y-%m-%d} kl. {at:%H:%M}"


def _check_version(key: AssessmentKey, row: tuple | None, expected: int) -> None:
    """The compare of compare-and-set: the form must have been opened on the current
    version (0 when there was none)."""
    if row is None and expected == 0:
        return
    what = f"Bedömningen av {key.goal_id} per {key.checkpoint.isoformat()}"
    if row is None:
        raise ConflictError(
            f"{what} finns inte längre i appens databas (du utgick från version {expected}). "
            "Ditt utkast finns kvar i formuläret; ladda om sidan innan du sparar igen."
        )
    current = _assessment(row)
    if current.version != expected:
        raise ConflictError(
            f"{what} ändrades av {current.updated_by} {_when(current.updated_at)} medan du "
            f"skrev (nu version {current.version}, du utgick från "
            f"{'en ny bedömning' if expected == 0 else f'version {expected}'}). Ditt utkast "
            "finns kvar i formuläret; läs den nya versionen innan du sparar igen."
        )


def _store(con: sqlite3.Connection, new: Assessment, expected: int, *, action: str) -> None:
    k = new.key
    values = (
        new.status,
        new.comment,
        new.actions,
        new.state,
        new.version,
        new.updated_by,
        _iso(new.updated_at),
        new.signed_off_by,
        _iso(new.signed_off_at),
    )
    ident = (k.municipality_id, k.goal_id, k.checkpoint.isoformat())
    if expected == 0:
        con.execute(
            "INSERT INTO assessment (municipality_id, goal_id, checkpoint, status, comment,"
            " actions, state, version, updated_by, updated_at, signed_off_by, signed_off_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            ident + values,
        )
    else:
        cur = con.execute(
            "UPDATE assessment SET status = ?, comment = ?, actions = ?, state = ?,"
            " version = ?, updated_by = ?, updated_at = ?, signed_off_by = ?,"
            " signed_off_at = ?"
            " WHERE municipality_id = ? AND goal_id = ? AND checkpoint = ? AND version = ?",
            (*values, *ident, expected),
        )
        # Under BEGIN IMMEDIATE the version read above cannot have moved; this guards the
        # guard.
        if cur.rowcount != 1:
            raise ConflictError(
                "Bedömningen ändrades av någon annan medan du sparade. Ditt utkast finns kvar "
                "i formuläret; läs den nya versionen innan du sparar igen."
            )
    change = (*ident, new.version, action, new.status, new.comment, new.actions)
    change += (new.updated_by, _iso(new.updated_at))
    con.execute(
        "INSERT INTO assessment_change (municipality_id, goal_id, checkpoint, version, action,"
        " status, comment, actions, changed_by, changed_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        change,
    )


def _check_draft(draft: AssessmentDraft) -> None:
    if draft.status not in ASSESSMENT_STATUSES:
        raise DataError(
            f"Okänd status '{draft.status}' i bedömningen; välj en av: "
            f"{', '.join(ASSESSMENT_STATUSES)}.",
            title="Ogiltig bedömning",
        )


def _check_text(name: str, value: str) -> None:
    if not value.strip():
        raise DataError(f"Uppgiften '{name}' saknas: vem som sparar måste anges.")


def _check_rows(rows: Sequence[LocalRow]) -> None:
    if not rows:
        raise DataError("Filen har inga värden; inget har sparats.", title="Inga värden att spara")
    seen: set[tuple[int, str]] = set()
    for r in rows:
        if r.gender not in GENDERS:
            raise DataError(
                f"Okänt kön '{r.gender}' för år {r.year}; använd T, K eller M.",
                title="Ogiltiga värden",
            )
        if (r.year, r.gender) in seen:
            raise DataError(
                f"År {r.year} ({r.gender}) finns två gånger; varje år och kön en gång.",
                title="Ogiltiga värden",
            )
        seen.add((r.year, r.gender))


def _query_local_versions(
    con: sqlite3.Connection,
    municipality_id: str | None,
    indicator_id: str | None,
    version: int | None = None,
) -> list[LocalVersion]:
    where = (
        " WHERE (?1 IS NULL OR municipality_id = ?1) AND (?2 IS NULL OR indicator_id = ?2)"
        " AND (?3 IS NULL OR version = ?3)"
    )
    params = (municipality_id, indicator_id, version)
    rows: dict[tuple[str, str, int], list[LocalRow]] = {}
    for m, i, v, year, gender, value in con.execute(
        "SELECT municipality_id, indicator_id, version, year, gender, value FROM local_row"
        f"{where} ORDER BY municipality_id, indicator_id, version, row_no",
        params,
    ):
        rows.setdefault((m, i, v), []).append(LocalRow(year=year, value=value, gender=gender))
    return [
        LocalVersion(
            municipality_id=m,
            indicator_id=i,
            version=v,
            rows=tuple(rows.get((m, i, v), ())),
            unit=unit,
            filename=filename,
            uploaded_by=by,
            uploaded_at=dt.datetime.fromisoformat(at),
        )
        for m, i, v, unit, filename, by, at in con.execute(
            "SELECT municipality_id, indicator_id, version, unit, filename, uploaded_by,"
            f" uploaded_at FROM local_version{where}"
            " ORDER BY municipality_id, indicator_id, version",
            params,
        )
    ]


# ---------------------------------------------------------------------------- other processes


def _readable_schema(con: sqlite3.Connection, path: Path) -> bool:
    """True when the file holds the store's tables; False for a file the app has created
    but not yet given its schema (nothing to read)."""
    version = _user_version(con)
    if version > SCHEMA_VERSION:
        raise _newer_file(path, version)
    return version > 0


def read_signed_off(path: Path, municipality_id: str | None = None) -> list[Assessment]:
    """The klar assessments (current state), for the ETL and the report freezer in their own
    processes. Opens the file read-only, in a snapshot that a concurrent save never
    half-changes; never creates or changes it (SQLite may leave its -wal/-shm beside it).
    Returns [] when the file does not exist. A file that cannot be read raises DataError."""
    path = Path(path)
    if not path.is_file():
        return []
    try:
        with _read_only(path) as con:
            if not _readable_schema(con, path):
                return []
            rows = con.execute(
                f"{_SELECT_ASSESSMENT} WHERE state = 'klar'"
                " AND (?1 IS NULL OR municipality_id = ?1)"
                " ORDER BY municipality_id, goal_id, checkpoint",
                (municipality_id,),
            ).fetchall()
    except sqlite3.Error as exc:
        raise _read_error(path, exc) from exc
    return [_assessment(r) for r in rows]


def read_local_versions(path: Path, municipality_id: str | None = None) -> list[LocalVersion]:
    """Every uploaded version of every local indicator with its rows (by municipality,
    indicator, version: oldest first), read-only as read_signed_off."""
    path = Path(path)
    if not path.is_file():
        return []
    try:
        with _read_only(path) as con:
            if not _readable_schema(con, path):
                return []
            # One read transaction for both queries, so rows and versions agree.
            con.execute("BEGIN")
            found = _query_local_versions(con, municipality_id, None)
            con.execute("COMMIT")
    except sqlite3.Error as exc:
        raise _read_error(path, exc) from exc
    return found


@dataclass(frozen=True)
class StoreCounts:
    assessments: int
    signed_off: int
    local_versions: int

    def text(self) -> str:
        return (
            f"{self.assessments} bedömningar ({self.signed_off} klarmarkerade), "
            f"{self.local_versions} uppladdade versioner av lokala indikatorer"
        )


def read_counts(path: Path) -> StoreCounts:
    """How much a store file holds (read-only), for the backup and restore messages."""
    try:
        with _read_only(Path(path)) as con:
            if not _readable_schema(con, Path(path)):
                return StoreCounts(0, 0, 0)
            a, s = con.execute(
                "SELECT count(*), count(*) FILTER (WHERE state = 'klar') FROM assessment"
            ).fetchone()
            (v,) = con.execute("SELECT count(*) FROM local_version").fetchone()
    except sqlite3.Error as exc:
        raise _read_error(Path(path), exc) from exc
    return StoreCounts(a, s, v)


# ---------------------------------------------------------------------------- backup, restore


def backup(path: Path, dest: Path) -> Path:
    """A consistent one-file copy of the store at `path` in `dest`, safe while the app
    writes: SQLite's online backup API copies one snapshot under a read transaction (which
    in WAL mode does not block the writer), including what is still in the -wal file. The
    copy is a plain rollback-journal file (no -wal needed), checked with integrity_check,
    and written under a temporary name first, so `dest` is either complete or absent.
    Refuses to overwrite an existing `dest`."""
    path, dest = Path(path), Path(dest)
    if not path.is_file():
        raise DataError(
            f"Appens databas {path} finns inte; det finns inget att säkerhetskopiera.",
            title="Ingen säkerhetskopia",
        )
    if dest.exists():
        raise DataError(
            f"{dest} finns redan och skrivs inte över. Välj ett nytt filnamn, t.ex. med "
            "dagens datum.",
            title="Ingen säkerhetskopia",
        )
    tmp = dest.with_name(f".{dest.name}.partial-{os.getpid()}")
    try:
        _copy_database(path, tmp)
        tmp.replace(dest)
    except (sqlite3.Error, OSError) as exc:
        tmp.unlink(missing_ok=True)
        raise StoreWriteError(
            f"Säkerhetskopian {dest} kunde inte skrivas: {_reason(exc)}. Appens databas "
            f"{path} är oförändrad.",
            title="Ingen säkerhetskopia",
        ) from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return dest


def _copy_database(src: Path, dest: Path) -> None:
    """Copy the committed state of `src` (read-only) to a new file `dest` in one step."""
    dest.unlink(missing_ok=True)
    with _read_only(src) as source:
        target = sqlite3.connect(dest, isolation_level=None)
        try:
            source.backup(target)  # pages=-1: all at once, one consistent snapshot
            target.execute("PRAGMA journal_mode = DELETE")
            target.execute("PRAGMA synchronous = FULL")
            (ok,) = target.execute("PRAGMA integrity_check").fetchone()
            if ok != "ok":
                raise sqlite3.DatabaseError(f"integrity_check: {ok}")
        finally:
            target.close()


def check_store_file(src: Path) -> StoreCounts:
    """Raise DataError unless `src` is a sound Målpuls app store this version can open
    (integrity_check, the application id, the expected tables, a known schema version)."""
    src = Path(src)
    refused = f"{src} är ingen giltig säkerhetskopia av Målpuls appdatabas"
    if not src.is_file():
        raise DataError(f"{src} finns inte.", title="Återställningen gjordes inte")
    try:
        with _read_only(src) as con:
            (ok,) = con.execute("PRAGMA integrity_check").fetchone()
            if ok != "ok":
                raise DataError(
                    f"{refused}: filen är skadad ({ok}).", title="Återställningen gjordes inte"
                )
            (app_id,) = con.execute("PRAGMA application_id").fetchone()
            tables = {r[0] for r in con.execute("SELECT name FROM sqlite_schema")}
            version = _user_version(con)
    except sqlite3.Error as exc:
        raise DataError(
            f"{refused}: {_reason(exc)}.", title="Återställningen gjordes inte"
        ) from exc
    if app_id != APPLICATION_ID or not tables >= EXPECTED_TABLES:
        missing = ", ".join(sorted(EXPECTED_TABLES - tables)) or "Målpuls märkning"
        raise DataError(f"{refused}: den saknar {missing}.", title="Återställningen gjordes inte")
    if version > SCHEMA_VERSION:
        raise _newer_file(src, version)
    return read_counts(src)


def restore(src: Path, path: Path, *, now: dt.datetime) -> Path | None:
    """Replace the store at `path` by the backup `src`; return where the replaced store was
    kept (`<name>.fore-restore-<timestamp>.sqlite` beside it), or None when there was none.

    `src` is checked first (check_store_file); a refused file changes nothing. The new file
    is copied beside `path` and moved into place with os.replace (atomic). The current store
    is first taken out of WAL mode (its -wal written into the file; this needs the only
    connection, so the restore is refused while anyone else has the file open) and copied
    to the kept file; a stale -wal of the old file must never be replayed onto the new one.

    Stop the app during a restore, or at least make sure nobody is saving. The app opens a
    new connection for every call, so it picks up the restored file at its next call; a save
    that starts in the instant between the check and the replace would go to the replaced
    file (and then be only in the kept copy).
    """
    src, path = Path(src), Path(path)
    check_store_file(src)
    path.parent.mkdir(parents=True, exist_ok=True)
    stamp = now.strftime("%Y%m%dT%H%M%S")
    kept = path.with_name(f"{path.stem}.fore-restore-{stamp}.sqlite")
    n = 1
    while kept.exists():
        n += 1
        kept = path.with_name(f"{path.stem}.fore-restore-{stamp}-{n}.sqlite")
    tmp = path.with_name(f".{path.name}.restoring-{os.getpid()}")
    try:
        _copy_database(src, tmp)
        had_store = path.is_file()
        if had_store:
            _keep_current(path, kept)
        tmp.replace(path)
        # Nobody held the old file (_quiesce); side files left after it (e.g. by a reader
        # that opened it since) must not meet the new file.
        for side in ("-wal", "-shm"):
            Path(f"{path}{side}").unlink(missing_ok=True)
    except (sqlite3.Error, OSError) as exc:
        tmp.unlink(missing_ok=True)
        raise StoreWriteError(
            f"Appens databas {path} kunde inte återställas: {_reason(exc)}. Den är oförändrad.",
            title="Återställningen gjordes inte",
        ) from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return kept if had_store else None


def _quiesce(path: Path) -> None:
    """Take the store out of WAL mode: SQLite then writes everything in the -wal into the
    file and removes the -wal and -shm. Leaving WAL mode needs the only connection to the
    file, so this is also the check that nobody (the app, the ETL, a freezer) has it open;
    if someone has, the restore is refused. The app's next connection turns WAL on again."""
    con = sqlite3.connect(path, isolation_level=None)
    try:
        con.execute("PRAGMA busy_timeout = 2000")
        try:
            (mode,) = con.execute("PRAGMA journal_mode = DELETE").fetchone()
        except sqlite3.OperationalError as exc:
            name = getattr(exc, "sqlite_errorname", "") or ""
            if not name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
                raise
            mode = "busy"
    finally:
        con.close()
    if mode != "delete":
        raise DataError(
            f"Appens databas {path} används just nu (appen eller en annan process har den "
            "öppen). Stoppa appen och försök igen; inget har ändrats.",
            title="Återställningen gjordes inte",
        )


def _keep_current(path: Path, kept: Path) -> None:
    """Keep the store about to be replaced: a consistent copy, or, when it is damaged
    (the usual reason to restore), its bytes as they are."""
    try:
        _quiesce(path)
        _copy_database(path, kept)
    except sqlite3.DatabaseError as exc:
        name = getattr(exc, "sqlite_errorname", "") or ""
        if not name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")):
            raise
        kept.unlink(missing_ok=True)
        shutil.copy2(path, kept)
