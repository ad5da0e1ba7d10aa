"""Delivering the monthly report: one short e-mail per recipient, the report attached.

``deliver(settings, month="2026-10")`` reads ``reports/2026-10/summary.json`` (so the mail says what
the report says; :mod:`slanb.publish.email` lays it out) and sends each address of
``settings.recipients`` (groups expanded, each address once) its own message, with two
attachments:

- ``sla-report-2026-10.html``: the report's summary page as built, one self-contained file
  (charts included, no internet needed; its links to the step pages work only in the report
  folder);
- ``sla-report-2026-10.pdf``: the same page printed by headless Chromium
  (:mod:`slanb.publish.pdf`). Without Chromium the mail goes out without the PDF and the run says so.

Every attempt is recorded in ``reports/.deliveries/2026-10.json`` (rewritten atomically after each
recipient), outside the month folder so that rebuilding the report never forgets who has it: an
address already sent the month is skipped unless ``resend=True``. ``dry_run=True`` writes the
e-mails to ``reports/2026-10/dry-run/*.eml`` instead of sending them. The SMTP password is read
from ``$SLANB_SMTP_PASSWORD`` only, and never printed or logged.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from slanb._files import atomic_write_text, exclusive_lock
from slanb.errors import SlanbError
from slanb.months import month_label, parse_month
from slanb.paths import resolve_path
from slanb.publish import email
from slanb.publish.email import Attachment
from slanb.publish.layout import (
    COMPANY_JSON,
    COMPANY_PAGE,
    DRY_RUN_DIR,
    FAILED_DIR,
    LOG_DIR,
    newest_mtime,
    segment_folder,
)
from slanb.publish.pdf import CHROMIUM_ENV, find_chromium, print_pdf
from slanb.publish.settings import DeliverySettings
from slanb.views import pages
from slanb.views.format import count

PAGE = pages.html(pages.SUMMARY)  # the page attached: the leadership one-pager
PASSWORD_ENV = "SLANB_SMTP_PASSWORD"
SMTP_TIMEOUT = 30.0  # seconds for connecting and for each SMTP command


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
                f"Dry run for the {label} report: wrote {count(len(self.eml), 'e-mail')} to "
                f"{where} (nothing was sent); attached: {attached}."
            )
            lines += [f"  {p.name}" for p in self.eml]
        elif not self.sent and not self.failed:
            lines.append(f"{label} report: nothing to send, every recipient already has it.")
        else:
            sent = f"sent to {count(len(self.sent), 'recipient')}"
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
                f"{count(len(skipped), 'recipient')} who have it were not sent the new one "
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
        groups = settings.groups_of()
        scope = audiences(report, groups, todo or [None])
        bodies: dict[str, email.Body] = {}
        for part in dict.fromkeys(scope.values()):
            attachments, pdf_note = _attachments(_part(report, part), progress=progress)
            if pdf_note and pdf_note not in notes:
                notes.append(pdf_note)
                progress(f"note: {pdf_note}")
            attachments += _company_page(report)
            bodies[part] = email.render(_part(report, part).summary, attachments=attachments)
        has_pdf = any(a.subtype == "pdf" for b in bodies.values() for a in b.attachments)

        def message(to: str | None) -> EmailMessage:
            body = bodies[scope[to]]
            return email.message(body, to=to, groups=groups.get(to or "", ()), mail_from=mail_from)

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


def audiences(
    report: _Report, groups: dict[str, tuple[str, ...]], addresses: list[str] | list[None]
) -> dict[Any, str]:
    """Address → the part of the report it is sent: ``""`` (the company) or a segment's folder.

    In a report with segments (it has ``company.json``), an address in exactly one recipient group
    named like a segment (``smb: [ana@example.com]``) gets that segment's page and the company
    page; every other address gets the company's. Each address is still sent one e-mail a month.
    """
    company = report.folder / COMPANY_JSON
    if not company.is_file():
        return dict.fromkeys(addresses, "")
    names = {s["segment"] for s in json.loads(company.read_text("utf-8")).get("segments", [])}
    out: dict[Any, str] = {}
    for address in addresses:
        mine = [g for g in groups.get(address or "", ()) if g in names]
        out[address] = segment_folder(mine[0]) if len(mine) == 1 else ""
    return out


def _part(report: _Report, folder: str) -> _Report:
    """The company's report (``""``) or a segment's, from its folder inside the report."""
    if not folder:
        return report
    where = report.folder / folder
    try:
        summary = json.loads((where / "summary.json").read_text("utf-8"))
    except (OSError, ValueError) as exc:
        msg = (
            f"{where / 'summary.json'} is unreadable ({exc}): run `slanb report --month "
            f"{report.month}` again. Nothing was sent."
        )
        raise SlanbError(msg) from exc
    return _Report(month=report.month, folder=where, summary=summary, page=where / PAGE)


def _company_page(report: _Report) -> list[email.Attachment]:
    """The company page of a report with segments, as an attachment (none without segments)."""
    page = report.folder / COMPANY_PAGE
    if not page.is_file():
        return []
    name = f"sla-company-{report.month}.html"
    return [email.Attachment(name, page.read_bytes(), "text", "html")]


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
    if failed.exists() and newest_mtime(failed) > summary_path.stat().st_mtime:
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
        atomic_write_text(self.path, json.dumps(data, indent=2) + "\n")


def _locked(log_path: Path) -> contextlib.AbstractContextManager[None]:
    """Hold ``YYYY-MM.lock`` beside the log, so two deliveries of a month never run at once."""
    busy = (
        f"Another delivery of {log_path.stem} is running (it holds "
        f"{log_path.with_suffix('.lock')}); wait for it to finish. Nothing was sent by this one."
    )
    return exclusive_lock(log_path.with_suffix(".lock"), busy=busy)


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
def _attachments(
    report: _Report, *, progress: Callable[[str], None]
) -> tuple[list[Attachment], str | None]:
    """The summary page as HTML, and as PDF when Chromium can print it; plus a note if not."""
    part = report.summary.get("params", {}).get("segment") or ""
    stem = f"sla-report-{report.month}" + (f"-{segment_folder(part)}" if part else "")
    files = [Attachment(f"{stem}.html", report.page.read_bytes(), "text", "html")]
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
            Attachment(f"{stem}.pdf", print_pdf(report.page, chromium), "application", "pdf")
        )
    except SlanbError as exc:
        return files, f"no PDF attached: {exc}"
    return files, None
