"""The ``slanb`` command: a thin shell over the functions the notebooks call."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import duckdb

from slanb.errors import SlanbError
from slanb.params import DEFAULT_DB
from slanb.paths import resolve_path


def _cmd_demo(args: argparse.Namespace) -> int:
    from slanb.store.demo import build_demo

    path = args.db or resolve_path(DEFAULT_DB)
    result = build_demo(path, seed=args.seed, end=args.end, leads=args.leads)
    print(f"Wrote the demo history to {path}")
    print(result.format())
    return 0


def _cmd_ingest(args: argparse.Namespace) -> int:
    from slanb.store.ingest import ingest

    report = ingest(args.folder, db=args.db)
    print(report.format())
    return 0


def _cmd_summary(args: argparse.Namespace) -> int:
    from slanb.params import Params
    from slanb.store import db, history

    with db.connect(args.db or Params().db_path) as con:
        print(history.summary(con).format())
    return 0


def _cmd_plan(args: argparse.Namespace) -> int:
    from slanb.engine.plan import plan
    from slanb.params import load_params

    result = plan(load_params(args.params, month=args.month, db=args.db))
    if args.json:
        print(json.dumps(result.to_dict(), indent=2))
    else:
        print(result.format())
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    from slanb.publish.report import cli_report

    return cli_report(args)


def _cmd_deliver(args: argparse.Namespace) -> int:
    from slanb.publish.deliver import cli_deliver

    return cli_deliver(args)


def _cmd_run_monthly(args: argparse.Namespace) -> int:
    from slanb.publish.deliver import cli_run_monthly

    return cli_run_monthly(args)


def _cmd_dashboard(args: argparse.Namespace) -> int:
    from slanb.engine.tracking import dashboard_cli

    return dashboard_cli(args.params, args.as_of, args.month, args.db)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="slanb",
        description="Marketing-to-Sales SLA from CRM history: plan the goal, then track it.",
    )
    p.add_argument("--debug", action="store_true", help="show tracebacks for errors")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    d = sub.add_parser("demo", help="generate the demo history (36 months of a realistic CRM)")
    d.add_argument("--db", help="file to write (default: data/demo.duckdb in the project)")
    d.add_argument("--seed", type=int, default=7, help="random seed (default: %(default)s)")
    d.add_argument(
        "--end", help="last month of the history, YYYY-MM (default: last complete month)"
    )
    d.add_argument("--leads", type=int, help="total leads to generate (default: about 95,000)")
    d.set_defaults(func=_cmd_demo)

    i = sub.add_parser(
        "ingest", help="import a CRM export folder (CSV or Parquet) into the history"
    )
    i.add_argument(
        "folder", help="folder holding leads.csv|parquet and optionally activities, deals, reps"
    )
    i.add_argument("--db", required=True, help="history file to create or update")
    i.set_defaults(func=_cmd_ingest)

    pl = sub.add_parser("plan", help="compute the SLA plan (the five steps) for a month")
    _add_run_options(pl)
    pl.add_argument("--json", action="store_true", help="print Plan.to_dict() as JSON")
    pl.set_defaults(func=_cmd_plan)

    r = sub.add_parser(
        "report", help="run every notebook and write the HTML report to OUT/YYYY-MM/"
    )
    _add_run_options(r)
    r.add_argument("--out", help="report folder (default: reports/ in the project)")
    r.set_defaults(func=_cmd_report)

    dash = sub.add_parser(
        "dashboard", help='print the SLA tracking and "don\'t be on the dashboard" for a month'
    )
    dash.add_argument("--params", help="flat YAML params file (default: params/default.yaml)")
    dash.add_argument(
        "--month",
        help="SLA month YYYY-MM (default: the month holding --as-of, else the month in progress)",
    )
    dash.add_argument(
        "--db",
        help="history file (default: the params file's db, else $SLANB_DB, else data/demo.duckdb)",
    )
    dash.add_argument(
        "--as-of",
        metavar="TIMESTAMP",
        help="judge the month at this instant, ISO 8601 (default: now, or the end of the history)",
    )
    dash.set_defaults(func=_cmd_dashboard)

    dl = sub.add_parser("deliver", help="e-mail the built report for a month to the recipients")
    dl.add_argument("--month", required=True, help="SLA month YYYY-MM whose report to send")
    dl.add_argument("--params", help="flat YAML params file (default: params/default.yaml)")
    dl.add_argument("--out", help="report folder (default: reports/ in the project)")
    dl.add_argument(
        "--dry-run",
        action="store_true",
        help="write the e-mails to OUT/YYYY-MM/dry-run/*.eml instead of sending them",
    )
    dl.add_argument(
        "--resend", action="store_true", help="send again to recipients who already have the month"
    )
    dl.set_defaults(func=_cmd_deliver)

    rm = sub.add_parser(
        "run-monthly",
        help="ingest the newest export, build the last complete month's report, deliver it (cron)",
    )
    rm.add_argument("--params", help="flat YAML params file (default: params/default.yaml)")
    rm.add_argument("--out", help="report folder (default: reports/ in the project)")
    rm.set_defaults(func=_cmd_run_monthly)

    s = sub.add_parser("summary", help="print how much history a database holds")
    s.add_argument("--db", help="history file (default: $SLANB_DB, else data/demo.duckdb)")
    s.set_defaults(func=_cmd_summary)
    return p


def _add_run_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--params", help="flat YAML params file (default: params/default.yaml)")
    p.add_argument(
        "--month", help="SLA month YYYY-MM (default: last complete month in the history)"
    )
    p.add_argument(
        "--db",
        help="history file (default: the params file's db, else $SLANB_DB, else data/demo.duckdb)",
    )


def _absolute_paths(args: argparse.Namespace) -> None:
    """Paths typed on the command line are relative to the current directory, as in any CLI.

    (Paths inside a params file resolve from the project root; see docs/metrics.md.)
    """
    for name in ("db", "params", "folder", "out"):
        value = getattr(args, name, None)
        if value:
            setattr(args, name, str(Path(value).expanduser().absolute()))


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code."""
    args = _parser().parse_args(argv)
    _absolute_paths(args)
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        return func(args)
    except BrokenPipeError:  # `slanb plan | head`: the reader left; not an error
        sys.stderr.close()
        return 0
    except SlanbError as exc:
        if args.debug:
            raise
        print(f"slanb {args.command}: error: {exc}", file=sys.stderr)
        return 1
    except (duckdb.Error, OSError) as exc:  # the disk, the file system, the database engine
        if args.debug:
            raise
        print(
            f"slanb {args.command}: error: {type(exc).__name__}: {exc} "
            "(run `slanb --debug ...` for the traceback)",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":
    sys.exit(main())
