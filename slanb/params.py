"""The one flat set of run parameters, validated once into a frozen object.

The same names appear in ``params/*.yaml``, in each notebook's ``parameters`` cell and on the CLI.
They are flat because papermill injects each key as a notebook variable.
"""

from __future__ import annotations

import dataclasses
import math
import os
import re
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
DEFAULT_LEDGER = "params/default.ledger.jsonl"  # the ledger params/default.yaml names

# The SLA's terms: each may be one value or a mapping of effective months ({2026-01: 24, 2026-07: 4}
# = 24 before July 2026, 4 from July on); a month is judged by its own (:meth:`Params.terms_for`).
TERMS = (
    "marketing_share",
    "first_touch_hours",
    "first_touch_kinds",
    "cadence_days",
    "cadence_calls",
    "cadence_kinds",
)


@dataclass(frozen=True)
class Terms:
    """The SLA terms in force in one month (each a single value)."""

    marketing_share: float
    first_touch_hours: float
    first_touch_kinds: tuple[str, ...]
    cadence_days: int
    cadence_calls: int
    cadence_kinds: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (kinds as lists)."""
        d = dataclasses.asdict(self)
        d["first_touch_kinds"] = list(self.first_touch_kinds)
        d["cadence_kinds"] = list(self.cadence_kinds)
        return d


def term_in(value: Any, month: str) -> Any:
    """The value of a term in ``month``: itself, or the mapping's entry of the latest month <= it.

    Months before the first entry take the first entry.

    >>> term_in({"2026-01": 24.0, "2026-07": 4.0}, "2026-06"), term_in({"2026-07": 4.0}, "2026-01")
    (24.0, 4.0)
    """
    if not isinstance(value, dict):
        return value
    keys = sorted(value)
    in_force = [k for k in keys if k <= month]
    return value[in_force[-1] if in_force else keys[0]]


@dataclass(frozen=True)
class Params:
    """Every parameter of a run. Build it with :func:`load_params` or :meth:`Params.from_mapping`."""

    db: str | None = None  # history file; None = $SLANB_DB, else data/demo.duckdb
    month: str | None = None  # SLA month YYYY-MM; None = last complete month in the history
    revenue_goal: float | dict[str, float] = 100_000.0  # company revenue goal, or {YYYY-MM: amount}
    marketing_share: float | dict[str, float] = 0.75  # share of the goal that marketing sources
    lookback_months: int = 12  # months in the revenue-per-MQL sample and the volume view
    maturity_months: int = 3  # recent months left out of the sample: not had time to close
    realistic_ratio: float = 1.10  # goal / trailing 3-month average at or below: realistic
    stretch_ratio: float = 1.30  # ... at or below: stretch; above: unrealistic
    first_touch_hours: float | dict[str, float] = (
        24.0  # sales must touch each MQL within this many hours
    )
    first_touch_kinds: tuple[str, ...] | dict[str, tuple[str, ...]] = (
        "call",
        "email",
    )  # activity kinds that count as a touch
    cadence_days: int | dict[str, int] = 14  # the follow-up window from mql_at, in days
    cadence_calls: int | dict[str, int] = 5  # touches required within that window
    cadence_kinds: tuple[str, ...] | dict[str, tuple[str, ...]] = (
        "call",
    )  # activity kinds that count toward the cadence
    as_of: str | None = None  # judge a month in progress at this instant (ISO); None = end of month
    interval_level: float = 0.8  # how sure the ranges are: 0.8 = an 80% range
    maturity_threshold: float = 0.9  # share of eventual won revenue a sample month must have seen
    sla_clock: str = "calendar"  # first_touch_hours counts calendar hours, or working hours
    cadence_clock: str = "calendar"  # cadence_days counts calendar days, or working days
    clock_start: str = "mql_at"  # the SLA clock starts at mql_at, or at assigned_at when present
    timezone: str = "UTC"  # IANA time zone of a rep without reps.timezone
    working_hours: str = "09:00-17:00"  # the company's working hours, local time
    working_days: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri")  # the working weekdays
    holidays_country: str | None = None  # public holidays of this country (ISO code, e.g. US)
    holidays_subdivision: str | None = None  # ... and of this state or region (e.g. CA)
    company_holidays: tuple[str, ...] = ()  # the company's own days off, YYYY-MM-DD
    source: str = field(default="defaults", compare=False)  # where the values came from
    ledger: str | None = None  # the commitments ledger (JSONL); None = no commitments
    segment_by: str = ""  # one SLA per segment: "" = one company SLA; team (owner's team); segment
    segment: str = ""  # the one segment this run reports ("" = the whole company)
    segment_labels: dict[str, str] = field(default_factory=dict)  # segment id -> label on pages
    # the terms given as mappings, kept when :meth:`for_month` resolved them to one month's values
    schedule: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    # ---- construction -------------------------------------------------------------------------
    @classmethod
    def from_mapping(cls, values: Mapping[str, Any], *, source: str = "parameters") -> Params:
        """Validate ``values`` (unknown keys, types, ranges) into a frozen ``Params``."""
        names = [f.name for f in dataclasses.fields(cls) if f.name not in _NOT_GIVEN]
        refuse_secrets(values, source)
        refuse_unknown(values, names, source, kind="parameter")
        kw: dict[str, Any] = {}
        for name in names:
            if name in values:
                kw[name] = _CHECKS[name](values[name], f"{source}: parameter {name}")
        p = cls(**kw, source=source)
        p._check_segments()
        if p.stretch_ratio < p.realistic_ratio:
            msg = (
                f"{source}: stretch_ratio ({p.stretch_ratio}) must be at least realistic_ratio "
                f"({p.realistic_ratio})."
            )
            raise SlanbError(msg)
        return p

    def replace(self, **changes: Any) -> Params:
        """A copy with ``changes`` applied and validated (None values are ignored)."""
        merged = self._given()
        merged.update({k: v for k, v in changes.items() if v is not None})
        p = Params.from_mapping(merged, source=self.source)
        return p.for_month() if self.schedule and p.month else p

    def _given(self) -> dict[str, Any]:
        """The values as given (terms as their mappings, even after :meth:`for_month`)."""
        d = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        for name in _NOT_GIVEN:
            d.pop(name)
        return d | self.schedule

    def _check_segments(self) -> None:
        """``segment`` needs ``segment_by``; a term keyed by segment needs ``segment_by`` too."""
        if self.segment and not self.segment_by:
            msg = (
                f"{self.source}: parameter segment is {self.segment!r} but segment_by is empty; "
                "set segment_by: team (the owner's team) or segment_by: segment (leads.segment)."
            )
            raise SlanbError(msg)
        keyed = [n for n in SEGMENT_TERMS if by_segment_keys(getattr(self, n))]
        if keyed and not self.segment_by:
            msg = (
                f"{self.source}: parameter {keyed[0]} is given per segment "
                f"({', '.join(sorted(by_segment_keys(getattr(self, keyed[0]))))}) but segment_by "
                "is empty; set segment_by: team or segment_by: segment, or give one value."
            )
            raise SlanbError(msg)

    def for_segment(self) -> Params:
        """A copy whose terms keyed by segment are those of ``segment`` (a month mapping stays).

        A segment takes its own entry, else the ``default`` entry. Without either, a segment has
        no revenue goal (the plan says so) and any other term is refused; the company
        (``segment: ""``) takes ``default``, else the sum of the segments' revenue goals.
        A no-op without ``segment_by``.
        """
        if not self.segment_by:
            return self
        changes: dict[str, Any] = {}
        for name in SEGMENT_TERMS:
            value = getattr(self, name)
            keys = by_segment_keys(value)
            if not keys:
                continue
            if self.segment and self.segment in value:
                changes[name] = value[self.segment]
            elif SEGMENT_DEFAULT in value:
                changes[name] = value[SEGMENT_DEFAULT]
            elif name == "revenue_goal":
                continue  # goal_for: no goal for this segment, the sum of them for the company
            else:
                whom = f"segment {self.segment!r}" if self.segment else "the company pages"
                msg = (
                    f"{self.source}: parameter {name} is given per segment "
                    f"({', '.join(sorted(keys))}) with no entry for {whom}; add "
                    f"`{self.segment or SEGMENT_DEFAULT}: value` (or `{SEGMENT_DEFAULT}: value` "
                    "for every segment not named) to it."
                )
                raise SlanbError(msg)
        return dataclasses.replace(self, **changes) if changes else self

    def terms_for(self, month: str) -> Terms:
        """The SLA terms in force in ``month`` (a mapping term resolved to its entry for it)."""
        given = self._given()
        return Terms(**{t: term_in(given[t], month) for t in TERMS})

    def for_month(self) -> Params:
        """A copy whose terms are those of ``month``, one value each; the mappings kept aside.

        Every step and the tracking read ``params.first_touch_hours`` as one number: the composer
        (``engine.month.compute_on``) calls this once the month is resolved.
        """
        month = self._month()
        given = self._given()
        mapped = {t: given[t] for t in TERMS if isinstance(given[t], dict)}
        values = self.terms_for(month).__dict__
        return dataclasses.replace(self, **{t: values[t] for t in mapped}, schedule=mapped)

    # ---- derived values -----------------------------------------------------------------------
    @property
    def db_path(self) -> Path:
        """The history file: ``db``, else ``$SLANB_DB``, else ``data/demo.duckdb``, from the project root."""
        return resolve_path(self.db or os.environ.get("SLANB_DB") or DEFAULT_DB)

    @property
    def ledger_path(self) -> Path | None:
        """The commitments ledger, from the project root; None when ``ledger`` is not set.

        A segment keeps its own ledger beside it: ``params/acme.ledger.smb.jsonl`` for ``smb``.
        """
        if not self.ledger:
            return None
        path = resolve_path(self.ledger)
        if self.segment_by and self.segment:
            return path.with_name(f"{path.stem}.{_file_safe(self.segment)}{path.suffix}")
        return path

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

    @property
    def working_minutes(self) -> tuple[int, int]:
        """``working_hours`` as minutes after local midnight: ``(540, 1020)`` for 09:00-17:00."""
        start, end = self.working_hours.split("-")
        return _minutes(start), _minutes(end)

    @property
    def working_day_hours(self) -> float:
        """Hours in a working day (8.0 for 09:00-17:00): a working day of ``cadence_days``."""
        start, end = self.working_minutes
        return (end - start) / 60

    @property
    def working_isodows(self) -> list[int]:
        """``working_days`` as ISO weekday numbers (Monday 1 … Sunday 7)."""
        return sorted(WEEKDAYS.index(d) + 1 for d in self.working_days)

    def goal_for(self, month: str) -> float | None:
        """The revenue goal for ``month`` (None when a mapping has no entry for it).

        Still keyed by segment after :meth:`for_segment`: None for a segment it does not name; for
        the company, the sum of the segments' goals for ``month``, None when no segment has one.
        """
        goal = self.revenue_goal
        if isinstance(goal, dict) and by_segment_keys(goal):
            if self.segment:
                return _goal_in(goal.get(self.segment), month)
            parts = [_goal_in(v, month) for v in goal.values()]
            known = [v for v in parts if v is not None]
            return float(sum(known)) if known else None
        return _goal_in(goal, month)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready values, as they would be written in a params file (notebook parameters only)."""
        d = self._given()
        for name in ("first_touch_kinds", "cadence_kinds"):
            d[name] = _listed(d[name])
        d["working_days"] = list(self.working_days)
        d["company_holidays"] = list(self.company_holidays)
        return d

    def notebook_parameters(self) -> dict[str, Any]:
        """The values papermill injects into the notebooks (:data:`NOTEBOOK_PARAMS`)."""
        d = self.to_dict()
        return {k: d[k] for k in NOTEBOOK_PARAMS}


def _file_safe(name: str) -> str:
    """A segment name as a file-name part: letters, digits, ``-`` and ``_`` kept, the rest ``_``."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", name) or "_"


def _listed(value: Any) -> Any:
    """Kinds as lists, inside a mapping by month or by segment too."""
    if isinstance(value, dict):
        return {k: _listed(v) for k, v in value.items()}
    return list(value)


def _goal_in(goal: Any, month: str) -> float | None:
    """A revenue goal (one amount, ``{YYYY-MM: amount}`` or None) for ``month``."""
    if goal is None:
        return None
    if isinstance(goal, dict):
        return goal.get(month)
    return goal


SEGMENT_BY = ("", "team", "segment")
SEGMENT_DEFAULT = "default"  # the entry of a term keyed by segment for every segment not named
SEGMENT_TERMS = ("revenue_goal", *TERMS)  # the parameters settable per segment
_MONTH_KEY = re.compile(r"\d{4}-\d{1,2}")


def by_segment_keys(value: Any) -> list[str]:
    """The segment names of a term keyed by segment (``{smb: 40000, mid_market: 60000}``), else [].

    A mapping is keyed by segment when one of its keys is not a month (``YYYY-MM``).
    """
    if not isinstance(value, Mapping) or all(_MONTH_KEY.fullmatch(str(k)) for k in value):
        return []
    return [str(k) for k in value]


def by_segment(check: Any) -> Any:
    """``check`` for a term that may also be keyed by segment, each entry checked by ``check``."""

    def checked(value: Any, where: str) -> Any:
        if not by_segment_keys(value):
            return check(value, where)
        return {str(k): check(v, f"{where}[{k}]") for k, v in value.items()}

    return checked


def _segment_labels(value: Any, where: str) -> dict[str, str]:
    """``{segment id: label}``, each a non-empty text, surrounding spaces trimmed; None = {}."""
    if value is None or value == "":
        return {}
    if not isinstance(value, dict):
        msg = (
            f"{where} must be a mapping of segment (or team) ids to the labels the pages show, "
            f"e.g. {{mid_market: Mid-market, smb: SMB}}, got {value!r}"
        )
        raise SlanbError(msg)
    out = {}
    for key, label in value.items():
        if not isinstance(label, str) or not label.strip():
            msg = (
                f"{where}: the label of {key!r} must be a non-empty text (e.g. {key}: SMB), "
                f"got {label!r}"
            )
            raise SlanbError(msg)
        out[str(key).strip()] = label.strip()
    return out


def _segment_name(value: Any, where: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        msg = f'{where} must be text (a segment or team name, or "" for none), got {value!r}'
        raise SlanbError(msg)
    return value.strip()


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
    "ledger",
    "interval_level",
    "maturity_threshold",
    "sla_clock",
    "cadence_clock",
    "clock_start",
    "timezone",
    "working_hours",
    "working_days",
    "holidays_country",
    "holidays_subdivision",
    "company_holidays",
    "segment_by",
    "segment",
    "segment_labels",
)
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
CLOCKS = ("calendar", "working")
CLOCK_STARTS = ("mql_at", "assigned_at")

_NOT_GIVEN = ("source", "schedule")  # fields of Params that are not parameters


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

    Refuses a missing file, a file that is not UTF-8 (naming the byte), invalid YAML, a YAML tag
    such as ``!!python/object`` (plain values only), anything but a mapping, and any secret (a
    password is read from the environment only). Each consumer (:func:`load_params`, the delivery
    settings) takes its own keys from it.
    """
    file = resolve_path(path or DEFAULT_PARAMS_FILE)
    if not file.exists():
        hint = "" if path else " (run from a slanb checkout, or pass --params FILE)"
        msg = f"No params file at {file}{hint}. Copy params/default.yaml and edit it."
        raise SlanbError(msg)
    raw = file.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        msg = (
            f"{file}: not UTF-8 text (byte 0x{raw[exc.start]:02x} at byte offset {exc.start}, "
            f"line {line}). Save it as UTF-8 and try again."
        )
        raise SlanbError(msg) from exc
    try:
        values = yaml.safe_load(text) or {}
    except yaml.constructor.ConstructorError as exc:
        tag = _unknown_tag(exc)
        if tag is None:
            msg = f"{file}: not valid YAML ({exc}). Write one `name: value` per line."
        else:
            line = f", line {exc.problem_mark.line + 1}" if exc.problem_mark else ""
            msg = (
                f"{file}{line}: tags like !!python/object are not allowed in a params file "
                f"(found {tag}); write plain values."
            )
        raise SlanbError(msg) from exc
    except yaml.YAMLError as exc:
        msg = f"{file}: not valid YAML ({exc}). Write one `name: value` per line."
        raise SlanbError(msg) from exc
    if not isinstance(values, dict):
        msg = f"{file}: expected `name: value` lines, got a {type(values).__name__}."
        raise SlanbError(msg)
    values = {str(k): v for k, v in values.items()}
    refuse_secrets(values, str(file))
    return file, values


_YAML_TAGS = "tag:yaml.org,2002:"  # the prefix YAML writes as !!


def _unknown_tag(exc: yaml.constructor.ConstructorError) -> str | None:
    """The tag ``yaml.safe_load`` would not construct, as written (``!!python/object:…``), if any."""
    found = re.fullmatch(r"could not determine a constructor for the tag '(.*)'", exc.problem or "")
    if not found:
        return None
    tag = found[1]
    return "!!" + tag.removeprefix(_YAML_TAGS) if tag.startswith(_YAML_TAGS) else tag


def load_params(path: str | os.PathLike[str] | None = None, **overrides: Any) -> Params:
    """Read the notebook parameters of a params file (default ``params/default.yaml``), with ``overrides``.

    Delivery settings in the file (:data:`DELIVERY_KEYS`) are left for delivery. Overrides that are
    None are ignored, so CLI flags left unset keep the file's value.
    """
    file, values = read_params_file(path)
    given = {k: v for k, v in overrides.items() if v is not None}
    # name the flag, not the file, when wrong (--segment is checked with the file's segment_by)
    rule = (
        {"segment_by": values["segment_by"]}
        if "segment" in given and "segment_by" in values
        else {}
    )
    Params.from_mapping(rule | given, source="command line")
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
    names = {f.name for f in dataclasses.fields(Params) if f.name not in _NOT_GIVEN}
    return Params.from_mapping(
        {k: v for k, v in namespace.items() if k in names}, source="notebook parameters"
    )


# ---- checks -----------------------------------------------------------------------------------
# Upper bounds: far past any real value, low enough that no later step overflows (Decimal money,
# DuckDB intervals and integers, four-digit months). docs/metrics.md lists them.
MAX_REVENUE_GOAL = 1e12  # a trillion a month
MAX_RATIO = 100.0  # realistic_ratio, stretch_ratio: a goal 100 times the trailing average
MAX_FIRST_TOUCH_HOURS = 8760.0  # a year
MAX_MONTHS = 120  # lookback_months, maturity_months: ten years
MAX_CADENCE_DAYS = 365
MAX_CADENCE_CALLS = 1000
LATEST_MONTH = "2199-12"  # month and revenue_goal keys: from 1900-01 (slanb.months.EARLIEST_MONTH)


def _number(
    value: Any, where: str, *, low: float, low_ok: bool = True, high: float = math.inf
) -> float:
    """``value`` as a finite float within [``low``, ``high``] (``low`` itself unless not ``low_ok``).

    A value below the range names the lower bound; one above it, or infinite or NaN, names both.
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        msg = f"{where} must be a number, got {value!r}"
        raise SlanbError(msg)
    v = float(value) if isinstance(value, float) or abs(value) < 2**1000 else math.inf
    bound = f"{'at least' if low_ok else 'above'} {_fmt(low)}"
    if math.isfinite(v) and (v < low or (v == low and not low_ok)):
        msg = f"{where} must be {bound}, got {value!r}"
        raise SlanbError(msg)
    if not math.isfinite(v) or v > high:
        if high != math.inf:
            bound += f" and at most {_fmt(high)}"
        msg = f"{where} must be {bound}, got {value!r}"
        raise SlanbError(msg)
    return v


def integer(value: Any, where: str, *, low: int, high: int | None = None) -> int:
    """``value`` as a whole number from ``low`` to ``high``; ``where`` names it in the error."""
    if isinstance(value, bool) or not isinstance(value, int):
        msg = f"{where} must be a whole number, got {value!r}"
        raise SlanbError(msg)
    if value < low:
        msg = f"{where} must be at least {low}, got {value!r}"
        raise SlanbError(msg)
    if high is not None and value > high:
        msg = f"{where} must be at least {low} and at most {_fmt(high)}, got {value!r}"
        raise SlanbError(msg)
    return value


def _fmt(bound: float) -> str:
    """A bound as a reader writes it: ``1,000,000,000,000``, ``8,760``, ``0.5``."""
    return f"{int(bound):,}" if float(bound).is_integer() else f"{bound:g}"


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
    return parse_month(str(value), name=where, latest=LATEST_MONTH)


def _goal(value: Any, where: str) -> float | dict[str, float]:
    if isinstance(value, Mapping):
        if not value:
            msg = f"{where} is an empty mapping; give `YYYY-MM: amount` entries or one amount"
            raise SlanbError(msg)
        return {
            parse_month(str(k), name=f"{where} key", latest=LATEST_MONTH): _number(
                v, f"{where}[{k}]", low=0, high=MAX_REVENUE_GOAL
            )
            for k, v in value.items()
        }
    return _number(value, where, low=0, high=MAX_REVENUE_GOAL)


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


def by_month(check: Any) -> Any:
    """``check`` for a term given as one value or as a mapping of effective months to values."""

    def checked(value: Any, where: str) -> Any:
        if not isinstance(value, Mapping):
            return check(value, where)
        if not value:
            msg = f"{where} is an empty mapping; give `YYYY-MM: value` entries or one value"
            raise SlanbError(msg)
        entries = {
            parse_month(str(k), name=f"{where} key"): check(v, f"{where}[{k}]")
            for k, v in value.items()
        }
        return dict(sorted(entries.items()))

    return checked


def _choice(options: tuple[str, ...]) -> Any:
    def check(value: Any, where: str) -> str:
        if value not in options:
            msg = f"{where} must be one of {', '.join(options)}, got {value!r}"
            raise SlanbError(msg)
        return str(value)

    return check


def _minutes(text: str) -> int:
    hours, minutes = text.strip().split(":")
    return int(hours) * 60 + int(minutes)


def _working_hours(value: Any, where: str) -> str:
    import re

    text = value if isinstance(value, str) else ""
    m = re.fullmatch(r"\s*([01]\d|2[0-3]):([0-5]\d)\s*-\s*([01]\d|2[0-4]):([0-5]\d)\s*", text)
    if not m or not _minutes(text.split("-")[0]) < _minutes(text.split("-")[1]) <= 24 * 60:
        msg = (
            f"{where} must be local opening and closing times HH:MM-HH:MM, the first before the "
            f"second (e.g. 09:00-17:00), got {value!r}"
        )
        raise SlanbError(msg)
    return f"{m[1]}:{m[2]}-{m[3]}:{m[4]}"


def _working_days(value: Any, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    days = [str(v).strip().lower()[:3] for v in value] if isinstance(value, list | tuple) else []
    if not days or any(d not in WEEKDAYS for d in days) or len(set(days)) < len(days):
        msg = (
            f"{where} must be a list of distinct weekdays among {', '.join(WEEKDAYS)} "
            f"(e.g. [mon, tue, wed, thu, fri]), got {value!r}"
        )
        raise SlanbError(msg)
    return tuple(sorted(days, key=WEEKDAYS.index))


def _timezone(value: Any, where: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(str(value))
    except (ZoneInfoNotFoundError, ValueError) as exc:
        msg = f"{where} must be an IANA time zone name such as Europe/Berlin or UTC, got {value!r}"
        raise SlanbError(msg) from exc
    return str(value)


def _country(value: Any, where: str) -> str | None:
    import holidays

    code = optional_str(value, where)
    if code is not None and code.upper() not in holidays.list_supported_countries():
        msg = (
            f"{where} must be a country code the holidays package knows (US, DE, GB, FR, …), "
            f"got {value!r}"
        )
        raise SlanbError(msg)
    return None if code is None else code.upper()


def _dates(value: Any, where: str) -> tuple[str, ...]:
    from datetime import date

    if value is None or value == "":
        return ()
    values = value if isinstance(value, list | tuple) else [value]
    out = []
    for v in values:
        try:
            out.append(date.fromisoformat(str(v)).isoformat())
        except ValueError as exc:
            msg = f"{where} must be a list of dates YYYY-MM-DD, got {v!r}"
            raise SlanbError(msg) from exc
    return tuple(sorted(set(out)))


_CHECKS = {
    "db": optional_str,
    "month": _month_param,
    "revenue_goal": _goal,
    "marketing_share": by_month(lambda v, w: _number(v, w, low=0, high=1)),
    "lookback_months": lambda v, w: integer(v, w, low=1, high=MAX_MONTHS),
    "maturity_months": lambda v, w: integer(v, w, low=0, high=MAX_MONTHS),
    "realistic_ratio": lambda v, w: _number(v, w, low=0, low_ok=False, high=MAX_RATIO),
    "stretch_ratio": lambda v, w: _number(v, w, low=0, low_ok=False, high=MAX_RATIO),
    "first_touch_hours": by_month(
        lambda v, w: _number(v, w, low=0, low_ok=False, high=MAX_FIRST_TOUCH_HOURS)
    ),
    "first_touch_kinds": by_month(_kinds),
    "cadence_days": by_month(lambda v, w: integer(v, w, low=1, high=MAX_CADENCE_DAYS)),
    "cadence_calls": by_month(lambda v, w: integer(v, w, low=1, high=MAX_CADENCE_CALLS)),
    "cadence_kinds": by_month(_kinds),
    "as_of": _as_of,
    "ledger": optional_str,
    "interval_level": lambda v, w: _number(v, w, low=0.5, high=0.99),
    "maturity_threshold": lambda v, w: _number(v, w, low=0, low_ok=False, high=1),
    "sla_clock": _choice(CLOCKS),
    "cadence_clock": _choice(CLOCKS),
    "clock_start": _choice(CLOCK_STARTS),
    "timezone": _timezone,
    "working_hours": _working_hours,
    "working_days": _working_days,
    "holidays_country": _country,
    "holidays_subdivision": optional_str,
    "company_holidays": _dates,
    "segment_by": lambda v, w: _choice(SEGMENT_BY)("" if v is None else v, w),
    "segment": _segment_name,
    "segment_labels": _segment_labels,
}
for _name in SEGMENT_TERMS:  # every term may also be keyed by segment
    _CHECKS[_name] = by_segment(_CHECKS[_name])
