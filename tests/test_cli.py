"""The command line as a newcomer meets it: empty paths refused, terminal text escaped."""

from __future__ import annotations

import pytest

from slanb.cli import main
from tests.conftest import write_history
from tests.fixtures import tracking_example


@pytest.mark.parametrize(
    "argv",
    [
        ["report", "--out", ""],
        ["report", "--db", "  "],
        ["plan", "--db", ""],
        ["plan", "--params", ""],
        ["ingest", "", "--db", "history.duckdb"],
        ["deliver", "--month", "2026-10", "--out", ""],
    ],
)
def test_an_empty_path_is_refused_not_read_as_the_default(argv, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert "is empty: give a path, or leave" in err and "Traceback" not in err
    assert not (tmp_path / "reports").exists() and not list(tmp_path.iterdir())


def test_terminal_output_escapes_control_characters(tmp_path, capsys):
    """A rep named with ESC and BEL cannot retitle or redraw the reader's terminal."""
    tables = tracking_example.tables()
    tables["reps"][1]["name"] = "Ben\x1b]0;pwned\x07\x1b[2J Cole"  # R2 is on April's dashboard
    db = write_history(tmp_path / "h.duckdb", tables, exported_at="2026-06-01 00:00:00")
    argv = ["dashboard", "--db", str(db), "--month", "2026-04"]
    assert main([*argv, "--params", _params(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out
    assert "Ben\\x1b]0;pwned\\x07\\x1b[2J Cole" in out


def _params(tmp_path) -> str:
    path = tmp_path / "params.yaml"
    path.write_text("lookback_months: 2\nmaturity_months: 1\n", encoding="utf-8")
    return str(path)
