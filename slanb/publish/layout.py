"""Where a report's files live under its folder ``OUT`` (``reports/`` by default).

- ``OUT/YYYY-MM/``: the month's report (``index.html``, the pages, ``summary.json``);
- ``OUT/.failed/YYYY-MM/``: the executed notebooks of a build that failed, with their tracebacks;
- ``OUT/.deliveries/YYYY-MM.json``: who was sent the month's report (kept when it is rebuilt);
- ``OUT/YYYY-MM/dry-run/``: the e-mails of ``slanb deliver --dry-run``;
- a report with segments: ``OUT/YYYY-MM/company.html`` and ``company.json`` (the roll-up), and
  each segment's report in ``OUT/YYYY-MM/SEGMENT/`` (:func:`segment_folder`).
"""

import re
from pathlib import Path

FAILED_DIR = ".failed"
LOG_DIR = ".deliveries"
DRY_RUN_DIR = "dry-run"
COMPANY_PAGE = "company.html"
COMPANY_JSON = "company.json"


def segment_folder(segment: str) -> str:
    """The folder of a segment's pages: its name, letters, digits, ``-`` and ``_`` kept."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", segment) or "_"


def newest_mtime(folder: Path) -> float:
    """The newest modification time in ``folder`` (itself included): when a failed build ended."""
    return max([folder.stat().st_mtime, *(p.stat().st_mtime for p in folder.rglob("*"))])
