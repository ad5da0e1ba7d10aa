"""The monthly report: every notebook run on one set of parameters, rendered to offline HTML.

``build_report(params)`` resolves the SLA month once, runs ``notebooks/*.ipynb`` with papermill in
parallel (one kernel per notebook, threads in this process), renders each to HTML without code, and
writes ``index.html`` and ``summary.json``. Everything is built in a temporary folder inside ``out``
and moved into ``out/YYYY-MM`` only when all of it succeeded, so a failed run leaves the previous
report in place; the failed notebook, with its traceback, is kept under ``out/.failed/YYYY-MM``.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import altair as alt
import jinja2
import markupsafe
import nbformat
import papermill
import vl_convert
from jupyter_client.blocking import BlockingKernelClient
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync
from nbconvert import HTMLExporter
from nbconvert.preprocessors import Preprocessor, TagRemovePreprocessor
from papermill.exceptions import PapermillExecutionError

from slanb import __version__
from slanb._files import atomic_write_text, clear_leftovers, swap_folder
from slanb.engine.month import SlaMonth, compute_on
from slanb.errors import SlanbError
from slanb.months import month_label, parse_month
from slanb.params import Params
from slanb.paths import resolve_path
from slanb.publish.layout import FAILED_DIR
from slanb.store import db, handover
from slanb.views import narrative, pages, sentences
from slanb.views.theme import SLATE, VERDICT_COLORS, VERDICT_WORDS

TITLE = "Marketing-to-Sales SLA"
KERNEL = "python3"
HANDOVER = ".handover.pickle"  # the month computed once, for every kernel (slanb.store.handover)
HIDDEN_TAGS = frozenset({"parameters", "injected-parameters"})
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class NotebookRun:
    """One notebook of a report: its name, whether it ran, how long it took, its HTML page."""

    name: str
    status: str  # "ok" or "failed"
    seconds: float
    html: Path | None = None
    error: str | None = None


@dataclass(frozen=True)
class ReportResult:
    """What ``build_report`` wrote: ``folder`` (``out/YYYY-MM``) holding ``index`` and the pages."""

    month: str
    folder: Path
    index: Path
    summary: Path
    notebooks: tuple[NotebookRun, ...]
    seconds: float
    sla: SlaMonth = field(repr=False, compare=False)

    def format(self) -> str:
        """A few lines for the terminal."""
        lines = [f"  {r.name:<24} {r.status:<6} {r.seconds:5.1f}s" for r in self.notebooks]
        lines.append(f"  built in {self.seconds:.1f}s")
        lines.append(f"Report for {month_label(self.month)}: {self.index}")  # last: easy to find
        return "\n".join(lines)


# ---- the build ----------------------------------------------------------------------------------
def build_report(
    params: Params,
    *,
    out: str | os.PathLike[str] = "reports",
    notebooks_dir: str | os.PathLike[str] | None = None,
    progress: Callable[[str], None] = print,
    workers: int | None = None,
    isolated: bool = False,
    index_extra: str = "",
) -> ReportResult:
    """Run every notebook for ``params`` and write the HTML report to ``out/YYYY-MM/``.

    The month is planned and judged once, here, and handed to every notebook's kernel
    (``slanb.store.handover``); ``workers`` kernels (default: one per core) each run one notebook
    after another. ``isolated`` runs every notebook as it runs on its own instead: a new kernel
    each (default: six at once), computing the month itself (the slow way, kept to compare
    against). ``out`` and ``notebooks_dir`` resolve from the project root when relative. Raises
    :class:`SlanbError` naming the notebook, cell and error when a notebook fails; the previous
    report for the month is kept. ``index_extra``: HTML the index shows below its headline (a
    report with segments links them).
    """
    started = time.perf_counter()
    out_dir = resolve_path(out).resolve()
    books = _notebooks(notebooks_dir)
    history = _identity(params.db_path)  # before reading: an import after this is noticed
    files = handover.files_state(params)  # likewise, for the kernels' check of the handover
    with db.connect(params.db_path) as con:
        sla = compute_on(con, params.replace(db=str(params.db_path.resolve())))
    params = sla.params
    month = parse_month(params.month or "", name="month")
    run_at = datetime.now(UTC).replace(microsecond=0)
    progress(
        f"building the {month_label(month)} report from {params.db_path} into {out_dir / month}"
    )

    lock = threading.Lock()  # pages are rendered on the kernels' threads

    def said(text: str) -> None:
        with lock:
            progress(text)

    tmp = _build_folder(out_dir, month)
    try:
        page = _page_context(sla, run_at, books, _vega_bundle())
        if isolated:
            env = {k: v for k, v in os.environ.items() if k != handover.ENV}
        else:
            env = _hand_over(sla, tmp, files=files)
        runs = _run_all(
            books,
            tmp,
            params,
            progress=said,
            workers=workers,
            env=env,
            fresh=isolated,
            done=lambda run, notebook: _render(run, notebook, tmp, page, progress=said),
        )
        (tmp / HANDOVER).unlink(missing_ok=True)
        failed = [r for r in runs if r.status != "ok"]
        if failed:
            _keep_failed(out_dir, month, tmp, failed)
            raise SlanbError(_failure_message(failed, out_dir / FAILED_DIR / month))
        for log in [*tmp.glob("*.kernel.log"), *tmp.glob(".kernel-*.log")]:
            log.unlink()
        summary = tmp / "summary.json"
        summary.write_text(json.dumps(summary_json(sla, run_at=run_at), indent=2) + "\n", "utf-8")
        (tmp / "index.html").write_text(_index_html(sla, page, runs, extra=index_extra), "utf-8")
        _check_unchanged(params.db_path, history)
        folder = swap_folder(tmp, out_dir / month)
    except OSError as exc:  # a full disk, a file-size limit, a folder gone read-only
        raise write_error(month, out_dir, exc) from exc
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)
    seconds = time.perf_counter() - started
    progress(f"wrote {folder / 'index.html'} in {seconds:.1f}s")
    return ReportResult(
        month=month,
        folder=folder,
        index=folder / "index.html",
        summary=folder / "summary.json",
        notebooks=tuple(
            NotebookRun(r.name, r.status, r.seconds, folder / r.html.name if r.html else None)
            for r in runs
        ),
        seconds=seconds,
        sla=sla,
    )


def write_error(month: str, out_dir: Path, exc: OSError) -> SlanbError:
    """The error for a report that could not be written (the previous one is left in place)."""
    msg = (
        f"Cannot write the {month_label(month)} report into {out_dir}: "
        f"{exc.strerror or exc} (a full disk or a file-size limit?). Free some space and run "
        "`slanb report` again; the previous report was left in place."
    )
    return SlanbError(msg)


def _hand_over(sla: SlaMonth, tmp: Path, *, files: dict[str, Any]) -> dict[str, str]:
    """Write ``sla`` for the kernels; the environment that tells them where it is.

    Keyed by the parameters each kernel will see (the injected ones, read back as a notebook
    reads them) and the files as they were before ``sla`` was computed.
    """
    seen = Params.from_mapping(sla.params.notebook_parameters(), source="notebook parameters")
    path = handover.write(tmp / HANDOVER, sla, key=handover.fingerprint(seen, files=files))
    return {**os.environ, handover.ENV: str(path)}


def _notebooks(notebooks_dir: str | os.PathLike[str] | None) -> list[Path]:
    folder = resolve_path(notebooks_dir or "notebooks")
    books = sorted(folder.glob("[0-9][0-9]_*.ipynb"))
    if not books:
        msg = (
            f"No notebooks (NN_name.ipynb) in {folder}. Run from a slanb checkout or pass "
            "notebooks_dir."
        )
        raise SlanbError(msg)
    return books


def _run_all(
    books: list[Path],
    tmp: Path,
    params: Params,
    *,
    progress: Callable[[str], None],
    workers: int | None,
    env: dict[str, str] | None = None,
    fresh: bool = False,
    done: Callable[[NotebookRun, Any], NotebookRun] | None = None,
) -> list[NotebookRun]:
    """Execute every notebook into ``tmp`` on ``workers`` kernels; the runs in notebook order.

    Each kernel runs one notebook after another, its namespace emptied in between
    (:meth:`_Kernel.reset`), so it imports slanb, polars and Altair once; with ``fresh`` every
    notebook gets a kernel of its own, as when opened on its own. ``env`` is the kernels'
    environment (default: this process's); ``done(run, notebook)`` is called with each notebook
    that ran, executed, as it finishes (the report renders its page then, while the other kernels
    work). papermill writes each executed notebook once, when it ends, not twice per cell.
    """
    parameters = params.notebook_parameters()
    lock = threading.Lock()
    todo = iter(enumerate(books))
    runs: list[NotebookRun | None] = [None] * len(books)

    def say(text: str) -> None:
        with lock:
            progress(text)

    def run(kernel: _Kernel, book: Path) -> tuple[NotebookRun, Any]:
        say(f"running {book.stem} …")
        t0 = time.perf_counter()
        try:
            # Absolute paths and no ``cwd``: papermill's cwd is a process-wide chdir, unsafe
            # in threads.
            notebook = papermill.execute_notebook(
                str(book),
                str(tmp / book.name),
                parameters=parameters,
                kernel_name=KERNEL,
                progress_bar=False,
                log_output=False,
                request_save_on_cell_execute=False,  # each save validates and deep-copies it
                km=kernel.km,
            )
        except PapermillExecutionError as exc:
            say(f"FAILED {book.stem}: {exc.ename}: {_ANSI.sub('', str(exc.evalue))}")
            failed = NotebookRun(
                book.stem, "failed", time.perf_counter() - t0, error=_cell_error(exc)
            )
            return failed, None
        except Exception as exc:  # a kernel that died or never started: report it, don't hide it
            say(f"FAILED {book.stem}: {type(exc).__name__}: {exc}")
            error = f"its kernel ({type(exc).__name__}: {exc})"
            return NotebookRun(book.stem, "failed", time.perf_counter() - t0, error=error), None
        seconds = time.perf_counter() - t0
        say(f"done {book.stem} ({seconds:.1f}s)")
        return NotebookRun(book.stem, "ok", seconds), notebook

    def work(slot: int) -> None:
        kernel: _Kernel | None = None
        try:
            while True:
                with lock:
                    i, book = next(todo, (-1, None))
                if book is None:
                    return
                if kernel is not None and (fresh or not kernel.reset()):
                    kernel.close()
                    kernel = None
                if kernel is None:
                    kernel = _Kernel(tmp / f".kernel-{slot}.log", env)
                result, notebook = run(kernel, book)
                if result.status != "ok":  # its log beside it; the next notebook, a new kernel
                    kernel.close()
                    shutil.copyfile(kernel.log_path, tmp / f"{book.stem}.kernel.log")
                    kernel = None
                elif done is not None:
                    result = done(result, notebook)
                runs[i] = result
        finally:
            if kernel is not None:
                kernel.close()

    count = workers or (min(len(books), 6) if fresh else min(len(books), os.cpu_count() or 2))
    with _quiet_papermill(), ThreadPoolExecutor(max_workers=count) as pool:
        for future in [pool.submit(work, slot) for slot in range(count)]:
            future.result()
    return [r for r in runs if r is not None]


class _Kernel:
    """One Jupyter kernel of the report, started by papermill on its first notebook, then reused.

    Its own stdout and stderr (ipykernel's start-up warnings) go to ``log_path``.
    """

    RESET = "get_ipython().run_line_magic('reset', '-f'); get_ipython().execution_count = 1"

    def __init__(self, log_path: Path, env: dict[str, str] | None) -> None:
        self.log_path = log_path
        self._log = log_path.open("w", encoding="utf-8")
        self.km = _LoggedKernelManager(kernel_name=KERNEL)
        self.km.kernel_log = self._log
        self.km.kernel_env = env

    def reset(self) -> bool:
        """Empty the namespace, as a new kernel's, keeping the imported modules; False if it died.

        ``%reset -f`` drops every variable the last notebook made, so a notebook that forgot an
        import or a variable fails here as it would on its own; the execution count restarts at
        1, so an error names the cell as a fresh kernel would.
        """
        if not self.km.has_kernel:
            return False
        client = BlockingKernelClient(connection_file=self.km.connection_file)
        client.load_connection_file()
        client.start_channels()
        try:
            reply = client.execute_interactive(
                self.RESET, store_history=False, timeout=60, output_hook=lambda _: None
            )
        except (TimeoutError, RuntimeError):  # no reply from a kernel that died or hangs
            return False
        finally:
            client.stop_channels()
        return reply["content"]["status"] == "ok"

    def close(self) -> None:
        """Stop the kernel (if it ever started) and close its log."""
        try:
            if self.km.has_kernel:
                run_sync(self.km.shutdown_kernel)(now=True)
        finally:
            self._log.close()


def _cell_error(exc: PapermillExecutionError) -> str:
    first = next((line for line in exc.source.splitlines() if line.strip()), "").strip()
    evalue = _ANSI.sub("", str(exc.evalue))
    return f"cell In [{exc.exec_count}] (`{first}`): {exc.ename}: {evalue}"


def _failure_message(failed: list[NotebookRun], folder: Path) -> str:
    first = failed[0]
    others = ", ".join(r.name for r in failed[1:])
    also = f" ({len(failed) - 1} more failed: {others})" if others else ""
    executed = folder / f"{first.name}.ipynb"
    kept = (
        f"The executed notebook with the traceback is {executed}"
        if executed.exists()  # a kernel that died mid-notebook left no notebook, only its log
        else f"Its kernel's output is {folder / (first.name + '.kernel.log')}"
    )
    return (
        f"notebook {first.name} failed in {first.error}{also}. {kept}; the previous report was "
        "left in place."
    )


def _keep_failed(out_dir: Path, month: str, tmp: Path, failed: list[NotebookRun]) -> None:
    """Move the failed executed notebooks to ``out/.failed/YYYY-MM/`` (replacing older ones)."""
    folder = out_dir / FAILED_DIR / month
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for run in failed:
        for kept in (tmp / f"{run.name}.ipynb", tmp / f"{run.name}.kernel.log"):
            if kept.exists():
                os.replace(kept, folder / kept.name)


def _build_folder(out_dir: Path, month: str) -> Path:
    """A new temporary folder inside ``out_dir`` (created if needed) to build the report in."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        clear_leftovers(out_dir)
        tmp = Path(tempfile.mkdtemp(prefix=f".build-{month}-{os.getpid()}-", dir=out_dir))
        tmp.chmod(0o755)  # mkdtemp makes it private; the report is for reading
    except OSError as exc:
        msg = (
            f"Cannot write the report into {out_dir}: {exc.strerror or exc}. Give --out (or out) "
            "a folder you can write to."
        )
        raise SlanbError(msg) from exc
    return tmp


def _identity(path: Path) -> tuple[int, ...] | None:
    """What changes when the file at ``path`` is replaced or rewritten (None if there is none)."""
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def _check_unchanged(path: Path, before: tuple[int, ...] | None) -> None:
    """Refuse to publish pages that may have read two states of the history."""
    if _identity(path) != before:
        msg = (
            f"The history {path} changed while the report was being built (an import finished), "
            "so its pages could mix two states of it. Run `slanb report` again; the previous "
            "report was left in place."
        )
        raise SlanbError(msg)


class _LoggedKernelManager(AsyncKernelManager):
    """A kernel whose own stdout/stderr (ipykernel's start-up warnings) go to a log file.

    Without this every kernel prints to the terminal of ``slanb report``; the log is kept with a
    failed notebook under ``out/.failed/YYYY-MM`` and dropped from a good report.
    """

    kernel_log: Any = None
    kernel_env: dict[str, str] | None = None

    async def start_kernel(self, **kw: Any) -> None:  # noqa: D102
        kw.setdefault("stdout", self.kernel_log)
        kw.setdefault("stderr", self.kernel_log)
        if self.kernel_env is not None:
            kw.setdefault("env", self.kernel_env)
        await super().start_kernel(**kw)


class _PapermillNoise(logging.Filter):
    """Drop papermill's false alarms about ``name: str | None`` parameter lines.

    papermill 2.7 cannot parse PEP 604 annotations (nteract/papermill#695, #806), so it warns
    "Unable to parse line" and "Passed unknown parameter" although it injects the values correctly.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        return not (
            text.startswith("Passed unknown parameter:")
            or (text.startswith("Unable to parse line") and "|" in text)
        )


@contextmanager
def _quiet_papermill() -> Iterator[None]:
    """Filter :class:`_PapermillNoise` out of papermill's two loggers for the duration."""
    noise = _PapermillNoise()
    loggers = [logging.getLogger("papermill"), logging.getLogger("papermill.translators")]
    for logger in loggers:
        logger.addFilter(noise)
    try:
        yield
    finally:
        for logger in loggers:
            logger.removeFilter(noise)


# ---- HTML ---------------------------------------------------------------------------------------
def templates_dir() -> Path:
    """The folder holding the ``slanb`` nbconvert template (shipped as package data)."""
    return Path(str(resources.files("slanb.publish") / "templates"))


@cache
def _vega_bundle() -> str:
    """Vega, Vega-Lite and Vega-Embed in one script, for Altair's Vega-Lite version (~0.9 MB).

    Bundling takes vl-convert about 2.3 CPU seconds, so the script is kept in :func:`cache_dir`,
    named for the vl-convert and Vega-Lite versions it was made by and for.
    """
    major_minor = ".".join(alt.VEGALITE_VERSION.split(".")[:2])
    path = cache_dir() / f"vega-bundle-{vl_convert.__version__}-vl{major_minor}.js"
    if path.is_file():
        return path.read_text("utf-8")
    bundle = vl_convert.javascript_bundle(vl_version=major_minor)
    try:
        atomic_write_text(path, bundle)
    except OSError as exc:  # a cache that cannot be written costs the next report time, no more
        _log.info("not keeping the Vega bundle in %s: %s", path.parent, exc)
    return bundle


def cache_dir() -> Path:
    """Where the report keeps what it can make again: ``$XDG_CACHE_HOME/slanb`` (``~/.cache/slanb``)."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "slanb"


def _vega_debug() -> str:
    """What Altair's default renderer checks before fetching a library from the CDN."""
    return json.dumps(
        {
            "vega_version": alt.VEGA_VERSION,
            "vegalite_version": alt.VEGALITE_VERSION,
            "vegaembed_version": alt.VEGAEMBED_VERSION,
        }
    )


def _title(book: Path) -> str:
    """The notebook's first Markdown heading, without the ``#``."""
    nb = nbformat.read(book, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return book.stem


def _page_context(
    sla: SlaMonth, run_at: datetime, books: list[Path], bundle: str
) -> dict[str, Any]:
    headlines = sentences.step_headlines(sla)
    steps = []
    for book in books:
        number = book.stem[:2].lstrip("0")
        steps.append(
            {
                "name": book.stem,
                "number": number,
                "title": _title(book),
                "short": pages.SHORT.get(book.stem, book.stem),
                "href": f"{book.stem}.html",
                "headline": headlines.get(book.stem, ""),
            }
        )
    return {
        "title": sentences.report_title(sla.params),
        "month": sla.month,
        "month_label": sla.plan.month_label,
        "run_at": run_at.strftime("%Y-%m-%d %H:%M UTC"),
        "version": __version__,
        "parameters": narrative.parameter_rows(sla.params),
        "steps": steps,
        "vega_bundle": bundle,
        "vega_debug": _vega_debug(),
    }


class _ReaderView(Preprocessor):
    """Drop what a reader should not see: warnings on stderr, and code cells left with no output."""

    def preprocess(self, nb: Any, resources: Any) -> tuple[Any, Any]:  # noqa: D102
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs = [
                    o
                    for o in cell.outputs
                    if not (o.output_type == "stream" and o.get("name") == "stderr")
                ]
        nb.cells = [c for c in nb.cells if c.cell_type != "code" or c.outputs]
        return nb, resources


def render_html(notebook: nbformat.NotebookNode, page: dict[str, Any], *, name: str) -> str:
    """One executed notebook as a self-contained HTML page: no code, no parameters, no CDN."""
    step = next((s for s in page["steps"] if s["name"] == name), None)
    notebook.metadata["title"] = f"{step['title'] if step else name}: {page['month_label']}"
    with _EXPORTING:  # one exporter, its templates compiled once (~0.3 s each time)
        body, _ = _exporter().from_notebook_node(
            notebook, resources={"slanb": {**page, "current": name}}
        )
    return body


_EXPORTING = threading.Lock()


@cache
def _exporter() -> HTMLExporter:
    exporter = HTMLExporter(
        template_name="slanb",
        extra_template_basedirs=[str(templates_dir())],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    exporter.register_preprocessor(
        TagRemovePreprocessor(remove_cell_tags=set(HIDDEN_TAGS), enabled=True), enabled=True
    )
    exporter.register_preprocessor(_ReaderView(enabled=True), enabled=True)
    return exporter


def _render(
    run: NotebookRun,
    notebook: nbformat.NotebookNode,
    tmp: Path,
    page: dict[str, Any],
    *,
    progress: Callable[[str], None],
) -> NotebookRun:
    html = tmp / f"{run.name}.html"
    html.write_text(render_html(notebook, page, name=run.name), "utf-8")
    progress(f"rendered {html.name}")
    return NotebookRun(run.name, run.status, run.seconds, html)


def _index_html(
    sla: SlaMonth, page: dict[str, Any], runs: list[NotebookRun], *, extra: str = ""
) -> str:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir() / "slanb"), autoescape=True
    )
    plan = sla.plan
    verdict = plan.cross_check.verdict
    return env.get_template("report_index.html.j2").render(
        **page,
        headline=sentences.sentence(sentences.goal_headline(plan)),
        verdict=VERDICT_WORDS.get(verdict or ""),
        verdict_color=VERDICT_COLORS.get(verdict or "", SLATE),
        sentence=sentences.cross_check_sentence(plan.cross_check),
        tracking=sentences.tracking_sentence(sla),
        tracking_label=sentences.tracking_label(sla),
        messages=list(plan.messages),
        record=sentences.record_headline(sla),
        commitment=sentences.basis_sentence(sla),
        extra=markupsafe.Markup(extra),
    )


def summary_json(sla: SlaMonth, *, run_at: datetime) -> dict[str, Any]:
    """``summary.json``: the month's numbers and words, its notebook parameters, when, which slanb."""
    return {
        **sentences.summary(sla),
        "params": sla.params.to_dict(),
        "run_at": run_at.isoformat(),
        "version": __version__,
    }
