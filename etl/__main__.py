"""`python -m etl`: the command line. The one place in the ETL that turns errors into
messages and exit codes.

    python -m etl                 nightly run against the Kolada v3 API (incremental, or full
                                  when due); the published database changes only on success
    python -m etl --full          full reload of the scope
    python -m etl --since DATE    changes since DATE (YYYY-MM-DD)
    python -m etl --dry-run       print the plan (scope, the requests of the run it would make),
                                  change nothing
    python -m etl --offline       build from the bundled snapshot, no network
    python -m etl validate [FILE] check goal files only
    python -m etl adopt FILE --indicator ID --beslut REF [--date DATE]
                                  decide a proposed target value (etl/goal_edit.py)
    python -m etl adopt FILE --remove-proposals [--indicator ID] [--with-indicators]
                                  delete proposed target values (and proposed indicators)
    python -m etl propose FILE [--option halla|median|kvartil] [--as-of DATE] [--by NAME]
                          [--indicator ID] [--indicators] [--dry-run]
                                  write proposed målvärden (and, with --indicators, proposed
                                  indicators for goals without any) into a goal file as
                                  förslag (etl/propose.py)
    python -m etl bundle          maintainers: re-cut data/kolada from ../shared
    python -m etl kpi-search TEXT [--limit N]
                                  ranked Kolada KPIs for TEXT as `id<TAB>title` lines
                                  (core/kpi_search.py, reads the published database)
    python -m etl backup-app --to FILE
                                  a consistent copy of the app's own store (assessments,
                                  local values; db/app_store.py), safe while the app runs
    python -m etl restore-app --from FILE
                                  put such a copy back; the replaced store is kept beside it

Frozen interim reports have their own command: `python -m reports` (reports/__main__.py).

Exit codes:
  0  success
  1  invalid input (goal file, settings, reference or snapshot data); nothing published
  2  wrong usage
  3  Kolada could not be reached or answered nonsense after retries; nothing published
  4  a check before publishing failed (e.g. mass disappearance of values); nothing published
  5  another run holds the lock; nothing written, not even the status file
  6  the database (or the disk under it) failed: a copy could not be made, written or
     checked; nothing published
  130, 143  interrupted by SIGINT (Ctrl-C) or SIGTERM (`kill`, systemd's stop): 128 + the
     signal's number. The staged copy is removed, the status records the interruption,
     nothing is published. (After SIGKILL, which no program can catch, the next run
     removes the copy and records that the previous run was interrupted.)

Every run but a dry run writes data/etl_status.json under the lock: a `running` marker
when it starts, its outcome when it ends.
"""

from __future__ import annotations

import argparse
import datetime as dt
import signal
import sys
from pathlib import Path

from config import PROJECT_ROOT, Paths
from core.errors import MalpulsError
from core.format import parse_cli_date

EXIT_OK, EXIT_INPUT, EXIT_USAGE, EXIT_KOLADA, EXIT_CHECK, EXIT_LOCKED = 0, 1, 2, 3, 4, 5
EXIT_DATABASE = 6


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m etl",
        description="Hämtar Kolada-data och målfiler till Målpuls databas.",
        epilog="Slutkoder: 0 klart, 1 fel i indata, 2 fel användning, 3 Kolada svarar inte, "
        "4 kontroll före publicering stoppade, 5 en annan körning pågår, 6 databasfel, "
        "130/143 avbruten (Ctrl-C/SIGTERM).",
    )
    mode = p.add_mutually_exclusive_group()
    mode.add_argument(
        "--offline",
        action="store_true",
        help="bygg från den medföljande ögonblicksbilden (inget nätverk)",
    )
    mode.add_argument("--full", action="store_true", help="ladda om hela omfattningen")
    mode.add_argument(
        "--since",
        type=parse_cli_date,
        metavar="ÅÅÅÅ-MM-DD",
        help="hämta ändringar sedan detta datum",
    )
    p.add_argument(
        "--dry-run",
        action="store_true",
        help="visa planen (omfattning och körningens antal anrop) utan att ändra något",
    )
    p.add_argument("--force", action="store_true", help="publicera även om många värden försvinner")
    sub = p.add_subparsers(dest="command")
    v = sub.add_parser("validate", help="kontrollera målfiler utan att bygga något")
    v.add_argument("files", nargs="*", type=Path, help="målfiler (standard: alla i data/goals)")
    b = sub.add_parser("bundle", help="(för utvecklare) skär ut ögonblicksbilden ur ../shared")
    b.add_argument("--shared", type=Path, default=PROJECT_ROOT.parent / "shared")
    _add_adopt_parser(sub)
    _add_propose_parser(sub)
    k = sub.add_parser("kpi-search", help="sök nyckeltal: rangordnade rader id<TAB>titel")
    k.add_argument("text", help="söktext, t.ex. ett måls titel och beskrivning")
    k.add_argument("--limit", type=int, default=20, help="antal rader (standard 20)")
    ba = sub.add_parser(
        "backup-app",
        help="säkerhetskopiera appens databas (bedömningar, lokala värden); går medan appen kör",
    )
    ba.add_argument("--to", type=Path, required=True, metavar="FIL", help="ny fil att skriva")
    ra = sub.add_parser(
        "restore-app",
        help="återställ appens databas från en säkerhetskopia; den gamla filen sparas bredvid",
    )
    ra.add_argument(
        "--from", dest="source", type=Path, required=True, metavar="FIL", help="säkerhetskopian"
    )
    return p


def _add_adopt_parser(sub: argparse._SubParsersAction) -> None:
    a = sub.add_parser(
        "adopt",
        help="besluta ett förslag till målvärde, eller ta bort förslag, i en målfil",
        description="Ändrar målfilen utan handredigering: kommentarer och citattecken behålls, "
        "och filen skrivs bara om den fortfarande är giltig.",
    )
    a.add_argument("file", type=Path, help="målfilen, t.ex. data/goals/1962-norberg.yaml")
    a.add_argument("--indicator", metavar="ID", help="indikatorns id")
    what = a.add_mutually_exclusive_group(required=True)
    what.add_argument(
        "--beslut", metavar="BESLUT", help="beslutet som antar förslaget, t.ex. 'KF 2026-12-14 § 7'"
    )
    what.add_argument(
        "--remove-proposals",
        action="store_true",
        help="ta bort förslagen till målvärde (indikatorns, eller hela filens)",
    )
    a.add_argument(
        "--date",
        type=parse_cli_date,
        metavar="ÅÅÅÅ-MM-DD",
        help="målvärdets datum, när indikatorn har flera förslag (standard: alla)",
    )
    a.add_argument(
        "--with-indicators",
        action="store_true",
        help="med --remove-proposals: ta också bort indikatorer som python -m etl propose har "
        "föreslagit (de med en proposal-post)",
    )


def _add_propose_parser(sub: argparse._SubParsersAction) -> None:
    from core.targets import OPTION_KEYS

    a = sub.add_parser(
        "propose",
        help="skriv förslag till målvärden (och nyckeltal) i en målfil",
        description="Beräknar förslag till delmål, periodmål och accepterad gräns ur Koladas "
        "jämförelser (samma som sidan Målvärden visar) och skriver dem i målfilen som "
        "förslag: provenance förslag, med metod, datum och vem. Beslutade målvärden rörs "
        "aldrig; tidigare förslag för samma indikator ersätts.",
    )
    a.add_argument("file", type=Path, help="målfilen, t.ex. data/goals/1962-norberg.yaml")
    a.add_argument(
        "--option",
        choices=sorted(OPTION_KEYS),
        default="median",
        help="halla: hålla nivån; median: liknande kommuners mediantakt (standard); kvartil: "
        "bästa kvartilens takt. Ett alternativ som tillåter en försämring ersätts av halla.",
    )
    a.add_argument(
        "--as-of",
        type=parse_cli_date,
        metavar="ÅÅÅÅ-MM-DD",
        help="beräkna med det som var känt denna dag (standard: målperiodens första dag)",
    )
    a.add_argument(
        "--by", help="vem som föreslår (sparas i filen; standard: Målpuls (python -m etl propose))"
    )
    a.add_argument("--indicator", metavar="ID", help="bara denna indikator")
    a.add_argument(
        "--indicators",
        action="store_true",
        help="föreslå också nyckeltal för mål och delstrategier som saknar indikatorer",
    )
    a.add_argument("--dry-run", action="store_true", help="visa förslagen, skriv inget")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    paths = Paths.from_env()
    if args.command == "validate":
        return _validate(paths, args.files)
    if args.command == "adopt":
        return _adopt(args)
    if args.command == "propose":
        return _propose(paths, args)
    if args.command == "kpi-search":
        return _kpi_search(paths, args.text, args.limit)
    if args.command in ("backup-app", "restore-app"):
        return _app_store(paths, args)
    if args.command == "bundle":
        from etl.bundle import bundle

        bundle(args.shared, paths.kolada_dir, paths.goals_dir)
        return EXIT_OK
    if args.offline:
        if args.dry_run:
            print("--dry-run gäller hämtning från Kolada, inte --offline", file=sys.stderr)
            return EXIT_USAGE
        run = _build_offline
    else:
        run = _live
    from etl.pipeline import RunInterrupted

    try:
        return run(paths, args)
    except (RunInterrupted, KeyboardInterrupt) as exc:
        signum = exc.signum if isinstance(exc, RunInterrupted) else signal.SIGINT
        print(
            f"Körningen avbröts ({signal.Signals(signum).name}) innan den blev klar; "
            f"utfallet står i {paths.status_path}.",
            file=sys.stderr,
        )
        return 128 + signum


def _exit_code(exc: MalpulsError) -> int:
    from core.kolada import KoladaFormatError
    from etl.kolada_client import KoladaError
    from etl.live import PublishCheckError
    from etl.pipeline import DatabaseError
    from etl.publish import LockedError

    if isinstance(exc, KoladaError | KoladaFormatError):
        return EXIT_KOLADA
    if isinstance(exc, PublishCheckError):
        return EXIT_CHECK
    if isinstance(exc, LockedError):
        return EXIT_LOCKED
    if isinstance(exc, DatabaseError):
        return EXIT_DATABASE
    return EXIT_INPUT


def _live(paths: Paths, args: argparse.Namespace) -> int:
    from etl.live import run_live
    from etl.pipeline import record_early_failure
    from etl.progress import Progress
    from etl.settings import read_settings

    progress = Progress()
    started = dt.datetime.now()
    mode = "full" if args.full else "incremental"
    try:
        try:
            settings = read_settings()
        except MalpulsError as exc:
            if not args.dry_run:
                record_early_failure(paths, mode=mode, started=started, error=exc)
            raise
        # run_live writes the status itself, under the lock it holds for the whole run.
        result = run_live(
            paths,
            settings,
            now=started,
            full=args.full,
            since=args.since,
            force=args.force,
            dry_run=args.dry_run,
            progress=progress.log,
            on_batch=progress.batch,
        )
    except MalpulsError as exc:
        print(f"{exc.title}: {exc}", file=sys.stderr)
        if not args.dry_run:
            print(f"Databasen {paths.db_path} är oförändrad.", file=sys.stderr)
        return _exit_code(exc)
    if args.dry_run:
        backfill = (
            f"; hämtas i sin helhet som nya i omfattningen: {', '.join(result.backfilled)}"
            if result.backfilled
            else ""
        )
        print(
            f"Plan: {result.mode.mode} ({result.mode.reason}); "
            f"{len(result.scope.goal_kpis)} målnyckeltal × {len(result.scope.all_geographies)} "
            f"geografier, {len(result.scope.extra_kpis)} extra nyckeltal × "
            f"{len(result.scope.extra_geographies)}{backfill}; {result.planned_requests} "
            "dataanrop (fler om ett svar kräver flera sidor) plus metadata "
            f"({result.requests} anrop gjorda för metadata)."
        )
        for w in result.warnings:
            print(f"Varning: {w}")
        return EXIT_OK
    for w in result.warnings:
        progress.log(f"Varning: {w}")
    progress.log(
        f"Klart ({result.mode.mode}): {result.added} nya, {result.changed} ändrade, "
        f"{result.deleted} borttagna värden; {result.requests} anrop, {result.retries} omförsök "
        f"(värden: {result.planned_requests} frågor + {result.further_pages} sidor till, "
        f"det minsta som ger samma svar); katalogändringar {result.kpi_changes}"
    )
    return EXIT_OK


def _build_offline(paths: Paths, _args: argparse.Namespace) -> int:
    from etl.pipeline import build_offline, locked_run

    started = dt.datetime.now()
    try:
        with locked_run(paths, mode="offline", started=started) as run:
            result = build_offline(paths, now=started)
            run.warnings += result.warnings
    except MalpulsError as exc:
        print(f"{exc.title}: {exc}", file=sys.stderr)
        print(f"Databasen {paths.db_path} är oförändrad.", file=sys.stderr)
        return _exit_code(exc)
    for w in run.warnings:
        print(f"Varning: {w}")
    counts = ", ".join(f"{t} {n}" for t, n in result.counts.items())
    print(f"Klart: {paths.db_path} ({counts})")
    return EXIT_OK


def _adopt(args: argparse.Namespace) -> int:
    from etl.goal_edit import decide_ambition, remove_proposals

    if args.beslut is not None and not args.indicator:
        print("--beslut kräver --indicator", file=sys.stderr)
        return EXIT_USAGE
    try:
        if args.remove_proposals:
            n = remove_proposals(args.file, args.indicator, indicators=args.with_indicators)
            what = (
                "förslag (målvärden och indikatorer)"
                if args.with_indicators
                else "förslag till målvärde"
            )
            print(f"{n} {what} borttagna ur {args.file}.")
        else:
            decide_ambition(args.file, args.indicator, args.date, args.beslut)
            print(f"Målvärdet för {args.indicator} är beslutat ({args.beslut}) i {args.file}.")
    except MalpulsError as exc:
        print(f"{exc.title}: {exc}", file=sys.stderr)
        print(f"{args.file} är oförändrad.", file=sys.stderr)
        return EXIT_INPUT
    return EXIT_OK


def _propose(paths: Paths, args: argparse.Namespace) -> int:
    import datetime as dt

    from core.kpi_search import KpiSearchIndex
    from core.targets import OPTION_KEYS
    from db.connection import connect_published
    from db.kpi_docs import query_kpi_docs
    from etl.goal_files import read_goal_file
    from etl.propose import DEFAULT_BY, indicator_proposals, propose_targets, write_indicators
    from etl.reference import read_reference_data

    today = dt.date.today()
    by = args.by or DEFAULT_BY
    try:
        ref = read_reference_data(paths.reference_dir, paths.kolada_dir)
        goal_file = read_goal_file(args.file, ref)
        con, _ = connect_published(paths.db_path)
        try:
            print(f"Förslag till målvärden för {goal_file.municipality.name} ({args.file}):")
            written = propose_targets(
                con,
                goal_file,
                args.file,
                option_kind=OPTION_KEYS[args.option],
                as_of=args.as_of,
                by=by,
                today=today,
                dry_run=args.dry_run,
                only=args.indicator,
                ref=ref,
            )
            proposed = []
            if args.indicators:
                print("Förslag till nyckeltal för mål utan indikatorer:")
                proposed = indicator_proposals(con, goal_file, KpiSearchIndex(query_kpi_docs(con)))
                for p in proposed:
                    print(f"  {p.goal_id}: {p.kpi} {p.title} ({p.direction})")
                if not args.dry_run:
                    write_indicators(args.file, proposed, today=today, by=by, ref=ref)
        finally:
            con.close()
    except MalpulsError as exc:
        print(f"{exc.title}: {exc}", file=sys.stderr)
        print(f"{args.file} är oförändrad där felet uppstod.", file=sys.stderr)
        return EXIT_INPUT
    verb = "skulle skrivas" if args.dry_run else "skrivna"
    print(
        f"{len(written)} indikatorer med förslag till målvärden och {len(proposed)} föreslagna "
        f"nyckeltal {verb}. Bygg om databasen (python -m etl --offline eller nattkörningen) "
        "för att se dem i appen; nyckeltal utan värden i ögonblicksbilden kräver "
        "python -m etl bundle (utvecklare) eller en körning mot Kolada."
    )
    return EXIT_OK


def _kpi_search(paths: Paths, text: str, limit: int) -> int:
    from core.kpi_search import KpiSearchIndex
    from db.connection import connect_published
    from db.kpi_docs import query_kpi_docs

    try:
        con, _ = connect_published(paths.db_path)
        try:
            docs = query_kpi_docs(con)
        finally:
            con.close()
    except MalpulsError as exc:
        print(f"{exc.title}: {exc}", file=sys.stderr)
        return EXIT_INPUT
    for hit in KpiSearchIndex(docs).search(text, max(limit, 0)):
        # One line per hit whatever the title holds (a few Kolada titles end in a newline).
        print(f"{hit.kpi}\t{' '.join(hit.title.split())}")
    return EXIT_OK


def _app_store(paths: Paths, args: argparse.Namespace) -> int:
    from core.people import StoreWriteError
    from db.app_store import backup, read_counts, restore

    store = paths.app_db_path
    try:
        if args.command == "backup-app":
            backup(store, args.to)
            print(f"Säkerhetskopia av {store} sparad i {args.to}: {read_counts(args.to).text()}.")
        else:
            kept = restore(args.source, store, now=dt.datetime.now())
            where = f" Den tidigare filen finns kvar som {kept}." if kept else ""
            print(
                f"Appens databas {store} är återställd från {args.source}: "
                f"{read_counts(store).text()}.{where}"
            )
    except MalpulsError as exc:
        print(f"{exc.title}: {exc}", file=sys.stderr)
        return EXIT_DATABASE if isinstance(exc, StoreWriteError) else EXIT_INPUT
    return EXIT_OK


def _validate(paths: Paths, files: list[Path]) -> int:
    from etl.goal_files import read_goal_file, read_goal_files
    from etl.reference import read_reference_data

    try:
        ref = read_reference_data(paths.reference_dir, paths.kolada_dir)
        if files:
            problems = []
            for f in files:
                try:
                    read_goal_file(f, ref)
                except MalpulsError as exc:
                    problems.append(str(exc))
            if problems:
                print("\n".join(problems), file=sys.stderr)
                return EXIT_INPUT
        else:
            read_goal_files(paths.goals_dir, ref)
    except MalpulsError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_INPUT
    print("Målfilerna är giltiga.")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
