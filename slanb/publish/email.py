"""The e-mail of a built report: laid out from its ``summary.json``, sent by nobody here.

:func:`render` reads the report's own words (``summary["sentences"]``, written by
:mod:`slanb.views.sentences` when the report was built) and numbers, formats the figures with
:mod:`slanb.views.format` and colours them with :mod:`slanb.views.theme`; :func:`message` turns
that into one recipient's e-mail (text and HTML alternatives, then the attachments). Sending, and
remembering who was sent what, is :mod:`slanb.publish.deliver`.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from functools import cache
from importlib import resources
from typing import Any

import jinja2

from slanb.months import month_label
from slanb.views import theme
from slanb.views.format import capital, count, dollars, share, touches
from slanb.views.sentences import dashboard_reasons


@dataclass(frozen=True)
class Attachment:
    """A file attached to the e-mail."""

    filename: str
    data: bytes = field(repr=False)
    maintype: str
    subtype: str


@dataclass(frozen=True)
class Figure:
    """One line of the body: what, how many of how many, and the share as a bar."""

    label: str
    value: str
    share: float | None
    note: str = ""

    @property
    def share_text(self) -> str:
        """``98%``."""
        return share(self.share)

    @property
    def bar(self) -> int:
        """The bar's length in percent, 0 to 100."""
        return 0 if self.share is None else max(0, min(100, round(self.share * 100)))

    @property
    def color(self) -> str:
        """Green once the goal is met, blue before."""
        return theme.GREEN if self.share is not None and self.share >= 1 else theme.BLUE


@dataclass(frozen=True)
class Body:
    """What the e-mail says, every sentence quoted from summary.json and every figure formatted."""

    month: str
    month_label: str
    label: str
    lead: str
    goal: str
    verdict: str | None
    verdict_color: str
    cross_check: str
    marketing: tuple[Figure, ...]
    sales: tuple[Figure, ...]
    dashboard_title: str
    dashboard: tuple[dict[str, Any], ...]
    dashboard_rule: str
    messages: tuple[str, ...]
    run_at: str
    version: str
    attachments: tuple[Attachment, ...]
    record: str = ""  # the record's headline (summary.json's sentences.record)
    unit: str = ""  # a team's report: whose it is (sentences.unit, ``Team smb``)
    rollup: str = ""  # a report with segments: the company's roll-up (summary.json's rollup)

    @property
    def title(self) -> str:
        """``Marketing-to-Sales SLA · Team smb · November 2026``."""
        unit = f" · {self.unit}" if self.unit else ""
        return f"Marketing-to-Sales SLA{unit} · {self.month_label}"

    def _names(self) -> str:
        return " and ".join(a.filename for a in self.attachments)

    def html(self, groups: tuple[str, ...]) -> str:
        """The HTML alternative: tables and inline styles only (mail clients drop the rest)."""
        return _template().render(
            b=self, groups=", ".join(groups), names=self._names(), font=theme.FONT,
            ink=theme.INK, muted=theme.MUTED, shade=theme.SHADE, orange=theme.ORANGE,
            paper=theme.PAPER, callout=theme.CALLOUT,
        )  # fmt: skip

    def text(self, groups: tuple[str, ...]) -> str:
        """The plain-text alternative, the same lines in the same order."""
        lines = [self.title, "", self.label, self.lead, ""]
        if self.rollup:
            lines += ["The company", self.rollup, ""]
        for title, figures in (("Marketing", self.marketing), ("Sales", self.sales)):
            if figures:
                lines.append(title)
                for f in figures:
                    note = f" ({f.note})" if f.note else ""
                    lines.append(f"  {f.label}: {f.value} = {f.share_text}{note}")
                lines.append("")
        if self.dashboard_title:
            lines += ["Don't be on the dashboard", f"{capital(self.dashboard_title)}."]
            for r in self.dashboard:  # the company page's words: a reason that is 0 left out
                reasons = dashboard_reasons(r["late_first_touch"], r["short_cadence"])
                lines.append(f"  {r['name']}: {reasons}")
            lines += [self.dashboard_rule, ""]
        if self.record:
            lines += ["The record", self.record, ""]
        verdict = f" {self.verdict}: " if self.verdict else " "
        lines += [f"The goal: {self.goal}{verdict}{self.cross_check}", ""]
        if self.messages:
            lines += ["Read this first:", *[f"  - {m}" for m in self.messages], ""]
        lines.append(
            f"Attached: {self._names()} (the report's summary page"
            + (" and the company page)." if self.rollup else ").")
        )
        sent_as = f" You receive it as: {', '.join(groups)}." if groups else ""
        lines.append(f"Built {self.run_at} by slanb {self.version}.{sent_as}")
        return "\n".join(lines) + "\n"


def render(summary: dict[str, Any], *, attachments: list[Attachment]) -> Body:
    """The e-mail of the report whose ``summary.json`` is ``summary``: its words, its numbers."""
    s = summary
    month = s["month"]
    words = s["sentences"]
    p = s.get("params", {})
    goal, verdict = s.get("goal", {}), s.get("cross_check", {}).get("verdict")
    marketing: tuple[Figure, ...] = ()
    sales: tuple[Figure, ...] = ()
    dashboard: list[dict[str, Any]] = []
    lead, label, dash_title, dash_rule = (
        words["headline"],
        f"The goal for {month_label(month)}",
        "",
        "",
    )
    if "delivery" in s and "first_touch" in s:
        d, ft, c = s["delivery"], s["first_touch"], s["cadence"]
        p = {**p, **s.get("terms", {})}  # the terms the month was judged by (one value each)
        so_far = " so far" if s.get("in_progress") else ""
        calls = touches(p.get("cadence_calls", 5), p.get("cadence_kinds", ["call"]))
        marketing = (
            Figure(
                "MQLs delivered" + so_far,
                f"{d['mqls']:,}" + ("" if goal.get("mqls") is None else f" of {goal['mqls']:,}"),
                d.get("attainment"),
            ),
            Figure(
                "Lead value delivered" + so_far,
                "undefined"
                if d.get("lead_value") is None
                else dollars(d["lead_value"])
                + ("" if goal.get("lead_value") is None else f" of {dollars(goal['lead_value'])}"),
                d.get("lead_value_attainment"),
            ),
        )
        sales = (
            Figure(
                f"First touch within {p.get('first_touch_hours', 24):g} "
                + ("working hours" if p.get("sla_clock") == "working" else "h"),
                f"{ft['met']:,} of {count(ft['judged'], 'MQL')}",
                ft["met"] / ft["judged"] if ft["judged"] else None,
                _pending(ft.get("pending", 0)),
            ),
            Figure(
                f"{capital(calls)} within {p.get('cadence_days', 14)} "
                + ("working days" if p.get("cadence_clock") == "working" else "days"),
                f"{c['met']:,} of {count(c['judged'], 'MQL')}",
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
            {**r, "name": "Unassigned (no owner)" if r["rep_id"] == "unassigned" else r["name"]}
            for r in s.get("dashboard", [])
        ]
        lead, label = words["tracking"], words["tracking_label"]
        dash_title, dash_rule = words["dashboard_count"], words["dashboard_rules"]
    run_at = str(s.get("run_at", ""))
    with contextlib.suppress(ValueError):
        run_at = datetime.fromisoformat(run_at).strftime("%Y-%m-%d %H:%M UTC")
    return Body(
        month=month,
        month_label=month_label(month),
        label=label,
        lead=lead,
        goal=words["headline"],
        verdict=theme.VERDICT_WORDS.get(verdict or ""),
        verdict_color=theme.VERDICT_COLORS.get(verdict or "", theme.MUTED),
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
        record=words.get("record") or "",
        unit=words.get("unit") or "",
        rollup=(s.get("rollup") or {}).get("headline") or "",
    )


def message(body: Body, *, to: str | None, groups: tuple[str, ...], mail_from: str) -> EmailMessage:
    """One recipient's e-mail: text and HTML alternatives, then the attachments."""
    msg = EmailMessage(policy=policy.SMTP)
    msg["Subject"] = f"SLA report — {body.unit + ', ' if body.unit else ''}{body.month_label}"
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


def _pending(n: int) -> str:
    return f"{n:,} not yet due" if n else ""


def _nowrap(text: str) -> str:
    """``24 h`` and ``14 days`` with a no-break space, so a narrow screen never splits them."""
    return re.sub(r"(\d) (h|days)\b", "\\1\u00a0\\2", text)


_ENV = jinja2.Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True)
_ENV.filters["nowrap"] = _nowrap
_ENV.filters["capital"] = capital


@cache
def _template() -> jinja2.Template:
    text = resources.files("slanb.publish").joinpath("templates/email.html.j2").read_text("utf-8")
    return _ENV.from_string(text)
