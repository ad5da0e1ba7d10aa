"""Imports run downhill: cli > publish > views > engine > store > the base modules.

The layers follow the data flow (docs/architecture in README's layout): ``store`` opens and writes
the history, ``engine`` computes the numbers, ``views`` states them, ``publish`` sends them out,
``cli`` is the shell. A module may import its own layer and any layer below it, never one above,
and the base modules (params, paths, months, money, errors, _files) import no layer at all.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SLANB = ROOT / "slanb"
LAYERS = ("cli", "publish", "views", "engine", "store")
BASE = len(LAYERS)  # params, paths, months, money, errors, _files, the package face


def rank(module: str) -> int:
    """0 for slanb.cli … 4 for slanb.store; 5 for the base modules."""
    part = module.removeprefix("slanb.").split(".")[0]
    return LAYERS.index(part) if part in LAYERS else BASE


def uphill(module: str, source: str) -> list[str]:
    """The ``slanb`` modules ``source`` (the text of ``module``) imports from a layer above it.

    Imports inside functions count too: a late import hides a cycle, it does not break one.
    """
    here = rank(module)
    found = []
    for node in ast.walk(ast.parse(source)):
        names: list[str] = []
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        for name in names:
            if name.startswith("slanb.") and rank(name) < here:
                found.append(name)
    return found


def _modules() -> list[tuple[str, Path]]:
    out = []
    for path in sorted(SLANB.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        out.append((".".join(parts[:-1] if parts[-1] == "__init__" else parts), path))
    return out


@pytest.mark.parametrize(("module", "path"), _modules(), ids=lambda x: str(x))
def test_imports_run_downhill(module, path):
    if module == "slanb":  # the package face re-exports the composer, lazily (slanb.compute)
        return
    assert uphill(module, path.read_text(encoding="utf-8")) == [], module


def test_an_upward_import_is_caught():
    """The rule bites: tracking importing the terminal view, or the store importing the engine."""
    assert uphill("slanb.engine.tracking", "from slanb.views import terminal\n") == [
        "slanb.views",
        "slanb.views.terminal",
    ]
    late = "def f():\n    from slanb.engine.plan import plan_month\n"
    assert uphill("slanb.store.history", late) == [
        "slanb.engine.plan",
        "slanb.engine.plan.plan_month",
    ]
    assert uphill("slanb.params", "import slanb.store.db\n") == ["slanb.store.db"]
    assert uphill("slanb.views.charts", "from slanb.engine.volume import slope\n") == []


def test_every_module_is_in_a_layer_or_the_base():
    base = {m for m, _ in _modules() if rank(m) == BASE and m != "slanb"}
    assert base == {
        "slanb._files",
        "slanb.errors",
        "slanb.money",
        "slanb.months",
        "slanb.params",
        "slanb.paths",
    }
