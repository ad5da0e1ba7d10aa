"""Which of slanb's SQL files sqlglot transpiles from DuckDB to Spark and Trino without error.

A measurement for the design beyond one machine (``docs/performance.md``), not a promise: a file
that transpiles may still mean something else on the other engine (time zones, integer division,
``hash``), and only running it there on the same history would show that. A file "passes" a
dialect when sqlglot parses it as DuckDB and generates the dialect with ``unsupported_level``
``RAISE`` (sqlglot raises instead of warning when it knows a construct has no equivalent); since
sqlglot copies functions it does not model through by name, a passing file is also searched for
those and for ASOF joins (``check``).

    .venv/bin/python benchmarks/portability.py [--dialects spark,trino]
"""

from __future__ import annotations

import argparse
import sys
from importlib.metadata import version
from pathlib import Path

import sqlglot
from sqlglot import exp
from sqlglot.errors import ErrorLevel, SqlglotError

ROOT = Path(__file__).resolve().parents[1]
SQL = ROOT / "slanb" / "sql"


def check(text: str, dialect: str) -> tuple[str, str]:
    """(verdict, detail) of ``text`` from DuckDB to ``dialect``.

    ``error``: sqlglot raises (the detail is its first line); ``verbatim``: it transpiles, but
    carries functions sqlglot does not model (copied through by name, e.g. ``epoch_us``, which
    Spark and Trino lack) or an ASOF join, so it would fail or differ there; ``clean``: neither.
    """
    try:
        out = sqlglot.transpile(
            text, read="duckdb", write=dialect, unsupported_level=ErrorLevel.RAISE
        )
        trees = sqlglot.parse(text, read="duckdb")
    except SqlglotError as exc:
        return "error", str(exc).strip().splitlines()[0][:120]
    names = sorted({a.name.lower() for t in trees if t for a in t.find_all(exp.Anonymous)})
    if any("ASOF" in o.upper() for o in out):
        names.append("ASOF join")
    return ("verbatim", ", ".join(names)) if names else ("clean", "")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--dialects", default="spark,trino")
    args = p.parse_args()
    dialects = args.dialects.split(",")
    verdicts = ("clean", "verbatim", "error")
    counts: dict[tuple[str, str], dict[str, int]] = {}
    details: dict[str, set[str]] = {}
    for f in sorted(SQL.rglob("*.sql")):
        text = f.read_text(encoding="utf-8")
        folder = f.parent.relative_to(SQL).as_posix()
        for d in dialects:
            verdict, detail = check(text, d)
            row = counts.setdefault((folder, d), dict.fromkeys(verdicts, 0))
            row[verdict] += 1
            if detail:
                details.setdefault(f"{f.relative_to(SQL).as_posix()} ({verdict})", set()).add(
                    detail
                )
    print(
        f"sqlglot {version('sqlglot')}: slanb/sql/**/*.sql read as DuckDB; per dialect, files "
        "clean / transpiled but carrying DuckDB-only functions verbatim / failing\n"
    )
    print("| folder | " + " | ".join(dialects) + " |")
    print("|---|" + "---|" * len(dialects))
    folders = sorted({f for f, _ in counts})
    for folder in [*folders, "all"]:
        cells = []
        for d in dialects:
            rows = [counts[(f, d)] for f in folders] if folder == "all" else [counts[(folder, d)]]
            cells.append(" / ".join(str(sum(r[v] for r in rows)) for v in verdicts))
        print(f"| {folder} | " + " | ".join(cells) + " |")
    print()
    for name, found in sorted(details.items()):
        print(f"- {name}: {'; '.join(sorted(found))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
