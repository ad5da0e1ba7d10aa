"""Printing a report page to PDF with headless Chromium (the e-mail's second attachment)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from slanb.errors import SlanbError

CHROMIUM_ENV = "SLANB_CHROMIUM"  # a Chromium/Chrome binary to use instead of the one on PATH
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
PDF_TIMEOUT = 120.0  # seconds Chromium may take to print the page


def find_chromium() -> str | None:
    """The headless browser that prints the PDF: ``$SLANB_CHROMIUM``, else the first on PATH."""
    given = os.environ.get(CHROMIUM_ENV)
    if given:
        return shutil.which(given)
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def print_pdf(page: Path, chromium: str) -> bytes:
    """Print ``page`` to PDF with headless Chromium, after its charts have drawn (virtual time).

    A throwaway profile keeps the user's browser out of it; no network is needed (the page is
    self-contained). Raises :class:`SlanbError` with Chromium's last words when it fails.
    """
    with tempfile.TemporaryDirectory(prefix="slanb-pdf-") as tmp:
        pdf = Path(tmp) / "report.pdf"
        cmd = [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={Path(tmp) / 'profile'}",
            "--virtual-time-budget=8000",
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf}",
            page.resolve().as_uri(),
        ]
        try:
            run = subprocess.run(
                cmd, capture_output=True, text=True, timeout=PDF_TIMEOUT, check=False
            )
        except subprocess.TimeoutExpired as exc:
            msg = f"Chromium did not print {page.name} within {PDF_TIMEOUT:.0f} s"
            raise SlanbError(msg) from exc
        if not pdf.is_file() or not pdf.read_bytes().startswith(b"%PDF"):
            last = (run.stderr.strip().splitlines() or ["no output"])[-1]
            msg = f"Chromium could not print {page.name} (exit {run.returncode}: {last})"
            raise SlanbError(msg)
        return pdf.read_bytes()
