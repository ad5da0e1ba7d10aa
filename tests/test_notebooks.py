"""The notebooks: the house rules for what they hold, and every one run by nbval on a fixture history."""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import papermill
import pytest

from slanb.params import NOTEBOOK_PARAMS, Params, load_params
from slanb.views import pages
from tests.conftest import write_history
from tests.fixtures import worked_example

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
EXPECTED = [
    "00_sla_summary",
    "01_historical_volume",
    "02_revenue_per_mql",
    "03_revenue_target",
    "04_goal_backsolve",
    "05_cross_check",
    "06_sla_scorecard",
    "07_sla_record",
]
PARAM_NAMES = list(NOTEBOOK_PARAMS)


def _code(nb: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return [c for c in nb.cells if c.cell_type == "code"]


def _read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def test_one_notebook_per_step_named_in_reading_order():
    assert [p.stem for p in NOTEBOOKS] == EXPECTED


def test_notebooks_carry_no_outputs_in_the_tree_or_in_git():
    for path in NOTEBOOKS:
        versions = {"working tree": path.read_text(encoding="utf-8")}
        staged = subprocess.run(
            ["git", "show", f":notebooks/{path.name}"], cwd=ROOT, capture_output=True, text=True
        )
        if staged.returncode == 0:  # tracked: check what git holds too
            versions["git index"] = staged.stdout
        for where, text in versions.items():
            for cell in _code(nbformat.reads(text, as_version=4)):
                assert cell.outputs == [], f"{path.name} ({where}): cell {cell.id} has outputs"
                assert cell.execution_count is None, f"{path.name} ({where}): cell {cell.id}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_title_then_exactly_one_parameters_cell_of_typed_literals(path):
    nb = _read(path)
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1 and nb.cells[1] is tagged[0]
    tree = ast.parse(tagged[0].source)
    names = []
    for node in tree.body:
        assert isinstance(node, ast.AnnAssign), "only `name: type = literal` lines"
        ast.literal_eval(node.value)  # a literal: nothing derived
        names.append(node.target.id)
    assert names == PARAM_NAMES
    assert all("#" in line for line in tagged[0].source.splitlines()), "every parameter commented"


def test_parameter_defaults_are_those_of_params_default_yaml():
    cell = next(c for c in _read(NOTEBOOKS[0]).cells if "parameters" in c.metadata.get("tags", []))
    namespace: dict[str, object] = {}
    exec(cell.source, namespace)  # literals only (checked above)
    from_cell = Params.from_mapping({k: namespace[k] for k in PARAM_NAMES})
    defaults = load_params(ROOT / "params" / "default.yaml")
    assert from_cell.notebook_parameters() == defaults.notebook_parameters()


def test_every_notebook_has_the_same_parameters_cell():
    cells = {
        next(c.source for c in _read(p).cells if "parameters" in c.metadata.get("tags", []))
        for p in NOTEBOOKS
    }
    assert len(cells) == 1


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebooks_are_views_no_def_class_sql_or_arithmetic(path):
    nb = _read(path)
    code = _code(nb)
    assert code[1].source.splitlines()[-1] == "sla = slanb.compute(slanb.params_from(globals()))"
    for cell in code[1:]:  # after the parameters cell, whose `str | None` is not arithmetic
        tree = ast.parse(cell.source)
        for node in ast.walk(tree):
            assert not isinstance(node, ast.FunctionDef | ast.ClassDef | ast.Lambda), cell.source
            assert not isinstance(node, ast.BinOp | ast.AugAssign), f"arithmetic: {cell.source}"
        assert not re.search(r"\bselect\b.+\bfrom\b", cell.source, re.I | re.S), cell.source


def test_the_notebooks_are_the_reports_pages_in_order():
    assert tuple(p.stem for p in NOTEBOOKS) == pages.NAMES


def test_papermill_finds_every_parameter_and_warns_of_none(caplog):
    """papermill's parser reads each line (a comment holding `=` or `:` type tricks it)."""
    with caplog.at_level("WARNING", logger="papermill"):
        params = papermill.inspect_notebook(str(NOTEBOOKS[2]))
    assert set(params) == set(NOTEBOOK_PARAMS)
    assert params["maturity_months"]["default"] == "3"
    assert not [r for r in caplog.records if "Unable to parse" in r.getMessage()]


@pytest.fixture(scope="module")
def fixture_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("nbval") / "worked_example.duckdb"
    return write_history(path, worked_example.tables(), exported_at="2026-11-01 00:00:00")


def test_every_notebook_runs_under_nbval(fixture_db):
    """nbval cannot inject parameters: the defaults run, reading the fixture through $SLANB_DB.

    Three pytest processes share the notebooks, since each kernel takes seconds to start.
    """
    env = {**os.environ, "SLANB_DB": str(fixture_db)}
    groups = [NOTEBOOKS[i::3] for i in range(3)]
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "pytest", "--nbval-lax", "--nbval-kernel-startup-timeout", "300"]
            + ["-q", "-p", "no:cacheprovider"]
            + [str(p.relative_to(ROOT)) for p in group],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for group in groups
    ]
    for group, proc in zip(groups, procs, strict=True):
        out, _ = proc.communicate(timeout=600)
        cells = sum(len(_code(_read(p))) for p in group)
        assert proc.returncode == 0, out[-4000:]
        assert re.search(rf"\b{cells} passed\b", out), out[-2000:]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_cell_has_an_id_so_nbformat_runs_quietly(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    assert (nb["nbformat"], nb["nbformat_minor"]) >= (4, 5)
    ids = [c.get("id") for c in nb["cells"]]
    assert all(ids) and len(set(ids)) == len(ids)
