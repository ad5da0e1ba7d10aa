"""The benchmarks still run against the code: slanb's steps, the SQL floor, pandas and polars (on
the history's Parquet export) agree on a small demo history (the timing itself is `make bench`'s business, never a test's)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from slanb.store import connect
from slanb.store.demo import build_demo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import histories  # noqa: E402
import polars_variant  # noqa: E402
import variants  # noqa: E402


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("bench") / "demo.duckdb"
    build_demo(path, end="2026-10", leads=3_000)
    return path


def test_the_history_cache_is_keyed_by_the_demo_generator():
    assert len(histories.fingerprint()) == 10


def test_slanb_the_floor_pandas_and_polars_agree(small):
    params = variants.bench_params(str(small), "2026-10")
    whole = variants.slanb_plan(params)
    steps: dict = {}
    with connect(small) as con:
        for step in variants.slanb_steps(con, params).values():
            steps.update(step())
        floor: dict = {}
        for step in variants.floor_steps(con, params).values():
            floor.update(step())
        tables = variants.pandas_load(con)
    pandas: dict = {}
    for step in variants.pandas_steps(tables, params).values():
        pandas.update(step())
    scans = polars_variant.polars_scan(
        histories.export(small, "parquet", log=lambda _: None),
        histories.meta_export(small, log=lambda _: None),
    )
    polars: dict = {}
    for step in polars_variant.polars_steps(scans, params).values():
        polars.update(step())
    assert whole["goal_mqls"] and whole["delivered_mqls"]
    assert variants.compare(whole, steps) == []
    assert variants.compare(whole, floor) == []
    assert variants.compare(whole, pandas) == []
    assert variants.compare(whole, polars) == []
    assert polars.keys() == floor.keys()
