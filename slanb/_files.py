"""File mechanics written once: durable renames, atomic writes, folder swaps and exclusive locks.

Every writer of slanb (the import, the demo, the report, the delivery log) publishes by writing
a new copy beside the old one and renaming it into place, so a reader or a killed run sees the old
state or the new one, never a mix.
"""

from __future__ import annotations

import ctypes
import errno
import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

from slanb.errors import SlanbError


def fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` survive a power cut (a no-op where folders cannot be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def replace_durably(new: Path, target: Path) -> None:
    """Flush ``new`` to disk, rename it over ``target`` in one step, and flush the rename."""
    with new.open("rb") as f:
        os.fsync(f.fileno())
    os.replace(new, target)
    fsync_dir(target.parent)


def atomic_write_text(path: Path, text: str, *, mode: int = 0o644) -> None:
    """Write ``text`` to ``path`` through a temporary file beside it: the old or the new file, whole."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(tmp, mode)
        replace_durably(Path(tmp), path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# ---- folders ----------------------------------------------------------------------------------
_LEFTOVER = re.compile(r"^\.(build|old)-(\d{4}-\d{2})-(\d+)-")


def swap_folder(new: Path, final: Path) -> Path:
    """Put the finished folder ``new`` at ``final``; at every instant ``final`` is whole.

    The first time it is one rename. Later the new folder is exchanged with the old one in one
    atomic step (Linux ``renameat2(RENAME_EXCHANGE)``) and the old one, now at ``new``, is removed.
    Where that is not available the old folder is renamed aside to ``.old-NAME-PID-…`` first; a run
    killed between the two renames leaves no ``final``, and :func:`clear_leftovers` puts the old one
    back.
    """
    try:
        os.rename(new, final)  # not os.replace: it must fail if a folder is already there
    except OSError as exc:
        if exc.errno not in (errno.EEXIST, errno.ENOTEMPTY, errno.EISDIR):
            raise
        if not exchange(new, final):
            old = final.with_name(f".old-{final.name}-{os.getpid()}-{time.time_ns()}")
            os.rename(final, old)
            try:
                os.rename(new, final)
            except OSError:
                os.rename(old, final)
                raise
            os.rename(old, new)  # removed below, like the exchanged old folder
        shutil.rmtree(new)
    fsync_dir(final.parent)
    return final


def exchange(a: Path, b: Path) -> bool:
    """Swap the folders ``a`` and ``b`` atomically; False where the system cannot."""
    renameat2 = getattr(_libc(), "renameat2", None)
    if renameat2 is None:
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):  # kernel or file system without it
        return False
    raise OSError(code, f"cannot exchange {a} and {b}: {os.strerror(code)}")


@cache
def _libc() -> Any:
    """The C library, for ``renameat2``; None where there is none to load."""
    try:
        return ctypes.CDLL(None, use_errno=True)
    except OSError:  # no C library to load (Windows)
        return None


def clear_leftovers(parent: Path) -> None:
    """Tidy what killed runs left in ``parent``: ``.build-MONTH-PID-…`` and ``.old-MONTH-PID-…``.

    Build folders are removed; an ``.old-…`` folder whose month has no folder (a run of the
    fallback swap died between its two renames) is put back. Folders of runs still alive are left.
    """
    for path in sorted(parent.iterdir()):
        found = _LEFTOVER.match(path.name)
        if not found or not path.is_dir() or _alive(int(found[3])):
            continue
        kind, month = found[1], found[2]
        if kind == "old" and not (parent / month).exists():
            os.rename(path, parent / month)
        else:
            shutil.rmtree(path, ignore_errors=True)


def _alive(pid: int) -> bool:
    """Whether process ``pid`` is running."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


# ---- locks ------------------------------------------------------------------------------------
@contextmanager
def exclusive_lock(path: Path, *, busy: str, timeout: float = 0.0) -> Iterator[None]:
    """Hold ``flock`` on ``path`` (a folder, or a lock file created if missing) for the block.

    Waits up to ``timeout`` seconds for another holder, then raises :class:`SlanbError` with
    ``busy``. The lock goes with the process, however it ends. Where ``fcntl`` does not exist (not
    POSIX) the block runs unlocked: the scheduler must not overlap runs (docs/scheduling.md).
    """
    with _flock(path, shared=False, busy=busy, timeout=timeout):
        yield


@contextmanager
def locked_descriptor(fd: int, *, shared: bool, busy: str, timeout: float) -> Iterator[None]:
    """Hold ``flock`` on the open file ``fd`` for the block, then unlock it; ``fd`` stays open.

    For a file whose descriptors must not be closed meanwhile (DuckDB's POSIX locks on a history go
    when the process closes any descriptor of it). Waits and raises as :func:`exclusive_lock`.
    """
    try:
        import fcntl
    except ImportError:
        yield
        return
    _acquire(fd, shared=shared, busy=busy, timeout=timeout)
    try:
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)


_POLL = (0.002, 0.05)  # seconds between tries for a held lock: first, and at most (doubling)


def _acquire(fd: int, *, shared: bool, busy: str, timeout: float) -> None:
    import fcntl

    deadline, pause = time.monotonic() + timeout, _POLL[0]
    while True:
        try:
            fcntl.flock(fd, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise SlanbError(busy) from None
            time.sleep(pause)
            pause = min(2 * pause, _POLL[1])


@contextmanager
def _flock(path: Path, *, shared: bool, busy: str, timeout: float) -> Iterator[None]:
    try:
        import fcntl  # noqa: F401 (only where it exists)
    except ImportError:
        yield
        return
    if path.is_dir():
        fd = os.open(path, os.O_RDONLY)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        _acquire(fd, shared=shared, busy=busy, timeout=timeout)
        yield
    finally:
        os.close(fd)  # releases the lock
