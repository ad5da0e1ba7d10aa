"""slanb: turn CRM history into a Marketing-to-Sales SLA, then track it.

Data flow, one layer per folder: ``store`` (the export imported into DuckDB, the SQL) ->
``engine`` (plan the month, then judge it: ``slanb.compute``) -> ``views`` (the words, numbers
and charts a reader sees) -> ``publish`` (the report, the e-mail) -> ``cli``.
"""

import sys

# Lean imports. jsonschema (imported by Altair, nbconvert and jupyter-events) loads
# `rfc3987_syntax` when it is installed, which compiles a grammar for about 1.3 s, only to check
# strings of the "iri" format that no chart or notebook of ours carries. Every report kernel pays
# it, so slanb opts out, unless the module is already loaded. The cost of opting out: jsonschema
# stops checking "iri" strings in this process. docs/performance.md measures the effect.
if "rfc3987_syntax" not in sys.modules:
    sys.modules["rfc3987_syntax"] = None  # type: ignore[assignment]  # import now raises ImportError

from slanb.errors import SlanbError  # noqa: E402
from slanb.params import Params, load_params, params_from  # noqa: E402

__version__ = "0.1.0"

__all__ = ["Params", "SlanbError", "__version__", "compute", "load_params", "params_from"]


def __getattr__(name: str) -> object:
    """``slanb.compute`` loads the engine (DuckDB, polars) on first use, not at ``import slanb``."""
    if name == "compute":
        from slanb.engine.month import compute

        return compute
    msg = f"module 'slanb' has no attribute {name!r}"
    raise AttributeError(msg)
