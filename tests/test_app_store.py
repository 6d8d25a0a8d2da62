"""db/app_store.py: the app's own SQLite store (issue 19). What people write survives the
nightly ETL, a save made on an older version is a conflict and never an overwrite, every
failure to write is a Swedish StoreWriteError with nothing half-written, other processes
read while the app writes, and backup/restore give one consistent file.

The cross-process tests hand control over with pipes (a line on stdout or stdin), never
with sleeps, and assert on what was read, never on how long it took.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import textwrap
from dataclasses import replace
from pathlib import Path

import duckdb
import pytest

from config import PROJECT_ROOT, Paths
from core.errors import DataError
from core.people import (
    AssessmentDraft,
    AssessmentKey,
    ConflictError,
    LocalRow,
    NotAllowedError,
    StoreWriteError,
)
from db.app_store import (
    APPLICATION_ID,
    SCHEMA_VERSION,
    AppStore,
    backup,
    check_store_file,
    read_counts,
    read_local_versions,
    read_signed_off,
    restore,
)

KEY = AssessmentKey("0665", "mal-1", dt.date(2026, 8, 31))
OTHER = AssessmentKey("0665", "mal-2", dt.date(2026, 8, 31))
T1 = dt.datetime(2026, 11, 30, 10, 42)
T2 = dt.datetime(2026, 11, 30, 11, 5)
T3 = dt.datetime(2026, 12, 1, 8, 0)
ROWS = (LocalRow(2023, 12.5), LocalRow(2024, 13.0), LocalRow(2024, 11.0, "K"))


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "state" / "malpuls-app.sqlite"


@pytest.fixture
def store(path: Path) -> AppStore:
    return AppStore(path)


def _fill(store: AppStore) -> None:
    """Two assessments (one klar) and two uploads of one local indicator."""
    store.save_draft(KEY, AssessmentDraft("På väg", "Ökar"), by="Anna", expected_version=0, now=T1)
    store.mark_done(
        KEY, AssessmentDraft("På väg", "Ökar", "Fler"), by="Anna", expected_version=1, now=T2
    )
    store.save_draft(OTHER, AssessmentDraft("Osäkert"), by="Bo", expected_version=0, now=T1)
    store.save_local_version("0665", "lok-1", ROWS, unit="%", filename="a.csv", by="Anna", now=T1)
    store.save_local_version("0665", "lok-1", ROWS[:1], unit="%", filename="b.csv", by="Bo", now=T2)


def _python(code: str, *args: str) -> subprocess.Popen[str]:
    """Another process running `code` in the project, talking over stdin/stdout."""
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        cwd=PROJECT_ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


# ---------------------------------------------------------------------------- schema


def test_first_open_creates_folder_file_and_schema(path: Path) -> None:
    assert not path.parent.exists()
    AppStore(path)
    AppStore(path)  # opening again migrates nothing twice
    with sqlite3.connect(path) as con:
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert con.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert con.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
        applied = con.execute("SELECT version, name FROM schema_version").fetchall()
    assert applied == [(1, "m001_initial")]
    con.close()


def test_a_file_from_a_newer_version_is_refused(path: Path) -> None:
    AppStore(path)
    con = sqlite3.connect(path)
    con.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    con.close()
    with pytest.raises(DataError, match="nyare version av Målpuls"):
        read_signed_off(path)
    with pytest.raises(DataError, match="nyare version av Målpuls"):
        AppStore(path).assessment(KEY)


# ---------------------------------------------------------------------------- assessments


def test_draft_sign_off_reopen_and_history(store: AppStore, path: Path) -> None:
    assert store.assessment(KEY) is None
    first = store.save_draft(
        KEY, AssessmentDraft("På väg", "Ökar"), by="Anna", expected_version=0, now=T1
    )
    assert (first.version, first.state, first.signed_off_by) == (1, "utkast", None)
    assert store.assessment(KEY) == first

    done = store.mark_done(
        KEY, AssessmentDraft("Uppnått", "Nått", "Inga"), by="Bo", expected_version=1, now=T2
    )
    assert (done.version, done.state, done.signed_off_by, done.signed_off_at) == (
        2,
        "klar",
        "Bo",
        T2,
    )
    assert store.assessment(KEY) == done
    assert read_signed_off(path) == [done]

    reopened = store.reopen(KEY, by="Admin", expected_version=2, now=T3)
    assert (reopened.version, reopened.state, reopened.status, reopened.comment) == (
        3,
        "utkast",
        "Uppnått",
        "Nått",
    )
    assert (reopened.signed_off_by, reopened.signed_off_at) == (None, None)
    assert read_signed_off(path) == []

    history = store.history("0665", "mal-1")
    assert [(c.version, c.action, c.by, c.at) for c in history] == [
        (3, "öppnat igen", "Admin", T3),
        (2, "klarmarkerat", "Bo", T2),
        (1, "sparat utkast", "Anna", T1),
    ]
    assert (history[1].status, history[1].comment, history[1].actions) == (
        "Uppnått",
        "Nått",
        "Inga",
    )
    assert (history[2].status, history[2].comment, history[2].actions) == ("På väg", "Ökar", "")

    store.save_draft(OTHER, AssessmentDraft("Osäkert"), by="Bo", expected_version=0, now=T1)
    assert [a.key for a in store.assessments("0665")] == [KEY, OTHER]
    assert store.assessments("0665", dt.date(2026, 4, 30)) == []
    assert store.assessments("1962") == []
    assert store.history("0665", "mal-2")[0].version == 1


def test_conflict_never_overwrites(store: AppStore) -> None:
    store.save_draft(KEY, AssessmentDraft("På väg"), by="Anna", expected_version=0, now=T1)
    # Two people open the form on version 1.
    anna_sees = store.assessment(KEY)
    bo_sees = store.assessment(KEY)
    assert anna_sees is not None and bo_sees is not None
    saved = store.save_draft(
        KEY,
        AssessmentDraft("Uppnått", "Annas text"),
        by="Anna",
        expected_version=anna_sees.version,
        now=dt.datetime(2026, 11, 30, 10, 42),
    )
    with pytest.raises(ConflictError) as err:
        store.save_draft(
            KEY,
            AssessmentDraft("Ej på väg", "Bos text"),
            by="Bo",
            expected_version=bo_sees.version,
            now=T2,
        )
    message = str(err.value)
    assert "ändrades av Anna 2026-11-30 kl. 10:42 medan du skrev" in message
    assert "Ditt utkast finns kvar i formuläret" in message
    assert store.assessment(KEY) == saved
    assert store.assessment(KEY).comment == "Annas text"
    assert [c.by for c in store.history("0665", "mal-1")] == ["Anna", "Anna"]

    # The same for sign-off and reopening on a stale version, and for two "new" forms.
    with pytest.raises(ConflictError):
        store.mark_done(KEY, AssessmentDraft("Uppnått"), by="Bo", expected_version=1, now=T2)
    store.save_draft(OTHER, AssessmentDraft("Osäkert"), by="Bo", expected_version=0, now=T1)
    with pytest.raises(ConflictError, match="ändrades av Bo"):
        store.save_draft(OTHER, AssessmentDraft("Osäkert"), by="Cia", expected_version=0, now=T2)
    assert store.assessment(OTHER).updated_by == "Bo"
    with pytest.raises(ConflictError, match="finns inte längre"):
        store.save_draft(
            AssessmentKey("0665", "mal-9", KEY.checkpoint),
            AssessmentDraft("Osäkert"),
            by="Bo",
            expected_version=4,
            now=T2,
        )
    assert store.assessment(KEY).version == 2


def test_a_klar_assessment_cannot_be_saved(store: AppStore) -> None:
    store.mark_done(KEY, AssessmentDraft("Uppnått", "x"), by="Anna", expected_version=0, now=T1)
    for save in (store.save_draft, store.mark_done):
        with pytest.raises(NotAllowedError) as err:
            save(KEY, AssessmentDraft("Osäkert", "y"), by="Bo", expected_version=1, now=T2)
        assert str(err.value) == "Bedömningen är klarmarkerad. En administratör kan öppna den igen."
    current = store.assessment(KEY)
    assert (current.version, current.comment, current.state) == (1, "x", "klar")
    store.save_draft(OTHER, AssessmentDraft("Osäkert"), by="Bo", expected_version=0, now=T1)
    with pytest.raises(NotAllowedError, match="inte klarmarkerad"):
        store.reopen(OTHER, by="Admin", expected_version=1, now=T2)
    assert store.assessment(OTHER).version == 1


def test_unknown_status_and_missing_name_are_refused(store: AppStore) -> None:
    with pytest.raises(DataError, match="Okänd status 'Bra'"):
        store.save_draft(KEY, AssessmentDraft("Bra"), by="Anna", expected_version=0, now=T1)
    with pytest.raises(DataError, match="vem som sparar"):
        store.save_draft(KEY, AssessmentDraft("På väg"), by=" ", expected_version=0, now=T1)
    assert store.assessment(KEY) is None


# ---------------------------------------------------------------------------- local values


def test_local_versions_roundtrip(store: AppStore, path: Path) -> None:
    assert store.latest_local_version("0665", "lok-1") is None
    v1 = store.save_local_version(
        "0665", "lok-1", ROWS, unit="%", filename="a.csv", by="Anna", now=T1
    )
    v2 = store.save_local_version(
        "0665", "lok-1", ROWS[1:], unit=None, filename="b.csv", by="Bo", now=T2
    )
    other = store.save_local_version(
        "1962", "lok-1", ROWS[:1], unit="st", filename="c.csv", by="Cia", now=T3
    )
    assert (v1.version, v2.version, other.version) == (1, 2, 1)
    assert store.local_versions("0665", "lok-1") == [v1, v2]
    assert store.local_versions("0665") == [v1, v2]
    assert store.local_versions("0665")[0].rows == ROWS  # the file's order, genders kept
    assert store.latest_local_version("0665", "lok-1") == v2
    assert store.latest_local_version("0665", "lok-2") is None
    assert read_local_versions(path, "0665") == [v1, v2]
    assert read_local_versions(path) == [v1, v2, other]


def test_invalid_rows_are_refused_whole(store: AppStore) -> None:
    for rows, message in (
        ((), "inga värden"),
        ((LocalRow(2024, 1.0), LocalRow(2024, 2.0)), "År 2024 \\(T\\) finns två gånger"),
        ((LocalRow(2024, 1.0, "X"),), "Okänt kön 'X'"),
    ):
        with pytest.raises(DataError, match=message):
            store.save_local_version(
                "0665", "lok-1", rows, unit=None, filename="f.csv", by="A", now=T1
            )
    assert store.local_versions("0665") == []


# ---------------------------------------------------------------------------- write failures


def test_write_failure_on_a_read_only_or_broken_file(store: AppStore, path: Path) -> None:
    """Not root: the file and folder are made read-only. Root writes through chmod, so there
    the file is overwritten with garbage bytes (another real failure a save can meet)."""
    _fill(store)
    before = store.assessment(OTHER)
    if os.geteuid() != 0:
        path.chmod(0o444)
        path.parent.chmod(0o555)
        expected = "databasen är skrivskyddad"
    else:
        good = path.read_bytes()
        path.write_bytes(os.urandom(8192))
        expected = "filen är skadad eller ingen databas"
    sha = _sha(path)
    try:
        with pytest.raises(StoreWriteError) as err:
            store.save_draft(OTHER, AssessmentDraft("Uppnått"), by="Bo", expected_version=1, now=T2)
        with pytest.raises(StoreWriteError):
            store.save_local_version(
                "0665", "lok-1", ROWS, unit="%", filename="c.csv", by="Bo", now=T2
            )
        assert _sha(path) == sha
    finally:
        if os.geteuid() != 0:
            path.parent.chmod(0o755)
            path.chmod(0o644)
        else:
            path.write_bytes(good)
    message = str(err.value)
    assert message.startswith(f"Kunde inte spara i appens databas ({path}): {expected}")
    assert "Inget har sparats; formuläret är kvar." in message
    assert isinstance(err.value.__cause__, sqlite3.Error)
    # Nothing half-written: the store holds what it held.
    assert store.assessment(OTHER) == before
    assert [v.version for v in store.local_versions("0665")] == [1, 2]


def test_store_under_a_regular_file_cannot_be_created(tmp_path: Path) -> None:
    blocker = tmp_path / "state"
    blocker.write_text("not a folder")
    with pytest.raises(StoreWriteError, match="Kunde inte skapa appens databas") as err:
        AppStore(blocker / "malpuls-app.sqlite")
    assert "Kontakta administratören" in str(err.value)
    assert blocker.read_text() == "not a folder"


def test_write_fails_when_another_process_holds_the_lock(path: Path) -> None:
    """Locked past the busy timeout: the save fails whole; readers are never blocked."""
    store = AppStore(path, busy_timeout_ms=50)
    _fill(store)
    holder = _python(
        """
        import sqlite3, sys
        con = sqlite3.connect(sys.argv[1], isolation_level=None)
        con.execute("BEGIN IMMEDIATE")
        con.execute("UPDATE assessment SET comment = 'från den andra processen'"
                    " WHERE goal_id = 'mal-2'")
        print("holding", flush=True)
        sys.stdin.readline()
        con.execute("COMMIT")
        print("done", flush=True)
        """,
        str(path),
    )
    try:
        assert holder.stdout.readline().strip() == "holding"
        with pytest.raises(StoreWriteError, match="upptagen av en annan skrivning") as err:
            store.save_draft(
                OTHER, AssessmentDraft("Uppnått", "min"), by="Bo", expected_version=1, now=T2
            )
        assert "Inget har sparats" in str(err.value)
        # Readers see the last committed state while the writer holds its transaction.
        assert [a.key for a in read_signed_off(path)] == [KEY]
        assert store.assessment(OTHER).comment == ""
        holder.stdin.write("\n")
        holder.stdin.flush()
        assert holder.stdout.readline().strip() == "done"
    finally:
        holder.communicate()
    assert holder.returncode == 0
    current = store.assessment(OTHER)
    assert (current.comment, current.status, current.version) == (
        "från den andra processen",
        "Osäkert",
        1,
    )


# ---------------------------------------------------------------------------- other processes

WRITER = """
    import datetime as dt, sys
    from pathlib import Path
    from core.people import AssessmentDraft, AssessmentKey, LocalRow
    from db.app_store import AppStore
    store = AppStore(Path(sys.argv[1]))
    n, width = int(sys.argv[2]), int(sys.argv[3])
    now = dt.datetime(2026, 11, 30, 12, 0)
    for i in range(n):
        rows = [LocalRow(1900 + y, float(i * y)) for y in range(width)]
        store.save_local_version("0665", "lok-w", rows, unit=None, filename=f"{i}.csv",
                                 by="skrivaren", now=now)
        key = AssessmentKey("0665", f"mal-{i:03}", dt.date(2026, 8, 31))
        store.mark_done(key, AssessmentDraft("På väg", f"nr {i}"), by="skrivaren",
                        expected_version=0, now=now)
        if i == 0:
            print("started", flush=True)
    print("finished", flush=True)
"""


def _check_complete(versions: list, width: int) -> int:
    """Every version read is whole (all its rows) and the versions run 1..n."""
    assert [v.version for v in versions] == list(range(1, len(versions) + 1))
    assert all(len(v.rows) == width for v in versions)
    return len(versions)


def test_this_process_reads_while_another_writes(path: Path) -> None:
    AppStore(path)
    n, width = 40, 25
    writer = _python(WRITER, str(path), str(n), str(width))
    seen_versions, seen_signed, reads = [0], [0], 0
    try:
        assert writer.stdout.readline().strip() == "started"
        while writer.poll() is None or reads < 3:
            versions = read_local_versions(path)
            signed = read_signed_off(path)
            seen_versions.append(_check_complete(versions, width))
            seen_signed.append(len(signed))
            reads += 1
        out, err = writer.communicate()
    finally:
        if writer.poll() is None:
            writer.kill()
    assert writer.returncode == 0, err
    assert out.strip() == "finished"
    assert seen_versions == sorted(seen_versions) and seen_signed == sorted(seen_signed)
    assert seen_versions[-1] == n and seen_signed[-1] == n


READER = """
    import json, sys
    from pathlib import Path
    from db.app_store import read_local_versions, read_signed_off
    path, target, width = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    errors, incomplete, seen = [], 0, []
    print("ready", flush=True)
    for _ in range(200_000):  # a bound, not a timing: the loop ends when it sees them all
        try:
            versions = read_local_versions(path)
            signed = read_signed_off(path)
        except Exception as exc:
            errors.append(repr(exc))
            continue
        incomplete += sum(len(v.rows) != width for v in versions)
        if not seen or seen[-1] != len(versions):
            seen.append(len(versions))
        if len(versions) == target and len(signed) == target:
            break
    print(json.dumps({"errors": errors, "incomplete": incomplete, "seen": seen}), flush=True)
"""


def test_another_process_reads_while_the_app_writes(path: Path) -> None:
    store = AppStore(path)
    n, width = 30, 20
    reader = _python(READER, str(path), str(n), str(width))
    try:
        assert reader.stdout.readline().strip() == "ready"
        for i in range(n):
            rows = [LocalRow(1900 + y, float(y)) for y in range(width)]
            store.save_local_version(
                "0665", "lok-r", rows, unit=None, filename="f.csv", by="A", now=T1
            )
            key = AssessmentKey("0665", f"mal-{i:03}", KEY.checkpoint)
            store.mark_done(key, AssessmentDraft("På väg"), by="A", expected_version=0, now=T1)
        out, err = reader.communicate()
    finally:
        if reader.poll() is None:
            reader.kill()
    assert reader.returncode == 0, err
    report = json.loads(out.strip().splitlines()[-1])
    assert report["errors"] == []
    assert report["incomplete"] == 0
    assert report["seen"][-1] == n
    assert report["seen"] == sorted(report["seen"])


def test_readers_never_create_the_file(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "malpuls-app.sqlite"
    assert read_signed_off(missing) == []
    assert read_local_versions(missing, "0665") == []
    assert not missing.parent.exists()
    beside = tmp_path / "malpuls-app.sqlite"
    assert read_signed_off(beside) == []
    assert read_local_versions(beside) == []
    assert list(tmp_path.iterdir()) == []


def test_readers_report_a_damaged_file(tmp_path: Path) -> None:
    broken = tmp_path / "malpuls-app.sqlite"
    broken.write_bytes(b"garbage" * 1000)
    sha = _sha(broken)
    with pytest.raises(DataError, match="Kunde inte läsa appens databas"):
        read_signed_off(broken)
    with pytest.raises(DataError, match="skadad eller ingen databas"):
        read_local_versions(broken)
    assert _sha(broken) == sha


# ---------------------------------------------------------------------------- the ETL


def test_the_etl_never_touches_the_app_store(
    tmp_path: Path, tiny_paths: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real offline ETL (on the tiny snapshot, one goal file) builds and publishes the
    nightly database beside the app store; the store's bytes and rows are as before."""
    from etl.pipeline import build_offline, locked_run

    state = tmp_path / "state"
    monkeypatch.setenv("MALPULS_DATA_DIR", str(state))
    env = Paths.from_env()
    goals = tmp_path / "goals"
    goals.mkdir()
    (goals / "0665-vaggeryd.yaml").write_bytes(
        (tiny_paths.goals_dir / "0665-vaggeryd.yaml").read_bytes()
    )
    paths = replace(env, kolada_dir=tiny_paths.kolada_dir, goals_dir=goals)
    store = AppStore(paths.app_db_path)
    _fill(store)
    signed, local = read_signed_off(paths.app_db_path), read_local_versions(paths.app_db_path)
    assert len(signed) == 1 and len(local) == 2
    sha = _sha(paths.app_db_path)

    for day in (1, 2):  # a first build, then a rebuild that publishes over the first
        now = dt.datetime(2026, 12, day, 3, 0)
        with locked_run(paths, mode="offline", started=now):
            build_offline(paths, now=now, progress=lambda _m: None)
    assert paths.db_path.is_file()

    assert _sha(paths.app_db_path) == sha
    assert read_signed_off(paths.app_db_path) == signed
    assert read_local_versions(paths.app_db_path) == local
    assert store.assessments("0665") == [store.assessment(KEY), store.assessment(OTHER)]


# ---------------------------------------------------------------------------- backup, restore


def test_backup_while_a_writer_is_active(path: Path, tmp_path: Path) -> None:
    AppStore(path)
    n, width = 60, 10
    writer = _python(WRITER, str(path), str(n), str(width))
    try:
        assert writer.stdout.readline().strip() == "started"
        copy = backup(path, tmp_path / "mitt.sqlite")
        out, err = writer.communicate()
    finally:
        if writer.poll() is None:
            writer.kill()
    assert writer.returncode == 0, err
    assert out.strip().splitlines()[-1] == "finished"
    assert copy == tmp_path / "mitt.sqlite"
    # One self-contained file: no -wal beside it, a sound store, whole versions.
    assert not Path(f"{copy}-wal").exists()
    counts = check_store_file(copy)
    got = _check_complete(read_local_versions(copy), width)
    assert 1 <= got <= n
    assert counts.local_versions == got
    with sqlite3.connect(copy) as con:
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    con.close()
    full = backup(path, tmp_path / "efter.sqlite")
    assert _check_complete(read_local_versions(full), width) == n
    assert read_counts(full).signed_off == n


def test_backup_refuses_to_overwrite(store: AppStore, path: Path, tmp_path: Path) -> None:
    _fill(store)
    dest = tmp_path / "finns.sqlite"
    dest.write_text("mitt")
    with pytest.raises(DataError, match="finns redan och skrivs inte över"):
        backup(path, dest)
    assert dest.read_text() == "mitt"
    with pytest.raises(DataError, match="finns inte; det finns inget att säkerhetskopiera"):
        backup(tmp_path / "saknas.sqlite", tmp_path / "ny.sqlite")
    assert not (tmp_path / "ny.sqlite").exists()


def test_restore_refuses_a_file_that_is_not_a_store(
    store: AppStore, path: Path, tmp_path: Path
) -> None:
    _fill(store)
    sha, before = _sha(path), read_local_versions(path)
    noise = tmp_path / "brus.sqlite"
    noise.write_bytes(os.urandom(16384))
    duck = tmp_path / "nattlig.duckdb"
    with duckdb.connect(str(duck)) as c:
        c.execute("CREATE TABLE assessment (x INTEGER)")
    foreign = tmp_path / "annan.sqlite"
    with sqlite3.connect(foreign) as c:
        c.execute("CREATE TABLE assessment (x INTEGER)")
    c.close()
    for bad in (noise, duck, foreign):
        with pytest.raises(DataError, match="ingen giltig säkerhetskopia av Målpuls appdatabas"):
            restore(bad, path, now=T3)
    with pytest.raises(DataError, match="finns inte"):
        restore(tmp_path / "saknas.sqlite", path, now=T3)
    assert _sha(path) == sha
    assert read_local_versions(path) == before
    assert sorted(p.name for p in path.parent.iterdir() if "fore-restore" in p.name) == []
    assert not list(path.parent.glob(".*restoring*"))


def test_restore_replaces_the_store_and_keeps_the_old_one(
    store: AppStore, path: Path, tmp_path: Path
) -> None:
    _fill(store)
    saved = backup(path, tmp_path / "kopia.sqlite")
    at_backup = (read_signed_off(path), read_local_versions(path))
    store.reopen(KEY, by="Admin", expected_version=2, now=T3)
    store.save_local_version("0665", "lok-2", ROWS, unit=None, filename="x.csv", by="C", now=T3)
    later = (read_signed_off(path), read_local_versions(path))
    assert later != at_backup

    kept = restore(saved, path, now=dt.datetime(2026, 12, 1, 9, 30, 15))
    assert kept == path.with_name("malpuls-app.fore-restore-20261201T093015.sqlite")
    assert (read_signed_off(path), read_local_versions(path)) == at_backup
    assert (read_signed_off(kept), read_local_versions(kept)) == later
    # The same instance picks up the restored file and writes to it (WAL again).
    assert store.assessment(KEY).state == "klar"
    store.reopen(KEY, by="Admin", expected_version=2, now=T3)
    with sqlite3.connect(path) as con:
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    con.close()
    assert store.assessment(KEY).version == 3
    # A second restore in the same second keeps both older files.
    again = restore(saved, path, now=dt.datetime(2026, 12, 1, 9, 30, 15))
    assert again is not None and again != kept and again.exists() and kept.exists()


def test_restore_over_a_damaged_store_keeps_its_bytes(path: Path, tmp_path: Path) -> None:
    store = AppStore(path)
    _fill(store)
    saved = backup(path, tmp_path / "kopia.sqlite")
    damaged = os.urandom(4096)
    path.write_bytes(damaged)
    kept = restore(saved, path, now=T3)
    assert kept is not None and kept.read_bytes() == damaged
    assert len(store.assessments("0665")) == 2
    fresh = tmp_path / "ny" / "malpuls-app.sqlite"
    assert restore(saved, fresh, now=T3) is None
    assert read_counts(fresh) == read_counts(path)


def _cli(state: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "etl", *args],
        cwd=PROJECT_ROOT,
        env={**os.environ, "MALPULS_DATA_DIR": str(state)},
        capture_output=True,
        text=True,
        check=False,
    )


def test_cli_backup_and_restore(tmp_path: Path) -> None:
    state = tmp_path / "state"
    path = state / "malpuls-app.sqlite"
    _fill(AppStore(path))
    dest = tmp_path / "backup-2026-11-30.sqlite"

    ok = _cli(state, "backup-app", "--to", str(dest))
    assert ok.returncode == 0, ok.stderr
    assert f"sparad i {dest}" in ok.stdout
    assert "2 bedömningar (1 klarmarkerade), 2 uppladdade versioner" in ok.stdout
    assert check_store_file(dest).assessments == 2

    again = _cli(state, "backup-app", "--to", str(dest))
    assert again.returncode == 1
    assert "finns redan och skrivs inte över" in again.stderr
    assert "Traceback" not in again.stderr

    noise = tmp_path / "brus.bin"
    noise.write_bytes(os.urandom(4096))
    sha = _sha(path)
    refused = _cli(state, "restore-app", "--from", str(noise))
    assert refused.returncode == 1
    assert "ingen giltig säkerhetskopia" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert _sha(path) == sha

    AppStore(path).save_draft(
        AssessmentKey("0665", "mal-3", KEY.checkpoint),
        AssessmentDraft("Osäkert"),
        by="Bo",
        expected_version=0,
        now=T3,
    )
    back = _cli(state, "restore-app", "--from", str(dest))
    assert back.returncode == 0, back.stderr
    assert "är återställd från" in back.stdout and "2 bedömningar" in back.stdout
    kept = list(state.glob("malpuls-app.fore-restore-*.sqlite"))
    assert len(kept) == 1 and f"finns kvar som {kept[0]}" in back.stdout
    assert read_counts(kept[0]).assessments == 3
    assert read_counts(path).assessments == 2

    usage = _cli(state, "restore-app")
    assert usage.returncode == 2


def test_restore_refuses_while_another_process_reads(
    store: AppStore, path: Path, tmp_path: Path
) -> None:
    """A stale -wal must never meet the restored file: while another connection holds the
    store in a transaction, the restore is refused and nothing changes."""
    _fill(store)
    saved = backup(path, tmp_path / "kopia.sqlite")
    store.reopen(KEY, by="Admin", expected_version=2, now=T3)
    sha, before = _sha(path), store.assessment(KEY)
    reader = _python(
        """
        import sqlite3, sys
        con = sqlite3.connect(sys.argv[1], isolation_level=None)
        con.execute("BEGIN")
        con.execute("SELECT count(*) FROM assessment").fetchone()
        print("reading", flush=True)
        sys.stdin.readline()
        con.execute("COMMIT")
        """,
        str(path),
    )
    try:
        assert reader.stdout.readline().strip() == "reading"
        with pytest.raises(DataError, match="används just nu") as err:
            restore(saved, path, now=T3)
        assert "Stoppa appen" in str(err.value)
    finally:
        reader.communicate("\n")
    assert reader.returncode == 0
    assert _sha(path) == sha and store.assessment(KEY) == before
    assert not list(path.parent.glob("*fore-restore*"))
    assert not list(path.parent.glob(".*restoring*"))
    assert restore(saved, path, now=T3) is not None  # once the reader is done
    assert store.assessment(KEY).state == "klar"
