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


def test_results_quote_the_last_100m_run_of_its_own_when_the_run_skips_100m():
    """A full run (no 100M scale) reads the 100M target from the run of its own; a run that
    measured 100M uses its own figures. 3,072 MiB is 3.00 GiB (under 4: met); 5,120 MiB is 5.00."""
    import tables

    def plan(rss: float, cpu: float) -> dict:
        return {"peak_rss_mib": rss, "wall": {"plan": cpu * 2}, "cpu": {"plan": cpu}}

    separate = {
        "run_at": "2026-12-02T03:32:01+00:00",
        "how": "by hand",
        "scale": {
            "slanb-plan": plan(3072, 240.0),
            "floor": plan(2048, 68.0),
            "polars": plan(2048, 147.0),
            "pandas": {"skipped": "too big"},
            "agreement": {"floor": [], "polars": ["goal_mqls: 1 vs 2"]},
        },
    }
    [row] = tables.scale_targets({"scales": {}, "separate_100m": separate})
    assert row["met"] is True
    assert row["measured"] == "3.00 GiB (480.0s, CPU 240.0s; its own run of 2026-12-02, see below)"
    section = tables.separate_100m({"scales": {}, "separate_100m": separate})
    assert "| slanb.plan | 240.0 | 480.0 | 3,072 |  |" in section
    assert "| SQL floor | 68.0 | 136.0 | 2,048 | agree |" in section
    assert "| polars | 147.0 | 294.0 | 2,048 | differ: goal_mqls: 1 vs 2 |" in section
    assert "| pandas | skipped: too big | | | |" in section

    here = {"scales": {tables.HUGE: {"slanb-plan": plan(5120, 300.0)}}, "separate_100m": separate}
    [row] = tables.scale_targets(here)
    assert row["met"] is False
    assert row["measured"] == "5.00 GiB (600.0s, CPU 300.0s)"
    assert tables.separate_100m(here) == []
