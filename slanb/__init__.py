"""slanb: turn CRM history into a Marketing-to-Sales SLA, then track it.

Data flow: export -> ``ingest`` -> DuckDB -> SQL (``slanb/sql``) -> ``plan`` -> notebooks / report.
"""

from slanb.errors import SlanbError
from slanb.params import Params, load_params, params_from

__version__ = "0.1.0"

__all__ = ["Params", "SlanbError", "__version__", "load_params", "params_from"]
