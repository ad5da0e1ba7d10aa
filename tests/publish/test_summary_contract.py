"""summary.json did not change with the layering: the demo's numbers and words, key for key.

The two fixtures are ``slanb plan --json`` of the demo history (``slanb demo --end 2026-10``, seed
7) for October 2026, judged over the whole month and as of 2026-10-17 12:00 UTC, written by the
code before the layering (commit 6419589). The layered code must give the same keys and values;
it only adds the ``sentences`` block and ``in_progress``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from slanb.engine.month import compute
from slanb.params import Params
from slanb.store.demo import build_demo
from slanb.views.sentences import summary

FIXTURES = Path(__file__).parents[1] / "fixtures"
ADDED = {
    "sentences",
    "in_progress",
    "commitment",
    "record",
    "terms",
    "maturity",
    "uncertainty",
    "forecast",
    "clock",
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("contract") / "demo.duckdb"
    build_demo(path, end="2026-10")
    return path


@pytest.mark.parametrize(
    ("fixture", "as_of"),
    [
        ("summary_before_layers_2026-10.json", ""),
        ("summary_before_layers_2026-10-17.json", "2026-10-17T12:00:00Z"),
    ],
)
def test_the_demo_summary_is_unchanged_key_for_key(demo, fixture, as_of):
    before = json.loads((FIXTURES / fixture).read_text("utf-8"))
    now = json.loads(
        json.dumps(summary(compute(Params(db=str(demo), month="2026-10", as_of=as_of))))
    )
    assert set(now) - set(before) == ADDED
    assert {k: v for k, v in now.items() if k not in ADDED} == before
    assert now["sentences"]["tracking"] == before["tracking_headline"] + "."
