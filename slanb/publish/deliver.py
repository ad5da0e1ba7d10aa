"""Delivering the monthly report: one short e-mail per recipient, the report attached.

``deliver(params, month="2026-10")`` reads ``reports/2026-10/summary.json`` (so the mail says what
the report says) and sends each address of ``params.recipients`` (groups expanded, each address
once) its own message: subject ``SLA report — October 2026``, a body with the headline numbers of
both halves of the SLA (marketing's delivery against the goal, sales' first touch and cadence, who
is on the dashboard) in plain HTML with inline styles and a plain-text twin, and two attachments:

- ``sla-report-2026-10.html``: the report's summary page (``00_sla_summary.html``) as built, one
  self-contained file (charts included, no internet needed; its links to the step pages work only
  in the report folder);
- ``sla-report-2026-10.pdf``: the same page printed by headless Chromium. Without Chromium the
  mail goes out without the PDF and the run says so (a missing PDF never holds the report back).

Every attempt is recorded in ``reports/.deliveries/2026-10.json`` (rewritten atomically after each
recipient), outside the month folder so that rebuilding the report never forgets who has it: an
address already sent the month is skipped unless ``resend=True``. ``dry_run=True`` writes the
e-mails to ``reports/2026-10/dry-run/*.eml`` instead of sending them.

``run_monthly(params)`` is the one command a scheduler calls: ingest the newest export, build the
report for the last complete month unless a good one is already there, deliver it
(docs/scheduling.md).
The SMTP password is read from ``$SLANB_SMTP_PASSWORD`` only, and never printed or logged.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import smtplib
import ssl
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any

import jinja2

from slanb import __version__
from slanb.engine.plan import plan
from slanb.errors import SlanbError
from slanb.money import percent
from slanb.months import month_label, month_of, month_start, parse_month, shift_month
from slanb.params import NOTEBOOK_PARAMS, Params, load_params
from slanb.paths import resolve_path
from slanb.publish.settings import DeliverySettings, load_settings
from slanb.store import db as slanb_db
from slanb.store import history
from slanb.store.ingest import ingest

PAGE = "00_sla_summary.html"  # the page attached: the leadership one-pager
PASSWORD_ENV = "SLANB_SMTP_PASSWORD"
CHROMIUM_ENV = "SLANB_CHROMIUM"  # a Chromium/Chrome binary to use instead of the one on PATH
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
LOG_DIR = ".deliveries"  # under the report root: OUT/.deliveries/YYYY-MM.json
DRY_RUN_DIR = "dry-run"  # under the month's report: OUT/YYYY-MM/dry-run/*.eml
FAILED_DIR = ".failed"  # where build_report keeps a failed run: OUT/.failed/YYYY-MM
SMTP_TIMEOUT = 30.0  # seconds for connecting and for each SMTP command
PDF_TIMEOUT = 120.0  # seconds Chromium may take to print the page
# slanb/charts.py's palette, repeated so that delivering does not import Altair
INK, MUTED, BLUE, GREEN, SHADE = "#1f2933", "#7b8794", "#2f6fbd", "#2b8a3e", "#e4e7eb"
_VERDICT_COLORS = {"realistic": GREEN, "stretch": "#d9822b", "unrealistic": "#c23030"}
_FONT = "-apple-system, 'Segoe UI', Helvetica, Arial, sans-serif"


# ---- results -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class DeliveryResult:
    """What one ``deliver`` did for ``month``.

    ``sent``: addresses sent now (in a dry run: the .eml files written, one per address);
    ``skipped``: addresses that already had the month; ``failed``: address → one-line error;
    ``notes``: what the reader of the terminal should know (no PDF, no recipients).
    """

    month: str
    dry_run: bool
    sent: tuple[str, ...]
    skipped: tuple[str, ...]
    failed: dict[str, str]
    pdf: bool
    log: Path | None
    eml: tuple[Path, ...] = ()
    notes: tuple[str, ...] = ()

    def format(self) -> str:
        """A few lines for the terminal (``slanb deliver``)."""
        label = month_label(self.month)
        attached = "the summary page as HTML and PDF" if self.pdf else "the summary page as HTML"
        lines: list[str] = []
        if self.dry_run:
            where = self.eml[0].parent if self.eml else "nowhere"
            lines.append(
                f"Dry run for the {label} report: wrote {_count(len(self.eml), 'e-mail')} to "
                f"{where} (nothing was sent); attached: {attached}."
            )
            lines += [f"  {p.name}" for p in self.eml]
        elif not self.sent and not self.failed:
            lines.append(f"{label} report: nothing to send, every recipient already has it.")
        else:
            sent = f"sent to {_count(len(self.sent), 'recipient')}"
            lines.append(f"{label} report: {sent}; attached: {attached}.")
            lines += [f"  sent     {a}" for a in self.sent]
            lines += [f"  FAILED   {a}: {e}" for a, e in self.failed.items()]
        if self.skipped:
            lines.append(
                f"  already sent earlier, skipped: {', '.join(self.skipped)} "
                "(--resend to send again)"
            )
        lines += [f"  note: {n}" for n in self.notes]
        if self.log is not None:
            lines.append(f"  delivery log: {self.log}")
        return "\n".join(lines)


@dataclass(frozen=True)
class _Report:
    """A built report as delivery sees it: its summary.json and the page attached."""

    month: str
    folder: Path
    summary: dict[str, Any] = field(repr=False)
    page: Path

    @property
    def run_at(self) -> str:
        return str(self.summary.get("run_at", "unknown"))


# ---- deliver -----------------------------------------------------------------------------------
def deliver(
    settings: DeliverySettings,
    *,
    month: str,
    out: str | os.PathLike[str] = "reports",
    dry_run: bool = False,
    resend: bool = False,
    progress: Callable[[str], None] = print,
) -> DeliveryResult:
    """Send the built report for ``month`` to every recipient that does not have it yet.

    Refuses (:class:`SlanbError`, nothing sent) a month whose report is missing or whose last build
    failed. An unreachable server, a failed login or a refused recipient is a ``SlanbError`` too,
    raised after every recipient that could be served was, and the delivery log says who got it.
    Running it again sends only to the addresses that do not have the month yet.
    """
    month = parse_month(month, name="month")
    out_dir = resolve_path(out).resolve()
    report = _load_report(out_dir, month)
    addresses = settings.addresses
    if not addresses and not dry_run:
        msg = (
            f"No recipients for the {month_label(month)} report: set `recipients:` in the params "
            "file (a list of addresses, or groups like `leadership: [a@example.com]`). Nothing "
            "was sent."
        )
        raise SlanbError(msg)
    password = None if dry_run else _preflight(settings)

    log_path = out_dir / LOG_DIR / f"{month}.json"
    with contextlib.nullcontext() if dry_run else _locked(log_path):
        log = _DeliveryLog.load(log_path, month)
        had = log.sent_to()
        skipped = tuple(a for a in addresses if a in had and not resend)
        todo = [a for a in addresses if a not in skipped]
        notes: list[str] = []
        earlier = {
            e.get("report_run_at")
            for e in log.events
            if e.get("status") == "sent" and e["recipient"] in skipped
        }
        if earlier and report.run_at not in earlier:
            notes.append(
                f"the report was rebuilt ({report.run_at}) after it was sent; the "
                f"{_count(len(skipped), 'recipient')} who have it were not sent the new one "
                "(--resend sends it)"
            )
        if not todo and addresses:
            progress(
                f"the {month_label(month)} report was already sent to every recipient; nothing to "
                "send (--resend sends it again)"
            )
            for note in notes:
                progress(f"note: {note}")
            return DeliveryResult(
                month, dry_run, (), skipped, {}, False, log_path, notes=tuple(notes)
            )

        mail_from = settings.mail_from or ("slanb@localhost" if dry_run else "")
        attachments, pdf_note = _attachments(report, progress=progress)
        if pdf_note:
            notes.append(pdf_note)
            progress(f"note: {pdf_note}")
        has_pdf = any(a.subtype == "pdf" for a in attachments)
        body = _Body.from_summary(report.summary, attachments=attachments)
        groups = settings.groups_of()

        def message(to: str | None) -> EmailMessage:
            return _message(body, to=to, groups=groups.get(to or "", ()), mail_from=mail_from)

        if dry_run:
            eml = _write_eml(report.folder / DRY_RUN_DIR, todo, message)
            if not addresses:
                notes.append(
                    "no recipients in the params file: wrote one preview addressed to nobody"
                )
            for path in eml:
                progress(f"wrote {path}")
            return DeliveryResult(
                month, True, tuple(todo), skipped, {}, has_pdf, None, eml=eml, notes=tuple(notes)
            )

        sent, failed = _send(
            settings, password, todo, message, log, report, pdf=has_pdf, progress=progress
        )
    result = DeliveryResult(
        month, False, tuple(sent), skipped, failed, has_pdf, log_path, notes=tuple(notes)
    )
    if failed:
        first_address, first_error = next(iter(failed.items()))
        others = f" and {len(failed) - 1} more" if len(failed) > 1 else ""
        msg = (
            f"the {month_label(month)} report was sent to {len(sent)} of {len(todo)} recipients; "
            f"not sent to {first_address}{others}: {first_error}. The delivery log {log_path} "
            f"lists each address; fix the cause and run `slanb deliver --month {month}` again "
            "(only the addresses without the report are sent)."
        )
        raise SlanbError(msg)
    return result


def _preflight(params: DeliverySettings) -> str | None:
    """Check the SMTP settings before anything is attempted; return the password (or None)."""
    if params.smtp_host is None:
        msg = (
            "smtp_host is not set in the params file, so there is no server to send through. Set "
            "smtp_host (and smtp_port, smtp_user, mail_from), or use --dry-run to write the "
            "e-mails as .eml files. Nothing was sent."
        )
        raise SlanbError(msg)
    if params.mail_from is None:
        msg = "mail_from is not set in the params file: set the From address. Nothing was sent."
        raise SlanbError(msg)
    if params.smtp_user is None:
        return None
    password = os.environ.get(PASSWORD_ENV)
    if not password:
        msg = (
            f"smtp_user is set but the environment variable {PASSWORD_ENV} is empty: set it to "
            "the SMTP password (never in the params file). Nothing was sent."
        )
        raise SlanbError(msg)
    return password


def _load_report(out_dir: Path, month: str) -> _Report:
    """The month's built report, or a SlanbError saying how to build it."""
    label = month_label(month)
    folder = out_dir / month
    summary_path = folder / "summary.json"
    failed = out_dir / FAILED_DIR / month
    rebuild = f"`slanb report --month {month}`"
    if not summary_path.is_file():
        if failed.exists():
            msg = (
                f"The {label} report failed to build (the failed notebook is in {failed}) and "
                f"there is no earlier one at {folder}: fix it and run {rebuild} first. Nothing "
                "was sent."
            )
        else:
            msg = f"No {label} report at {folder}: run {rebuild} first. Nothing was sent."
        raise SlanbError(msg)
    if failed.exists() and _newest_mtime(failed) > summary_path.stat().st_mtime:
        msg = (
            f"The last build of the {label} report failed (see {failed}); the report at {folder} "
            f"is from an earlier run. Fix it and run {rebuild} (or delete {failed} to send the "
            "earlier report). Nothing was sent."
        )
        raise SlanbError(msg)
    try:
        summary = json.loads(summary_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        msg = f"{summary_path} is unreadable ({exc}): run {rebuild} again. Nothing was sent."
        raise SlanbError(msg) from exc
    if not isinstance(summary, dict) or summary.get("month") != month:
        got = summary.get("month") if isinstance(summary, dict) else None
        msg = f"{summary_path} is not the {label} report (month {got!r}): run {rebuild} again."
        raise SlanbError(msg)
    page = folder / PAGE
    if not page.is_file():
        msg = f"The {label} report has no {PAGE} in {folder}: run {rebuild} again."
        raise SlanbError(msg)
    return _Report(month=month, folder=folder, summary=summary, page=page)


def _newest_mtime(folder: Path) -> float:
    return max([folder.stat().st_mtime, *(p.stat().st_mtime for p in folder.rglob("*"))])


# ---- the delivery log --------------------------------------------------------------------------
@dataclass
class _DeliveryLog:
    """``OUT/.deliveries/YYYY-MM.json``: every attempt, and each address's latest state.

    ``{"month": ..., "recipients": {address: latest event}, "events": [event, ...]}``; an event is
    ``{"recipient", "status": "sent"|"failed", "at", "report_run_at", "pdf", "message_id"}``
    (``"error"`` instead of ``"message_id"`` when it failed).
    """

    path: Path
    month: str
    events: list[dict[str, Any]]

    @classmethod
    def load(cls, path: Path, month: str) -> _DeliveryLog:
        if not path.exists():
            return cls(path, month, [])
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            events = list(data["events"])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            msg = (
                f"The delivery log {path} is unreadable ({exc}), so it is unknown who already has "
                "the report. Repair or remove it, then deliver again. Nothing was sent."
            )
            raise SlanbError(msg) from exc
        return cls(path, month, events)

    def sent_to(self) -> set[str]:
        return {e["recipient"] for e in self.events if e.get("status") == "sent"}

    def record(self, recipient: str, status: str, **details: Any) -> None:
        """Append one event and rewrite the log atomically (temp file, fsync, rename)."""
        at = datetime.now(UTC).replace(microsecond=0).isoformat()
        self.events.append({"recipient": recipient, "status": status, "at": at, **details})
        latest = {e["recipient"]: e for e in self.events}
        data = {"month": self.month, "recipients": latest, "events": self.events}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(json.dumps(data, indent=2) + "\n")
                f.flush()
                os.fsync(f.fileno())
            os.chmod(tmp, 0o644)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


@contextlib.contextmanager
def _locked(log_path: Path) -> Iterator[None]:
    """Hold ``YYYY-MM.lock`` beside the log, so two deliveries of a month never run at once."""
    try:
        import fcntl
    except (
        ImportError
    ):  # not POSIX: rely on the scheduler not overlapping runs (docs/scheduling.md)
        yield
        return
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with (log_path.with_suffix(".lock")).open("w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            msg = (
                f"Another delivery of {log_path.stem} is running (it holds "
                f"{lock.name}); wait for it to finish. Nothing was sent by this one."
            )
            raise SlanbError(msg) from exc
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


# ---- sending -----------------------------------------------------------------------------------
def _send(
    params: DeliverySettings,
    password: str | None,
    todo: list[str],
    message: Callable[[str | None], EmailMessage],
    log: _DeliveryLog,
    report: _Report,
    *,
    pdf: bool,
    progress: Callable[[str], None],
) -> tuple[list[str], dict[str, str]]:
    """Send one message per address over one SMTP session; record each outcome in ``log``."""
    sent: list[str] = []
    failed: dict[str, str] = {}
    base = {"report_run_at": report.run_at, "pdf": pdf}

    def fail(addresses: list[str], error: str) -> None:
        for a in addresses:
            failed[a] = error
            log.record(a, "failed", error=error, **base)
            progress(f"NOT sent to {a}: {error}")

    where = f"{params.smtp_host}:{params.smtp_port}"
    try:
        smtp = _connect(params, password)
    except _SmtpFailure as exc:
        fail(todo, str(exc))
        return sent, failed
    with contextlib.closing(smtp):
        for i, address in enumerate(todo):
            msg = message(address)
            try:
                smtp.send_message(msg, from_addr=params.mail_from, to_addrs=[address])
            except smtplib.SMTPRecipientsRefused as exc:
                code, text = exc.recipients.get(address, (0, b""))
                fail([address], f"{where} refused the address ({_reply(code, text)})")
                continue
            except smtplib.SMTPSenderRefused as exc:
                fail(
                    todo[i:],
                    f"{where} refused the sender {params.mail_from} "
                    f"({_reply(exc.smtp_code, exc.smtp_error)})",
                )
                break
            except smtplib.SMTPResponseException as exc:
                fail(
                    [address],
                    f"{where} refused the message ({_reply(exc.smtp_code, exc.smtp_error)})",
                )
                continue
            except (smtplib.SMTPException, OSError) as exc:
                fail(todo[i:], f"the connection to {where} broke ({_oneline(exc)})")
                break
            sent.append(address)
            log.record(address, "sent", message_id=msg["Message-ID"], **base)
            progress(f"sent the {month_label(report.month)} report to {address}")
        # every message is out (or recorded as not): a failed QUIT changes nothing
        with contextlib.suppress(smtplib.SMTPException, OSError):
            smtp.quit()
    return sent, failed


class _SmtpFailure(Exception):
    """The session could not be opened: nothing was sent (message is one line, no password)."""


def _connect(params: DeliverySettings, password: str | None) -> smtplib.SMTP:
    """Connect, STARTTLS when configured, log in when ``smtp_user`` is set."""
    host, port = params.smtp_host or "", params.smtp_port
    where = f"{host}:{port}"
    try:
        smtp = smtplib.SMTP(host, port, timeout=SMTP_TIMEOUT)
    except (smtplib.SMTPException, OSError) as exc:
        msg = (
            f"could not connect to the SMTP server {where} ({_oneline(exc)}); check smtp_host "
            "and smtp_port"
        )
        raise _SmtpFailure(msg) from exc
    try:
        smtp.ehlo()
        if params.smtp_starttls:
            if not smtp.has_extn("starttls"):
                msg = (
                    f"the SMTP server {where} does not offer STARTTLS; set smtp_starttls: false "
                    "only for a trusted relay on this machine or network"
                )
                raise _SmtpFailure(msg)
            try:
                smtp.starttls(context=ssl.create_default_context())
            except ssl.SSLError as exc:
                msg = (
                    f"STARTTLS with {where} failed ({_oneline(exc)}); if the server's certificate "
                    "comes from a private CA, point SSL_CERT_FILE at that CA's certificate"
                )
                raise _SmtpFailure(msg) from exc
            smtp.ehlo()
        if params.smtp_user is not None:
            try:
                smtp.login(params.smtp_user, password or "")
            except smtplib.SMTPAuthenticationError as exc:
                msg = (
                    f"the SMTP server {where} rejected the login of {params.smtp_user} "
                    f"({_reply(exc.smtp_code, exc.smtp_error)}); check smtp_user and "
                    f"{PASSWORD_ENV}"
                )
                raise _SmtpFailure(msg) from exc
            except smtplib.SMTPNotSupportedError as exc:
                msg = (
                    f"the SMTP server {where} offers no login (AUTH) on this connection; with "
                    "smtp_starttls: false many servers allow it only after STARTTLS"
                )
                raise _SmtpFailure(msg) from exc
    except _SmtpFailure:
        smtp.close()
        raise
    except (smtplib.SMTPException, OSError) as exc:
        smtp.close()
        msg = f"the SMTP session with {where} failed ({_oneline(exc)})"
        raise _SmtpFailure(msg) from exc
    return smtp


def _reply(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {' '.join(text.split())}".strip()


def _oneline(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if type(exc).__name__ in text else f"{type(exc).__name__}: {text}"


def _write_eml(
    folder: Path, todo: list[str], message: Callable[[str | None], EmailMessage]
) -> tuple[Path, ...]:
    """Write one ``.eml`` per address (or one ``preview.eml``), replacing the previous dry run."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    written = []
    for to in todo or [None]:
        name = (
            "preview"
            if to is None
            else "".join(c if c.isalnum() or c in "@._+-" else "_" for c in to)
        )
        path = folder / f"{name}.eml"
        path.write_bytes(message(to).as_bytes())
        written.append(path)
    return tuple(written)


# ---- the message -------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Attachment:
    filename: str
    data: bytes = field(repr=False)
    maintype: str
    subtype: str


def _attachments(
    report: _Report, *, progress: Callable[[str], None]
) -> tuple[list[_Attachment], str | None]:
    """The summary page as HTML, and as PDF when Chromium can print it; plus a note if not."""
    stem = f"sla-report-{report.month}"
    files = [_Attachment(f"{stem}.html", report.page.read_bytes(), "text", "html")]
    chromium = find_chromium()
    if chromium is None:
        note = (
            "no PDF attached: Chromium is not installed (apt-get install chromium, or set "
            f"{CHROMIUM_ENV} to a Chrome binary); the HTML attachment holds the whole page"
        )
        return files, note
    progress(f"printing {report.page.name} to PDF with {chromium}")
    try:
        files.append(
            _Attachment(f"{stem}.pdf", print_pdf(report.page, chromium), "application", "pdf")
        )
    except SlanbError as exc:
        return files, f"no PDF attached: {exc}"
    return files, None


def find_chromium() -> str | None:
    """The headless browser that prints the PDF: ``$SLANB_CHROMIUM``, else the first on PATH."""
    given = os.environ.get(CHROMIUM_ENV)
    if given:
        return shutil.which(given)
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def print_pdf(page: Path, chromium: str) -> bytes:
    """Print ``page`` to PDF with headless Chromium, after its charts have drawn (virtual time).

    A throwaway profile keeps the user's browser out of it; no network is needed (the page is
    self-contained). Raises :class:`SlanbError` with Chromium's last words when it fails.
    """
    with tempfile.TemporaryDirectory(prefix="slanb-pdf-") as tmp:
        pdf = Path(tmp) / "report.pdf"
        cmd = [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={Path(tmp) / 'profile'}",
            "--virtual-time-budget=8000",
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf}",
            page.resolve().as_uri(),
        ]
        try:
            run = subprocess.run(
                cmd, capture_output=True, text=True, timeout=PDF_TIMEOUT, check=False
            )
        except subprocess.TimeoutExpired as exc:
            msg = f"Chromium did not print {page.name} within {PDF_TIMEOUT:.0f} s"
            raise SlanbError(msg) from exc
        if not pdf.is_file() or not pdf.read_bytes().startswith(b"%PDF"):
            last = (run.stderr.strip().splitlines() or ["no output"])[-1]
            msg = f"Chromium could not print {page.name} (exit {run.returncode}: {last})"
            raise SlanbError(msg)
        return pdf.read_bytes()


def _message(
    body: _Body, *, to: str | None, groups: tuple[str, ...], mail_from: str
) -> EmailMessage:
    """One recipient's e-mail: text and HTML alternatives, then the attachments."""
    msg = EmailMessage(policy=policy.SMTP)
    msg["Subject"] = f"SLA report — {body.month_label}"
    msg["From"] = mail_from
    msg["To"] = to or "undisclosed-recipients:;"
    msg["Date"] = formatdate(usegmt=True)
    msg["Message-ID"] = make_msgid(domain=mail_from.rpartition("@")[2] or "localhost")
    msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation auto-replies
    msg["X-Slanb-Month"] = body.month
    msg.set_content(body.text(groups))
    msg.add_alternative(body.html(groups), subtype="html")
    for a in body.attachments:
        msg.add_attachment(a.data, maintype=a.maintype, subtype=a.subtype, filename=a.filename)
    return msg


@dataclass(frozen=True)
class _Figure:
    """One line of the body: what, how many of how many, and the share as a bar."""

    label: str
    value: str
    share: float | None
    note: str = ""

    @property
    def share_text(self) -> str:
        return percent(self.share)

    @property
    def bar(self) -> int:
        return 0 if self.share is None else max(0, min(100, round(self.share * 100)))

    @property
    def color(self) -> str:
        return GREEN if self.share is not None and self.share >= 1 else BLUE


@dataclass(frozen=True)
class _Body:
    """The numbers of the e-mail, each read from summary.json and formatted once."""

    month: str
    month_label: str
    label: str
    lead: str
    goal: str
    verdict: str | None
    verdict_color: str
    cross_check: str
    marketing: tuple[_Figure, ...]
    sales: tuple[_Figure, ...]
    dashboard_title: str
    dashboard: tuple[dict[str, Any], ...]
    dashboard_rule: str
    messages: tuple[str, ...]
    run_at: str
    version: str
    attachments: tuple[_Attachment, ...]

    @classmethod
    def from_summary(cls, s: dict[str, Any], *, attachments: list[_Attachment]) -> _Body:
        # the report's words: its verdicts, and totals in whole dollars as its pages state them
        from slanb.views.narrative import VERDICT_WORDS, dollars

        month = s["month"]
        p = s.get("params", {})
        goal, verdict = s.get("goal", {}), s.get("cross_check", {}).get("verdict")
        tracked = "delivery" in s and "first_touch" in s
        marketing: tuple[_Figure, ...] = ()
        sales: tuple[_Figure, ...] = ()
        dashboard: list[dict[str, Any]] = []
        lead = _sentence(s["headline"])
        label = f"The goal for {month_label(month)}"
        dash_title, dash_rule = "", ""
        if tracked:
            d, ft, c = s["delivery"], s["first_touch"], s["cadence"]
            so_far = " so far" if _in_progress(s) else ""
            hours = f"{_num(p.get('first_touch_hours', 24))} h"
            calls = _touches(p.get("cadence_calls", 5), p.get("cadence_kinds", ["call"]))
            days = p.get("cadence_days", 14)
            marketing = (
                _Figure(
                    "MQLs delivered" + so_far,
                    f"{d['mqls']:,}"
                    + ("" if goal.get("mqls") is None else f" of {goal['mqls']:,}"),
                    d.get("attainment"),
                ),
                _Figure(
                    "Lead value delivered" + so_far,
                    "undefined"
                    if d.get("lead_value") is None
                    else dollars(d["lead_value"])
                    + (
                        ""
                        if goal.get("lead_value") is None
                        else f" of {dollars(goal['lead_value'])}"
                    ),
                    d.get("lead_value_attainment"),
                ),
            )
            sales = (
                _Figure(
                    f"First touch within {hours}",
                    f"{ft['met']:,} of {_count(ft['judged'], 'MQL')}",
                    ft["met"] / ft["judged"] if ft["judged"] else None,
                    _pending(ft.get("pending", 0)),
                ),
                _Figure(
                    f"{calls[0].upper()}{calls[1:]} within {days} days",
                    f"{c['met']:,} of {_count(c['judged'], 'MQL')}",
                    c["met"] / c["judged"] if c["judged"] else None,
                    ", ".join(
                        x
                        for x in (
                            f"{c['excluded']:,} with a deal in the window not judged"
                            if c.get("excluded")
                            else "",
                            _pending(c.get("pending", 0)),
                        )
                        if x
                    ),
                ),
            )
            dashboard = [
                {
                    **r,
                    "name": "Unassigned (no owner)" if r["rep_id"] == "unassigned" else r["name"],
                }
                for r in s.get("dashboard", [])
            ]
            lead = _lead(s, so_far=so_far, hours=hours, money=dollars)
            label = f"{month_label(month)} so far" if so_far else f"How {month_label(month)} went"
            dash_title = _dashboard_count(dashboard)
            dash_rule = (
                f"A rep is on it for any MQL not touched within {hours}, or worked with fewer "
                f"than {calls} in its first {days} days."
            )
        run_at = str(s.get("run_at", ""))
        with contextlib.suppress(ValueError):
            run_at = datetime.fromisoformat(run_at).strftime("%Y-%m-%d %H:%M UTC")
        return cls(
            month=month,
            month_label=month_label(month),
            label=label,
            lead=lead,
            goal=_sentence(s["headline"]),
            verdict=VERDICT_WORDS.get(verdict or ""),
            verdict_color=_VERDICT_COLORS.get(verdict or "", MUTED),
            cross_check=s.get("cross_check", {}).get("sentence", ""),
            marketing=marketing,
            sales=sales,
            dashboard_title=dash_title,
            dashboard=tuple(dashboard),
            dashboard_rule=dash_rule,
            messages=tuple(s.get("messages", [])) + tuple(s.get("tracking_messages", [])),
            run_at=run_at,
            version=str(s.get("version", "")),
            attachments=tuple(attachments),
        )

    def _names(self) -> str:
        return " and ".join(a.filename for a in self.attachments)

    def html(self, groups: tuple[str, ...]) -> str:
        return _HTML.render(
            b=self, groups=", ".join(groups), names=self._names(), font=_FONT, ink=INK,
            muted=MUTED, shade=SHADE,
        )  # fmt: skip

    def text(self, groups: tuple[str, ...]) -> str:
        lines = [f"Marketing-to-Sales SLA · {self.month_label}", "", self.label, self.lead, ""]
        for title, figures in (("Marketing", self.marketing), ("Sales", self.sales)):
            if figures:
                lines.append(title)
                for f in figures:
                    note = f" ({f.note})" if f.note else ""
                    lines.append(f"  {f.label}: {f.value} = {f.share_text}{note}")
                lines.append("")
        if self.dashboard_title:
            lines += ["Don't be on the dashboard", f"{_capital(self.dashboard_title)}."]
            for r in self.dashboard:
                late, short = r["late_first_touch"], r["short_cadence"]
                lines.append(
                    f"  {r['name']}: {late:,} late first {'touch' if late == 1 else 'touches'}, "
                    f"{short:,} short {'cadence' if short == 1 else 'cadences'}"
                )
            lines += [self.dashboard_rule, ""]
        verdict = f" {self.verdict}: " if self.verdict else " "
        lines += [f"The goal: {self.goal}{verdict}{self.cross_check}", ""]
        if self.messages:
            lines += ["Read this first:", *[f"  - {m}" for m in self.messages], ""]
        lines.append(f"Attached: {self._names()} (the report's summary page).")
        sent_as = f" You receive it as: {', '.join(groups)}." if groups else ""
        lines.append(f"Built {self.run_at} by slanb {self.version}.{sent_as}")
        return "\n".join(lines) + "\n"


def _lead(
    s: dict[str, Any], *, so_far: str, hours: str, money: Callable[[float | None], str]
) -> str:
    """The first sentence, both halves in one line: ``Tracking.headline()``'s words.

    Totals are formatted by ``money`` (the report's whole dollars), as the summary page states them.
    """
    d, ft, goal = s["delivery"], s["first_touch"], s["goal"]
    if d.get("lead_value") is None:
        value = "lead value undefined"
    elif goal.get("lead_value") is None:
        value = f"{money(d['lead_value'])} lead value"
    else:
        value = f"{money(d['lead_value'])} of {money(goal['lead_value'])} lead value"
    if goal.get("mqls") is None:
        market = f"Marketing delivered {d['mqls']:,} MQLs{so_far} ({value})"
    else:
        market = (
            f"Marketing delivered {d['mqls']:,} of {goal['mqls']:,} MQLs{so_far} "
            f"({percent(d.get('attainment'))}, {value})"
        )
    if ft["judged"]:
        sales = f"sales touched {percent(ft['met'] / ft['judged'])} of MQLs within {hours}"
    else:
        sales = f"no MQL has reached its {hours} first-touch deadline yet"
    return f"{market}; {sales}; {_dashboard_count(s.get('dashboard', []))}."


def _dashboard_count(rows: list[dict[str, Any]]) -> str:
    """``3 reps are on the dashboard``, ``plus unassigned leads`` (the report's words)."""
    ids = [r["rep_id"] for r in rows]
    reps = sum(1 for r in ids if r != "unassigned")
    if not ids:
        return "no rep is on the dashboard"
    text = "no rep is" if reps == 0 else "1 rep is" if reps == 1 else f"{reps} reps are"
    text += " on the dashboard"
    if "unassigned" in ids:
        text += ", plus unassigned leads" if reps else " but unassigned leads are"
    return text


def _in_progress(s: dict[str, Any]) -> bool:
    """True when the month was judged before its end, as ``Tracking.in_progress`` says."""
    as_of = s.get("as_of")
    end = month_start(shift_month(s["month"], 1))
    return as_of is not None and datetime.fromisoformat(as_of) < end


def _pending(n: int) -> str:
    return f"{n:,} not yet due" if n else ""


def _num(x: float) -> str:
    return f"{x:g}"


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" if n == 1 else f"{n:,} {noun}s"


def _touches(n: int, kinds: list[str]) -> str:
    """``5 calls``; ``5 touches (call or email)``."""
    if len(kinds) == 1:
        return _count(n, kinds[0])
    either = ", ".join(kinds[:-1]) + " or " + kinds[-1]
    return f"{n:,} {'touch' if n == 1 else 'touches'} ({either})"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _sentence(text: str) -> str:
    return text.rstrip(".") + "."


def _nowrap(text: str) -> str:
    """``24 h`` and ``14 days`` with a no-break space, so a narrow screen never splits them."""
    return re.sub(r"(\d) (h|days)\b", "\\1\u00a0\\2", text)


# Tables and inline styles only: mail clients drop <style>, scripts and flexbox.
_ENV = jinja2.Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True)
_ENV.filters["nowrap"] = _nowrap
_ENV.filters["capital"] = _capital
_HTML = _ENV.from_string(
    """\
<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>SLA report — {{ b.month_label }}</title></head>
<body style="margin:0;padding:0;background:#f5f7fa;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="background:#f5f7fa;">
<tr><td align="center" style="padding:24px 12px;">
<table role="presentation" width="600" cellpadding="0" cellspacing="0" border="0" style="width:100%;max-width:600px;background:#ffffff;border:1px solid {{ shade }};border-radius:6px;font-family:{{ font }};color:{{ ink }};font-size:15px;line-height:1.45;">
<tr><td style="padding:20px 24px 0;font-size:13px;font-weight:600;color:{{ muted }};">Marketing-to-Sales SLA · {{ b.month_label }}</td></tr>
<tr><td style="padding:14px 24px 0;font-size:12px;font-weight:700;letter-spacing:0.04em;text-transform:uppercase;color:{{ muted }};">{{ b.label }}</td></tr>
<tr><td style="padding:4px 24px 14px;font-size:18px;font-weight:700;line-height:1.35;">{{ b.lead | nowrap }}</td></tr>
{% for title, figures in (("Marketing", b.marketing), ("Sales", b.sales)) if figures %}
<tr><td style="padding:6px 24px 0;font-size:12px;font-weight:700;letter-spacing:0.04em;text-transform:uppercase;color:{{ muted }};">{{ title }}</td></tr>
<tr><td style="padding:2px 24px 8px;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0">
{% for f in figures %}
<tr>
<td style="padding:8px 12px 2px 0;border-top:1px solid {{ shade }};">{{ f.label | nowrap }}</td>
<td align="right" style="padding:8px 12px 2px 0;border-top:1px solid {{ shade }};white-space:nowrap;">{{ f.value }}</td>
<td align="right" width="56" style="padding:8px 0 2px;border-top:1px solid {{ shade }};font-weight:700;white-space:nowrap;">{{ f.share_text }}</td>
</tr>
<tr><td colspan="3" style="padding:2px 0 8px;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0"><tr>
{% if f.bar > 0 %}<td width="{{ f.bar }}%" height="6" bgcolor="{{ f.color }}" style="background:{{ f.color }};height:6px;font-size:0;line-height:0;">&nbsp;</td>{% endif %}
{% if f.bar < 100 %}<td height="6" bgcolor="{{ shade }}" style="background:{{ shade }};height:6px;font-size:0;line-height:0;">&nbsp;</td>{% endif %}
</tr></table>
{% if f.note %}<div style="font-size:12px;color:{{ muted }};padding-top:3px;">{{ f.note }}</div>{% endif %}
</td></tr>
{% endfor %}
</table>
</td></tr>
{% endfor %}
{% if b.dashboard_title %}
<tr><td style="padding:10px 24px 0;font-size:12px;font-weight:700;letter-spacing:0.04em;text-transform:uppercase;color:{{ muted }};">Don't be on the dashboard</td></tr>
<tr><td style="padding:4px 24px 0;">{{ b.dashboard_title | capital }}.</td></tr>
{% if b.dashboard %}
<tr><td style="padding:6px 24px 4px;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="font-size:14px;">
<tr>
<td style="padding:4px 12px 4px 0;color:{{ muted }};font-weight:600;border-bottom:2px solid {{ shade }};">Rep</td>
<td align="right" style="padding:4px 12px 4px 0;color:{{ muted }};font-weight:600;border-bottom:2px solid {{ shade }};">Late first touches</td>
<td align="right" style="padding:4px 0;color:{{ muted }};font-weight:600;border-bottom:2px solid {{ shade }};">Short cadences</td>
</tr>
{% for r in b.dashboard %}
<tr>
<td style="padding:4px 12px 4px 0;border-bottom:1px solid {{ shade }};">{% if r.rep_id == "unassigned" %}<em>{{ r.name }}</em>{% else %}{{ r.name }}{% endif %}</td>
<td align="right" style="padding:4px 12px 4px 0;border-bottom:1px solid {{ shade }};">{{ "{:,}".format(r.late_first_touch) }}</td>
<td align="right" style="padding:4px 0;border-bottom:1px solid {{ shade }};">{{ "{:,}".format(r.short_cadence) }}</td>
</tr>
{% endfor %}
</table>
</td></tr>
{% endif %}
<tr><td style="padding:4px 24px 8px;font-size:12px;color:{{ muted }};">{{ b.dashboard_rule | nowrap }}</td></tr>
{% endif %}
<tr><td style="padding:10px 24px 0;font-size:12px;font-weight:700;letter-spacing:0.04em;text-transform:uppercase;color:{{ muted }};">The goal for {{ b.month_label }}</td></tr>
<tr><td style="padding:4px 24px 6px;font-weight:600;">{{ b.goal }}</td></tr>
<tr><td style="padding:0 24px 12px;">{% if b.verdict %}<span style="display:inline-block;background:{{ b.verdict_color }};color:#ffffff;font-weight:600;padding:1px 8px;border-radius:4px;">{{ b.verdict }}</span> {% endif %}{{ b.cross_check }}</td></tr>
{% if b.messages %}
<tr><td style="padding:0 24px 12px;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0"><tr>
<td style="border-left:4px solid #d9822b;background:#fff8ed;padding:8px 14px;font-size:14px;"><strong>Read this first: the history is not enough for every number.</strong>
<ul style="margin:6px 0 0;padding-left:20px;">{% for m in b.messages %}<li>{{ m }}</li>{% endfor %}</ul></td>
</tr></table>
</td></tr>
{% endif %}
<tr><td style="padding:12px 24px 20px;border-top:1px solid {{ shade }};font-size:13px;color:{{ muted }};">
The report's summary page is attached: {{ names }}. The HTML file opens in any browser, with its charts, and needs no internet.<br>
Built {{ b.run_at }} by slanb {{ b.version }}.{% if groups %} You receive it as: {{ groups }}.{% endif %}
</td></tr>
</table>
</td></tr>
</table>
</body></html>
"""
)


# ---- run-monthly -------------------------------------------------------------------------------
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
        with slanb_db.connect(params.db_path) as con:
            month = params.month or history.last_complete_month(con)
            exported = history.exported_at(con)
        if params.month is None:
            _check_fresh(month, exported, now or datetime.now(UTC))
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
            from slanb.publish import report

            report.build_report(resolved, out=out, progress=say)
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
    if failed.exists() and _newest_mtime(failed) > built:
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
        for f in sorted(Path(__file__).parent.rglob("*"))
        if f.suffix in {".py", ".sql", ".j2", ".css", ".json"}
        and f.name not in _NOT_IN_THE_REPORT
        and f.stat().st_mtime > built
    ]
    if code:
        return f"slanb's code changed since it was built ({', '.join(code[:3])})"
    now = _json(plan(params).to_dict())
    differ = [k for k, v in now.items() if summary.get(k) != v]
    if differ:
        return (
            f"the history changed since it was built at {summary.get('run_at')} "
            f"({', '.join(differ)} differ)"
        )
    return None


# code that never shapes a report page: changing it does not call for a rebuild (what ingest or demo
# change in the history, the plan comparison sees)
_NOT_IN_THE_REPORT = frozenset({"deliver.py", "cli.py", "ingest.py", "demo.py"})


def _json(value: Any) -> Any:
    """``value`` as it reads back from JSON (tuples become lists, keys strings)."""
    return json.loads(json.dumps(value))


# ---- CLI handlers (wired in slanb/cli.py) ------------------------------------------------------
def cli_deliver(args: argparse.Namespace) -> int:
    """``slanb deliver --month YYYY-MM [--params FILE] [--out DIR] [--dry-run] [--resend]``."""
    result = deliver(
        load_settings(args.params),
        month=args.month,
        out=args.out or "reports",
        dry_run=args.dry_run,
        resend=args.resend,
    )
    print(result.format())
    return 0


def cli_run_monthly(args: argparse.Namespace) -> int:
    """``slanb run-monthly [--params FILE] [--out DIR]``: the command a scheduler calls."""
    return run_monthly(
        load_params(args.params), load_settings(args.params), out=args.out or "reports"
    )
