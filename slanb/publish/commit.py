"""``slanb commit``: record a month's agreement in the commitments ledger.

The month is planned from the history as it is now (the method, with no commitment applied), and
its goals, lead values, terms, parameters and the history's fingerprint are appended to the ledger
(``params.ledger``) as a new version: version 1, or with ``amend`` the next one.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

from slanb.engine.commitment import agreement
from slanb.engine.plan import plan_month
from slanb.engine.segments import scoped
from slanb.errors import SlanbError
from slanb.months import parse_month
from slanb.params import Params
from slanb.store import connect, history, ledger
from slanb.store.ledger import Commitment


def commit(
    params: Params,
    *,
    month: str,
    by: str | None = None,
    amend: bool = False,
    reason: str | None = None,
    now: datetime | None = None,
) -> Commitment:
    """Append ``month``'s agreement (computed now) to the ledger; returns it as recorded.

    With ``params.segment``, the segment's agreement (its own leads, reps and terms) to its own
    ledger (:attr:`~slanb.params.Params.ledger_path`).
    """
    path = params.ledger_path
    if path is None:
        msg = (
            f"{params.source}: no ledger to commit to. Set `ledger: params/NAME.ledger.jsonl` in "
            "the params file (beside it, and kept in git with it)."
        )
        raise SlanbError(msg)
    month = parse_month(month, name="--month")
    who = by or os.environ.get("USER") or os.environ.get("USERNAME")
    if not who:
        msg = "Who commits the month? Pass --by NAME (or set $USER)."
        raise SlanbError(msg)
    if reason and not amend:
        msg = "--reason goes with --amend: the first version of a month needs none."
        raise SlanbError(msg)
    at = (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    p = params.replace(month=month).for_segment().for_month()
    with connect(p.db_path) as con, scoped(con, segment_by=p.segment_by, segment=p.segment):
        known = history.recorded_export(con)
        plan = plan_month(con, p, known_until=known, history_start=history.first_month(con))
        exported = history.exported_at(con)
        fingerprint = {
            **history.fingerprint(con),
            "exported_at": None if exported is None else exported.isoformat(),
            "db": str(p.db_path),
        }
    values = agreement(plan, history=fingerprint, by=who, at=at, reason=reason)
    return ledger.append(path, values, amend=amend)


def committed(params: Params, month: str) -> bool:
    """True when the ledger already holds ``month`` (False without a ledger)."""
    return bool(ledger.read_ledger(params.ledger_path).versions(month))
