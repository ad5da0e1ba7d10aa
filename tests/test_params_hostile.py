"""Hostile params files and absurd values: each refused at validation, in one sentence with the range.

docs/reliability.md names these tests; the bounds are documented in docs/metrics.md and in the
comments of params/default.yaml.
"""

from __future__ import annotations

import math
from datetime import datetime

import pytest

from slanb import cli
from slanb.errors import SlanbError
from slanb.months import month_start, parse_month, shift_month
from slanb.params import Params, load_params


def _refusal(values: dict[str, object]) -> str:
    with pytest.raises(SlanbError) as caught:
        Params.from_mapping(values, source="test.yaml")
    return str(caught.value)


# ---- the params file itself -------------------------------------------------------------------
def test_a_params_file_that_is_not_utf8_is_named_with_the_byte_to_fix(tmp_path):
    f = tmp_path / "latin1.yaml"
    f.write_bytes("revenue_goal: 50000\nmonth: 2026-10  # été\n".encode("latin-1"))
    with pytest.raises(SlanbError) as caught:
        load_params(f)
    assert str(caught.value) == (
        f"{f}: not UTF-8 text (byte 0xe9 at byte offset 38, line 2). Save it as UTF-8 and try "
        "again."
    )


def test_a_params_file_in_utf16_is_named_with_the_byte_to_fix(tmp_path):
    f = tmp_path / "utf16.yaml"
    f.write_bytes("revenue_goal: 50000\n".encode("utf-16"))
    with pytest.raises(SlanbError, match=r"not UTF-8 text \(byte 0xff at byte offset 0, line 1\)"):
        load_params(f)


@pytest.mark.parametrize(
    ("text", "tag"),
    [
        ("revenue_goal: !!python/object:os.system {}\n", "!!python/object:os.system"),
        ("revenue_goal: !!python/object/apply:os.system [ls]\n", "!!python/object/apply:os.system"),
        ("month: !month 2026-10\n", "!month"),
    ],
)
def test_a_yaml_tag_in_a_params_file_is_refused_as_a_tag(tmp_path, text, tag):
    f = tmp_path / "tagged.yaml"
    f.write_text("marketing_share: 0.5\n" + text, encoding="utf-8")
    with pytest.raises(SlanbError) as caught:
        load_params(f)
    assert str(caught.value) == (
        f"{f}, line 2: tags like !!python/object are not allowed in a params file (found {tag}); "
        "write plain values."
    )


def test_plain_yaml_values_with_standard_tags_are_still_read(tmp_path):
    f = tmp_path / "plain.yaml"
    f.write_text("revenue_goal: !!float 50000\nmonth: !!str 2026-10\n", encoding="utf-8")
    p = load_params(f)
    assert (p.revenue_goal, p.month) == (50_000.0, "2026-10")


# ---- absurd values ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("revenue_goal", math.inf, "must be at least 0 and at most 1,000,000,000,000"),
        ("revenue_goal", 1e308, "must be at least 0 and at most 1,000,000,000,000"),
        ("revenue_goal", -math.inf, "must be at least 0 and at most 1,000,000,000,000"),
        ("revenue_goal", math.nan, "must be at least 0 and at most 1,000,000,000,000"),
        ("revenue_goal", 10**400, "must be at least 0 and at most 1,000,000,000,000"),
        ("revenue_goal", {"2026-10": 1e13}, "must be at least 0 and at most 1,000,000,000,000"),
        ("first_touch_hours", 1e300, "must be above 0 and at most 8,760"),
        ("first_touch_hours", math.inf, "must be above 0 and at most 8,760"),
        ("first_touch_hours", math.nan, "must be above 0 and at most 8,760"),
        ("marketing_share", math.nan, "must be at least 0 and at most 1"),
        ("realistic_ratio", math.inf, "must be above 0 and at most 100"),
        ("stretch_ratio", 1e300, "must be above 0 and at most 100"),
        ("lookback_months", 10**6, "must be at least 1 and at most 120"),
        ("maturity_months", 121, "must be at least 0 and at most 120"),
        ("cadence_days", 10**20, "must be at least 1 and at most 365"),
        ("cadence_calls", 2**70, "must be at least 1 and at most 1,000"),
    ],
)
def test_degenerate_or_absurd_parameters_are_refused_with_the_accepted_range(name, value, says):
    message = _refusal({name: value})
    where = f"{name}[2026-10]" if isinstance(value, dict) else name
    assert message.startswith(f"test.yaml: parameter {where} {says}, got "), message


def test_the_largest_accepted_values_are_accepted():
    p = Params.from_mapping(
        {
            "revenue_goal": 1e12,
            "first_touch_hours": 8760,
            "realistic_ratio": 100,
            "stretch_ratio": 100,
            "lookback_months": 120,
            "maturity_months": 120,
            "cadence_days": 365,
            "cadence_calls": 1000,
            "month": "2199-12",
        }
    )
    assert p.sample_window.start == datetime(2179, 12, 1)  # 240 months before 2199-12
    assert p.end == datetime(2200, 1, 1)


def test_an_infinite_goal_in_a_params_file_is_refused_in_one_line(tmp_path, capsys):
    f = tmp_path / "params.yaml"
    f.write_text("revenue_goal: .inf\n", encoding="utf-8")
    assert cli.main(["plan", "--params", str(f), "--db", str(tmp_path / "none.duckdb")]) == 1
    err = capsys.readouterr().err
    assert err == (
        f"slanb plan: error: {f}: parameter revenue_goal must be at least 0 and at most "
        "1,000,000,000,000, got inf\n"
    )


# ---- months -------------------------------------------------------------------------------------
@pytest.mark.parametrize("month", ["9999-12", "2200-01", "1899-12", "0000-01"])
def test_a_month_outside_1900_to_2199_is_refused_with_the_range(month):
    message = _refusal({"month": month})
    assert message == (
        f"test.yaml: parameter month must be a month from 1900-01 to 2199-12, got {month!r}"
    )


@pytest.mark.parametrize("month", ["9999-12", "1899-12", "0000-01"])
def test_no_month_slanb_cannot_step_past_is_read(month):
    with pytest.raises(SlanbError) as caught:
        parse_month(month, name="--month")  # deliver --month, demo --end: any month read
    assert str(caught.value) == f"--month must be a month from 1900-01 to 9998-12, got {month!r}"


def test_months_at_the_ends_of_the_range_have_their_bounds():
    assert Params(month="1900-01").sample_window.start == datetime(1898, 10, 1)
    assert Params(month="2199-12").end == datetime(2200, 1, 1)
    assert shift_month("2199-12", 1) == "2200-01"
    assert month_start("2200-01") == datetime(2200, 1, 1)
    assert month_start(shift_month(parse_month("9998-12"), 1)) == datetime(9999, 1, 1)
