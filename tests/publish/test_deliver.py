"""Delivering the report through a real SMTP server on loopback (aiosmtpd), and run-monthly.

The report is a fake folder: summary.json written exactly as build_report writes it (the plan of
the worked example, plus four October MQLs so that both halves of the SLA have numbers) and a small
summary page, so no notebook runs here. October 2026, checked by hand:

  goal       750 MQLs ($75,000 / $100 per MQL), $75,000 of lead value
  delivered  T1-T4, other/B at $100 each: 4 MQLs (1% of 750), $400
  first touch (24 h, call or email)  T1 call at 1 h, T4 email at 2 h: met; T2 call at 30 h, T3 never:
             breached → 2 of 4 (50%)
  cadence (5 calls in 14 days)  T1, T2 five calls: met; T3 none, T4 an e-mail only: breached → 2 of 4
  dashboard  Ben Ortiz (R2): 1 late first touch (T3), 2 short cadence (T3, T4);
             Ada Park (R1): 1 late first touch (T2), 0 short cadence
"""

from __future__ import annotations

import email
import json
import os
import shutil
import socket
import ssl
import subprocess
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from slanb.cli import main
from slanb.engine.month import compute
from slanb.errors import SlanbError
from slanb.params import Params
from slanb.publish import deliver as delivery
from slanb.publish.deliver import deliver
from slanb.publish.monthly import rebuild_reason, run_monthly
from slanb.publish.report import summary_json
from slanb.publish.settings import DeliverySettings
from slanb.views.sentences import tracking_headline
from tests.conftest import write_history
from tests.fixtures import worked_example

MONTH = "2026-10"
SUBJECT = "SLA report — October 2026"
PAGE = "<!DOCTYPE html><html><body><h1>Marketing-to-Sales SLA: October 2026</h1></body></html>\n"
PASSWORD = "s3cret-Pa55"
INGEST = Path(__file__).parents[1] / "fixtures" / "ingest"
JULY_2025 = datetime(2025, 7, 20, 7, 0)  # "now" for run-monthly on the ingest fixtures


# ---- the history and the fake report ------------------------------------------------------------
def october_tables() -> dict[str, list[dict]]:
    """The worked example plus T1-T4, four October MQLs (see the module docstring)."""
    tables = worked_example.tables()
    acts: list[dict] = []

    def lead(n: int, day: int, owner: str) -> None:
        tables["leads"].append(
            {
                "lead_id": f"T{n}",
                "created_at": f"2026-10-{day:02d}T08:00:00",
                "mql_at": f"2026-10-{day:02d}T09:00:00",
                "owner_id": owner,
                "intent": "other",
                "fit": "B",
            }
        )

    def act(lead_id: str, rep: str, kind: str, at: str) -> None:
        acts.append(
            {
                "activity_id": f"A{len(acts) + 1}",
                "lead_id": lead_id,
                "rep_id": rep,
                "kind": kind,
                "occurred_at": at,
            }
        )

    lead(1, 5, "R1")
    for day in (5, 6, 7, 8, 9):
        act("T1", "R1", "call", f"2026-10-{day:02d}T10:00:00")
    lead(2, 6, "R1")
    act("T2", "R1", "call", "2026-10-07T15:00:00")  # 30 h after mql_at
    for day in (8, 9, 10, 11):
        act("T2", "R1", "call", f"2026-10-{day:02d}T10:00:00")
    lead(3, 7, "R2")
    lead(4, 8, "R2")
    act("T4", "R2", "email", "2026-10-08T11:00:00")
    tables["activities"] = acts
    return tables


RUN_AT = datetime(2026, 11, 1, 6, tzinfo=UTC)


def fake_report(params: Params, *, out: Path | str, **_: object) -> Path:
    """Write ``out/YYYY-MM`` as build_report would, without running a notebook."""
    sla = compute(params.replace(db=str(params.db_path.resolve())))
    folder = Path(out) / sla.month
    folder.mkdir(parents=True, exist_ok=True)
    summary = summary_json(sla, run_at=RUN_AT)
    (folder / "summary.json").write_text(json.dumps(summary, indent=2) + "\n", "utf-8")
    (folder / "00_sla_summary.html").write_text(PAGE, "utf-8")
    return folder


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("deliver") / "history.duckdb"
    return write_history(path, october_tables(), exported_at="2026-11-01 00:00:00")


@pytest.fixture(scope="module")
def built(db, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("built")
    fake_report(Params(db=str(db)), out=out)
    return out


@pytest.fixture
def out(built, tmp_path) -> Path:
    """A fresh copy of the built report root for one test."""
    return Path(shutil.copytree(built, tmp_path / "reports"))


@pytest.fixture(autouse=True)
def no_chromium(monkeypatch):
    """No PDF unless a test asks for one: printing takes seconds."""
    monkeypatch.setattr(delivery, "find_chromium", lambda: None)


# ---- the SMTP server ----------------------------------------------------------------------------
@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    tls: bool


@dataclass
class Mailbox:
    port: int
    messages: list[Received] = field(default_factory=list)
    logins: list[tuple[str, bool]] = field(default_factory=list)

    def to(self) -> list[str]:
        return [a for m in self.messages for a in m.rcpt_tos]


class _Handler:
    def __init__(self, box: Mailbox, reject: set[str]) -> None:
        self.box, self.reject = box, reject

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.reject:
            return f"550 5.1.1 <{address}>: no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        self.box.messages.append(
            Received(envelope.mail_from, list(envelope.rcpt_tos), message, session.ssl is not None)
        )
        return "250 Message accepted"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp():
    """``smtp(reject=..., tls=..., users=...) -> Mailbox``: a server on 127.0.0.1, stopped after."""
    running: list[Controller] = []

    def start(
        *,
        reject: set[str] | None = None,
        tls: ssl.SSLContext | None = None,
        users: dict[str, str] | None = None,
    ) -> Mailbox:
        box = Mailbox(port=_free_port())
        kw: dict[str, object] = {}
        if tls is not None:
            kw |= {"tls_context": tls, "require_starttls": True}
        if users is not None:

            def authenticate(server, session, envelope, mechanism, data):
                login, password = data.login.decode(), data.password.decode()
                ok = users.get(login) == password
                box.logins.append((login, ok))
                return AuthResult(success=ok, handled=False)

            kw |= {
                "authenticator": authenticate,
                "auth_required": True,
                "auth_require_tls": tls is not None,
            }
        controller = Controller(
            _Handler(box, reject or set()), hostname="127.0.0.1", port=box.port, **kw
        )
        controller.start()
        running.append(controller)
        return box

    yield start
    for controller in running:
        controller.stop()


def _params(db: Path, **kw: object) -> Params:
    return Params.from_mapping({"db": str(db), **kw}, source="test")


def _settings(box: Mailbox | None = None, **kw: object) -> DeliverySettings:
    values: dict[str, object] = {
        "recipients": {
            "leadership": ["ceo@example.com", "cmo@example.com"],
            "sales_managers": ["vp.sales@example.com", "cmo@example.com"],
        },
        "mail_from": "sla@example.com",
        "smtp_starttls": False,
    }
    if box is not None:
        values |= {"smtp_host": "127.0.0.1", "smtp_port": box.port}
    return DeliverySettings.from_mapping(values | kw, source="test")


def _log(out: Path) -> dict:
    return json.loads((out / ".deliveries" / f"{MONTH}.json").read_text("utf-8"))


def _text(m: EmailMessage) -> tuple[str, str]:
    html = m.get_body(("html",))
    plain = m.get_body(("plain",))
    assert html is not None and plain is not None
    return html.get_content(), plain.get_content()


# ---- sending ------------------------------------------------------------------------------------
def test_each_address_gets_one_message_with_both_halves_and_the_report(db, out, smtp):
    box = smtp()
    said: list[str] = []
    result = deliver(_settings(box), month=MONTH, out=out, progress=said.append)

    everyone = ["ceo@example.com", "cmo@example.com", "vp.sales@example.com"]
    assert result.sent == tuple(everyone)  # groups expanded, cmo@ once
    assert [m.rcpt_tos for m in box.messages] == [[a] for a in everyone]
    for received, address in zip(box.messages, everyone, strict=True):
        m = received.message
        assert received.mail_from == "sla@example.com"
        assert m["Subject"] == SUBJECT
        assert m["To"] == address and m["From"] == "sla@example.com"
        assert m["Auto-Submitted"] == "auto-generated"
    html, plain = _text(box.messages[1].message)
    headline = tracking_headline(compute(Params(db=str(db))))  # the report's own sentence
    assert headline == (
        "Marketing delivered 4 of 750 MQLs (1%, $400 of $75,000 lead value); sales touched 50% of "
        "MQLs within 24 h; 2 reps are on the dashboard"
    )
    assert headline + "." in plain
    assert "Marketing delivered 4 of 750 MQLs (1%, $400 of $75,000 lead value)" in html
    for body in (html, plain):
        assert "4 of 750" in body and "$400 of $75,000" in body
        assert "2 of 4 MQLs" in body and "50%" in body  # first touch, and cadence
        assert "Marketing must deliver 750 MQLs ($75,000 of lead value) in October 2026." in body
        assert "Ben Ortiz" in body and "Ada Park" in body
        assert "leadership, sales_managers" in body  # cmo@ is in both groups
    assert "  Ben Ortiz: 1 late first touch, 2 short cadences" in plain
    assert "How October 2026 went" in plain.splitlines()
    assert "<script" not in html.lower() and "<style" not in html.lower()

    (attachment,) = box.messages[0].message.iter_attachments()  # no Chromium: no PDF
    assert attachment.get_filename() == "sla-report-2026-10.html"
    assert attachment.get_content_type() == "text/html"
    assert attachment.get_payload(decode=True) == PAGE.encode()
    assert result.pdf is False and any("Chromium is not installed" in n for n in result.notes)

    log = _log(out)
    assert [(e["recipient"], e["status"]) for e in log["events"]] == [(a, "sent") for a in everyone]
    assert log["recipients"]["ceo@example.com"]["report_run_at"] == "2026-11-01T06:00:00+00:00"
    assert log["recipients"]["ceo@example.com"]["pdf"] is False
    assert "sent the October 2026 report to vp.sales@example.com" in said


def test_money_in_the_body_is_in_whole_dollars_as_on_the_summary_page(db, out):
    summary_path = out / MONTH / "summary.json"
    summary = json.loads(summary_path.read_text("utf-8"))
    summary["delivery"]["lead_value"] = 72281.76
    summary_path.write_text(json.dumps(summary), "utf-8")
    result = deliver(_settings(), month=MONTH, out=out, dry_run=True, progress=lambda _: None)
    m = email.message_from_bytes(result.eml[0].read_bytes(), policy=policy.default)
    html, plain = _text(m)
    assert "Lead value delivered: $72,282 of $75,000 = " in plain
    assert ">$72,282 of $75,000</td>" in html
    assert "72,281" not in html + plain


def test_the_mail_quotes_the_reports_sentences_and_writes_none_of_its_own(db, out):
    summary_path = out / MONTH / "summary.json"
    summary = json.loads(summary_path.read_text("utf-8"))
    words = summary["sentences"]
    assert words["tracking"] == tracking_headline(compute(Params(db=str(db)))) + "."
    for key in ("tracking", "tracking_label", "dashboard_count", "dashboard_rules", "headline"):
        words[key] = f"QUOTED-{key}"
    summary_path.write_text(json.dumps(summary), "utf-8")
    result = deliver(_settings(), month=MONTH, out=out, dry_run=True, progress=lambda _: None)
    html, plain = _text(email.message_from_bytes(result.eml[0].read_bytes(), policy=policy.default))
    for body in (html, plain):
        for key in ("tracking", "tracking_label", "dashboard_rules", "headline"):
            assert f"QUOTED-{key}" in body, key
        assert "Marketing delivered" not in body  # no sentence of its own
    assert "QUOTED-dashboard_count." in plain


def test_a_second_delivery_sends_nothing_unless_resend(db, out, smtp):
    box = smtp()
    params = _settings(box)
    deliver(params, month=MONTH, out=out, progress=lambda _: None)
    said: list[str] = []
    again = deliver(params, month=MONTH, out=out, progress=said.append)
    assert len(box.messages) == 3
    assert again.sent == () and len(again.skipped) == 3
    assert any("already sent to every recipient" in s for s in said)

    more = params.replace(recipients=["ceo@example.com", "new.cfo@example.com"])
    added = deliver(more, month=MONTH, out=out, progress=lambda _: None)
    assert added.sent == ("new.cfo@example.com",) and added.skipped == ("ceo@example.com",)

    summary = json.loads((out / MONTH / "summary.json").read_text("utf-8"))
    summary["run_at"] = "2026-11-03T06:00:00+00:00"  # rebuilt since
    (out / MONTH / "summary.json").write_text(json.dumps(summary), "utf-8")
    said.clear()
    rebuilt = deliver(params, month=MONTH, out=out, progress=said.append)
    assert rebuilt.sent == () and len(box.messages) == 4
    assert "note: the report was rebuilt (2026-11-03T06:00:00+00:00) after it was sent" in said[-1]

    resent = deliver(params, month=MONTH, out=out, resend=True, progress=lambda _: None)
    assert len(resent.sent) == 3 and len(box.messages) == 7
    assert len(_log(out)["events"]) == 7


def test_starttls_and_login(db, out, smtp, tmp_path, monkeypatch):
    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command to make a throwaway certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"]
        + ["-nodes", "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", "/CN=127.0.0.1"]
        + ["-addext", "subjectAltName=IP:127.0.0.1"],
        check=True,
        capture_output=True,
    )
    server_tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_tls.load_cert_chain(cert, key)
    box = smtp(tls=server_tls, users={"slanb": PASSWORD})
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # the client trusts this one certificate
    monkeypatch.setenv("SLANB_SMTP_PASSWORD", PASSWORD)
    said: list[str] = []
    params = _settings(box, smtp_starttls=True, smtp_user="slanb", recipients=["ceo@example.com"])
    result = deliver(params, month=MONTH, out=out, progress=said.append)
    assert result.sent == ("ceo@example.com",)
    assert box.logins == [("slanb", True)]
    assert [m.tls for m in box.messages] == [True]
    everything = (
        "\n".join(said) + result.format() + (out / ".deliveries" / f"{MONTH}.json").read_text()
    )
    assert PASSWORD not in everything


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_a_refused_login_sends_nothing_and_says_so(db, out, smtp, monkeypatch):
    box = smtp(users={"slanb": PASSWORD})  # no TLS: aiosmtpd's auth_require_tls=False
    monkeypatch.setenv("SLANB_SMTP_PASSWORD", "wrong-" + PASSWORD)
    params = _settings(box, smtp_user="slanb")
    with pytest.raises(SlanbError) as err:
        deliver(params, month=MONTH, out=out, progress=lambda _: None)
    text = str(err.value)
    assert "sent to 0 of 3 recipients" in text
    assert "rejected the login of slanb (535" in text and "SLANB_SMTP_PASSWORD" in text
    assert "\n" not in text and PASSWORD not in text
    assert box.messages == [] and set(box.logins) == {("slanb", False)}  # PLAIN, then LOGIN
    log = _log(out)
    assert {a: e["status"] for a, e in log["recipients"].items()} == {
        "ceo@example.com": "failed",
        "cmo@example.com": "failed",
        "vp.sales@example.com": "failed",
    }
    assert PASSWORD not in json.dumps(log)


def test_an_unreachable_server_is_one_clear_error_and_logged(db, out):
    params = _settings(smtp_host="127.0.0.1", smtp_port=_free_port())  # nothing listens there
    with pytest.raises(SlanbError, match=r"could not connect to the SMTP server 127\.0\.0\.1:\d+"):
        deliver(params, month=MONTH, out=out, progress=lambda _: None)
    log = _log(out)
    assert [e["status"] for e in log["events"]] == ["failed"] * 3
    assert "could not connect" in log["recipients"]["ceo@example.com"]["error"]


def test_a_refused_recipient_does_not_stop_the_others(db, out, smtp):
    box = smtp(reject={"typo@example.com"})
    params = _settings(box, recipients=["ceo@example.com", "typo@example.com", "cmo@example.com"])
    with pytest.raises(SlanbError) as err:
        deliver(params, month=MONTH, out=out, progress=lambda _: None)
    text = str(err.value)
    assert "sent to 2 of 3 recipients; not sent to typo@example.com" in text
    assert "refused the address (550 5.1.1 <typo@example.com>: no such user)" in text
    assert box.to() == ["ceo@example.com", "cmo@example.com"]
    log = _log(out)
    assert {a: e["status"] for a, e in log["recipients"].items()} == {
        "ceo@example.com": "sent",
        "typo@example.com": "failed",
        "cmo@example.com": "sent",
    }
    # run again once the address is fixed: only the one without the report is sent
    fixed = params.replace(recipients=["ceo@example.com", "cto@example.com", "cmo@example.com"])
    result = deliver(fixed, month=MONTH, out=out, progress=lambda _: None)
    assert result.sent == ("cto@example.com",)
    assert box.to() == ["ceo@example.com", "cmo@example.com", "cto@example.com"]


# ---- refusals -----------------------------------------------------------------------------------
def test_a_missing_report_is_refused(db, tmp_path):
    with pytest.raises(
        SlanbError, match=r"No October 2026 report at .* run `slanb report --month 2026-10` first"
    ):
        deliver(_settings(smtp_host="127.0.0.1"), month=MONTH, out=tmp_path / "none")


def test_a_report_whose_last_build_failed_is_refused(db, out):
    summary = out / MONTH / "summary.json"
    old = time.time() - 3600
    os.utime(summary, (old, old))
    failed = out / ".failed" / MONTH
    failed.mkdir(parents=True)
    (failed / "01_historical_volume.ipynb").write_text("{}")
    with pytest.raises(SlanbError, match="The last build of the October 2026 report failed") as err:
        deliver(_settings(), month=MONTH, out=out, dry_run=True)
    assert "Nothing was sent" in str(err.value)
    assert not (out / MONTH / "dry-run").exists()
    assert rebuild_reason(_params(db, month=MONTH), out=out).startswith("its last build failed")


def test_settings_are_checked_before_anything_is_attempted(db, out, monkeypatch):
    monkeypatch.delenv("SLANB_SMTP_PASSWORD", raising=False)
    with pytest.raises(SlanbError, match="smtp_host is not set .* --dry-run"):
        deliver(_settings(), month=MONTH, out=out)
    with pytest.raises(SlanbError, match="environment variable SLANB_SMTP_PASSWORD is empty"):
        deliver(_settings(smtp_host="127.0.0.1", smtp_user="slanb"), month=MONTH, out=out)
    with pytest.raises(SlanbError, match="No recipients"):
        deliver(_settings(smtp_host="127.0.0.1", recipients=[]), month=MONTH, out=out)
    assert not (out / ".deliveries" / f"{MONTH}.json").exists()


# ---- dry run and PDF ----------------------------------------------------------------------------
def test_dry_run_writes_eml_files_and_sends_nothing(db, out, capsys, monkeypatch):
    assert deliver(_settings(), month=MONTH, out=out, dry_run=True, progress=lambda _: None).dry_run
    files = sorted((out / MONTH / "dry-run").glob("*.eml"))
    assert [f.name for f in files] == [
        "ceo@example.com.eml",
        "cmo@example.com.eml",
        "vp.sales@example.com.eml",
    ]
    m = email.message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert m["Subject"] == SUBJECT and m["To"] == "ceo@example.com"
    assert "4 of 750" in _text(m)[1]
    assert not (out / ".deliveries").exists()  # a dry run leaves no log and no lock

    # the CLI handler, with the default params file (no recipients): one preview
    monkeypatch.setenv("SLANB_DB", str(db))
    assert main(["deliver", "--month", MONTH, "--out", str(out), "--dry-run"]) == 0
    printed = capsys.readouterr().out
    assert "wrote 1 e-mail" in printed and "preview.eml" in printed
    assert [f.name for f in (out / MONTH / "dry-run").glob("*.eml")] == ["preview.eml"]


def test_the_pdf_is_printed_by_chromium_when_installed(db, out, monkeypatch):
    monkeypatch.undo()  # the real find_chromium
    if delivery.find_chromium() is None:
        pytest.skip("Chromium is not installed (apt-get install chromium): no PDF to test")
    result = deliver(_settings(), month=MONTH, out=out, dry_run=True, progress=lambda _: None)
    assert result.pdf is True
    m = email.message_from_bytes(result.eml[0].read_bytes(), policy=policy.default)
    pdf = [a for a in m.iter_attachments() if a.get_content_type() == "application/pdf"]
    assert [a.get_filename() for a in pdf] == ["sla-report-2026-10.pdf"]
    assert pdf[0].get_payload(decode=True).startswith(b"%PDF")


# ---- run-monthly --------------------------------------------------------------------------------
def _exports(root: Path) -> Path:
    """Two exports named by date, and a hidden one being copied in (broken, must be ignored)."""
    shutil.copytree(INGEST / "export", root / "2025-08-01")
    shutil.copytree(INGEST / "newer", root / "2025-09-01")
    shutil.copytree(INGEST / "broken", root / ".2025-10-01.partial")
    return root


def test_run_monthly_ingests_builds_delivers_and_is_safe_to_rerun(tmp_path, smtp, monkeypatch):
    builds: list[str] = []

    def build(params: Params, *, out, progress, **kw):
        builds.append(params.month or "")
        return fake_report(params, out=out)

    monkeypatch.setattr("slanb.publish.report.build_report", build)
    box = smtp()
    history = tmp_path / "history.duckdb"
    params = _params(history)
    settings = _settings(
        box, export_dir=str(_exports(tmp_path / "exports")), recipients=["ceo@example.com"]
    )
    out = tmp_path / "reports"
    said: list[str] = []
    assert run_monthly(params, settings, out=out, progress=said.append, now=JULY_2025) == 0
    assert any(f"importing {tmp_path / 'exports' / '2025-09-01'}" in s for s in said)
    month = builds[0]
    assert month == "2025-06"  # the newer export holds records up to July 2025
    assert box.to() == ["ceo@example.com"]
    assert box.messages[0].message["Subject"] == "SLA report — June 2025"

    said.clear()
    assert run_monthly(params, settings, out=out, progress=said.append, now=JULY_2025) == 0
    assert builds == [month] and len(box.messages) == 1  # nothing rebuilt, nothing sent twice
    assert any("is up to date" in s for s in said)
    assert any("already sent to every recipient" in s for s in said)

    changed = params.replace(marketing_share=0.5)
    assert "parameters changed since it was built (marketing_share)" in (
        rebuild_reason(changed.replace(month=month), out=out) or ""
    )
    dead = settings.replace(smtp_port=_free_port(), recipients=["cfo@example.com"])
    said.clear()
    assert run_monthly(changed, dead, out=out, progress=said.append, now=JULY_2025) == 1
    assert builds == [month, month]
    assert said[-1].startswith("run-monthly: FAILED at deliver: the June 2025 report was sent to 0")


def test_run_monthly_refuses_when_the_new_month_is_not_exported(tmp_path, monkeypatch):
    monkeypatch.setattr("slanb.publish.report.build_report", pytest.fail)
    params = _params(tmp_path / "history.duckdb")
    settings = _settings(export_dir=str(_exports(tmp_path / "exports")))
    said: list[str] = []
    september = datetime(2025, 9, 3, 7, 0)
    assert (
        run_monthly(params, settings, out=tmp_path / "reports", progress=said.append, now=september)
        == 1
    )
    assert said[-1].startswith(
        "run-monthly: FAILED at report: August 2025 has ended, but the history is complete only "
        "up to 2025-07-"
    )
    assert "its last complete month is June 2025" in said[-1]


def test_run_monthly_stops_at_a_broken_export(tmp_path, monkeypatch):
    monkeypatch.setattr("slanb.publish.report.build_report", pytest.fail)
    (tmp_path / "exports").mkdir()
    shutil.copytree(INGEST / "broken", tmp_path / "exports" / "2025-10-01")
    params = _params(tmp_path / "history.duckdb")
    settings = _settings(export_dir=str(tmp_path / "exports"))
    said: list[str] = []
    assert run_monthly(params, settings, out=tmp_path / "reports", progress=said.append) == 1
    assert said[-1].startswith("run-monthly: FAILED at ingest: ")
    assert not (tmp_path / "history.duckdb").exists()


def test_rebuild_reason_sees_a_changed_history(tmp_path):
    path = write_history(tmp_path / "h.duckdb", october_tables(), exported_at="2026-11-01 00:00:00")
    params = _params(path, month=MONTH)
    fake_report(params, out=tmp_path / "reports")
    assert rebuild_reason(params, out=tmp_path / "reports") is None
    path.unlink()
    tables = october_tables()
    tables["leads"] = [r for r in tables["leads"] if r["lead_id"] != "T4"]
    write_history(path, tables, exported_at="2026-11-01 00:00:00")
    reason = rebuild_reason(params, out=tmp_path / "reports") or ""
    assert reason.startswith("the history changed since it was built at 2026-11-01T06:00:00+00:00")
    assert "delivery" in reason


def test_a_month_judged_part_way_reads_so_far(db, out):
    summary_path = out / MONTH / "summary.json"
    assert "October 2026 so far" not in summary_path.read_text("utf-8")
    mid = summary_json(compute(Params(db=str(db), as_of="2026-10-15T12:00:00")), run_at=RUN_AT)
    assert (
        mid["in_progress"] is True and mid["sentences"]["tracking_label"] == "October 2026 so far"
    )
    summary_path.write_text(json.dumps(mid), "utf-8")
    result = deliver(_settings(), month=MONTH, out=out, dry_run=True, progress=lambda _: None)
    html, plain = _text(email.message_from_bytes(result.eml[0].read_bytes(), policy=policy.default))
    assert "October 2026 so far" in plain and "MQLs delivered so far" in plain
