"""Which of slanb's SQL files sqlglot transpiles from DuckDB to Spark and Trino without error.

A measurement for the design beyond one machine (``docs/performance.md``), not a promise: a file
that transpiles may still mean something else on the other engine (time zones, integer division,
``hash``), and only running it there on the same history would show that. A file "passes" a
dialect when sqlglot parses it as DuckDB and generates the dialect with ``unsupported_level``
``RAISE`` (sqlglot raises instead of warning when it knows a construct has no equivalent).

    .venv/bin/python benchmarks/portability.py [--dialects spark,trino]
"""

from __future__ import annotations

import argparse
import sys
from importlib.metadata import version
from pathlib import Path

import sqlglot
from sqlglot.errors import ErrorLevel, SqlglotError

ROOT = Path(__file__).resolve().parents[1]
SQL = ROOT / "slanb" / "sql"


def transpile(text: str, dialect: str) -> str | None:
    """None if ``text`` transpiles from DuckDB to ``dialect``, else sqlglot's first error line."""
    try:
        sqlglot.transpile(text, read="duckdb", write=dialect, unsupported_level=ErrorLevel.RAISE)
    except SqlglotError as exc:
        return str(exc).strip().splitlines()[0][:160]
    return None


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--dialects", default="spark,trino")
    args = p.parse_args()
    dialects = args.dialects.split(",")
    files = sorted(SQL.rglob("*.sql"))
    failures: dict[str, list[tuple[str, str]]] = {d: [] for d in dialects}
    by_folder: dict[str, list[int]] = {}
    for f in files:
        text = f.read_text(encoding="utf-8")
        folder = f.parent.relative_to(SQL).as_posix()
        row = by_folder.setdefault(folder, [0] + [0] * len(dialects))
        row[0] += 1
        for i, d in enumerate(dialects):
            error = transpile(text, d)
            if error is None:
                row[i + 1] += 1
            else:
                failures[d].append((f.relative_to(SQL).as_posix(), error))
    print(f"sqlglot {version('sqlglot')}: slanb/sql/**/*.sql from DuckDB, passing per dialect\n")
    print("| folder | files | " + " | ".join(dialects) + " |")
    print("|---|---:|" + "---:|" * len(dialects))
    for folder, row in sorted(by_folder.items()):
        print(f"| {folder} | {row[0]} | " + " | ".join(str(n) for n in row[1:]) + " |")
    total = [sum(r[i] for r in by_folder.values()) for i in range(len(dialects) + 1)]
    print("| **all** | " + " | ".join(f"**{n}**" for n in total) + " |")
    for d in dialects:
        print(f"\n{d}: {len(failures[d])} fail")
        for name, error in failures[d]:
            print(f"- {name}: {error}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
