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
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from importlib import metadata, resources
from pathlib import Path
from queue import Empty
from typing import IO, TYPE_CHECKING, Any

from slanb import __version__
from slanb._files import atomic_write_text, clear_leftovers, swap_folder
from slanb.errors import SlanbError
from slanb.months import month_label, parse_month
from slanb.params import Params
from slanb.paths import resolve_path
from slanb.publish.layout import FAILED_DIR

# Everything heavy (papermill, nbconvert, jupyter_client, Altair, the engine with DuckDB and
# polars, ~1.3 CPU s) is imported where it is used, after :func:`build_report` has started the
# kernels, so that they start and import on the core this process leaves idle meanwhile.
if TYPE_CHECKING:
    import nbformat
    from jupyter_client.blocking import BlockingKernelClient
    from papermill.exceptions import PapermillExecutionError

    from slanb.engine.month import SlaMonth

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
    after another. They are started first, importing what the notebooks import while this process
    imports and plans the month. ``isolated`` runs every notebook as it runs on its own instead:
    a new kernel each (default: six at once), computing the month itself (the slow way, kept to
    compare against). ``out`` and ``notebooks_dir`` resolve from the project root when relative.
    Raises :class:`SlanbError` naming the notebook, cell and error when a notebook fails; the
    previous report for the month is kept. ``index_extra``: HTML the index shows below its
    headline (a report with segments links them).
    """
    started = time.perf_counter()
    out_dir = resolve_path(out).resolve()
    books = _notebooks(notebooks_dir)
    crew = _Crew(len(books), workers=workers, fresh=isolated)  # kernels start now, in threads
    try:
        return _build(
            params,
            crew,
            books,
            out_dir,
            started=started,
            progress=progress,
            isolated=isolated,
            index_extra=index_extra,
        )
    finally:
        crew.close()


def _build(
    params: Params,
    crew: _Crew,
    books: list[Path],
    out_dir: Path,
    *,
    started: float,
    progress: Callable[[str], None],
    isolated: bool,
    index_extra: str,
) -> ReportResult:
    """:func:`build_report` once its kernels are starting."""
    from slanb.engine.month import compute_on
    from slanb.store import db, handover

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

    lock = threading.Lock()  # pages are rendered on a thread of their own

    def said(text: str) -> None:
        with lock:
            progress(text)

    tmp = _build_folder(out_dir, month)
    try:
        if isolated:
            env = {k: v for k, v in os.environ.items() if k != handover.ENV}
            given = None
        else:
            given = _hand_over(sla, tmp, files=files)
            env = {**os.environ, handover.ENV: str(given)}
        page: dict[str, Any] = {}

        def pages_ready() -> None:  # on the pages' thread, while the kernels finish starting
            page.update(_page_context(sla, run_at, books, _vega_bundle()))
            _warm_up_pages(page)

        # pages are rendered on a thread of their own, each as its notebook ends, while the
        # kernels go on to their next notebooks
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="pages") as pages_thread:
            prepared = pages_thread.submit(pages_ready)
            ran = _run_all(
                books,
                tmp,
                params,
                crew=crew,
                progress=said,
                env=env,
                handover=given,
                done=lambda run, nb: pages_thread.submit(
                    _render, run, nb, tmp, page, progress=said
                ),
            )
            prepared.result()
            runs = [r.result() if isinstance(r, Future) else r for r in ran]
        (tmp / HANDOVER).unlink(missing_ok=True)
        failed = [r for r in runs if r.status != "ok"]
        if failed:
            _keep_failed(out_dir, month, tmp, failed)
            raise SlanbError(_failure_message(failed, out_dir / FAILED_DIR / month))
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


def _hand_over(sla: SlaMonth, tmp: Path, *, files: dict[str, Any]) -> Path:
    """Write ``sla`` for the kernels; the file (``$SLANB_HANDOVER`` in every kernel).

    Keyed by the parameters each kernel will see (the injected ones, read back as a notebook
    reads them) and the files as they were before ``sla`` was computed.
    """
    from slanb.store import handover

    seen = Params.from_mapping(sla.params.notebook_parameters(), source="notebook parameters")
    return handover.write(tmp / HANDOVER, sla, key=handover.fingerprint(seen, files=files))


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


def _run_all(books: list[Path], tmp: Path, params: Params, *, crew: _Crew, **kw: Any) -> list[Any]:
    """Execute every notebook into ``tmp`` on ``crew``'s kernels (:meth:`_Crew.run`)."""
    return crew.run(books, tmp, params, **kw)


@dataclass
class _Job:
    """What :meth:`_Crew.run` gives its kernels' threads: the notebooks left, their runs so far."""

    todo: Iterator[tuple[int, Path]]
    runs: list[Any]
    tmp: Path
    parameters: dict[str, Any]
    progress: Callable[[str], None]
    env: dict[str, str]
    handover: Path | None
    done: Callable[[NotebookRun, Any], Any]
    lock: threading.Lock = field(default_factory=threading.Lock)


class _Crew:
    """The kernels of one report, each in a thread of its own running one notebook after another.

    Made first thing: each thread starts its kernel at once and has it import what the notebooks
    import (:attr:`_Kernel.WARM_UP`), so kernels start on the core this process leaves idle
    while it imports and plans the month; :meth:`run` then hands them the notebooks. Each kernel
    is emptied between notebooks (:meth:`_Kernel.reset`), so it imports slanb, polars and Altair
    once. With ``fresh`` (``isolated``) nothing starts early and every notebook gets a kernel of
    its own, started by papermill, as when opened on its own. ``workers`` kernels (default: one
    per core, or six at once when ``fresh``), never more than ``books``.
    """

    def __init__(self, books: int, *, workers: int | None, fresh: bool) -> None:
        self.fresh = fresh
        self.count = workers or (min(books, 6) if fresh else min(books, os.cpu_count() or 2))
        self._go = threading.Event()
        self._job: _Job | None = None
        self._launched = threading.Semaphore(0)
        if not fresh:
            _kernel_manager()  # jupyter_client, imported here: the threads then only launch
        self._pool = ThreadPoolExecutor(max_workers=self.count, thread_name_prefix="kernel")
        self._threads = [self._pool.submit(self._work, slot) for slot in range(self.count)]
        for _ in range(0 if fresh else self.count):  # this process's imports wait for the
            self._launched.acquire()  # kernels' processes, not the other way round

    def run(
        self,
        books: list[Path],
        tmp: Path,
        params: Params,
        *,
        progress: Callable[[str], None],
        env: dict[str, str],
        handover: Path | None,
        done: Callable[[NotebookRun, Any], Any],
    ) -> list[Any]:
        """Execute every notebook into ``tmp``; the runs in notebook order.

        ``env`` is the environment of a kernel papermill starts (for a notebook after one that
        failed, or every one when ``fresh``); a kernel started early is given ``handover`` as
        ``$SLANB_HANDOVER`` before its first notebook. ``done(run, notebook)`` is called with each
        notebook that ran, executed, as it finishes, and its value stands for that run (the
        report's is its page being rendered on another thread). papermill writes each executed
        notebook once, when it ends, not twice per cell.
        """
        with _quiet_papermill():
            self._job = _Job(
                todo=iter(enumerate(books)),
                runs=[None] * len(books),
                tmp=tmp,
                parameters=params.notebook_parameters(),
                progress=progress,
                env=env,
                handover=handover,
                done=done,
            )
            self._go.set()
            for thread in self._threads:
                thread.result()
            return [r for r in self._job.runs if r is not None]

    def close(self) -> None:
        """Stop every kernel (those :meth:`run` was never given notebooks for, too)."""
        self._go.set()
        self._pool.shutdown(wait=True)

    def _work(self, slot: int) -> None:
        kernel: _Kernel | None = None
        warm = False
        try:
            if not self.fresh:
                kernel = _Kernel(env=None)
                try:
                    kernel.start(launched=self._launched.release)
                    warm = True
                except Exception:
                    # papermill starts one for the first notebook instead, and a kernel that
                    # cannot start fails that notebook, saying why
                    kernel.close()
                    kernel = None
                    self._launched.release()
            self._go.wait()
            job = self._job
            if job is None:  # the report failed before its notebooks
                return
            while True:
                with job.lock:
                    i, book = next(job.todo, (-1, None))
                if book is None:
                    return
                if kernel is not None and warm:
                    ready = kernel.prepare(job.handover)
                elif kernel is not None:
                    ready = not self.fresh and kernel.reset()
                else:
                    ready = True
                warm = False
                if kernel is not None and not ready:
                    kernel.close()
                    kernel = None
                if kernel is None:
                    kernel = _Kernel(env=job.env)
                result, notebook = _execute(kernel, book, job)
                if result.status != "ok":  # its log beside it; the next notebook, a new kernel
                    kernel.close(keep_log=job.tmp / f"{book.stem}.kernel.log")
                    kernel = None
                    job.runs[i] = result
                else:
                    job.runs[i] = job.done(result, notebook)
        finally:
            if kernel is not None:
                kernel.close()


def _execute(kernel: _Kernel, book: Path, job: _Job) -> tuple[NotebookRun, Any]:
    """Run ``book`` on ``kernel`` with papermill: how it went, and the executed notebook."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    say, tmp = job.progress, job.tmp
    say(f"running {book.stem} …")
    t0 = time.perf_counter()
    try:
        # Absolute paths and no ``cwd``: papermill's cwd is a process-wide chdir, unsafe
        # in threads.
        notebook = papermill.execute_notebook(
            str(book),
            str(tmp / book.name),
            parameters=job.parameters,
            kernel_name=KERNEL,
            progress_bar=False,
            log_output=False,
            request_save_on_cell_execute=False,  # each save validates and deep-copies it
            km=kernel.km,
        )
    except PapermillExecutionError as exc:
        say(f"FAILED {book.stem}: {exc.ename}: {_ANSI.sub('', str(exc.evalue))}")
        failed = NotebookRun(book.stem, "failed", time.perf_counter() - t0, error=_cell_error(exc))
        return failed, None
    except Exception as exc:  # a kernel that died or never started: report it, don't hide it
        say(f"FAILED {book.stem}: {type(exc).__name__}: {exc}")
        error = f"its kernel ({type(exc).__name__}: {exc})"
        return NotebookRun(book.stem, "failed", time.perf_counter() - t0, error=error), None
    seconds = time.perf_counter() - t0
    say(f"done {book.stem} ({seconds:.1f}s)")
    return NotebookRun(book.stem, "ok", seconds), notebook


class _Kernel:
    """One Jupyter kernel of the report, started early (:meth:`start`) or by papermill, reused.

    Its own stdout and stderr (ipykernel's start-up warnings) go to an unnamed temporary file,
    kept (:meth:`close`) beside a notebook that failed.
    """

    # What the notebooks import (their second cell), imported by a kernel started early while
    # the report plans the month. A warm-up only: the notebooks still import what they use, and
    # :attr:`RESET` drops the names before the first notebook.
    WARM_UP = (
        "import slanb.engine.month, slanb.views.charts, slanb.views.narrative, "
        "slanb.views.record, slanb.views.scorecard"
    )
    RESET = "get_ipython().run_line_magic('reset', '-f'); get_ipython().execution_count = 1"
    TIMEOUT = 60  # seconds for a kernel to answer the warm-up, the reset (nbclient's start-up)

    def __init__(self, *, env: dict[str, str] | None) -> None:
        self._log: IO[str] = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115  # closed by close()
        self.km = _kernel_manager()(kernel_name=KERNEL)
        self.km.kernel_log = self._log
        self.km.kernel_env = env
        self._client: BlockingKernelClient | None = None
        self._warm_up: str | None = None

    def start(self, *, launched: Callable[[], None]) -> None:
        """Start the kernel as papermill would, and send it :attr:`WARM_UP` without waiting.

        ``launched()`` is called once its process is running.
        """
        from jupyter_client.blocking import BlockingKernelClient
        from jupyter_core.utils import run_sync

        # nbclient starts a kernel with an in-memory history (its ``ipython_hist_file``)
        run_sync(self.km.start_kernel)(extra_arguments=["--HistoryManager.hist_file=:memory:"])
        launched()
        self._client = BlockingKernelClient(connection_file=self.km.connection_file)
        self._client.load_connection_file()
        self._client.start_channels()
        # by keyword: the code of a kernel, which tests/test_reliability.py's check of SQL
        # (``.execute(...)`` with a query that is not a constant) is not about
        self._warm_up = self._client.execute(code=self.WARM_UP, silent=True, store_history=False)

    def prepare(self, handover: Path | None) -> bool:
        """Once warmed up, ``$SLANB_HANDOVER`` set and emptied for its first notebook; else False.

        False too when the warm-up failed (a notebook's own import then says why, on a new
        kernel).
        """
        from slanb.store.handover import ENV

        assert self._client is not None and self._warm_up is not None
        client, self._client = self._client, None
        env = f"import os; os.environ[{ENV!r}] = {str(handover or '')!r}; del os; "
        try:
            deadline = time.monotonic() + self.TIMEOUT
            while True:
                reply = client.get_shell_msg(timeout=max(deadline - time.monotonic(), 0.01))
                if reply["parent_header"].get("msg_id") == self._warm_up:
                    break
            if reply["content"]["status"] != "ok":
                return False
            return self._run(client, env + self.RESET)
        except Empty:  # no reply from a kernel that died or hangs
            return False
        finally:
            client.stop_channels()

    def reset(self) -> bool:
        """Empty the namespace, as a new kernel's, keeping the imported modules; False if it died.

        ``%reset -f`` drops every variable the last notebook made, so a notebook that forgot an
        import or a variable fails here as it would on its own; the execution count restarts at
        1, so an error names the cell as a fresh kernel would.
        """
        from jupyter_client.blocking import BlockingKernelClient

        if not self.km.has_kernel:
            return False
        client = BlockingKernelClient(connection_file=self.km.connection_file)
        client.load_connection_file()
        client.start_channels()
        try:
            return self._run(client, self.RESET)
        finally:
            client.stop_channels()

    def _run(self, client: BlockingKernelClient, code: str) -> bool:
        try:
            reply = client.execute_interactive(
                code, store_history=False, timeout=self.TIMEOUT, output_hook=lambda _: None
            )
        except (TimeoutError, RuntimeError):  # no reply from a kernel that died or hangs
            return False
        return reply["content"]["status"] == "ok"

    def close(self, *, keep_log: Path | None = None) -> None:
        """Stop the kernel (if it ever started); its output to ``keep_log``; close its log."""
        from jupyter_core.utils import run_sync

        try:
            if self._client is not None:
                self._client.stop_channels()
            if self.km.has_kernel:
                run_sync(self.km.shutdown_kernel)(now=True)
            if keep_log is not None:
                self._log.flush()
                self._log.seek(0)
                keep_log.write_text(self._log.read(), "utf-8")
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


@cache
def _kernel_manager() -> type:
    """:class:`AsyncKernelManager` whose kernel's stdout/stderr go to a log file (made on first use).

    Without this every kernel prints to the terminal of ``slanb report`` (ipykernel's start-up
    warnings); the log is kept with a failed notebook under ``out/.failed/YYYY-MM`` and dropped
    from a good report.
    """
    from jupyter_client.manager import AsyncKernelManager

    class _LoggedKernelManager(AsyncKernelManager):
        kernel_log: Any = None
        kernel_env: dict[str, str] | None = None

        async def start_kernel(self, **kw: Any) -> None:
            kw.setdefault("stdout", self.kernel_log)
            kw.setdefault("stderr", self.kernel_log)
            if self.kernel_env is not None:
                kw.setdefault("env", self.kernel_env)
            await super().start_kernel(**kw)

    return _LoggedKernelManager


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


def _vega_bundle() -> str:
    """Vega, Vega-Lite and Vega-Embed in one script, for Altair's Vega-Lite version (~0.9 MB)."""
    return _vega()["bundle"]


def _vega_debug() -> str:
    """What Altair's default renderer checks before fetching a library from the CDN."""
    return json.dumps({k: v for k, v in _vega().items() if k.endswith("_version")})


@cache
def _vega() -> dict[str, str]:
    """The Vega bundle for the installed Altair, and the Vega, Vega-Lite and Vega-Embed versions.

    Bundling takes vl-convert about 2.3 CPU seconds and importing Altair for its versions 0.4,
    so both are kept in one file in :func:`cache_dir`, named for the installed vl-convert and
    Altair (read from their metadata, without importing them): a new version of either makes it
    again.
    """
    made_by = f"{metadata.version('vl-convert-python')}-altair-{metadata.version('altair')}"
    path = cache_dir() / f"vega-bundle-{made_by}.json"
    try:
        return json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        pass  # made below
    import altair as alt
    import vl_convert

    major_minor = ".".join(alt.VEGALITE_VERSION.split(".")[:2])
    vega = {
        "vega_version": alt.VEGA_VERSION,
        "vegalite_version": alt.VEGALITE_VERSION,
        "vegaembed_version": alt.VEGAEMBED_VERSION,
        "bundle": vl_convert.javascript_bundle(vl_version=major_minor),
    }
    try:
        atomic_write_text(path, json.dumps(vega))
    except OSError as exc:  # a cache that cannot be written costs the next report time, no more
        _log.info("not keeping the Vega bundle in %s: %s", path.parent, exc)
    return vega


def cache_dir() -> Path:
    """Where the report keeps what it can make again: ``$XDG_CACHE_HOME/slanb`` (``~/.cache/slanb``)."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "slanb"


def _title(book: Path) -> str:
    """The notebook's first Markdown heading, without the ``#``."""
    import nbformat

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
    from slanb.views import narrative, pages, sentences

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


def render_html(notebook: nbformat.NotebookNode, page: dict[str, Any], *, name: str) -> str:
    """One executed notebook as a self-contained HTML page: no code, no parameters, no CDN."""
    step = next((s for s in page["steps"] if s["name"] == name), None)
    notebook.metadata["title"] = f"{step['title'] if step else name}: {page['month_label']}"
    # The ~0.9 MB bundle goes in after nbconvert has been through the page (its templates and
    # BeautifulSoup would copy and parse it for every page); the page is the same
    # (tests/publish/test_report.py::test_a_page_is_as_nbconvert_renders_it_with_the_bundle).
    resources = {"slanb": {**page, "vega_bundle": _BUNDLE_HERE, "current": name}}
    with _EXPORTING:  # one exporter, its templates compiled once (~0.3 s each time)
        body, _ = _exporter().from_notebook_node(notebook, resources=resources)
    return body.replace(_BUNDLE_HERE, page["vega_bundle"], 1)


_EXPORTING = threading.Lock()
_BUNDLE_HERE = "/* slanb: the Vega bundle */"


def _warm_up_pages(page: dict[str, Any]) -> None:
    """Render a page once (a heading, a table) before the first notebook ends.

    nbconvert compiles its templates, its Markdown renderer and BeautifulSoup's CSS selectors
    on its first page (under a load of 6: 3.1 s, the next pages 0.4–0.8 s).
    """
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

    table = new_output("display_data", data={"text/html": "<table><tr><td>1</td></tr></table>"})
    cells = [new_markdown_cell("# Warm-up"), new_code_cell("", outputs=[table])]
    render_html(new_notebook(cells=cells), page, name="warm-up")


@cache
def _exporter() -> Any:
    """The HTML exporter (nbconvert's) with the slanb template, hiding what a reader should not see."""
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import Preprocessor, TagRemovePreprocessor

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
    import jinja2
    import markupsafe

    from slanb.views import sentences
    from slanb.views.theme import SLATE, VERDICT_COLORS, VERDICT_WORDS

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
    from slanb.views import sentences

    return {
        **sentences.summary(sla),
        "params": sla.params.to_dict(),
        "run_at": run_at.isoformat(),
        "version": __version__,
    }
