"""Delivery settings: who gets the report and through which SMTP server; read only by delivery.

They live in the same flat params file as the notebook parameters, but apart from them: no
notebook, page or ``summary.json`` ever sees an address, the SMTP host or its login (the notebook
parameters are :class:`slanb.params.Params`). The SMTP password is read from
``$SLANB_SMTP_PASSWORD`` only, never from a file.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from slanb.errors import SlanbError
from slanb.params import (
    DELIVERY_KEYS,
    integer,
    optional_str,
    read_params_file,
    refuse_secrets,
    refuse_unknown,
)

Recipients = tuple[str, ...] | dict[str, tuple[str, ...]]


@dataclass(frozen=True)
class DeliverySettings:
    """What ``slanb deliver`` and ``slanb run-monthly`` need beyond the notebook parameters."""

    recipients: Recipients = ()  # addresses, or {group: [addresses]}
    smtp_host: str | None = None  # SMTP server; None = no e-mail (use deliver --dry-run)
    smtp_port: int = 587  # SMTP port
    smtp_user: str | None = None  # SMTP login user; None = no login
    smtp_starttls: bool = True  # upgrade the connection with STARTTLS
    mail_from: str | None = None  # the From address
    export_dir: str | None = None  # run-monthly: ingest the newest export folder under here first

    @classmethod
    def from_mapping(
        cls, values: Mapping[str, Any], *, source: str = "settings"
    ) -> DeliverySettings:
        """Validate ``values`` (delivery keys only) into frozen settings."""
        names = [f.name for f in dataclasses.fields(cls)]
        refuse_secrets(values, source)
        refuse_unknown(values, names, source, kind="delivery setting")
        return cls(**{k: _CHECKS[k](v, f"{source}: parameter {k}") for k, v in values.items()})

    def replace(self, **changes: Any) -> DeliverySettings:
        """A copy with ``changes`` applied and validated."""
        merged = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)} | changes
        return DeliverySettings.from_mapping(merged)

    @property
    def addresses(self) -> tuple[str, ...]:
        """Every address of ``recipients`` (all groups), each once, in the order given."""
        r = self.recipients
        flat = [a for group in r.values() for a in group] if isinstance(r, dict) else list(r)
        return tuple(dict.fromkeys(flat))

    def groups_of(self) -> dict[str, tuple[str, ...]]:
        """Address → the recipient groups it is in (empty for a plain list of addresses)."""
        r = self.recipients
        if not isinstance(r, dict):
            return {}
        groups: dict[str, list[str]] = {}
        for group, members in r.items():
            for a in members:
                groups.setdefault(a, []).append(group)
        return {a: tuple(g) for a, g in groups.items()}


def load_settings(path: str | os.PathLike[str] | None = None) -> DeliverySettings:
    """The delivery settings of a params file (default ``params/default.yaml``); other keys are skipped."""
    file, values = read_params_file(path)
    mine = {k: v for k, v in values.items() if k in DELIVERY_KEYS}
    return DeliverySettings.from_mapping(mine, source=str(file))


# ---- checks -----------------------------------------------------------------------------------
def _address(value: Any, where: str) -> str:
    if not isinstance(value, str) or "@" not in value or any(c.isspace() for c in value.strip()):
        msg = f"{where} must be an e-mail address like name@example.com, got {value!r}"
        raise SlanbError(msg)
    return value.strip()


def _recipients(value: Any, where: str) -> Recipients:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if isinstance(value, Mapping):
        return {
            str(group): _recipients(addresses, f"{where}[{group}]")  # type: ignore[misc]
            for group, addresses in value.items()
        }
    if not isinstance(value, list | tuple):
        msg = (
            f"{where} must be a list of addresses or a mapping of group: [addresses], got {value!r}"
        )
        raise SlanbError(msg)
    return tuple(_address(v, where) for v in value)


def _boolean(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        msg = f"{where} must be true or false, got {value!r}"
        raise SlanbError(msg)
    return value


_CHECKS = {
    "recipients": _recipients,
    "smtp_host": optional_str,
    "smtp_port": lambda v, w: integer(v, w, low=1),
    "smtp_user": optional_str,
    "smtp_starttls": _boolean,
    "mail_from": lambda v, w: None if v in (None, "") else _address(v, w),
    "export_dir": optional_str,
}
