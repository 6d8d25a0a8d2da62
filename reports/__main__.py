"""`python -m reports`: frozen interim reports. The one place in reports/ that turns errors
into messages and exit codes.

    python -m reports freeze --kommun 0665 --date 2026-08-31
                                  freeze an interim report (never changed afterwards)
    python -m reports list [--kommun 0665]
    python -m reports diff --kommun 0665 --from 2026-04-30 --to 2026-08-31
    python -m reports export --kommun 0665 --date 2026-08-31 --format docx [--out FILE]
    python -m reports targets --kommun 1962 --date 2022-12-31 --format docx [--ramverk ID]
                                  "Nulägesbild och förslag till delmål" (issue 16), one
                                  file per framework
    python -m reports publish --kommun 0665 --date 2026-08-31 --out malbarometer/
                                  the frozen report as a static public site (issue 18):
                                  HTML, inline SVG, CSV and a DCAT-AP-SE catalogue

Exit codes: 0 success; 1 invalid input (no such report or municipality, a date in the
future, freezing a date already frozen); 2 wrong usage.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from config import Paths
from core.errors import DataError, MalpulsError
from core.format import parse_cli_date
from core.reports import Report, diff_reports
from reports.store import list_reports, load_report, report_path

EXIT_OK, EXIT_INPUT, EXIT_USAGE = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m reports",
        description="Frysta delårsrapporter: frys, lista, jämför, exportera, publicera.",
        epilog="Slutkoder: 0 klart, 1 fel i indata, 2 fel användning.",
    )
    rs = p.add_subparsers(dest="command", required=True)
    f = rs.add_parser("freeze", help="frys rapporten per ett datum (ändras aldrig efteråt)")
    f.add_argument(
        "--kommun", dest="municipality_id", required=True, metavar="ID", help="t.ex. 0665"
    )
    f.add_argument("--date", required=True, type=parse_cli_date, metavar="ÅÅÅÅ-MM-DD")
    ls = rs.add_parser("list", help="lista frysta rapporter")
    ls.add_argument("--kommun", dest="municipality_id", metavar="ID")
    d = rs.add_parser("diff", help="vad har ändrats mellan två frysta rapporter")
    d.add_argument("--kommun", dest="municipality_id", required=True, metavar="ID")
    d.add_argument("--from", dest="old", required=True, type=parse_cli_date, metavar="ÅÅÅÅ-MM-DD")
    d.add_argument("--to", dest="new", required=True, type=parse_cli_date, metavar="ÅÅÅÅ-MM-DD")
    e = rs.add_parser("export", help="exportera en fryst rapport till Excel eller Word")
    e.add_argument("--kommun", dest="municipality_id", required=True, metavar="ID")
    e.add_argument("--date", required=True, type=parse_cli_date, metavar="ÅÅÅÅ-MM-DD")
    e.add_argument("--format", required=True, choices=["xlsx", "docx"])
    e.add_argument("--out", type=Path, help="fil att skriva (standard: i aktuell mapp)")
    t = rs.add_parser(
        "targets", help="nulägesbild och förslag till delmål, per styrmodell (Word eller Excel)"
    )
    t.add_argument("--kommun", dest="municipality_id", required=True, metavar="ID")
    t.add_argument(
        "--date", required=True, type=parse_cli_date, metavar="ÅÅÅÅ-MM-DD", help="läget per"
    )
    t.add_argument("--format", required=True, choices=["xlsx", "docx"])
    t.add_argument("--ramverk", dest="framework_id", metavar="ID", help="bara en styrmodell")
    t.add_argument("--out", type=Path, help="mapp att skriva i (standard: aktuell mapp)")
    pub = rs.add_parser(
        "publish", help="publicera en fryst rapport som statisk webbplats (öppen målbarometer)"
    )
    pub.add_argument("--kommun", dest="municipality_id", required=True, metavar="ID")
    pub.add_argument("--date", required=True, type=parse_cli_date, metavar="ÅÅÅÅ-MM-DD")
    pub.add_argument(
        "--out",
        type=Path,
        help="mapp att skriva webbplatsen i (ersätts helt; standard: malbarometer-ID-DATUM)",
    )
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    paths = Paths.from_env()
    try:
        if args.command == "freeze":
            from reports.freeze import freeze

            freeze(paths, args.municipality_id, args.date, now=dt.datetime.now())
        elif args.command == "list":
            files = [p for _, p in reversed(list_reports(paths.reports_dir, args.municipality_id))]
            if not files:
                print(f"Inga frysta rapporter i {paths.reports_dir}.")
            for f in files:
                r = load_report(f)
                print(f"{r.municipality_id} {r.date} {r.label} (fryst {r.frozen_at}) {f}")
        elif args.command == "diff":
            old = load_report(_existing(paths, args.municipality_id, args.old))
            new = load_report(_existing(paths, args.municipality_id, args.new))
            _print_diff(old, new)
        elif args.command == "targets":
            _targets(paths, args)
        elif args.command == "publish":
            _publish(paths, args)
        else:
            _export(paths, args)
    except MalpulsError as exc:
        print(f"{exc.title}: {exc}", file=sys.stderr)
        return EXIT_INPUT
    return EXIT_OK


def _print_diff(old: Report, new: Report) -> None:
    changes = diff_reports(old, new)
    print(f"Vad har ändrats från {old.label} till {new.label} ({new.municipality_name}):")
    if not changes:
        print("  Inget: samma status och samma underlag för alla mål.")
    for c in changes:
        arrow = f"{c.old_status or '–'} → {c.new_status or '–'}"
        print(f"- {c.title}: {arrow}" + ("" if c.status_changed else " (samma status)"))
        for reason in c.reasons:
            print(f"    {reason}")


def _export(paths: Paths, args: argparse.Namespace) -> None:
    report = load_report(_existing(paths, args.municipality_id, args.date))
    if args.format == "xlsx":
        from reports.excel import to_workbook

        content = to_workbook(report)
    else:
        from reports.word import to_docx

        content = to_docx(report)
    out = args.out or report_path(Path.cwd(), report.municipality_id, report.date).with_suffix(
        f".{args.format}"
    )
    out.write_bytes(content)
    print(f"Skrev {out}")


def _targets(paths: Paths, args: argparse.Namespace) -> None:
    from db import queries
    from db.calibration import read_calibration
    from db.connection import connect_read_only
    from db.proposals import build_proposals
    from reports import targets_doc

    con = connect_read_only(paths.db_path)
    try:
        names = dict(queries.query_framework_municipalities(con))
        if args.municipality_id not in names:
            raise DataError(
                f"Kommunen {args.municipality_id} har ingen målfil i databasen. Kommuner med "
                "mål: " + ", ".join(f"{k} ({v})" for k, v in sorted(names.items()))
            )
        name = names[args.municipality_id]
        calibration = read_calibration(paths.calibration_path)
        goals = build_proposals(
            con,
            args.municipality_id,
            as_of=args.date,
            framework_id=args.framework_id,
            calibration=calibration,
        )
        goals = [g for g in goals if g.proposals]
        if not goals:
            raise DataError(
                f"{name} har inga styrande mål med nyckeltal från Kolada"
                + (f" i styrmodellen {args.framework_id}" if args.framework_id else "")
                + ": inga förslag till målvärden att skriva."
            )
        charts = (
            targets_doc.collect_charts(
                con, args.municipality_id, name, goals, as_of=args.date, calibration=calibration
            )
            if args.format == "docx"
            else {}
        )
    finally:
        con.close()
    folder = args.out or Path.cwd()
    for framework_id, framework_name, fw_goals in targets_doc.framework_goals(goals):
        if args.format == "docx":
            content = targets_doc.word_document(
                fw_goals, name, framework_name, args.date, charts=charts
            )
        else:
            content = targets_doc.excel_workbook(fw_goals, name, framework_name, args.date)
        out = folder / (
            f"malvarden-{args.municipality_id}-{framework_id}-{args.date.isoformat()}.{args.format}"
        )
        out.write_bytes(content)
        print(f"Skrev {out}")


def _publish(paths: Paths, args: argparse.Namespace) -> None:
    from reports.publish import publish

    out = args.out or Path.cwd() / f"malbarometer-{args.municipality_id}-{args.date.isoformat()}"
    files = publish(paths.reports_dir, args.municipality_id, args.date, out, now=dt.datetime.now())
    pages = sum(1 for f in files if f.endswith(".html"))
    print(f"Publicerade {pages} sidor och {len(files) - pages} andra filer i {out}")
    print(f"Öppna {out / 'index.html'} i en webbläsare.")


def _existing(paths: Paths, municipality_id: str, date: dt.date) -> Path:
    path = report_path(paths.reports_dir, municipality_id, date)
    if not path.exists():
        have = ", ".join(d.isoformat() for d, _ in list_reports(paths.reports_dir, municipality_id))
        raise DataError(
            f"Ingen fryst rapport för {municipality_id} per {date.isoformat()}. "
            + (f"Frysta: {have}." if have else "Inga rapporter är frysta för kommunen.")
        )
    return path


if __name__ == "__main__":
    sys.exit(main())
