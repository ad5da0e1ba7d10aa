"""slanb: turn CRM history into a Marketing-to-Sales SLA, then track it.

Data flow: export -> ``ingest`` -> DuckDB -> SQL (``slanb/sql``) -> ``plan`` -> notebooks / report.
"""

from slanb.errors import SlanbError

__version__ = "0.1.0"

__all__ = ["SlanbError", "__version__"]
