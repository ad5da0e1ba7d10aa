"""The one command a scheduler calls: import the newest export, build the report if due, deliver it.

``run_monthly(params, settings)`` is safe to re-run (docs/scheduling.md): a good report for
unchanged history, parameters and code is not rebuilt, and nobody is sent a month twice.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from slanb import __version__
from slanb.engine.month import compute
from slanb.errors import SlanbError
from slanb.months import month_label, month_of, shift_month
from slanb.params import NOTEBOOK_PARAMS, Params
from slanb.paths import resolve_path
from slanb.publish.deliver import PAGE, deliver
from slanb.publish.layout import FAILED_DIR, newest_mtime
from slanb.publish.settings import DeliverySettings
from slanb.store import connect, history
from slanb.store.ingest import ingest
from slanb.views import sentences


def run_monthly(
    params: Params,
    settings: DeliverySettings,
    *,
    out: str | os.PathLike[str] = "reports",
    progress: Callable[[str], None] | None = None,
    now: datetime | None = None,
) -> int:
    """Ingest the newest export, build the last complete month's report if needed, deliver it.

    Returns the exit code: 0 when everything is done (or was already done), 1 at the first step
    that failed, after one log line naming the step and the error. Safe to re-run: a good report
    for unchanged history, parameters and code is not rebuilt, and nobody is sent a month twice.
    Unless ``params.month`` pins a month, the history must hold the month before ``now`` (default:
    the current UTC time): a missing export is an error, not a quiet re-run of an older month.
    """
    say = progress or _stamped
    started = time.perf_counter()
    step = "start"
    try:
        if settings.export_dir:
            step = "ingest"
            folder = newest_export(settings.export_dir)
            say(f"run-monthly: importing {folder} into {params.db_path}")
            for line in ingest(folder, db=params.db_path).format().splitlines():
                say(f"  {line}")
        step = "report"
        with connect(params.db_path) as con:
            month = params.month or history.last_complete_month(con)
            exported = history.exported_at(con)
        if params.month is None:
            _check_fresh(month, exported, now or datetime.now(UTC))
        if params.ledger_path is not None:
            step = "commit"
            _commit_begun(params, shift_month(month, 1), say, now)
        resolved = params.replace(month=month)
        reason = rebuild_reason(resolved, out=out)
        if reason is None:
            say(
                f"run-monthly: the {month_label(month)} report is up to date (history and "
                "parameters unchanged since it was built); not rebuilding"
            )
        else:
            say(f"run-monthly: building the {month_label(month)} report: {reason}")
            # papermill and nbconvert load only when a build is due
            from slanb.publish import segments

            segments.build_segmented_report(resolved, out=out, progress=say)
        step = "deliver"
        if not settings.addresses:
            say(
                "run-monthly: no recipients in the params file, so the report is built and "
                "nothing is sent (set `recipients:` to deliver it)"
            )
        else:
            result = deliver(settings, month=month, out=out, progress=say)
            for line in result.format().splitlines():
                say(f"  {line}")
    except SlanbError as exc:
        say(f"run-monthly: FAILED at {step}: {exc}")
        return 1
    except Exception:
        say(f"run-monthly: FAILED at {step} with an unexpected error (traceback follows)")
        raise
    say(f"run-monthly: done in {time.perf_counter() - started:.0f}s")
    return 0


def _commit_begun(
    params: Params, month: str, say: Callable[[str], None], now: datetime | None
) -> None:
    """Commit ``month`` (the one that has just begun) unless the ledger holds it already.

    With ``segment_by`` and no ``segment``: the company's, then each segment's in its own ledger.
    """
    from slanb.engine.segments import segment_names

    names: tuple[str, ...] = ()
    if params.segment_by and not params.segment:
        with connect(params.db_path) as con:
            names = segment_names(con, segment_by=params.segment_by)
    _commit_one(params, month, say, now)
    for name in names:
        _commit_one(params.replace(segment=name), month, say, now)


def _commit_one(
    params: Params, month: str, say: Callable[[str], None], now: datetime | None
) -> None:
    from slanb.publish.commit import commit, committed

    if committed(params, month):
        say(f"run-monthly: {month_label(month)} is committed already in {params.ledger_path}")
        return
    c = commit(params, month=month, by=os.environ.get("USER") or "run-monthly", now=now)
    goal = "no MQL goal" if c.goal_mqls is None else f"{c.goal_mqls:,} MQLs"
    say(f"run-monthly: committed {month_label(month)} ({goal}) in {params.ledger_path}")


def _check_fresh(month: str, exported: datetime | None, now: datetime) -> None:
    """Refuse to go on when the month that just ended is not in the history yet."""
    expected = shift_month(month_of(now), -1)
    if month >= expected:
        return
    upto = f" up to {exported:%Y-%m-%d %H:%M} UTC" if exported else ""
    msg = (
        f"{month_label(expected)} has ended, but the history is complete only{upto}, so its last "
        f"complete month is {month_label(month)}: the export for {month_label(expected)} has not "
        "been imported. Put it in export_dir (or run `slanb ingest`) and run again."
    )
    raise SlanbError(msg)


def _stamped(text: str) -> None:
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    print(f"{stamp} {text}", flush=True)


def newest_export(export_dir: str | os.PathLike[str]) -> Path:
    """The export folder to import: ``export_dir`` itself, or its newest sub-folder by name.

    ``export_dir`` itself when it holds a leads file; else, of its sub-folders holding one, the one
    whose name sorts last, so name them by date (``2026-11-01/``). Names, not modification times:
    copying or restoring a folder changes its mtime, not its name.

    Hidden folders (``.2026-12-01.partial``) are ignored, so an export being copied in under a
    hidden name and renamed when complete is never half-read.
    """
    root = resolve_path(export_dir)
    if not root.is_dir():
        msg = f"export_dir {root} is not a folder: create it, or set export_dir in the params file."
        raise SlanbError(msg)
    if _has_leads(root):
        return root
    exports = sorted(
        (p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".") and _has_leads(p)),
        key=lambda p: p.name,
    )
    if not exports:
        msg = (
            f"No export under {root}: expected sub-folders named by date (e.g. 2026-11-01/) each "
            "holding leads.csv or leads.parquet."
        )
        raise SlanbError(msg)
    return exports[-1]


def _has_leads(folder: Path) -> bool:
    return any((folder / f"leads.{ext}").is_file() for ext in ("csv", "parquet"))


def rebuild_reason(
    params: Params,
    *,
    out: str | os.PathLike[str] = "reports",
    notebooks_dir: str | os.PathLike[str] = "notebooks",
) -> str | None:
    """Why ``params.month``'s report must be (re)built, or None when the one in ``out`` is good.

    Good means: built (no failed build since), by this slanb version, with the same notebook
    parameters, from notebooks and slanb code no newer than it, and the plan computed now from the
    history equals the one in its summary.json (the history has not changed in any way the report
    shows; summary.json records no export time, so the plan itself is the fingerprint).
    """
    month = params.month or ""
    out_dir = resolve_path(out).resolve()
    summary_path = out_dir / month / "summary.json"
    if not summary_path.is_file():
        return "there is no report for it yet"
    failed = out_dir / FAILED_DIR / month
    built = summary_path.stat().st_mtime
    if failed.exists() and newest_mtime(failed) > built:
        return f"its last build failed (see {failed})"
    try:
        summary = json.loads(summary_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return f"its {summary_path.name} is unreadable"
    if not (out_dir / month / PAGE).is_file():
        return f"its {PAGE} is missing"
    if summary.get("version") != __version__:
        return f"it was built by slanb {summary.get('version')}, this is slanb {__version__}"
    want = _json(params.replace(db=str(params.db_path.resolve())).notebook_parameters())
    had = summary.get("params", {})
    changed = [k for k in NOTEBOOK_PARAMS if want.get(k) != had.get(k)]
    if changed:
        return f"the parameters changed since it was built ({', '.join(changed)})"
    newer = [
        nb.name
        for nb in sorted(resolve_path(notebooks_dir).glob("[0-9][0-9]_*.ipynb"))
        if nb.stat().st_mtime > built
    ]
    if newer:
        return f"{', '.join(newer)} changed since it was built"
    code = [
        f.name
        for f in sorted(Path(__file__).parents[1].rglob("*"))
        if f.suffix in {".py", ".sql", ".j2", ".css", ".json"}
        and f.name not in _NOT_IN_THE_REPORT
        and f.stat().st_mtime > built
    ]
    if code:
        return f"slanb's code changed since it was built ({', '.join(code[:3])})"
    now = _json(sentences.summary(compute(params)))
    differ = [k for k, v in now.items() if summary.get(k) != v]
    if differ:
        return (
            f"the history changed since it was built at {summary.get('run_at')} "
            f"({', '.join(differ)} differ)"
        )
    return None


# code that never shapes a report page: changing it does not call for a rebuild (what ingest or demo
# change in the history, the plan comparison sees)
_NOT_IN_THE_REPORT = frozenset(
    {"deliver.py", "monthly.py", "email.py", "pdf.py", "settings.py", "cli.py", "demo.py"}
    | {"run.py", "read.py", "checks.py", "write.py", "contract.py", "email.html.j2"}
)


def _json(value: Any) -> Any:
    """``value`` as it reads back from JSON (tuples become lists, keys strings)."""
    return json.loads(json.dumps(value))
