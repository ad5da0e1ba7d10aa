"""A report with segments on tests/fixtures/teams_example.py: its folders, links and summaries.

Built with one notebook (the summary page) to keep it quick: the company at the top, each team in
its folder, company.html and company.json beside them (numbers worked in tests/engine/
test_segments.py: mid_market 15 MQLs, smb 38, unassigned none).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from slanb.params import Params
from slanb.publish.segments import build_segmented_report
from tests.conftest import write_history
from tests.fixtures import teams_example

NOTEBOOKS = Path(__file__).parents[2] / "notebooks"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("segments")
    db = write_history(tmp / "h.duckdb", teams_example.tables(), exported_at="2026-11-01T00:00:00")
    books = tmp / "nbs"
    books.mkdir()
    shutil.copy(NOTEBOOKS / "00_sla_summary.ipynb", books)
    params = Params.from_mapping({**teams_example.PARAMS, "db": str(db)})
    result = build_segmented_report(
        params, out=tmp / "reports", notebooks_dir=books, progress=lambda _: None
    )
    return result.folder


def _summary(folder: Path) -> dict:
    return json.loads((folder / "summary.json").read_text("utf-8"))


def test_the_company_the_company_page_and_each_team_have_their_place(built):
    assert built.name == "2026-10"
    top = {p.name for p in built.iterdir()}
    assert {"index.html", "company.html", "company.json", "summary.json"} <= top
    assert {"mid_market", "smb", "unassigned"} <= top
    for team in ("mid_market", "smb", "unassigned"):
        assert (built / team / "index.html").is_file()
        assert (built / team / "00_sla_summary.html").is_file()


def test_each_team_summary_is_its_own_sla_and_quotes_the_rollup(built):
    company, smb = _summary(built), _summary(built / "smb")
    assert company["goal"]["mqls"] == 54 and "unit" not in company["sentences"]
    assert smb["goal"]["mqls"] == 38 and smb["params"]["segment"] == "smb"
    assert smb["sentences"]["unit"] == "Team smb"
    assert smb["rollup"] == company["rollup"]
    assert company["rollup"]["segments"] == ["mid_market", "smb", "unassigned"]
    assert company["rollup"]["headline"].startswith(
        "October 2026: the company's goal is 53 MQLs ($34,500 of lead value)"
    )
    roll = json.loads((built / "company.json").read_text("utf-8"))
    assert roll["total"]["goal_mqls"] == 53 and roll["total"]["lead_value"] == 6480.0


def test_the_index_links_every_team_and_each_team_links_back(built):
    index = (built / "index.html").read_text("utf-8")
    for team in ("mid_market", "smb", "unassigned"):
        assert f'href="{team}/index.html"' in index
    assert 'href="company.html"' in index
    smb = (built / "smb" / "index.html").read_text("utf-8")
    assert 'href="../company.html"' in smb and "Marketing-to-Sales SLA · Team smb" in smb
    page = (built / "company.html").read_text("utf-8")
    assert 'href="smb/index.html"' in page and 'href="smb/06_sla_scorecard.html"' in page
