from __future__ import annotations

from datetime import datetime

import pytest

from slanb.errors import SlanbError
from slanb.months import MonthSpan
from slanb.params import DEFAULT_LEDGER, Params, load_params, params_from


def test_defaults_file_matches_the_dataclass():
    p = load_params()
    # params/default.yaml holds exactly the documented defaults, and names its own ledger (a
    # Params built in code has none, so no test reads a ledger it did not write)
    assert p == Params(ledger=DEFAULT_LEDGER)


def test_derived_window_for_october():
    p = Params(month="2026-10")
    assert p.sample_window == MonthSpan("2025-07", "2026-06")
    assert (p.sample_window.start, p.sample_window.end) == (
        datetime(2025, 7, 1),
        datetime(2026, 7, 1),
    )
    assert p.excluded_months == ["2026-07", "2026-08", "2026-09"]
    assert (p.cutoff, p.end) == (datetime(2026, 10, 1), datetime(2026, 11, 1))
    assert Params(month="2026-10", maturity_months=0).excluded_months == []


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"montth": "2026-10"}, "unknown parameter(s) montth"),
        (
            {"marketing_share": 1.5},
            "parameter marketing_share must be at least 0 and at most 1, got 1.5",
        ),
        ({"revenue_goal": -1}, "parameter revenue_goal must be at least 0, got -1"),
        ({"revenue_goal": "lots"}, "parameter revenue_goal must be a number, got 'lots'"),
        (
            {"revenue_goal": {"2026-13": 5}},
            "parameter revenue_goal key must be a month written YYYY-MM",
        ),
        ({"lookback_months": 0}, "parameter lookback_months must be at least 1, got 0"),
        ({"lookback_months": 2.5}, "parameter lookback_months must be a whole number, got 2.5"),
        ({"lookback_months": True}, "parameter lookback_months must be a whole number, got True"),
        ({"month": "../../etc"}, "parameter month must be a month written YYYY-MM"),
        (
            {"realistic_ratio": 1.5, "stretch_ratio": 1.2},
            "stretch_ratio (1.2) must be at least realistic_ratio (1.5)",
        ),
        (
            {"cadence_kinds": []},
            "parameter cadence_kinds must be a non-empty list of activity kinds",
        ),
        ({"as_of": "yesterday"}, "as_of must be an ISO 8601 timestamp"),
    ],
)
def test_bad_values_are_named(values, message):
    with pytest.raises(SlanbError, match=None) as exc:
        Params.from_mapping(values, source="test.yaml")
    assert message in str(exc.value)
    assert str(exc.value).startswith("test.yaml: ")


def test_load_params_file_and_overrides(tmp_path):
    f = tmp_path / "unit.yaml"
    f.write_text("revenue_goal:\n  2026-10: 120000\n  2026-11: 90000\nmarketing_share: 0.5\n")
    p = load_params(f, month="2026-11", db=None)
    assert p.goal_for("2026-11") == 90000.0 and p.goal_for("2026-12") is None
    assert (p.month, p.marketing_share, p.db) == ("2026-11", 0.5, None)
    with pytest.raises(SlanbError, match="No params file at"):
        load_params(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("- a\n- b\n")
    with pytest.raises(SlanbError, match="expected `name: value` lines"):
        load_params(bad)


def test_db_resolution(monkeypatch, tmp_path):
    monkeypatch.delenv("SLANB_DB", raising=False)
    assert Params().db_path.parts[-2:] == ("data", "demo.duckdb")
    monkeypatch.setenv("SLANB_DB", str(tmp_path / "x.duckdb"))
    assert Params().db_path == tmp_path / "x.duckdb"
    assert Params(db=str(tmp_path / "y.duckdb")).db_path == tmp_path / "y.duckdb"


def test_params_from_a_notebook_namespace():
    ns = {"month": "2026-10", "revenue_goal": 50_000, "pd": object(), "In": []}
    p = params_from(ns)
    assert (p.month, p.revenue_goal) == ("2026-10", 50_000.0)


def test_as_of_is_capped_at_the_month_end():
    assert Params(month="2026-10", as_of="2026-10-15T09:00:00+02:00").as_of_instant == datetime(
        2026, 10, 15, 7
    )
    assert Params(month="2026-10", as_of="2027-01-01T00:00:00").as_of_instant == datetime(
        2026, 11, 1
    )


def test_no_passwords_and_no_delivery_settings_in_params():
    with pytest.raises(
        SlanbError, match="smtp_password must not be in a params file.*SLANB_SMTP_PASSWORD"
    ):
        Params.from_mapping({"smtp_password": "hunter2"}, source="acme.yaml")
    with pytest.raises(SlanbError, match="unknown parameter.*smtp_host"):
        Params.from_mapping({"smtp_host": "mail.acme.com"})
    assert "smtp_host" not in Params().to_dict()
