"""The history on disk: the only code that opens, writes or describes a DuckDB file."""

from slanb.store.db import connect, create_schema, load_sql

__all__ = ["connect", "create_schema", "load_sql"]
