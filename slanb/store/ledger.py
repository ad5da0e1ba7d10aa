"""The commitments ledger: each month's agreed SLA, as plain text kept beside the params file.

One JSON object per line (JSONL), one line per version of a month's commitment, appended and never
rewritten: ``slanb commit`` adds version 1 of a month, ``slanb commit --amend --reason ...`` the
next one, and the old versions stay. It lives apart from the history file that ``slanb ingest``
replaces, so re-importing or rebuilding the history leaves every commitment as it was agreed.

Each line carries a ``digest``: the sha256 of the line's other fields (canonical JSON) and of the
previous line's digest. A line edited, removed or moved by hand breaks the chain, and the ledger
is refused with the line named; to change a month's agreement, amend it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from slanb._files import atomic_write_text, exclusive_lock
from slanb.errors import SlanbError
from slanb.months import parse_month

# Every field of a line but ``digest``, with the JSON types it must have.
FIELDS: dict[str, tuple[type, ...]] = {
    "month": (str,),
    "version": (int,),
    "committed_at": (str,),
    "by": (str,),
    "reason": (str, type(None)),
    "goal_mqls": (int, type(None)),
    "lead_value_goal": (int, float, type(None)),
    "revenue_per_mql": (int, float, type(None)),
    "buckets": (list,),
    "revenue_goal": (int, float, type(None)),
    "marketing_share": (int, float),
    "revenue_target": (int, float, type(None)),
    "terms": (dict,),
    "params": (dict,),
    "history": (dict,),
}
TERM_FIELDS = (
    "first_touch_hours",
    "first_touch_kinds",
    "cadence_days",
    "cadence_calls",
    "cadence_kinds",
)
_GENESIS = "0" * 64


@dataclass(frozen=True)
class Commitment:
    """One version of a month's agreement, as the ledger holds it.

    ``buckets``: (intent, fit, lead value per MQL) of the lead-value matrix agreed; ``terms``: the
    sales terms (first_touch_hours, first_touch_kinds, cadence_days, cadence_calls, cadence_kinds).
    ``amendments`` are the versions before this one (oldest first), filled in by :class:`Ledger`.
    """

    month: str
    version: int
    committed_at: str
    by: str
    reason: str | None
    goal_mqls: int | None
    lead_value_goal: float | None
    revenue_per_mql: float | None
    buckets: tuple[tuple[str, str, float | None], ...]
    revenue_goal: float | None
    marketing_share: float
    revenue_target: float | None
    terms: dict[str, Any]
    params: dict[str, Any]
    history: dict[str, Any]
    earlier: tuple[Commitment, ...] = field(default=(), compare=False)

    @property
    def first(self) -> Commitment:
        """Version 1 (the original commitment)."""
        return self.earlier[0] if self.earlier else self

    @property
    def amended(self) -> bool:
        """True when this version replaced an earlier one."""
        return self.version > 1

    def to_dict(self) -> dict[str, Any]:
        """The ledger line's fields (no digest), JSON-ready."""
        d = {name: getattr(self, name) for name in FIELDS}
        d["buckets"] = [{"intent": i, "fit": f, "lead_value": v} for i, f, v in self.buckets]
        return d


@dataclass(frozen=True)
class Ledger:
    """Every version of every month's commitment in a ledger file (empty when there is none)."""

    path: Path | None
    entries: tuple[Commitment, ...] = ()

    def versions(self, month: str) -> tuple[Commitment, ...]:
        """The versions of ``month``'s commitment, oldest first (empty when never committed)."""
        return tuple(c for c in self.entries if c.month == month)

    def current(self, month: str) -> Commitment | None:
        """The latest version of ``month``'s commitment (with the ones before it), or None."""
        versions = self.versions(month)
        if not versions:
            return None
        latest = versions[-1]
        return Commitment(**{**_fields(latest), "earlier": versions[:-1]})


def _fields(c: Commitment) -> dict[str, Any]:
    return {name: getattr(c, name) for name in FIELDS}


def _canonical(values: dict[str, Any]) -> str:
    return json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _digest(previous: str, values: dict[str, Any]) -> str:
    return hashlib.sha256((previous + _canonical(values)).encode("utf-8")).hexdigest()


def read_ledger(path: Path | None) -> Ledger:
    """Read and check the ledger at ``path`` (a missing file, or None, is an empty ledger).

    Refuses, naming the line: text that is not one JSON object per line, a missing or mistyped
    field, a digest that does not match (a line edited, removed or reordered by hand), versions of
    a month out of order, an amendment without a reason.
    """
    if path is None or not path.exists():
        return Ledger(path)
    entries: list[Commitment] = []
    previous = _GENESIS
    latest: dict[str, int] = {}
    fix = (
        "Restore the file from version control (git checkout -- FILE); to change a month's "
        "agreement, run `slanb commit --month YYYY-MM --amend --reason ...` instead of editing it."
    )
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        where = f"{path}, line {n}"
        try:
            values = json.loads(line)
        except json.JSONDecodeError as exc:
            msg = f"{where}: not a JSON object ({exc.msg}). {fix}"
            raise SlanbError(msg) from exc
        if not isinstance(values, dict):
            msg = f"{where}: expected a JSON object, got {type(values).__name__}. {fix}"
            raise SlanbError(msg)
        digest = values.pop("digest", None)
        unknown = sorted(set(values) - set(FIELDS))
        missing = [k for k in FIELDS if k not in values]
        if unknown or missing:
            msg = (
                f"{where}: "
                + "; ".join(
                    ([f"missing field(s) {', '.join(missing)}"] if missing else [])
                    + ([f"unknown field(s) {', '.join(unknown)}"] if unknown else [])
                )
                + f". {fix}"
            )
            raise SlanbError(msg)
        for name, types in FIELDS.items():
            value = values[name]
            if isinstance(value, bool) or not isinstance(value, types):
                msg = f"{where}: field {name} has the wrong type ({value!r}). {fix}"
                raise SlanbError(msg)
        if digest != _digest(previous, values):
            msg = (
                f"{where}: the digest does not match the line (month {values['month']}, version "
                f"{values['version']}): the ledger was edited by hand, or a line before it was "
                f"removed or moved. {fix}"
            )
            raise SlanbError(msg)
        previous = digest
        month = parse_month(values["month"], name=f"{where}: month")
        expected = latest.get(month, 0) + 1
        if values["version"] != expected:
            msg = f"{where}: {month} version {values['version']}, expected {expected}. {fix}"
            raise SlanbError(msg)
        if expected > 1 and not (values["reason"] or "").strip():
            msg = f"{where}: {month} version {expected} is an amendment without a reason. {fix}"
            raise SlanbError(msg)
        latest[month] = expected
        entries.append(_commitment(values, where, fix))
    return Ledger(path, tuple(entries))


def _commitment(values: dict[str, Any], where: str, fix: str) -> Commitment:
    buckets = []
    for b in values["buckets"]:
        if not isinstance(b, dict) or set(b) != {"intent", "fit", "lead_value"}:
            msg = f"{where}: each bucket must be {{intent, fit, lead_value}}, got {b!r}. {fix}"
            raise SlanbError(msg)
        buckets.append((b["intent"], b["fit"], b["lead_value"]))
    missing = [t for t in TERM_FIELDS if t not in values["terms"]]
    if missing:
        msg = f"{where}: terms lack {', '.join(missing)}. {fix}"
        raise SlanbError(msg)
    return Commitment(**{**values, "buckets": tuple(buckets)})


def append(path: Path, values: dict[str, Any], *, amend: bool) -> Commitment:
    """Add a commitment (``values``: every field but month's ``version``) to the ledger at ``path``.

    Refuses a month committed already unless ``amend`` (which needs ``values['reason']``), and an
    amendment of a month never committed. Written whole through a temporary file under a lock, so
    two runs cannot interleave and a killed run leaves the old ledger.
    """
    month = values["month"]
    with exclusive_lock(
        path.parent, busy=f"{path}: another `slanb commit` is writing the ledger; try again."
    ):
        ledger = read_ledger(path)
        versions = ledger.versions(month)
        if versions and not amend:
            c = versions[-1]
            msg = (
                f"{month} is committed already (version {c.version}, {c.committed_at} by {c.by}) "
                f"in {path}. To change it, run `slanb commit --month {month} --amend --reason "
                '"..."`: the earlier version is kept.'
            )
            raise SlanbError(msg)
        if amend and not versions:
            msg = (
                f"{month} has no commitment in {path} to amend: run `slanb commit --month {month}`."
            )
            raise SlanbError(msg)
        if amend and not (values.get("reason") or "").strip():
            msg = f'An amendment of {month} needs a reason: --reason "what changed and why".'
            raise SlanbError(msg)
        line = {**values, "version": len(versions) + 1}
        if not amend:
            line["reason"] = None
        missing = [k for k in FIELDS if k not in line]
        if missing:
            msg = f"a commitment needs the field(s) {', '.join(missing)}"
            raise SlanbError(msg)
        line = {k: line[k] for k in FIELDS}
        line = json.loads(_canonical(line))  # as it will be read back
        previous = _last_digest(path)
        text = path.read_text(encoding="utf-8") if path.exists() else ""
        if text and not text.endswith("\n"):
            text += "\n"
        text += _canonical({**line, "digest": _digest(previous, line)}) + "\n"
        atomic_write_text(path, text)
    return read_ledger(path).current(month)  # type: ignore[return-value]


def _last_digest(path: Path) -> str:
    if not path.exists():
        return _GENESIS
    lines = path.read_text(encoding="utf-8").splitlines()
    return json.loads(lines[-1])["digest"] if lines else _GENESIS
