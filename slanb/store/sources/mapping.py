"""The mapping file: a company's own choices for reading a CRM export, validated into a frozen object.

One small YAML file says which source the export comes from and the choices only the company can
make (the export's time zone, which field is the MQL moment, which forms make a hand-raiser, ...).
Every key has a documented default per source (docs/crm.md); an unknown key, a wrong type or a
missing required choice is refused in one line naming the key, like the notebook parameters::

    mapping = load_mapping("mapping.yaml")
    mapping.time.timezone  # 'America/New_York'

:func:`template` writes the commented file to start from (``slanb init --source hubspot``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping as AnyMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from slanb.errors import SlanbError
from slanb.params import refuse_secrets, refuse_unknown
from slanb.paths import resolve_path

SOURCES = ("hubspot", "hubspot-api", "salesforce", "salesforce-report")


@dataclass(frozen=True)
class TimeRules:
    """How the export writes time.

    ``timezone``: the IANA zone of timestamps written without an offset (None: such a timestamp is
    refused). ``locale``: ``iso`` (2025-01-19 10:14) or ``us`` (also 1/19/2025 10:14 AM).
    ``date_only``: what a date without a time means where an instant is needed on a lead or a
    deal: ``refuse``, or ``noon`` (12:00 in ``timezone``, counted in the report). A touch time is
    never read from a date.
    """

    timezone: str | None
    locale: str = "iso"
    date_only: str = "refuse"


@dataclass(frozen=True)
class FitRule:
    """One fit rule: ``fit`` when ``field`` is in [``min``, ``max``) or one of ``values``."""

    fit: str
    field: str | None = None
    min: float | None = None
    max: float | None = None
    values: tuple[str, ...] = ()


@dataclass(frozen=True)
class SourceMapping:
    """A validated mapping file. Field names are the export's own column names."""

    source: str
    files: dict[str, str]
    time: TimeRules
    mql: str
    sql: str | None
    lead_source: str | None
    intent_field: str | None
    hand_raiser: tuple[str, ...]
    fit: tuple[FitRule, ...]
    touches: dict[str, tuple[str, ...]]
    won: tuple[str, ...]
    lost: tuple[str, ...]
    reps: tuple[str, ...] | None  # None: every owner who is a person is a rep ("all")
    file: Path | None = None
    segment: str | None = None  # the export's column filling leads.segment (region, size band)

    def values_of(self, name: str) -> tuple[str, ...]:
        """One of the :attr:`touches` lists (``call_directions``, ``task_subtypes``, ...)."""
        return self.touches[name]


# --- defaults per source -------------------------------------------------------------------------

_FILES = {
    "hubspot": {
        "contacts": "contacts.csv",
        "deals": "deals.csv",
        "calls": "calls.csv",
        "emails": "emails.csv",
    },
    "hubspot-api": {
        "contact": "contact.csv",
        "deal": "deal.csv",
        "deal_contact": "deal_contact.csv",
        "deal_pipeline_stage": "deal_pipeline_stage.csv",
        "merged_deal": "merged_deal.csv",
        "engagement_call": "engagement_call.csv",
        "engagement_email": "engagement_email.csv",
        "engagement_contact": "engagement_contact.csv",
        "engagement_deal": "engagement_deal.csv",
        "owner": "owner.csv",
        "contact_form_submission": "contact_form_submission.csv",
        "form": "form.csv",
    },
    "salesforce": {
        "lead": "Lead.csv",
        "contact": "Contact.csv",
        "opportunity": "Opportunity.csv",
        "contact_role": "OpportunityContactRole.csv",
        "task": "Task.csv",
        "event": "Event.csv",
        "user": "User.csv",
    },
    "salesforce-report": {
        "leads": "leads.csv",
        "contacts": "contacts.csv",
        "opportunities": "opportunities.csv",
        "contact_roles": "contact_roles.csv",
        "activities": "activities.csv",
        "users": "users.csv",
    },
}
_REQUIRED_FILES = {
    "hubspot": ("contacts",),
    "hubspot-api": ("contact",),
    "salesforce": ("lead",),
    "salesforce-report": ("leads",),
}

_DEFAULTS: dict[str, dict[str, Any]] = {
    "hubspot": {
        "leads": {
            "mql": "Became a Marketing Qualified Lead Date",
            "sql": "Became a Sales Qualified Lead Date",
            "source": "Original Source",
        },
        "activities": {
            "call_directions": ["Outbound"],
            "call_statuses_never": ["Canceled", "Failed", "Queued", "Scheduled"],
            "email_directions": ["Outgoing", "Email", "Sent"],
        },
        "deals": {"won": ["Closed Won"], "lost": ["Closed Lost"]},
    },
    "hubspot-api": {
        "leads": {
            "mql": "hs_lifecyclestage_marketingqualifiedlead_date",
            "sql": "hs_lifecyclestage_salesqualifiedlead_date",
            "source": "hs_analytics_source",
        },
        "activities": {
            "call_directions": ["OUTBOUND"],
            "call_statuses_never": [
                "CANCELED",
                "FAILED",
                "QUEUED",
                "CALLING_CRM_USER",
                "CONNECTING",
                "RINGING",
                "IN_PROGRESS",
            ],
            "email_directions": ["EMAIL"],
        },
        "deals": {"won": ["closedwon"], "lost": ["closedlost"]},
    },
    "salesforce": {
        "leads": {"mql": "MQL_Date__c", "sql": "ConvertedDate", "source": "LeadSource"},
        "activities": {
            "call_subtypes": ["Call"],
            "email_subtypes": ["Email"],
            "task_types_call": ["Call"],
            "task_types_email": ["Email"],
            "never_subtypes": ["ListEmail", "Cadence"],
            "task_time": ["CompletedDateTime", "CreatedDate"],
        },
        "deals": {"won": [], "lost": []},
    },
    "salesforce-report": {
        "leads": {"mql": "MQL Date", "sql": "Converted Date", "source": "Lead Source"},
        "activities": {
            "call_subtypes": ["Call"],
            "email_subtypes": ["Email"],
            "task_types_call": ["Call"],
            "task_types_email": ["Email"],
            "never_subtypes": ["List Email", "ListEmail", "Cadence"],
            "task_time": ["Completed Date/Time", "Created Date"],
        },
        "deals": {"won": [], "lost": []},
    },
}

_TOP_KEYS = ["source", "files", "time", "leads", "intent", "fit", "activities", "deals", "reps"]
_TIME_KEYS = ["timezone", "locale", "date_only"]
_LEAD_KEYS = ["mql", "sql", "source", "segment"]
_INTENT_KEYS = ["field", "hand_raiser"]
_FIT_KEYS = ["fit", "field", "min", "max", "values"]
_DEAL_KEYS = ["won", "lost"]
_REP_KEYS = ["sales"]


def load_mapping(path: str | os.PathLike[str]) -> SourceMapping:
    """Read and validate the mapping file at ``path`` (relative paths from the project root)."""
    file = resolve_path(path)
    if not file.is_file():
        msg = (
            f"No mapping file at {file}. Write one with `slanb init --source hubspot "
            f"--mapping {path}` (or --source salesforce) and fill in the choices it marks."
        )
        raise SlanbError(msg)
    try:
        values = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        msg = f"{file}: not valid YAML ({exc})."
        raise SlanbError(msg) from exc
    if not isinstance(values, dict):
        msg = f"{file}: expected `key: value` lines, got a {type(values).__name__}."
        raise SlanbError(msg)
    mapping = mapping_from(values, where=str(file))
    return SourceMapping(**{**mapping.__dict__, "file": file})


def mapping_from(values: AnyMapping[str, Any], *, where: str = "mapping") -> SourceMapping:
    """Validate a mapping given as a dict (what :func:`load_mapping` reads from YAML)."""
    refuse_secrets(values, where)
    refuse_unknown(values, _TOP_KEYS, where, kind="mapping key")
    source = values.get("source")
    if source not in SOURCES:
        msg = f"{where}: source must be one of {', '.join(SOURCES)}, got {source!r}."
        raise SlanbError(msg)
    defaults = _DEFAULTS[source]

    files_given = _section(values, "files", list(_FILES[source]), where)
    files = {k: _text(v, f"{where}: files.{k}") for k, v in files_given.items()}
    files = {**_FILES[source], **files}

    time = _section(values, "time", _TIME_KEYS, where)
    timezone = _zone(time.get("timezone"), f"{where}: time.timezone")
    default_locale = "us" if source == "salesforce-report" else "iso"
    locale = _choice(time.get("locale", default_locale), ("iso", "us"), f"{where}: time.locale")
    # Salesforce's CloseDate and ConvertedDate are date fields: read at noon unless refused.
    default_date_only = "noon" if source.startswith("salesforce") else "refuse"
    date_only = _choice(
        time.get("date_only", default_date_only), ("refuse", "noon"), f"{where}: time.date_only"
    )

    leads = {**defaults["leads"], **_section(values, "leads", _LEAD_KEYS, where)}
    mql = _text(leads["mql"], f"{where}: leads.mql")
    sql = _optional_text(leads.get("sql"), f"{where}: leads.sql")
    lead_source = _optional_text(leads.get("source"), f"{where}: leads.source")
    segment = _optional_text(leads.get("segment"), f"{where}: leads.segment")

    intent = _section(values, "intent", _INTENT_KEYS, where)
    intent_field = _optional_text(intent.get("field"), f"{where}: intent.field")
    hand_raiser = _texts(intent.get("hand_raiser", []), f"{where}: intent.hand_raiser")

    fit = tuple(
        _fit_rule(r, f"{where}: fit[{i}]") for i, r in enumerate(_list(values, "fit", where))
    )

    touch_defaults = defaults["activities"]
    given = _section(values, "activities", list(touch_defaults), where)
    touches = {
        k: _texts(given.get(k, v), f"{where}: activities.{k}") for k, v in touch_defaults.items()
    }

    deals = {**defaults["deals"], **_section(values, "deals", _DEAL_KEYS, where)}
    won = _texts(deals["won"], f"{where}: deals.won")
    lost = _texts(deals["lost"], f"{where}: deals.lost")

    reps_section = _section(values, "reps", _REP_KEYS, where)
    if "sales" not in reps_section:
        msg = (
            f"{where}: reps.sales is missing. List the owners who are sales reps (their names as "
            "the export writes them), or write `sales: all` if every owner is a rep; other owners "
            "(marketing, ops, integrations) become unassigned."
        )
        raise SlanbError(msg)
    sales = reps_section["sales"]
    reps = None if sales == "all" else _texts(sales, f"{where}: reps.sales")
    if reps is not None and not reps:
        msg = f"{where}: reps.sales is empty; list the sales reps, or write `sales: all`."
        raise SlanbError(msg)

    return SourceMapping(
        source=source,
        files=files,
        time=TimeRules(timezone=timezone, locale=locale, date_only=date_only),
        mql=mql,
        sql=sql,
        lead_source=lead_source,
        intent_field=intent_field,
        hand_raiser=hand_raiser,
        fit=fit,
        touches=touches,
        won=won,
        lost=lost,
        reps=reps,
        segment=segment,
    )


def required_files(source: str) -> tuple[str, ...]:
    """The files an export of ``source`` must have (the others are optional)."""
    return _REQUIRED_FILES[source]


# --- checks --------------------------------------------------------------------------------------


def _section(
    values: AnyMapping[str, Any], key: str, known: list[str], where: str
) -> dict[str, Any]:
    section = values.get(key) or {}
    if not isinstance(section, dict):
        msg = f"{where}: {key} must be a mapping of `name: value` lines, got {section!r}."
        raise SlanbError(msg)
    section = {str(k): v for k, v in section.items()}
    refuse_unknown(section, known, f"{where}: {key}", kind="key")
    return section


def _list(values: AnyMapping[str, Any], key: str, where: str) -> list[Any]:
    items = values.get(key) or []
    if not isinstance(items, list):
        msg = f"{where}: {key} must be a list (lines starting with `- `), got {items!r}."
        raise SlanbError(msg)
    return items


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        msg = f"{where} must be text (a column name or value), got {value!r}."
        raise SlanbError(msg)
    return value.strip()


def _optional_text(value: Any, where: str) -> str | None:
    return None if value is None or value == "" else _text(value, where)


def _texts(value: Any, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple):
        msg = f"{where} must be a list of values, got {value!r}."
        raise SlanbError(msg)
    return tuple(_text(v if not isinstance(v, int | float) else str(v), where) for v in value)


def _choice(value: Any, options: tuple[str, ...], where: str) -> str:
    if value not in options:
        msg = f"{where} must be one of {', '.join(options)}, got {value!r}."
        raise SlanbError(msg)
    return value


def _zone(value: Any, where: str) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        msg = f"{where} must be a time zone name like America/New_York, got {value!r}."
        raise SlanbError(msg)
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        msg = (
            f"{where}: {value!r} is not a time zone name; write it as Area/City, like "
            "America/New_York, Europe/Berlin or UTC."
        )
        raise SlanbError(msg) from exc
    return value


def _fit_rule(rule: Any, where: str) -> FitRule:
    if not isinstance(rule, dict):
        msg = f"{where} must be a mapping like {{fit: A, field: Number of Employees, min: 200}}."
        raise SlanbError(msg)
    rule = {str(k): v for k, v in rule.items()}
    refuse_unknown(rule, _FIT_KEYS, where, kind="key")
    fit = _choice(rule.get("fit"), ("A", "B", "C"), f"{where}.fit")
    field = _optional_text(rule.get("field"), f"{where}.field")
    bounds = {}
    for key in ("min", "max"):
        v = rule.get(key)
        if v is not None and (isinstance(v, bool) or not isinstance(v, int | float)):
            msg = f"{where}.{key} must be a number, got {v!r}."
            raise SlanbError(msg)
        bounds[key] = None if v is None else float(v)
    values = _texts(rule.get("values", []), f"{where}.values")
    if field is None and (values or bounds["min"] is not None or bounds["max"] is not None):
        msg = f"{where}: min, max and values need a field to compare."
        raise SlanbError(msg)
    if field is not None and not values and bounds["min"] is None and bounds["max"] is None:
        msg = f"{where}: give min, max or values for the field {field!r} (or no field: any lead)."
        raise SlanbError(msg)
    return FitRule(fit=fit, field=field, values=values, **bounds)


# --- the file to start from ----------------------------------------------------------------------


def template(source: str) -> str:
    """The commented mapping file to start from for ``source``; ``CHOOSE`` marks each choice."""
    if source not in SOURCES:
        msg = f"Unknown source {source!r}; slanb reads {', '.join(SOURCES)}."
        raise SlanbError(msg)
    name = f"mapping_{source}.yaml"
    return (Path(__file__).parent / "templates" / name).read_text(encoding="utf-8")
