"""Where relative paths resolve from: the project root, never the working directory."""

from __future__ import annotations

import os
from pathlib import Path


def project_root() -> Path:
    """The folder relative paths in parameters resolve from.

    ``$SLANB_ROOT`` if set, else the checkout slanb is installed from (the folder holding
    ``pyproject.toml``), else the current directory. Papermill runs kernels in the caller's folder
    and JupyterLab in the notebook's, so paths must not depend on the working directory.
    """
    env = os.environ.get("SLANB_ROOT")
    if env:
        return Path(env).resolve()
    here = Path(__file__).resolve().parents[1]
    if (here / "pyproject.toml").exists():
        return here
    return Path.cwd()


def resolve_path(path: str | os.PathLike[str]) -> Path:
    """Resolve ``path`` against :func:`project_root` unless it is absolute."""
    p = Path(path).expanduser()
    return p if p.is_absolute() else project_root() / p
