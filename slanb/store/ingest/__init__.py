"""Import a CRM export: read each file into staging, check every contract rule, then write a copy and swap it in."""

from slanb.store.ingest.checks import IngestError, Problem
from slanb.store.ingest.run import IngestReport, TableCounts, ingest

__all__ = ["IngestError", "IngestReport", "Problem", "TableCounts", "ingest"]
