"""The one flat set of run parameters, validated once into a frozen object.

The same names appear in ``params/*.yaml``, in each notebook's ``parameters`` cell and on the CLI.
They are flat because papermill injects each key as a notebook variable.
"""

from __future__ import annotations

import dataclasses
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from slanb.errors import SlanbError
from slanb.months import MonthSpan, month_start, parse_month, shift_month
from slanb.paths import resolve_path

DEFAULT_DB = "data/demo.duckdb"
DEFAULT_PARAMS_FILE = "params/default.yaml"


@dataclass(frozen=True)
class Params:
    """Every parameter of a run. Build it with :func:`load_params` or :meth:`Params.from_mapping`."""

    db: str | None = None  # history file; None = $SLANB_DB, else data/demo.duckdb
    month: str | None = None  # SLA month YYYY-MM; None = last complete month in the history
    revenue_goal: float | dict[str, float] = 100_000.0  # company revenue goal, or {YYYY-MM: amount}
    marketing_share: float = 0.75  # share of the goal that marketing sources
    lookback_months: int = 12  # months in the revenue-per-MQL sample and the volume view
    maturity_months: int = 3  # recent months left out of the sample: not had time to close
    realistic_ratio: float = 1.10  # goal / trailing 3-month average at or below: realistic
    stretch_ratio: float = 1.30  # ... at or below: stretch; above: unrealistic
    first_touch_hours: float = 24.0  # sales must touch each MQL within this many hours
    first_touch_kinds: tuple[str, ...] = ("call", "email")  # activity kinds that count as a touch
    cadence_days: int = 14  # the follow-up window from mql_at, in days
    cadence_calls: int = 5  # touches required within that window
    cadence_kinds: tuple[str, ...] = ("call",)  # activity kinds that count toward the cadence
    as_of: str | None = None  # judge a month in progress at this instant (ISO); None = end of month
    interval_level: float = 0.8  # how sure the ranges are: 0.8 = an 80% range
    maturity_threshold: float = 0.9  # share of eventual won revenue a sample month must have seen
    source: str = field(default="defaults", compare=False)  # where the values came from

    # ---- construction -------------------------------------------------------------------------
    @classmethod
    def from_mapping(cls, values: Mapping[str, Any], *, source: str = "parameters") -> Params:
        """Validate ``values`` (unknown keys, types, ranges) into a frozen ``Params``."""
        names = [f.name for f in dataclasses.fields(cls) if f.name != "source"]
        refuse_secrets(values, source)
        refuse_unknown(values, names, source, kind="parameter")
        kw: dict[str, Any] = {}
        for name in names:
            if name in values:
                kw[name] = _CHECKS[name](values[name], f"{source}: parameter {name}")
        p = cls(**kw, source=source)
        if p.stretch_ratio < p.realistic_ratio:
            msg = (
                f"{source}: stretch_ratio ({p.stretch_ratio}) must be at least realistic_ratio "
                f"({p.realistic_ratio})."
            )
            raise SlanbError(msg)
        return p

    def replace(self, **changes: Any) -> Params:
        """A copy with ``changes`` applied and validated (None values are ignored)."""
        merged = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        merged.pop("source")
        merged.update({k: v for k, v in changes.items() if v is not None})
        return Params.from_mapping(merged, source=self.source)

    # ---- derived values -----------------------------------------------------------------------
    @property
    def db_path(self) -> Path:
        """The history file: ``db``, else ``$SLANB_DB``, else ``data/demo.duckdb``, from the project root."""
        return resolve_path(self.db or os.environ.get("SLANB_DB") or DEFAULT_DB)

    def _month(self) -> str:
        if self.month is None:
            msg = (
                "the SLA month is not resolved yet; call slanb.plan(params) or pass month='YYYY-MM'"
            )
            raise SlanbError(msg)
        return self.month

    @property
    def cutoff(self) -> datetime:
        """First instant of the SLA month (UTC): goals use only history before it."""
        return month_start(self._month())

    @property
    def end(self) -> datetime:
        """First instant after the SLA month."""
        return month_start(shift_month(self._month(), 1))

    @property
    def sample_window(self) -> MonthSpan:
        """The revenue-per-MQL sample: ``lookback_months`` months, ``maturity_months`` before M.

        ``2025-07`` to ``2026-06`` for October 2026 on the defaults.
        """
        last = shift_month(self._month(), -self.maturity_months - 1)
        return MonthSpan(shift_month(last, -(self.lookback_months - 1)), last)

    @property
    def excluded_months(self) -> list[str]:
        """The immature months left out of the sample, oldest first."""
        return [shift_month(self._month(), -k) for k in range(self.maturity_months, 0, -1)]

    @property
    def as_of_or_now(self) -> datetime:
        """``as_of`` as naive UTC, or now when it is not set (needs no month)."""
        return (
            datetime.now(UTC).replace(tzinfo=None) if self.as_of is None else _parse_ts(self.as_of)
        )

    @property
    def as_of_instant(self) -> datetime:
        """min(end of month, ``as_of`` or now): the instant a month in progress is judged at."""
        return min(self.end, self.as_of_or_now)

    def goal_for(self, month: str) -> float | None:
        """The company revenue goal for ``month`` (None when a mapping has no entry for it)."""
        if isinstance(self.revenue_goal, dict):
            return self.revenue_goal.get(month)
        return self.revenue_goal

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready values, as they would be written in a params file (notebook parameters only)."""
        d = {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name != "source"}
        d["first_touch_kinds"] = list(self.first_touch_kinds)
        d["cadence_kinds"] = list(self.cadence_kinds)
        return d

    def notebook_parameters(self) -> dict[str, Any]:
        """The values papermill injects into the notebooks (:data:`NOTEBOOK_PARAMS`)."""
        d = self.to_dict()
        return {k: d[k] for k in NOTEBOOK_PARAMS}


NOTEBOOK_PARAMS = (
    "db",
    "month",
    "revenue_goal",
    "marketing_share",
    "lookback_months",
    "maturity_months",
    "realistic_ratio",
    "stretch_ratio",
    "first_touch_hours",
    "first_touch_kinds",
    "cadence_days",
    "cadence_calls",
    "cadence_kinds",
    "as_of",
    "interval_level",
    "maturity_threshold",
)


# Keys a params file may hold for delivery (``slanb.publish.settings.DeliverySettings`` reads them
# from the same file). ``Params`` skips them, so they never reach a notebook, a page or
# summary.json; tests/publish/test_settings.py holds this list equal to DeliverySettings' fields.
DELIVERY_KEYS = (
    "recipients",
    "smtp_host",
    "smtp_port",
    "smtp_user",
    "smtp_starttls",
    "mail_from",
    "export_dir",
)


# ---- loading ----------------------------------------------------------------------------------
def read_params_file(path: str | os.PathLike[str] | None = None) -> tuple[Path, dict[str, Any]]:
    """The flat ``name: value`` mapping of a YAML params file (default ``params/default.yaml``).

    Refuses a missing file, invalid YAML, anything but a mapping, and any secret (a password is
    read from the environment only). Each consumer (:func:`load_params`, the delivery settings)
    takes its own keys from it.
    """
    file = resolve_path(path or DEFAULT_PARAMS_FILE)
    if not file.exists():
        hint = "" if path else " (run from a slanb checkout, or pass --params FILE)"
        msg = f"No params file at {file}{hint}. Copy params/default.yaml and edit it."
        raise SlanbError(msg)
    try:
        values = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        msg = f"{file}: not valid YAML ({exc}). Write one `name: value` per line."
        raise SlanbError(msg) from exc
    if not isinstance(values, dict):
        msg = f"{file}: expected `name: value` lines, got a {type(values).__name__}."
        raise SlanbError(msg)
    values = {str(k): v for k, v in values.items()}
    refuse_secrets(values, str(file))
    return file, values


def load_params(path: str | os.PathLike[str] | None = None, **overrides: Any) -> Params:
    """Read the notebook parameters of a params file (default ``params/default.yaml``), with ``overrides``.

    Delivery settings in the file (:data:`DELIVERY_KEYS`) are left for delivery. Overrides that are
    None are ignored, so CLI flags left unset keep the file's value.
    """
    file, values = read_params_file(path)
    given = {k: v for k, v in overrides.items() if v is not None}
    Params.from_mapping(given, source="command line")  # name the flag, not the file, when wrong
    values = {k: v for k, v in values.items() if k not in DELIVERY_KEYS} | given
    return Params.from_mapping(values, source=str(file))


def refuse_secrets(values: Mapping[str, Any], source: str) -> None:
    """A password or secret never comes from a params file or a mapping."""
    secret = sorted(k for k in values if "password" in k.lower() or "secret" in k.lower())
    if secret:
        msg = (
            f"{source}: {', '.join(secret)} must not be in a params file. Set the SMTP "
            "password in the environment variable SLANB_SMTP_PASSWORD instead."
        )
        raise SlanbError(msg)


def refuse_unknown(values: Mapping[str, Any], names: list[str], source: str, *, kind: str) -> None:
    """Name every key of ``values`` that is not one of ``names``, and the known ones."""
    unknown = sorted(set(values) - set(names))
    if unknown:
        msg = (
            f"{source}: unknown {kind}(s) {', '.join(unknown)}. Known {kind}s: {', '.join(names)}."
        )
        raise SlanbError(msg)


def params_from(namespace: Mapping[str, Any]) -> Params:
    """Build ``Params`` from a notebook's variables (the ``parameters`` cell, plus papermill's injection).

    Picks only the names ``Params`` knows, so the notebook's other variables are left alone.
    """
    names = {f.name for f in dataclasses.fields(Params) if f.name != "source"}
    return Params.from_mapping(
        {k: v for k, v in namespace.items() if k in names}, source="notebook parameters"
    )


# ---- checks -----------------------------------------------------------------------------------
def _number(
    value: Any, where: str, *, low: float, low_ok: bool = True, high: float = math.inf
) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
        msg = f"{where} must be a number, got {value!r}"
        raise SlanbError(msg)
    v = float(value)
    if v < low or (v == low and not low_ok) or v > high:
        bound = f"{'at least' if low_ok else 'above'} {low:g}"
        if high != math.inf:
            bound += f" and at most {high:g}"
        msg = f"{where} must be {bound}, got {value!r}"
        raise SlanbError(msg)
    return v


def integer(value: Any, where: str, *, low: int) -> int:
    """``value`` as a whole number of at least ``low``; ``where`` names it in the error."""
    if isinstance(value, bool) or not isinstance(value, int):
        msg = f"{where} must be a whole number, got {value!r}"
        raise SlanbError(msg)
    if value < low:
        msg = f"{where} must be at least {low}, got {value!r}"
        raise SlanbError(msg)
    return value


def optional_str(value: Any, where: str) -> str | None:
    """``value`` as text, or None when it is empty or missing."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        msg = f"{where} must be text, got {value!r}"
        raise SlanbError(msg)
    return value


def _month_param(value: Any, where: str) -> str | None:
    if value is None or value == "":
        return None
    return parse_month(str(value), name=where)


def _goal(value: Any, where: str) -> float | dict[str, float]:
    if isinstance(value, Mapping):
        if not value:
            msg = f"{where} is an empty mapping; give `YYYY-MM: amount` entries or one amount"
            raise SlanbError(msg)
        return {
            parse_month(str(k), name=f"{where} key"): _number(v, f"{where}[{k}]", low=0)
            for k, v in value.items()
        }
    return _number(value, where, low=0)


def _kinds(value: Any, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if (
        not isinstance(value, list | tuple)
        or not value
        or not all(isinstance(v, str) and v for v in value)
    ):
        msg = f"{where} must be a non-empty list of activity kinds (e.g. [call, email]), got {value!r}"
        raise SlanbError(msg)
    return tuple(value)


def _parse_ts(value: str, where: str = "as_of") -> datetime:
    try:
        ts = datetime.fromisoformat(value)
    except ValueError as exc:
        msg = f"{where} must be an ISO 8601 timestamp (e.g. 2026-11-15T09:00:00Z), got {value!r}"
        raise SlanbError(msg) from exc
    if ts.tzinfo is not None:
        ts = ts.astimezone(UTC).replace(tzinfo=None)
    return ts


def _as_of(value: Any, where: str) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        value = value.isoformat()
    if not isinstance(value, str):
        msg = f"{where} must be an ISO 8601 timestamp, got {value!r}"
        raise SlanbError(msg)
    _parse_ts(value, where)
    return value


_CHECKS = {
    "db": optional_str,
    "month": _month_param,
    "revenue_goal": _goal,
    "marketing_share": lambda v, w: _number(v, w, low=0, high=1),
    "lookback_months": lambda v, w: integer(v, w, low=1),
    "maturity_months": lambda v, w: integer(v, w, low=0),
    "realistic_ratio": lambda v, w: _number(v, w, low=0, low_ok=False),
    "stretch_ratio": lambda v, w: _number(v, w, low=0, low_ok=False),
    "first_touch_hours": lambda v, w: _number(v, w, low=0, low_ok=False),
    "first_touch_kinds": _kinds,
    "cadence_days": lambda v, w: integer(v, w, low=1),
    "cadence_calls": lambda v, w: integer(v, w, low=1),
    "cadence_kinds": _kinds,
    "as_of": _as_of,
    "interval_level": lambda v, w: _number(v, w, low=0.5, high=0.99),
    "maturity_threshold": lambda v, w: _number(v, w, low=0, low_ok=False, high=1),
}
