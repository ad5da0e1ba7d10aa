"""A report with segments: one report per segment, the company's, and the company page.

``build_segmented_report(params)`` with ``segment_by`` set (and no ``segment``) computes the
roll-up once (:func:`slanb.engine.rollup.compute_rollup`), then builds into one folder:

- the company as one SLA (every lead) at the top, as a report without segments, its index
  linking the company page and each segment;
- ``company.html`` (goals and delivery per segment and in total, each verdict, both rules'
  compliance and the dashboard by segment) and ``company.json`` (the roll-up's numbers);
- each segment's own report in a folder named for it (``smb/index.html``, its 00–07 pages and
  ``summary.json``), the notebooks run with ``segment: smb``.

Each report is built by :func:`slanb.publish.report.build_report` into a staging folder inside
``out``; the whole is moved to ``out/YYYY-MM`` in one swap when every part succeeded, so a failed
segment leaves the previous report in place.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from slanb import __version__
from slanb._files import clear_leftovers, swap_folder
from slanb.errors import SlanbError
from slanb.months import month_label
from slanb.params import Params
from slanb.paths import resolve_path
from slanb.publish import report
from slanb.publish.layout import COMPANY_JSON, COMPANY_PAGE, segment_folder
from slanb.publish.report import ReportResult, templates_dir, write_error

# The engine, the views and jinja2 are imported where they are used: a report without segments
# starts its kernels before this process imports them (slanb.publish.report).
if TYPE_CHECKING:
    from slanb.engine.rollup import Rollup


def segment_href(segment: str) -> str:
    """The link from the top of the report to a segment's folder of pages (``smb/``)."""
    return f"{segment_folder(segment)}/"


def build_segmented_report(
    params: Params,
    *,
    out: str | os.PathLike[str] = "reports",
    notebooks_dir: str | os.PathLike[str] | None = None,
    progress: Callable[[str], None] = print,
    workers: int | None = None,
) -> ReportResult:
    """The report of ``params``: with ``segment_by`` and no ``segment``, per segment (above).

    Otherwise exactly :func:`~slanb.publish.report.build_report` (one company SLA, or the one
    segment ``segment`` names).
    """
    if not params.segment_by or params.segment:
        return report.build_report(
            params, out=out, notebooks_dir=notebooks_dir, progress=progress, workers=workers
        )
    from slanb.engine.rollup import compute_rollup
    from slanb.views import rollup as rollup_views

    started = time.perf_counter()
    out_dir = resolve_path(out).resolve()
    params = params.replace(db=str(params.db_path.resolve()))
    roll = compute_rollup(params)
    month = roll.month
    params = params.replace(month=month)
    folders = [segment_folder(s.segment) for s in roll.segments]
    if len(set(folders)) < len(folders):
        msg = (
            f"Two {rollup_views.segments_word(roll.segment_by)} have the same folder name once "
            f"spaces and signs are replaced ({', '.join(s.segment for s in roll.segments)}): "
            "rename one in the history."
        )
        raise SlanbError(msg)
    progress(
        f"building the {month_label(month)} report by {roll.segment_by}: the company and "
        f"{len(roll.segments)} {rollup_views.segments_word(roll.segment_by)} "
        f"({', '.join(s.segment for s in roll.segments)})"
    )
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        clear_leftovers(out_dir)
        staging = Path(tempfile.mkdtemp(prefix=f".build-{month}-{os.getpid()}-", dir=out_dir))
    except OSError as exc:
        msg = f"Cannot write the report into {out_dir}: {exc.strerror or exc}."
        raise SlanbError(msg) from exc
    try:
        run = {"notebooks_dir": notebooks_dir, "progress": progress, "workers": workers}
        extra = rollup_views.segment_links(roll, segment_href, COMPANY_PAGE)
        company = report.build_report(params, out=staging / "company", index_extra=extra, **run)
        parts = [
            report.build_report(
                params.replace(segment=s.segment),
                out=staging / "parts" / f,
                index_extra=rollup_views.back_links(roll, s.segment, COMPANY_PAGE),
                **run,
            )
            for s, f in zip(roll.segments, folders, strict=True)
        ]
        whole = staging / "whole"
        os.replace(company.folder, whole)
        for part, name in zip(parts, folders, strict=True):
            os.replace(part.folder, whole / name)
        run_at = datetime.now(UTC).replace(microsecond=0)
        _add_rollup(whole, folders, roll)
        (whole / COMPANY_PAGE).write_text(company_html(roll, run_at=run_at), "utf-8")
        (whole / COMPANY_JSON).write_text(
            json.dumps(
                {**roll.to_dict(), "run_at": run_at.isoformat(), "version": __version__},
                indent=2,
            )
            + "\n",
            "utf-8",
        )
        folder = swap_folder(whole, out_dir / month)
    except OSError as exc:  # a full disk, a file-size limit, a folder gone read-only
        raise write_error(month, out_dir, exc) from exc
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    seconds = time.perf_counter() - started
    progress(f"wrote {folder / 'index.html'} and {folder / COMPANY_PAGE} in {seconds:.1f}s")
    return ReportResult(
        month=month,
        folder=folder,
        index=folder / "index.html",
        summary=folder / "summary.json",
        notebooks=company.notebooks,
        seconds=seconds,
        sla=company.sla,
    )


def _add_rollup(whole: Path, folders: list[str], roll: Rollup) -> None:
    """Add the roll-up's headline and segments to every summary.json of the report (a new key).

    The e-mail quotes it: the company's mail and each team's say how the company did.
    """
    from slanb.views.sentences import rollup_headline

    rollup = {
        "segment_by": roll.segment_by,
        "segments": [s.segment for s in roll.segments],
        "headline": rollup_headline(roll),
    }
    for folder in [whole, *(whole / f for f in folders)]:
        path = folder / "summary.json"
        summary = json.loads(path.read_text("utf-8"))
        path.write_text(json.dumps({**summary, "rollup": rollup}, indent=2) + "\n", "utf-8")


def company_html(roll: Rollup, *, run_at: datetime) -> str:
    """The company page: the roll-up's table, the dashboard by segment, the messages."""
    import jinja2
    import markupsafe

    from slanb.views import rollup as rollup_views
    from slanb.views.sentences import report_title

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir() / "slanb"), autoescape=True
    )
    body = rollup_views.company_body(roll, segment_href)
    return env.get_template("company.html.j2").render(
        title=report_title(roll.segments[0].sla.params.replace(segment="")),
        month_label=roll.month_label,
        run_at=run_at.strftime("%Y-%m-%d %H:%M UTC"),
        version=__version__,
        headline=body["headline"],
        note=body["note"],
        word=body["word"],
        goals=markupsafe.Markup(body["goals"]),
        dashboard=markupsafe.Markup(body["dashboard"]),
        messages=body["messages"],
    )
