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
from slanb.store.sources.mapping import SOURCES


def _cmd_demo(args: argparse.Namespace) -> int:
    from slanb.store.demo import build_demo

    path = args.db or resolve_path(DEFAULT_DB)
    result = build_demo(path, seed=args.seed, end=args.end, leads=args.leads)
    print(f"Wrote the demo history to {path}")
    print(result.format())
    return 0


def _cmd_ingest(args: argparse.Namespace) -> int:
    from slanb.store.ingest import ingest

    report = ingest(args.folder, db=args.db, mapping=args.mapping)
    print(report.format())
    return 0


def _cmd_init(args: argparse.Namespace) -> int:
    from slanb._files import atomic_write_text
    from slanb.store.sources import template

    text = template(args.source)
    path = Path(args.mapping or f"mapping_{args.source}.yaml").absolute()
    if path.exists() and not args.force:
        msg = f"{path} exists; give another --mapping path, or --force to replace it."
        raise SlanbError(msg)
    atomic_write_text(path, text)
    print(f"Wrote {path}: fill in every line marked CHOOSE, then run")
    print(f"  slanb ingest EXPORT_DIR --mapping {path} --db data/history.duckdb")
    return 0


def _cmd_summary(args: argparse.Namespace) -> int:
    from slanb.params import Params
    from slanb.store import db, history

    with db.connect(args.db or Params().db_path) as con:
        print(history.summary(con).format())
    return 0


def _cmd_plan(args: argparse.Namespace) -> int:
    from slanb.engine.month import compute
    from slanb.params import load_params
    from slanb.views import sentences, terminal

    sla = compute(load_params(args.params, month=args.month, db=args.db, segment=args.segment))
    print(json.dumps(sentences.summary(sla), indent=2) if args.json else terminal.plan_text(sla))
    return 0


def _cmd_commit(args: argparse.Namespace) -> int:
    from slanb.params import load_params
    from slanb.publish.commit import commit
    from slanb.views.sentences import commitment_receipt

    params = load_params(args.params, db=args.db, segment=args.segment)
    c = commit(params, month=args.month, by=args.by, amend=args.amend, reason=args.reason)
    print(commitment_receipt(c, params.ledger_path))
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    from slanb.params import load_params
    from slanb.publish.segments import build_segmented_report

    result = build_segmented_report(
        load_params(args.params, month=args.month, db=args.db, segment=args.segment),
        out=args.out or "reports",
    )
    print(result.format())
    return 0


def _cmd_deliver(args: argparse.Namespace) -> int:
    from slanb.publish.deliver import deliver
    from slanb.publish.settings import load_settings

    result = deliver(
        load_settings(args.params),
        month=args.month,
        out=args.out or "reports",
        dry_run=args.dry_run,
        resend=args.resend,
    )
    print(result.format())
    return 0


def _cmd_run_monthly(args: argparse.Namespace) -> int:
    from slanb.params import load_params
    from slanb.publish.monthly import run_monthly
    from slanb.publish.settings import load_settings

    return run_monthly(
        load_params(args.params), load_settings(args.params), out=args.out or "reports"
    )


def _cmd_dashboard(args: argparse.Namespace) -> int:
    """The month in progress (or ``--month``), judged now (or ``--as-of``)."""
    from slanb.engine.month import compute
    from slanb.params import load_params
    from slanb.views import terminal

    params = load_params(args.params, as_of=args.as_of, month=args.month, db=args.db)
    print(terminal.dashboard_text(compute(params, in_progress=True)))
    return 0


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
    i.add_argument(
        "--mapping",
        help="mapping file of a CRM's own export (HubSpot, Salesforce): see `slanb init`",
    )
    i.set_defaults(func=_cmd_ingest)

    n = sub.add_parser("init", help="write the commented mapping file for a CRM export")
    n.add_argument("--source", required=True, choices=SOURCES, help="the export's shape")
    n.add_argument("--mapping", help="file to write (default: mapping_SOURCE.yaml here)")
    n.add_argument("--force", action="store_true", help="replace the file if it exists")
    n.set_defaults(func=_cmd_init)

    pl = sub.add_parser("plan", help="compute the SLA plan (the five steps) for a month")
    _add_run_options(pl)
    pl.add_argument("--json", action="store_true", help="print Plan.to_dict() as JSON")
    pl.set_defaults(func=_cmd_plan)

    cm = sub.add_parser(
        "commit", help="record a month's SLA (goals, lead values, terms) in the commitments ledger"
    )
    cm.add_argument("--month", required=True, help="SLA month YYYY-MM to commit")
    cm.add_argument("--params", help="flat YAML params file (default: params/default.yaml)")
    cm.add_argument(
        "--db",
        help="history file (default: the params file's db, else $SLANB_DB, else data/demo.duckdb)",
    )
    cm.add_argument("--by", help="who agrees to it (default: $USER)")
    cm.add_argument(
        "--amend", action="store_true", help="record a new version of a committed month"
    )
    cm.add_argument("--reason", help="why the month is amended (required with --amend)")
    _add_segment_option(cm)
    cm.set_defaults(func=_cmd_commit)

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
    _add_segment_option(p)


def _add_segment_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--segment",
        help="one team or segment only (the params file sets segment_by; default: the company, "
        "and a report then holds every segment)",
    )


def _absolute_paths(args: argparse.Namespace) -> None:
    """Paths typed on the command line are relative to the current directory, as in any CLI.

    (Paths inside a params file resolve from the project root; see docs/metrics.md.) An empty
    path is refused: ``--out ""`` must not quietly mean the project's ``reports/``.
    """
    for name in ("db", "params", "folder", "out", "mapping"):
        value = getattr(args, name, None)
        if value is not None and not value.strip():
            flag = name if name == "folder" else f"--{name}"
            msg = f"{flag} is empty: give a path, or leave {flag} out for the default"
            raise SlanbError(msg)
        if value:
            setattr(args, name, str(Path(value).expanduser().absolute()))


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code."""
    args = _parser().parse_args(argv)
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        _absolute_paths(args)
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
