"""`python -m etl`: the command line. The one place in the ETL that turns errors into
messages and exit codes.

Exit codes:
  0  success
  1  invalid input (goal file, reference or snapshot data); nothing was published
  2  wrong usage, or a mode that is not available
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from core.errors import MalpulsError
from etl.config import PROJECT_ROOT, Paths

EXIT_OK, EXIT_INPUT, EXIT_USAGE = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m etl", description="Bygger Målpuls databas.")
    p.add_argument(
        "--offline",
        action="store_true",
        help="bygg från den medföljande ögonblicksbilden av Kolada-data (inget nätverk)",
    )
    sub = p.add_subparsers(dest="command")
    v = sub.add_parser("validate", help="kontrollera målfiler utan att bygga något")
    v.add_argument("files", nargs="*", type=Path, help="målfiler (standard: alla i data/goals)")
    b = sub.add_parser("bundle", help="(för utvecklare) skär ut ögonblicksbilden ur ../shared")
    b.add_argument("--shared", type=Path, default=PROJECT_ROOT.parent / "shared")
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    paths = Paths.from_env()
    if args.command == "validate":
        return _validate(paths, args.files)
    if args.command == "bundle":
        from etl.bundle import bundle

        bundle(args.shared, paths.kolada_dir, paths.goals_dir)
        return EXIT_OK
    if not args.offline:
        print(
            "Hämtning direkt från Kolada-API:t är inte tillgänglig i den här versionen. "
            "Använd: python -m etl --offline",
            file=sys.stderr,
        )
        return EXIT_USAGE
    return _build(paths)


def _build(paths: Paths) -> int:
    from etl.pipeline import build_offline, record_status

    started = dt.datetime.now()
    try:
        result = build_offline(paths, now=started)
    except MalpulsError as exc:
        record_status(paths, mode="offline", started=started, error=exc, result=None)
        print(f"{exc.title}: {exc}", file=sys.stderr)
        print(f"Databasen {paths.db_path} är oförändrad.", file=sys.stderr)
        return EXIT_INPUT
    record_status(paths, mode="offline", started=started, error=None, result=result)
    for w in result.warnings:
        print(f"Varning: {w}")
    counts = ", ".join(f"{t} {n}" for t, n in result.counts.items())
    print(f"Klart: {paths.db_path} ({counts})")
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
