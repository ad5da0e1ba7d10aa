"""Which files of an export a source reads, and the staging step the import runs over them."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import duckdb

from slanb.errors import SlanbError
from slanb.store.ingest.checks import Problem
from slanb.store.ingest.read import _Staged
from slanb.store.sources.hubspot_api import api_key as hubspot_key
from slanb.store.sources.mapping import SourceMapping, load_mapping, required_files
from slanb.store.sources.raw import Findings, api_key, label_key, read_raw
from slanb.store.sources.salesforce_report import report_key

_NORMALIZE = {
    "hubspot": label_key,
    "hubspot-api": hubspot_key,
    "salesforce": api_key,
    "salesforce-report": report_key,
}

Stage = Callable[[duckdb.DuckDBPyConnection], tuple[list[_Staged], list[Problem], list[str]]]


def plan_source(
    folder: Path,
    mapping: str | os.PathLike[str] | SourceMapping,
    *,
    is_file: Callable[[Path], bool],
) -> tuple[dict[str, Path], Stage]:
    """The export's files by name, and the function that stages them on a connection.

    ``is_file`` is the import's own test of an export file (links followed, folders refused).
    The staging function returns the staged contract tables, the problems found in the export's
    own terms (which refuse it before any contract rule is checked) and the report's lines.
    """
    m = mapping if isinstance(mapping, SourceMapping) else load_mapping(mapping)
    present = {}
    for name, file in m.files.items():
        path = _one_of(folder, file, is_file=is_file)
        if path is not None:
            present[name] = path
    missing = [name for name in required_files(m.source) if name not in present]
    if missing:
        held = sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))
        seen = f"It holds {', '.join(held)}." if held else "It is empty."
        names = ", ".join(m.files[n] for n in missing)
        msg = (
            f"No {names} in {folder} for the {m.source} source. {seen} Export it into the "
            f"folder, or name its file in the mapping (files: {{{missing[0]}: FILE.csv}})."
        )
        raise SlanbError(msg)

    def stage(con: duckdb.DuckDBPyConnection) -> tuple[list[_Staged], list[Problem], list[str]]:
        findings = Findings()
        normalize = _NORMALIZE[m.source]
        report = m.source == "salesforce-report"
        raws = {}
        for name, path in present.items():
            footer: list[str] | None = [] if report else None
            raws[name] = read_raw(
                con, name, path, normalize=normalize, problems=findings.problems, footer=footer
            )
            if footer:
                findings.notes.append(
                    f"{path.name}: the report's footer skipped ({len(footer)} lines after the "
                    f"rows, from {footer[0]!r} to {footer[-1]!r})"
                )
        if m.source == "hubspot":
            from slanb.store.sources.hubspot import stage_hubspot as run
        elif m.source == "hubspot-api":
            from slanb.store.sources.hubspot_api import stage_hubspot_api as run
        elif report:
            from slanb.store.sources.salesforce_report import stage_salesforce_report as run
        else:
            from slanb.store.sources.salesforce import stage_salesforce as run
        staged = run(con, raws, m, findings)
        return staged, findings.problems, findings.notes

    return present, stage


RAW_FORMATS = (".csv", ".parquet")


def _one_of(folder: Path, file: str, *, is_file: Callable[[Path], bool]) -> Path | None:
    """The export's file named ``file``, or the same name in another raw format (Parquet, CSV).

    Two of them (``deal.csv`` and ``deal.parquet``) are refused: which one is the export?
    """
    named = folder / file
    stem = named.with_suffix("") if named.suffix.lower() in RAW_FORMATS else named
    found = [p for p in [named, *(stem.with_suffix(x) for x in RAW_FORMATS)] if is_file(p)]
    found = list(dict.fromkeys(found))
    if len(found) > 1:
        names = " and ".join(p.name for p in found)
        msg = f"{folder} has both {names}; keep one file per table and run `slanb ingest` again."
        raise SlanbError(msg)
    return found[0] if found else None
