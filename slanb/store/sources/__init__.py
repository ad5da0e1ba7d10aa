"""Real CRM exports in: one module per source shape, and the mapping file of the company's choices.

A source reads an export's raw files with DuckDB, applies the mapping (:mod:`.mapping`) in SQL and
writes the four contract tables as staging tables; the import then checks and writes them exactly
as it does a contract export (:func:`slanb.store.ingest.ingest` with ``mapping=``)::

    ingest("exports/hubspot-2026-11", db="data/acme.duckdb", mapping="mapping.yaml")
"""

from slanb.store.sources.mapping import SOURCES, SourceMapping, load_mapping, template
from slanb.store.sources.plan import plan_source

__all__ = ["SOURCES", "SourceMapping", "load_mapping", "plan_source", "template"]
