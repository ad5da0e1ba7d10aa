"""Where a report's files live under its folder ``OUT`` (``reports/`` by default).

- ``OUT/YYYY-MM/``: the month's report (``index.html``, the pages, ``summary.json``);
- ``OUT/.failed/YYYY-MM/``: the executed notebooks of a build that failed, with their tracebacks;
- ``OUT/.deliveries/YYYY-MM.json``: who was sent the month's report (kept when it is rebuilt);
- ``OUT/YYYY-MM/dry-run/``: the e-mails of ``slanb deliver --dry-run``.
"""

from pathlib import Path

FAILED_DIR = ".failed"
LOG_DIR = ".deliveries"
DRY_RUN_DIR = "dry-run"


def newest_mtime(folder: Path) -> float:
    """The newest modification time in ``folder`` (itself included): when a failed build ended."""
    return max([folder.stat().st_mtime, *(p.stat().st_mtime for p in folder.rglob("*"))])
