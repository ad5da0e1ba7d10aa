"""The house style is checked, not hoped for: ruff lint and format over code, tests and notebooks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RUFF = Path(sys.executable).with_name("ruff")
TARGETS = ["slanb", "tests", "notebooks", "benchmarks"]


@pytest.mark.parametrize("command", [["check"], ["format", "--check"]], ids=["check", "format"])
def test_ruff(command):
    if not RUFF.exists():
        pytest.skip("ruff is not installed in this environment (it is a test dependency)")
    done = subprocess.run(
        [str(RUFF), *command, *TARGETS], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
