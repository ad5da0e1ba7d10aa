"""``slanb commit`` and run-monthly's commit of the month that has just begun."""

from __future__ import annotations

from slanb.cli import main
from slanb.params import Params
from slanb.publish.monthly import _commit_begun
from slanb.store.ledger import read_ledger
from tests.conftest import write_history
from tests.fixtures import record_example as ex


def test_the_cli_commits_then_refuses_a_second_commit(tmp_path, capsys):
    db = write_history(tmp_path / "h.duckdb", ex.tables(), exported_at=ex.EXPORTED_AT)
    params = tmp_path / "acme.yaml"
    params.write_text(
        f"db: {db}\nledger: {tmp_path / 'acme.ledger.jsonl'}\nrevenue_goal: 1000\n"
        "marketing_share: 1.0\nlookback_months: 3\nmaturity_months: 0\n",
        "utf-8",
    )
    assert main(["commit", "--params", str(params), "--month", "2026-01", "--by", "ana"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Committed January 2026 (version 1) at ") and "2 MQLs, $1,000" in out
    assert main(["commit", "--params", str(params), "--month", "2026-01", "--by", "bo"]) == 1
    assert "2026-01 is committed already" in capsys.readouterr().err


def test_run_monthly_commits_the_month_just_begun_once(tmp_path):
    db = write_history(tmp_path / "h.duckdb", ex.tables(), exported_at=ex.EXPORTED_AT)
    p = Params.from_mapping(
        {**ex.PARAMS, "revenue_goal": 1000, "db": str(db), "ledger": str(tmp_path / "l.jsonl")}
    )
    said: list[str] = []
    _commit_begun(p, "2026-04", said.append, None)
    _commit_begun(p, "2026-04", said.append, None)
    assert [c.month for c in read_ledger(p.ledger_path).entries] == ["2026-04"]
    assert "committed April 2026" in said[0] and "committed already" in said[1]
