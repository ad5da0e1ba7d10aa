"""A month computed once and handed to the report's kernels, keyed by everything it was read from.

``slanb report`` plans and judges the month once, writes the result here (:func:`write`) and
sets ``$SLANB_HANDOVER``, naming the file, in every notebook's kernel before its first notebook
(the kernels are started early, while the month is planned). In the kernel,
``slanb.compute(params)`` asks :func:`read` first: it returns the result only when the file's key
equals the key of the kernel's own parameters and of the history and ledger files as they are at
that moment (:func:`fingerprint`), else None, and ``compute`` computes as it always did. A
notebook opened in JupyterLab or run with plain papermill has no ``$SLANB_HANDOVER`` and computes.

The key is a sha256 of: the parameters' values as a params file would hold them (``db`` as the
absolute file it resolves to), ``in_progress``, slanb's version, the history file's and its
``.wal``'s identity (device, inode, size, modification time: an import replaces or rewrites the
file, which changes them), and the ledger's bytes. ``as_of`` unset means "now": the kernels then
reuse the instant the report judged the month at, so every page of a report is judged at one
instant (for a past month that instant is the month's end either way).

The file is a header line, ``slanb-handover 1 <key>``, then the pickled result; the key is read
and compared before anything is unpickled. It is only ever written by ``slanb report`` into its
own build folder (pickle runs code when loaded: never point ``$SLANB_HANDOVER`` at a file
someone else can write).
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
from pathlib import Path
from typing import TYPE_CHECKING, Any

from slanb import __version__
from slanb._files import replace_durably
from slanb.errors import SlanbError

if TYPE_CHECKING:
    from slanb.params import Params

ENV = "SLANB_HANDOVER"
MAGIC = b"slanb-handover 1 "


def files_state(params: Params) -> dict[str, Any]:
    """What the history and ledger files of ``params`` are now (take it before reading them)."""
    db = params.db_path.resolve()
    ledger = params.ledger_path
    return {
        "db": str(db),
        "history": _identity(db),
        "wal": _identity(db.with_name(db.name + ".wal")),
        "ledger": None if ledger is None else str(ledger.resolve()),
        "ledger_sha256": _digest(ledger),
    }


def fingerprint(
    params: Params, *, in_progress: bool = False, files: dict[str, Any] | None = None
) -> str:
    """The key of a result computed from ``params`` on the files as they are (or as ``files``)."""
    values = params.to_dict()
    values.pop("db")  # named by the file it resolves to, in ``files``
    key = {
        "params": values,
        "in_progress": in_progress,
        "version": __version__,
        "files": files_state(params) if files is None else files,
    }
    text = json.dumps(key, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def write(path: Path, result: Any, *, key: str) -> Path:
    """Write ``result`` under ``key`` to ``path`` (whole or not at all) and return ``path``."""
    tmp = path.with_name(f".{path.name}.tmp")
    with tmp.open("wb") as f:
        f.write(MAGIC + key.encode("ascii") + b"\n")
        pickle.dump(result, f, protocol=pickle.HIGHEST_PROTOCOL)
    replace_durably(tmp, path)
    return path


def read(params: Params, *, in_progress: bool = False) -> Any | None:
    """The result handed over in ``$SLANB_HANDOVER`` for exactly ``params``, else None.

    None when the variable is unset or empty, when the file is gone (the report that wrote it has
    finished), or when its key differs from ``params``' key now: other parameters, another
    history file, the history imported or the ledger changed since. A file that is not a handover
    raises :class:`SlanbError`.
    """
    name = os.environ.get(ENV)
    if not name:
        return None
    path = Path(name)
    try:
        f = path.open("rb")
    except FileNotFoundError:
        return None
    with f:
        header = f.readline()
        if not header.startswith(MAGIC):
            msg = (
                f"${ENV} names {path}, which is not a result handed over by `slanb report`. "
                f"Unset {ENV} (only `slanb report` sets it, for its own notebooks)."
            )
            raise SlanbError(msg)
        if header[len(MAGIC) :].strip().decode("ascii") != fingerprint(
            params, in_progress=in_progress
        ):
            return None
        return pickle.load(f)


def _identity(path: Path) -> list[int] | None:
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return [st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns]


def _digest(path: Path | None) -> str | None:
    if path is None:
        return None
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return None
